"""Where each incoming case lands, and the central case status.

- A case is matched by UUID (the lead's sample cases keep theirs through the pack and back).
- A new UUID (an inspector added the case by hand) is added under its reference if the
  reference is free in the inspection.
- If the reference is taken by another UUID, that is a case conflict, never a duplicate row: the
  incoming case is kept aside (its versions are stored, nothing central is written) until the
  lead decides it is the same case (its data joins that case) or a different one (it gets a new
  reference). Between two hand-added cases the lower UUID holds the reference, whatever the
  arrival order, so the merge stays order-independent; the lead's own cases always hold theirs.
- Each inspector's latest report of a case (highest revision) is kept; the central status is the
  least advanced status among the inspectors who have started the case.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fieldwork.bundles.records import CaseRecord
from fieldwork.errors import FieldworkError
from fieldwork.merge import apply

STATUS_ORDER = {"not_started": 0, "in_progress": 1, "complete": 2, "handed_over": 3}


@dataclass
class Placement:
    """Incoming case UUID → the case id its data belongs to (itself, an alias target, or kept aside)."""

    target: dict[str, str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    new_case_conflicts: int = 0


def _json(ids: Iterable[str]) -> str:
    return json.dumps(list(ids))


def place_cases(
    conn: sqlite3.Connection, inspection_id: str, signer: str, cases: Sequence[CaseRecord]
) -> Placement:
    """Add new cases, detect reference conflicts, and map every incoming UUID to its case id."""
    placement = Placement()
    ids = _json(c.uuid for c in cases)
    aliases = dict(conn.execute(
        "SELECT alias_id, case_id FROM merge_case_aliases WHERE alias_id IN (SELECT value FROM json_each(?))", [ids]
    ).fetchall())
    existing = {
        row[0]: row[1]
        for row in conn.execute(
            "SELECT id, inspection_id FROM cases WHERE id IN (SELECT value FROM json_each(?))", [ids]
        )
    }
    parked = {
        row[0] for row in conn.execute(
            "SELECT case_id FROM merge_case_conflicts WHERE status = 'open' "
            "AND case_id IN (SELECT value FROM json_each(?))",
            [ids],
        )
    }
    new = []
    for case in cases:
        placement.target[case.uuid] = aliases.get(case.uuid, case.uuid)
        if case.uuid in existing and existing[case.uuid] != inspection_id:
            raise FieldworkError(
                f"Case {case.case_ref} in this bundle has the identity of a case in inspection "
                f"{existing[case.uuid]}, so the bundle was not merged; ask the inspector to export again.",
                code="case-clash",
            )
        if case.uuid not in aliases and case.uuid not in existing and case.uuid not in parked:
            new.append(case)
    holders = {
        row[0]: (row[1], row[2])
        for row in conn.execute(
            "SELECT c.case_ref, c.id, o.inspector_id FROM cases c LEFT JOIN merge_case_origins o ON o.case_id = c.id "
            "WHERE c.inspection_id = ? AND c.case_ref IN (SELECT value FROM json_each(?))",
            [inspection_id, _json(c.case_ref for c in new)],
        )
    }
    free = [c for c in new if c.case_ref not in holders]  # references are unique within a bundle
    _insert_cases(conn, inspection_id, signer, free)
    placement.created += [c.uuid for c in free]
    for case in new:
        if case.case_ref in holders:
            _place_taken(conn, inspection_id, signer, case, *holders[case.case_ref], placement)
    return placement


def _place_taken(
    conn: sqlite3.Connection, inspection_id: str, signer: str, case: CaseRecord, holder_id: str,
    holder_origin: str | None, placement: Placement,
) -> None:
    """A new case whose reference another UUID holds: one of them is kept aside."""
    if holder_origin is not None and case.uuid < holder_id and _can_step_aside(conn, holder_id):
        _step_aside(conn, inspection_id, holder_id, holder_origin, case.uuid)
        _insert_cases(conn, inspection_id, signer, [case])
        placement.created.append(case.uuid)
    else:
        conn.execute(
            "INSERT INTO merge_case_conflicts (inspection_id, case_ref, case_id, owner_case_id, inspector_id) "
            "VALUES (?, ?, ?, ?, ?)",
            [inspection_id, case.case_ref, case.uuid, holder_id, signer],
        )
    placement.new_case_conflicts += 1


# A central row the lead edited matches no version's author and time (merge-written rows copy them).
_LEAD_EDITED = (
    "EXISTS (SELECT 1 FROM answers a WHERE a.case_id = ?1 AND NOT EXISTS (SELECT 1 FROM merge_versions v "
    "WHERE v.kind = 'answer' AND v.case_id = a.case_id AND v.key = a.question_id AND v.author = a.updated_by "
    "AND v.updated_at = a.updated_at)) "
    "OR EXISTS (SELECT 1 FROM case_details d WHERE d.case_id = ?1 AND NOT EXISTS (SELECT 1 FROM merge_versions v "
    "WHERE v.kind = 'detail' AND v.case_id = d.case_id AND v.key = d.field_id AND v.author = d.updated_by "
    "AND v.updated_at = d.updated_at)) "
    "OR EXISTS (SELECT 1 FROM merge_versions v WHERE v.case_id = ?1 AND v.origin = 'local')"
)


def _can_step_aside(conn: sqlite3.Connection, case_id: str) -> bool:
    """A hand-added case may give its reference to a lower UUID only while the lead has done
    nothing with it (no decision, edit, moderation or query), so no work of the lead's is undone;
    and never a case already decided on once (kept aside, then made separate), which has its row."""
    return conn.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM merge_case_conflicts WHERE owner_case_id = ?1 AND status != 'open') "
        "AND NOT EXISTS (SELECT 1 FROM merge_case_conflicts WHERE case_id = ?1) "
        "AND NOT EXISTS (SELECT 1 FROM merge_case_aliases WHERE case_id = ?1) "
        "AND NOT EXISTS (SELECT 1 FROM merge_case_moderation WHERE case_id = ?1) "
        "AND NOT EXISTS (SELECT 1 FROM moderation_queries WHERE case_id = ?1) "
        "AND NOT EXISTS (SELECT 1 FROM merge_resolutions WHERE case_id = ?1) "
        f"AND NOT ({_LEAD_EDITED})",
        [case_id],
    ).fetchone()[0] == 1


def _step_aside(conn: sqlite3.Connection, inspection_id: str, old_id: str, old_inspector: str, new_id: str) -> None:
    """Move a hand-added case out of the central tables (its versions stay) for a lower UUID."""
    keys = conn.execute(
        "SELECT 'answer', case_id, question_id FROM answers WHERE case_id = ?1 "
        "UNION ALL SELECT 'detail', case_id, field_id FROM case_details WHERE case_id = ?1",
        [old_id],
    ).fetchall()
    apply.set_keys(conn, keys)
    apply.capture_local(conn)  # any edit the lead made on it is kept as a version first
    ref = conn.execute("SELECT case_ref FROM cases WHERE id = ?", [old_id]).fetchone()[0]
    conn.execute("DELETE FROM cases WHERE id = ?", [old_id])  # answers and details go with it
    conn.execute("DELETE FROM merge_case_origins WHERE case_id = ?", [old_id])
    # Kept aside, it has no reader here (as if it had arrived second), even if the lead had accepted
    # it: deciding the case conflict is what counts its reader's work again.
    conn.execute("DELETE FROM merge_case_readers WHERE case_id = ?", [old_id])
    conn.execute(
        "UPDATE merge_case_conflicts SET owner_case_id = ? WHERE owner_case_id = ? AND status = 'open'",
        [new_id, old_id],
    )
    conn.execute(
        "INSERT INTO merge_case_conflicts (inspection_id, case_ref, case_id, owner_case_id, inspector_id) "
        "VALUES (?, ?, ?, ?, ?)",
        [inspection_id, ref, old_id, new_id, old_inspector],
    )
    conn.execute("DELETE FROM temp.merge_keys")


def _insert_cases(conn: sqlite3.Connection, inspection_id: str, signer: str, cases: Sequence[CaseRecord]) -> None:
    """Add hand-added cases as the inspector sent them (allocated to them when to nobody)."""
    conn.executemany(
        "INSERT INTO cases (id, inspection_id, case_ref, sample_id, inspector_id, status, revision, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(c.uuid, inspection_id, c.case_ref, c.sample, c.inspector or signer, c.status, c.revision, c.created_at,
          c.updated_at) for c in cases],
    )
    conn.executemany(
        "INSERT INTO merge_case_origins (case_id, inspection_id, inspector_id) VALUES (?, ?, ?)",
        [(c.uuid, inspection_id, signer) for c in cases],
    )


# --- each inspector's report of a case, and the central status ------------------------------------


def _state_key(status: str, revision: int, updated_at: str) -> tuple:
    return (revision, updated_at, STATUS_ORDER.get(status, 0))


def record_states(
    conn: sqlite3.Connection, signer: str, cases: Sequence[CaseRecord], placement: Placement
) -> list[str]:
    """Keep the signer's newest report of each case; returns the case ids whose reports changed."""
    rows = [(placement.target[c.uuid], c) for c in cases]
    held = {
        row[0]: _state_key(*row[1:])
        for row in conn.execute(
            "SELECT case_id, status, revision, updated_at FROM merge_case_states WHERE inspector_id = ? "
            "AND case_id IN (SELECT value FROM json_each(?))",
            [signer, _json(target for target, _ in rows)],
        )
    }
    newer = [
        (target, signer, c.case_ref, c.sample, c.inspector, c.status, c.revision, c.created_at, c.updated_at)
        for target, c in rows
        if target not in held or _state_key(c.status, c.revision, c.updated_at) > held[target]
    ]
    conn.executemany(
        "INSERT OR REPLACE INTO merge_case_states (case_id, inspector_id, case_ref, sample_id, allocated_to, "
        "status, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        newer,
    )
    return [row[0] for row in newer]


def refresh_status(conn: sqlite3.Connection, case_ids: Iterable[str]) -> int:
    """Central status, revision and time of these cases from the inspectors' reports."""
    ids = _json(set(case_ids))
    reports: dict[str, list[tuple]] = {}
    for case_id, status, revision, updated_at in conn.execute(
        "SELECT case_id, status, revision, updated_at FROM merge_case_states s "
        "WHERE case_id IN (SELECT value FROM json_each(?)) "
        # A reader whose work is held (held.py) does not move the case's status either.
        "AND NOT EXISTS (SELECT 1 FROM merge_case_readers h WHERE h.case_id = s.case_id "
        "AND h.inspector_id = s.inspector_id AND h.counted = 0)",
        [ids],
    ):
        reports.setdefault(case_id, []).append((status, revision, updated_at))
    changes = []
    for case_id, status, revision, updated_at in conn.execute(
        "SELECT id, status, revision, updated_at FROM cases WHERE id IN (SELECT value FROM json_each(?))", [ids]
    ):
        items = reports.get(case_id, [])
        readers = [r[0] for r in items if r[0] != "not_started"]
        new_status = min(readers, key=STATUS_ORDER.__getitem__) if readers else status
        new_revision = max([revision, *(r[1] for r in items)])
        new_updated = max([updated_at, *(r[2] for r in items)])
        if (new_status, new_revision, new_updated) != (status, revision, updated_at):
            changes.append((new_status, new_revision, new_updated, case_id))
    conn.executemany("UPDATE cases SET status = ?, revision = ?, updated_at = ? WHERE id = ?", changes)
    return len(changes)
