"""Merge: inspectors' bundles into the lead's central database, with conflicts, provenance,
moderation and agreement. Headless; the GUI and CLI call these functions.

The rules are in docs/merge.md and docs/decisions/0007-merge-rules.md.
"""

import importlib

# Light: store reads and pure rules, needed by the app's home view at start-up.
from fieldwork.merge.agreement import Agreement, AgreementReport, agreement
from fieldwork.merge.moderation import (
    MODERATION_STATES,
    CaseModeration,
    Query,
    add_query,
    case_moderation,
    clear_case_moderation,
    close_query,
    list_moderation,
    list_open_queries,
    list_queries,
    set_case_moderation,
)
from fieldwork.merge.provenance import Provenance, VersionInfo, provenance
from fieldwork.merge.report import FileResult, MergeReport

# Heavy: these read bundles, so they bring in the crypto stack (about 140 ms); loaded on first use.
_LAZY = {
    **dict.fromkeys(
        (
            "CaseConflict",
            "Conflict",
            "Resolution",
            "author_choice",
            "count_open_conflicts",
            "list_case_conflicts",
            "list_conflicts",
            "resolve_case_conflict",
            "resolve_conflict",
        ),
        "conflicts",
    ),
    **dict.fromkeys(
        ("Alert", "ImportRecord", "SequenceGap", "list_alerts", "list_imports", "sequence_gaps"), "imports"
    ),
    **dict.fromkeys(("Progress", "merge_bundles", "merge_verified"), "merge"),
    **dict.fromkeys(("Accepted", "Held", "WaitingCase", "accept_held", "list_waiting", "waiting_totals"), "held"),
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "MODERATION_STATES",
    "Accepted",
    "Held",
    "WaitingCase",
    "accept_held",
    "list_waiting",
    "waiting_totals",
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
    "clear_case_moderation",
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
