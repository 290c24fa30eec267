"""Plain records read from the store. Typed, immutable, no database handles inside."""

from __future__ import annotations

from dataclasses import dataclass

CASE_STATUSES = ("not_started", "in_progress", "complete", "handed_over")
STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "handed_over": "Handed over",
}


@dataclass(frozen=True)
class Inspection:
    id: str
    provider: str
    provider_type: str
    framework_hash: str
    fieldwork_start: str | None
    fieldwork_end: str | None
    lead_id: str | None
    is_demo: bool
    created_at: str
    created_by: str


@dataclass(frozen=True)
class Case:
    id: str
    inspection_id: str
    case_ref: str
    sample_id: str
    inspector_id: str | None
    status: str
    revision: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class StoredAnswer:
    question_id: str
    value: str | None
    note: str
    revision: int
    updated_at: str
    updated_by: str


@dataclass(frozen=True)
class ChangeLogEntry:
    seq: int
    id: str
    at: str
    actor: str
    case_id: str | None
    target: str
    key: str
    field: str
    old: str | None
    new: str | None
    source: str
