"""Retention: an inspection leaves the inspector's laptop N days after its fieldwork ended.

The rules (docs/decisions/0013-handover-receipts-and-wipe.md):
- due on fieldwork end + `retention_days` (default 90; 'off' never); warned from 14 days before;
- an inspection without an end date, the practice inspection and an inspection whose central
  database this store is (the lead's) are never wiped by retention;
- when due: if every case was handed over (a receipt from the lead) the inspection is removed
  whole; otherwise the handed-over cases lose their personal data and the others stay, until the
  inspector hands them over or confirms, explicitly, that they may go unreceipted
  (`include_not_handed_over`): then the inspection is removed whole.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from fieldwork.errors import NotFoundError, StoreLockedError
from fieldwork.faults import crash_point
from fieldwork.handover.cleanup import CleanupReport, finish_wipe
from fieldwork.handover.wipe import secure_delete, wipe_cases, wipe_inspection
from fieldwork.profile import read_profile
from fieldwork.store.db import Store
from fieldwork.store.inspections import get_inspection, list_inspections
from fieldwork.store.records import Inspection
from fieldwork.store.settings import RETENTION_WARNING_DAYS, retention_days
from fieldwork.text import plural

log = logging.getLogger("fieldwork.handover")

UPCOMING = "upcoming"  # inside the warning period
DUE = "due"
LATER = "later"  # due after the warning period starts
SKIPPED = "skipped"


@dataclass(frozen=True)
class RetentionItem:
    """Where one inspection stands against the retention setting."""

    inspection_id: str
    fieldwork_end: str | None
    due_on: str | None  # YYYY-MM-DD
    days_left: int | None  # negative once overdue
    state: str  # upcoming, due, later or skipped
    handed_over: int  # cases handed over by a receipt, data still here
    wiped: int  # cases handed over and already wiped (only ids left)
    not_handed_over: int
    skipped_because: str | None = None

    def sentence(self) -> str:
        """One line for the inspector; ids and dates only."""
        if self.state == SKIPPED:
            return f"Inspection {self.inspection_id}: not wiped by retention ({self.skipped_because})."
        one = self.not_handed_over == 1
        rest = (
            f" {plural(self.not_handed_over, 'case')} not handed over will stay until you hand "
            f"{'it' if one else 'them'} over or confirm {'its' if one else 'their'} wipe."
            if self.not_handed_over else ""
        )
        if self.state == DUE:
            return (
                f"Inspection {self.inspection_id}: fieldwork ended on {self.fieldwork_end}; it was due to be wiped "
                f"from this laptop on {self.due_on}.{rest}"
            )
        return (
            f"Inspection {self.inspection_id} will be wiped from this laptop on {self.due_on} "
            f"({plural(self.days_left, 'day')} from now, fieldwork ended on {self.fieldwork_end}). Export your last "
            f"bundle and accept your lead's receipt before then.{rest}"
        )

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RetentionReview:
    """Every inspection here against the setting (days None: retention is off)."""

    days: int | None
    today: str
    items: tuple[RetentionItem, ...]

    @property
    def due(self) -> list[RetentionItem]:
        return [i for i in self.items if i.state == DUE]

    @property
    def upcoming(self) -> list[RetentionItem]:
        return [i for i in self.items if i.state == UPCOMING]

    def to_json(self) -> dict:
        return {
            "retention_days": self.days, "warning_days": RETENTION_WARNING_DAYS, "today": self.today,
            "inspections": [i.to_json() for i in self.items],
        }


@dataclass(frozen=True)
class RetentionOutcome:
    """What applying retention did to one inspection."""

    inspection_id: str
    removed: bool  # the whole inspection is gone
    cases_wiped: int
    kept_not_handed_over: int

    def sentence(self) -> str:
        if self.removed:
            return f"Inspection {self.inspection_id}: removed from this laptop ({plural(self.cases_wiped, 'case')})."
        kept = (
            f"; {plural(self.kept_not_handed_over, 'case')} not handed over "
            f"{'was' if self.kept_not_handed_over == 1 else 'were'} kept" if self.kept_not_handed_over else ""
        )
        wiped = plural(self.cases_wiped, "handed-over case")
        return f"Inspection {self.inspection_id}: personal data of {wiped} wiped{kept}."

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RetentionResult:
    outcomes: tuple[RetentionOutcome, ...]
    cleanup: CleanupReport | None

    def to_json(self) -> dict:
        cleanup = self.cleanup.to_json() if self.cleanup else None
        return {"wiped": [o.to_json() for o in self.outcomes], "cleanup": cleanup}


def _today(store: Store) -> dt.date:
    return store.clock().astimezone(dt.UTC).date()


# A case counts as handed over by its own status, not by a handover record alone: a record outlives
# the case it was about (retention removes an inspection whole), and a later pack may bring the
# same case back for new work that nobody holds yet.
_HANDED_OVER = "c.status = 'handed_over' AND h.case_id IS NOT NULL AND h.receipt_id IS NOT NULL"


def _counts(store: Store, inspection_id: str) -> tuple[int, int, int]:
    """(handed over with data, handed over and wiped, not handed over)."""
    row = store.conn.execute(
        f"SELECT sum({_HANDED_OVER} AND h.wiped_at IS NULL), sum({_HANDED_OVER} AND h.wiped_at IS NOT NULL), "
        f"sum(NOT ({_HANDED_OVER})) "
        "FROM cases c LEFT JOIN handover_records h ON h.case_id = c.id WHERE c.inspection_id = ?",
        [inspection_id],
    ).fetchone()
    return tuple(int(n or 0) for n in row)  # type: ignore[return-value]


def _skip_reason(store: Store, inspection: Inspection, person_id: str) -> str | None:
    if inspection.is_demo:
        return "the practice inspection"
    if not inspection.fieldwork_end:
        return "it has no fieldwork end date"
    central = store.conn.execute("SELECT 1 FROM merge_imports WHERE inspection_id = ? LIMIT 1", [inspection.id])
    if inspection.lead_id == person_id or central.fetchone():
        return "this store holds its central database; keep it under your organisation's own retention rules"
    return None


def review(store: Store, today: dt.date | None = None) -> RetentionReview:
    """Where every inspection stands: later, upcoming (warn), due, or skipped (and why)."""
    days = retention_days(store)
    today = today or _today(store)
    person_id = read_profile(store).person_id
    items = []
    for inspection in list_inspections(store):
        counts = _counts(store, inspection.id)
        reason = _skip_reason(store, inspection, person_id)
        if days is None or reason is not None:
            items.append(RetentionItem(
                inspection.id, inspection.fieldwork_end, None, None, SKIPPED, *counts,
                skipped_because=reason or "retention is off",
            ))
            continue
        due_on = dt.date.fromisoformat(inspection.fieldwork_end) + dt.timedelta(days=days)
        left = (due_on - today).days
        state = DUE if left <= 0 else UPCOMING if left <= RETENTION_WARNING_DAYS else LATER
        items.append(RetentionItem(inspection.id, inspection.fieldwork_end, due_on.isoformat(), left, state, *counts))
    return RetentionReview(days, today.isoformat(), tuple(items))


def apply_retention(
    store: Store,
    *,
    inspection_id: str | None = None,
    include_not_handed_over: bool = False,
    today: dt.date | None = None,
) -> RetentionResult:
    """Wipe what is due (only `inspection_id`, when given), by the rules above; one transaction per
    inspection, then one cleanup (vacuum, WAL, backups) for all of them."""
    if store.read_only:
        raise StoreLockedError(
            "This store is open in another fieldwork window, so nothing can be wiped here; close the other "
            "window and try again."
        )
    if inspection_id is not None:
        get_inspection(store, inspection_id)  # a clear refusal for an unknown inspection
    current = review(store, today)
    if inspection_id is not None and not any(i.inspection_id == inspection_id and i.state == DUE
                                             for i in current.items):
        item = next(i for i in current.items if i.inspection_id == inspection_id)
        raise NotFoundError(
            f"Inspection {inspection_id} is not due to be wiped ({item.sentence()}); nothing was changed.",
            code="not-due",
        )
    outcomes = []
    for item in current.due:
        if inspection_id is not None and item.inspection_id != inspection_id:
            continue
        outcomes.append(_apply_one(store, item, current.days or 0, include_not_handed_over))
    cleanup = finish_wipe(store) if any(o.cases_wiped or o.removed for o in outcomes) else None
    return RetentionResult(tuple(outcomes), cleanup)


def _apply_one(store: Store, item: RetentionItem, days: int, include_not_handed_over: bool) -> RetentionOutcome:
    whole = include_not_handed_over or item.not_handed_over == 0
    with secure_delete(store.conn), store.transaction() as db:
        if whole:
            removed = wipe_inspection(
                store, item.inspection_id, fieldwork_end=item.fieldwork_end, retention_days=days,
                not_handed_over=item.not_handed_over,
            )
            outcome = RetentionOutcome(item.inspection_id, True, removed, 0)
        else:
            ids = [row[0] for row in db.execute(
                "SELECT h.case_id FROM handover_records h JOIN cases c ON c.id = h.case_id WHERE c.inspection_id = ? "
                f"AND {_HANDED_OVER} AND h.wiped_at IS NULL",
                [item.inspection_id],
            )]
            wiped = wipe_cases(
                store, ids, reason="retention",
                note=f"personal data deleted {days} days after fieldwork ended (retention)",
            )
            outcome = RetentionOutcome(item.inspection_id, False, wiped, item.not_handed_over)
        crash_point("retention.before_commit")  # fault injection (issue 7): no-op in normal use
    log.info("retention applied to inspection %s: removed=%s, %d case(s)", item.inspection_id, outcome.removed,
             outcome.cases_wiped)
    return outcome
