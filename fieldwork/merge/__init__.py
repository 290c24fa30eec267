"""Merge: inspectors' bundles into the lead's central database, with conflicts, provenance,
moderation and agreement. Headless; the GUI and CLI call these functions.

The rules are in docs/merge.md and docs/decisions/0007-merge-rules.md.
"""

from fieldwork.merge.agreement import Agreement, AgreementReport, agreement
from fieldwork.merge.conflicts import (
    CaseConflict,
    Conflict,
    Resolution,
    author_choice,
    count_open_conflicts,
    list_case_conflicts,
    list_conflicts,
    resolve_case_conflict,
    resolve_conflict,
)
from fieldwork.merge.imports import Alert, ImportRecord, SequenceGap, list_alerts, list_imports, sequence_gaps
from fieldwork.merge.merge import Progress, merge_bundles, merge_verified
from fieldwork.merge.moderation import (
    MODERATION_STATES,
    CaseModeration,
    Query,
    add_query,
    case_moderation,
    close_query,
    list_moderation,
    list_open_queries,
    list_queries,
    set_case_moderation,
)
from fieldwork.merge.provenance import Provenance, VersionInfo, provenance
from fieldwork.merge.report import FileResult, MergeReport

__all__ = [
    "MODERATION_STATES",
    "Agreement",
    "AgreementReport",
    "Alert",
    "CaseConflict",
    "CaseModeration",
    "Conflict",
    "FileResult",
    "ImportRecord",
    "MergeReport",
    "Progress",
    "Provenance",
    "Query",
    "Resolution",
    "SequenceGap",
    "VersionInfo",
    "add_query",
    "agreement",
    "author_choice",
    "case_moderation",
    "close_query",
    "count_open_conflicts",
    "list_alerts",
    "list_case_conflicts",
    "list_conflicts",
    "list_imports",
    "list_moderation",
    "list_open_queries",
    "list_queries",
    "merge_bundles",
    "merge_verified",
    "provenance",
    "resolve_case_conflict",
    "resolve_conflict",
    "sequence_gaps",
    "set_case_moderation",
]
