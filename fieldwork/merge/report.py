"""What a merge did, per file: the shape the GUI shows and `fieldwork merge --json` prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldwork.merge.held import Held

IMPORTED = "imported"
IMPORTED_WITH_CONFLICTS = "imported_with_conflicts"
ALREADY_IMPORTED = "already_imported"
REFUSED = "refused"


@dataclass(frozen=True)
class FileResult:
    """One file's outcome. `conflicts`: answers, details and case references this bundle left in
    conflict; `notes`: things the lead should know although the bundle was merged."""

    file: str
    status: str
    bundle_id: str | None = None
    inspection_id: str | None = None
    inspector_id: str | None = None
    sequence: int | None = None
    cases: int = 0
    case_details: int = 0
    answers: int = 0
    changes: int = 0
    new_versions: int = 0
    conflicts: int = 0
    code: str | None = None
    message: str | None = None
    notes: tuple[str, ...] = ()
    held: Held = field(default_factory=Held)  # what of this bundle waits for the lead's acceptance

    @property
    def merged(self) -> bool:
        return self.status in (IMPORTED, IMPORTED_WITH_CONFLICTS)

    def to_json(self) -> dict:
        if self.status == REFUSED:
            return {"file": self.file, "code": self.code, "message": self.message}
        if self.status == ALREADY_IMPORTED:
            return {"file": self.file, "bundle_id": self.bundle_id, "inspection_id": self.inspection_id}
        return {
            "file": self.file, "bundle_id": self.bundle_id, "inspection_id": self.inspection_id,
            "inspector_id": self.inspector_id, "sequence": self.sequence, "cases": self.cases,
            "case_details": self.case_details, "answers": self.answers, "changes": self.changes,
            "new_versions": self.new_versions, "conflicts": self.conflicts, "held": self.held.to_json(),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class MergeReport:
    """Every file's outcome, in the order given, and the conflicts open afterwards in the
    inspections those files belong to (what the lead still has to resolve)."""

    results: tuple[FileResult, ...]
    open_conflicts: int = 0
    inspections: tuple[str, ...] = field(default=())
    waiting: Held = field(default_factory=Held)  # held in those inspections afterwards, awaiting acceptance

    @property
    def imported(self) -> list[FileResult]:
        return [r for r in self.results if r.merged]

    @property
    def already_imported(self) -> list[FileResult]:
        return [r for r in self.results if r.status == ALREADY_IMPORTED]

    @property
    def refused(self) -> list[FileResult]:
        return [r for r in self.results if r.status == REFUSED]

    def to_json(self) -> dict:
        return {
            "imported": [r.to_json() for r in self.imported],
            "already_imported": [r.to_json() for r in self.already_imported],
            "refused": [r.to_json() for r in self.refused],
            "conflicts": self.open_conflicts,
            "awaiting_acceptance": self.waiting.to_json(),
        }
