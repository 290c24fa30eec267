"""An inspector's change of a case's question set (sample), merged into the lead's store (decision 0036).

The bundle carries the move as the inspector made it: the case record in its new sample, and the
inspector's own change-log entries (`sample_override` old → new, then `sample_reason`), signed and
in the signer's name (records.py refuses any other name). Per case, the signer's latest move is
looked at once (by its change-log id, so a bundle merged again, or a later bundle repeating it,
adds nothing; an older bundle arriving after a newer one's move is `superseded` by it):

- the signer's work on the case is held (not their allocated case: held.py) → `held`: nothing
  moves until the lead accepts held work, then it is looked at as below;
- the lead's set is already the new one → `agreed`;
- the lead's set is the one the inspector moved from (or any set the inspector's moves in the
  bundle took the case through, e.g. A → B → C between two bundles) → `applied`: the case moves;
- the lead's set is another (the lead changed it differently) → `open`: counted with the
  conflicts, and the lead decides (`decide_move`): take the inspector's set, or keep their own.
Answers are never touched: the ratings count only the case's own set (decision 0034).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fieldwork.errors import NotFoundError, StoreLockedError, ValidationError
from fieldwork.store.case_samples import OVERRIDE, REASON, check_reason, log_sample
from fieldwork.store.db import Store

if TYPE_CHECKING:
    from fieldwork.bundles.records import BundleRecords

DECIDE_SOURCE = "conflict-resolution"


@dataclass(frozen=True)
class IncomingMove:
    change_id: str  # the signer's latest move of the case in this bundle
    case_uuid: str
    old: str
    new: str
    reason: str
    at: str
    passed: frozenset[str]  # every set the signer's moves in this bundle took the case through, before `new`


def moves_in_bundle(records: BundleRecords, signer: str) -> list[IncomingMove]:
    """The signer's latest move of each case, when the case record is in the set it moved to."""
    sample_of = {c.uuid: c.sample for c in records.cases}
    chains: dict[str, list[IncomingMove]] = {}
    last: IncomingMove | None = None
    for change in records.changes:  # in the order they were made in the signer's store
        if change.target != "case" or change.case_uuid is None or change.actor != signer:
            continue
        if change.field == OVERRIDE and change.old is not None and change.new is not None:
            if change.source.startswith("pack:"):
                continue  # a move the lead's pack brought is the lead's, never the signer's
            last = IncomingMove(change.id, change.case_uuid, change.old, change.new, "", change.at, frozenset())
            chains.setdefault(change.case_uuid, []).append(last)
        elif change.field == REASON and last is not None and last.case_uuid == change.case_uuid:
            chains[last.case_uuid][-1] = dataclasses.replace(last, reason=change.new or "")
            last = None
    found = []
    for case_uuid, chain in chains.items():
        latest = chain[-1]
        passed = frozenset(m.old for m in chain) | frozenset(m.new for m in chain[:-1])
        # A move the case record does not show (it moved on again, by a pack) is not this bundle's word.
        if sample_of.get(case_uuid) == latest.new and latest.old != latest.new:
            found.append(dataclasses.replace(latest, passed=passed - {latest.new}))
    return found


def record_moves(
    conn: sqlite3.Connection, records: BundleRecords, signer: str, target: dict[str, str], created: list[str],
    bundle_id: str,
) -> int:
    """Look at the signer's moves in this bundle (inside the merge's transaction); returns how many
    the lead must decide now."""
    moves = moves_in_bundle(records, signer)
    if not moves:
        return 0
    known = {
        row[0] for row in conn.execute(
            "SELECT change_id FROM merge_sample_moves WHERE change_id IN (SELECT value FROM json_each(?))",
            [_json([m.change_id for m in moves])],
        )
    }
    opened = 0
    for move in moves:
        case_id = target.get(move.case_uuid, move.case_uuid)
        if move.change_id in known or move.case_uuid in created:
            continue  # merged before; or a case added by hand, which arrived in its set
        row = conn.execute("SELECT inspection_id, case_ref FROM cases WHERE id = ?", [case_id]).fetchone()
        if row is None:
            continue  # kept aside in a case-reference conflict: deciding that brings its sample
        inspection_id, case_ref = row
        newer = conn.execute(
            "SELECT 1 FROM merge_sample_moves WHERE case_id = ? AND inspector_id = ? AND moved_at >= ?",
            [case_id, signer, move.at],
        ).fetchone()
        # An older bundle arriving late: its move was overtaken by one already here (by the signer's clock).
        status = "superseded" if newer else "held"
        if not newer:
            # The same inspector's earlier move of this case still waiting is overtaken by this one.
            conn.execute(
                "UPDATE merge_sample_moves SET status = 'superseded' WHERE case_id = ? AND inspector_id = ? "
                "AND status IN ('held', 'open')",
                [case_id, signer],
            )
        conn.execute(
            "INSERT INTO merge_sample_moves (change_id, inspection_id, case_id, case_ref, inspector_id, old_sample, "
            "new_sample, passed, reason, moved_at, bundle_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [move.change_id, inspection_id, case_id, case_ref, signer, move.old, move.new,
             _json(sorted(move.passed)), move.reason, move.at, bundle_id, status],
        )
        held = conn.execute(
            "SELECT 1 FROM merge_case_readers WHERE case_id = ? AND inspector_id = ? AND counted = 0",
            [case_id, signer],
        ).fetchone()
        if status == "held" and held is None:
            opened += settle(conn, case_id, signer)
    return opened


def settle(conn: sqlite3.Connection, case_id: str, inspector_id: str) -> int:
    """Apply, agree or open the inspector's waiting (`held`) move of the case; 1 if opened.

    Applied when the lead's set is one the inspector's moves took the case through (the lead had
    not moved it elsewhere); agreed when it is already the new one; otherwise open."""
    row = conn.execute(
        "SELECT m.id, m.passed, m.new_sample, c.sample_id FROM merge_sample_moves m JOIN cases c "
        "ON c.id = m.case_id WHERE m.case_id = ? AND m.inspector_id = ? AND m.status = 'held'",
        [case_id, inspector_id],
    ).fetchone()
    if row is None:
        return 0
    move_id, passed, new, central = row
    if central == new:
        status = "agreed"
    elif central in json.loads(passed):
        status = "applied"
        conn.execute("UPDATE cases SET sample_id = ? WHERE id = ?", [new, case_id])
    else:
        status = "open"
    conn.execute("UPDATE merge_sample_moves SET status = ? WHERE id = ?", [status, move_id])
    return int(status == "open")


def _json(items) -> str:
    return json.dumps(list(items))


# --- the lead's view and decision -------------------------------------------------------------


@dataclass(frozen=True)
class SampleMoveConflict:
    """An inspector moved a case to another set while the lead had moved it differently."""

    id: int
    inspection_id: str
    case_id: str
    case_ref: str
    inspector_id: str
    old_sample: str  # the set the inspector moved it from
    new_sample: str  # the inspector's set
    lead_sample: str  # the set the case is in at the lead
    reason: str  # the inspector's
    moved_at: str
    status: str

    def to_json(self) -> dict:
        return dict(self.__dict__)


_COLUMNS = (
    "m.id, m.inspection_id, m.case_id, m.case_ref, m.inspector_id, m.old_sample, m.new_sample, c.sample_id, "
    "m.reason, m.moved_at, m.status"
)


def list_sample_moves(store: Store, inspection_id: str, *, status: str | None = "open") -> list[SampleMoveConflict]:
    """The inspectors' moves of cases to another set in the inspection: open ones (the lead
    decides), or those of another status, or all (status None)."""
    rows = store.db.execute(
        f"SELECT {_COLUMNS} FROM merge_sample_moves m JOIN cases c ON c.id = m.case_id "
        "WHERE m.inspection_id = ?1 AND (?2 IS NULL OR m.status = ?2) ORDER BY m.case_ref, m.id",
        [inspection_id, status],
    )
    return [SampleMoveConflict(*row) for row in rows]


def count_open_moves(store: Store, inspection_id: str) -> int:
    return store.db.execute(
        "SELECT COUNT(*) FROM merge_sample_moves WHERE inspection_id = ? AND status = 'open'", [inspection_id]
    ).fetchone()[0]


def decide_move(store: Store, move_id: int, *, take: bool, reason: str) -> SampleMoveConflict:
    """The lead decides an open move: `take` the inspector's set, or keep the lead's.

    Either way the decision is a move in the lead's name with the lead's reason, in the case's
    change log: taking moves the case; keeping is logged as a move from the inspector's set back
    to the lead's, so the next pack brings the inspector's workspace back to the lead's set.
    """
    if store.read_only:
        raise StoreLockedError(
            "This store is open in another fieldwork window, so nothing can be decided here; close the "
            "other window and try again."
        )
    reason = check_reason(reason)
    found = store.db.execute(
        f"SELECT {_COLUMNS} FROM merge_sample_moves m JOIN cases c ON c.id = m.case_id WHERE m.id = ?", [move_id]
    ).fetchone()
    if found is None:
        raise NotFoundError(f"No question-set change {move_id}; list them with 'fieldwork conflicts list'.")
    move = SampleMoveConflict(*found)
    if move.status != "open":
        raise ValidationError(f"Question-set change {move_id} is not waiting for a decision ({move.status}).")
    from fieldwork.store.assessments import get_case

    case = get_case(store, move.case_id)
    with store.transaction():
        if take:
            store.db.execute("UPDATE cases SET sample_id = ? WHERE id = ?", [move.new_sample, move.case_id])
            log_sample(store, case, OVERRIDE, move.lead_sample, move.new_sample, reason, DECIDE_SOURCE)
        else:
            log_sample(store, case, OVERRIDE, move.new_sample, move.lead_sample, reason, DECIDE_SOURCE)
        store.db.execute(
            "UPDATE merge_sample_moves SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ? "
            "WHERE id = ?",
            ["taken" if take else "declined", store.actor, store.now(), reason, move_id],
        )
    return SampleMoveConflict(*store.db.execute(
        f"SELECT {_COLUMNS} FROM merge_sample_moves m JOIN cases c ON c.id = m.case_id WHERE m.id = ?", [move_id]
    ).fetchone())
