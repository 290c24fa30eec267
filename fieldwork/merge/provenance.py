"""Where a value came from: every version of an answer or case detail, which bundle and
inspector brought it and when, the lead's decisions, and the change-log history."""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.errors import ValidationError
from fieldwork.merge.versions import ANSWER, DETAIL, digest
from fieldwork.store.assessments import get_case
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection
from fieldwork.store.records import ChangeLogEntry


@dataclass(frozen=True)
class VersionInfo:
    """One version with where it came from (bundle fields are None for the lead's own edits)."""

    version_id: int
    author: str
    value: str | None
    note: str
    revision: int
    updated_at: str
    origin: str  # "bundle" | "local"
    bundle_id: str | None
    bundle_inspector: str | None  # who signed the bundle (may differ from the author)
    sequence: int | None
    file_name: str | None
    imported_at: str | None

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ResolutionInfo:
    id: int
    version_id: int
    value: str | None
    note: str
    reason: str
    decided_by: str
    decided_at: str

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Provenance:
    case_id: str
    case_ref: str
    kind: str
    key: str
    current: dict | None  # the central row: value, note, revision, updated_at, updated_by
    held_version: VersionInfo | None  # the version the central row holds (None: edited here since)
    conflicted: bool
    conflict_reason: str | None
    versions: tuple[VersionInfo, ...]  # oldest first
    resolutions: tuple[ResolutionInfo, ...]
    history: tuple[ChangeLogEntry, ...]

    def to_json(self) -> dict:
        return {
            "case_id": self.case_id, "case_ref": self.case_ref, "kind": self.kind, "key": self.key,
            "current": self.current,
            "held_version": self.held_version.to_json() if self.held_version else None,
            "conflicted": self.conflicted, "conflict_reason": self.conflict_reason,
            "versions": [v.to_json() for v in self.versions],
            "resolutions": [r.to_json() for r in self.resolutions],
            "history": [dict(e.__dict__) for e in self.history],
        }


VERSION_INFO_SQL = (
    "SELECT v.id, v.author, v.value, v.note, v.revision, v.updated_at, v.origin, v.bundle_id, i.inspector_id, "
    "i.sequence, i.file_name, i.imported_at FROM merge_versions v "
    "LEFT JOIN merge_imports i ON i.bundle_id = v.bundle_id"
)


def kind_of(store: Store, case_id: str, key: str) -> str:
    """"answer" for a key question or prompt, "detail" for a case-detail field."""
    case = get_case(store, case_id)
    found = framework_for(store, get_inspection(store, case.inspection_id)).question_kind(key)
    if found in ("key_question", "prompt"):
        return ANSWER
    if found == "case_detail":
        return DETAIL
    raise ValidationError(f"'{key}' is not a question or case detail of this inspection's framework.")


def case_ids_with_aliases(store: Store, case_id: str) -> list[str]:
    """The case and every UUID the lead decided is the same case."""
    rows = store.db.execute("SELECT alias_id FROM merge_case_aliases WHERE case_id = ?", [case_id]).fetchall()
    return [case_id, *(r[0] for r in rows)]


def provenance(store: Store, case_id: str, question_id: str, *, kind: str | None = None) -> Provenance:
    """Everything known about one answer (or, with a field id, one case detail) of one case."""
    case = get_case(store, case_id)
    kind = kind or kind_of(store, case_id, question_id)
    db = store.db
    versions = tuple(
        VersionInfo(*row)
        for row in db.execute(
            f"{VERSION_INFO_SQL} WHERE v.kind = ? AND v.case_id = ? AND v.key = ? ORDER BY v.updated_at, v.id",
            [kind, case_id, question_id],
        )
    )
    if kind == ANSWER:
        row = db.execute(
            "SELECT value, note, revision, updated_at, updated_by FROM answers WHERE case_id = ? AND question_id = ?",
            [case_id, question_id],
        ).fetchone()
    else:
        row = db.execute(
            "SELECT value, '', revision, updated_at, updated_by FROM case_details WHERE case_id = ? AND field_id = ?",
            [case_id, question_id],
        ).fetchone()
    current = dict(zip(("value", "note", "revision", "updated_at", "updated_by"), row, strict=True)) if row else None
    held = None
    if row:
        wanted = (row[4], row[3], digest(row[0], row[1]))
        held = next((v for v in versions if (v.author, v.updated_at, digest(v.value, v.note)) == wanted), None)
    flag = db.execute(
        "SELECT reason FROM merge_open_conflicts WHERE kind = ? AND case_id = ? AND key = ?",
        [kind, case_id, question_id],
    ).fetchone()
    resolutions = tuple(
        ResolutionInfo(*r)
        for r in db.execute(
            "SELECT id, version_id, value, note, reason, decided_by, decided_at FROM merge_resolutions "
            "WHERE kind = ? AND case_id = ? AND key = ? ORDER BY id",
            [kind, case_id, question_id],
        )
    )
    target = "answer" if kind == ANSWER else "detail"
    ids = case_ids_with_aliases(store, case_id)
    history = tuple(
        ChangeLogEntry(*r)
        for r in db.execute(
            "SELECT seq, id, at, actor, case_id, target, key, field, old, new, source FROM change_log "
            f"WHERE case_id IN ({', '.join('?' * len(ids))}) AND target = ? AND key = ? ORDER BY at, seq",
            [*ids, target, question_id],
        )
    )
    return Provenance(
        case_id, case.case_ref, kind, question_id, current, held, flag is not None, flag[0] if flag else None,
        versions, resolutions, history,
    )
