"""Delete personal data from the store, inside the caller's transaction, keeping a record that it happened.

What counts as personal (docs/decisions/0013-handover-receipts-and-wipe.md): every case detail,
every answer (the evidence text, and the judgements with it), every change-log entry of the case
(its old and new values are evidence and details), and the lead's moderation queries on it. A
case wiped after a receipt keeps a row of ids (UUID, reference, sample, status "handed over",
revision), so a later allocation pack still lines up with it and it cannot come back as a new,
empty case. Retention removes an inspection whole.

The caller turns `secure_delete` on (see `secure_delete`) before the transaction, so SQLite
overwrites the deleted content with zeros, and runs `cleanup.finish_wipe` after the commit.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence

from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store


@contextlib.contextmanager
def secure_delete(conn: sqlite3.Connection) -> Iterator[None]:
    """SQLite overwrites deleted content with zeros while this is active (and in the temp schema too)."""
    previous = conn.execute("PRAGMA main.secure_delete").fetchone()[0]
    conn.execute("PRAGMA main.secure_delete = ON")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA main.secure_delete = {int(previous)}")


def _ids(case_ids: Sequence[str]) -> str:
    return json.dumps(list(case_ids))


_IN = "IN (SELECT value FROM json_each(?))"


def wipe_cases(store: Store, case_ids: Sequence[str], *, reason: str, note: str) -> int:
    """Delete the personal data of these cases (each must already have a handover record).

    Call inside `store.transaction()`. Marks the records wiped first (the change log lets the
    entries of a wiped case go, and no others), deletes answers, details, queries and history,
    then appends one non-personal history entry per case saying it was wiped. Returns how many
    cases were wiped.
    """
    if not case_ids:
        return 0
    now, ids = store.now(), _ids(case_ids)
    db = store.db
    wiped = db.execute(
        f"UPDATE handover_records SET wiped_at = ?, wipe_reason = ? WHERE case_id {_IN} AND wiped_at IS NULL",
        [now, reason, ids],
    ).rowcount
    for table in ("answers", "case_details", "allocation_queries", "change_log"):
        db.execute(f"DELETE FROM {table} WHERE case_id {_IN}", [ids])
    db.execute(f"UPDATE cases SET revision = revision + 1, updated_at = ? WHERE id {_IN}", [now, ids])
    for case_id, inspection_id, case_ref in db.execute(
        f"SELECT id, inspection_id, case_ref FROM cases WHERE id {_IN} ORDER BY case_ref", [ids]
    ).fetchall():
        append_change(store, inspection_id, case_id, "case", case_ref, "wiped", None, note, reason)
    return wiped


def wipe_inspection(
    store: Store, inspection_id: str, *, fieldwork_end: str | None, retention_days: int, not_handed_over: int
) -> int:
    """Remove an inspection whole (retention): every case and everything of it, keeping records.

    Call inside `store.transaction()`. Every case gets a handover record (a new one, wiped by
    retention, when it had none); the inspection gets a `retention_wipes` row; then the change log
    of the inspection and the inspection itself (its cases, details, answers, allocation and
    pinned lead go with it) are deleted. Bundle export records (ids and hashes) stay, so sequence
    numbers never repeat. Returns the number of cases removed.
    """
    now, db = store.now(), store.db
    db.execute(
        "INSERT INTO handover_records (case_id, inspection_id, wiped_at, wipe_reason) "
        "SELECT id, inspection_id, ?, 'retention' FROM cases WHERE inspection_id = ? "
        "AND id NOT IN (SELECT case_id FROM handover_records)",
        [now, inspection_id],
    )
    db.execute(
        "UPDATE handover_records SET wiped_at = ?, wipe_reason = 'retention' WHERE inspection_id = ? "
        "AND wiped_at IS NULL",
        [now, inspection_id],
    )
    cases = db.execute("SELECT count(*) FROM cases WHERE inspection_id = ?", [inspection_id]).fetchone()[0]
    db.execute(
        "INSERT OR REPLACE INTO retention_wipes (inspection_id, fieldwork_end, retention_days, cases, "
        "not_handed_over, wiped_at, wiped_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [inspection_id, fieldwork_end, retention_days, cases, not_handed_over, now, store.actor],
    )
    db.execute("DELETE FROM change_log WHERE inspection_id = ?", [inspection_id])
    db.execute("DELETE FROM inspections WHERE id = ?", [inspection_id])
    return cases
