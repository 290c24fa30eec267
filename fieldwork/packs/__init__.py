"""Allocation packs: the lead hands each inspector their cases as a signed, encrypted file.

Lead side: `export_pack` (write one; `recipient_for` finds the inspector's identity in the
trust list). Inspector side: `verify_pack` (check one completely, writing nothing), then
`plan_pack` (what it would change, for a preview) and `apply_pack` (change the workspace, in one
transaction). Every refusal is a `PackError` with a reason code. The format is
docs/pack-format.md; re-issued packs follow docs/decisions/0010-reissued-packs.md.
"""

from fieldwork.packs.apply import (
    AppliedPack,
    DetailUpdate,
    InspectionUpdate,
    PackApplyResult,
    PackPlan,
    applied_packs,
    apply_pack,
    plan_pack,
)
from fieldwork.packs.errors import REASONS, PackError, PackExportError
from fieldwork.packs.export import (
    PackExportRecord,
    PackResult,
    export_pack,
    list_pack_exports,
    recipient_for,
    suggested_pack_filename,
)
from fieldwork.packs.format import DEFAULT_PACK_LIMITS, FILE_SUFFIX, PackLimits, PackManifest, PackPayload
from fieldwork.packs.verify import VerifiedPack, normalise_fingerprint, verify_pack
from fieldwork.store.allocations import MovedAway, ReceivedQuery, moved_away_cases, received_queries

__all__ = [
    "DEFAULT_PACK_LIMITS",
    "FILE_SUFFIX",
    "REASONS",
    "AppliedPack",
    "DetailUpdate",
    "InspectionUpdate",
    "MovedAway",
    "PackApplyResult",
    "PackError",
    "PackExportError",
    "PackExportRecord",
    "PackLimits",
    "PackManifest",
    "PackPayload",
    "PackPlan",
    "PackResult",
    "ReceivedQuery",
    "VerifiedPack",
    "applied_packs",
    "apply_pack",
    "export_pack",
    "list_pack_exports",
    "moved_away_cases",
    "normalise_fingerprint",
    "plan_pack",
    "received_queries",
    "recipient_for",
    "suggested_pack_filename",
    "verify_pack",
]
