"""The append-only change log: every change, who made it, when, old → new, and its source."""

from __future__ import annotations

from fieldwork.store.db import Store
from fieldwork.store.records import ChangeLogEntry


def append_change(
    store: Store,
    inspection_id: str,
    case_id: str | None,
    target: str,
    key: str,
    field: str,
    old: str | None,
    new: str | None,
    source: str = "app",
) -> None:
    """Append one entry; call inside the transaction that makes the change."""
    store.conn.execute(
        "INSERT INTO change_log (id, at, actor, inspection_id, case_id, target, key, field, old, new, source) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [store.new_id(), store.now(), store.actor, inspection_id, case_id, target, key, field, old, new, source],
    )


def case_history(store: Store, case_id: str) -> list[ChangeLogEntry]:
    rows = store.conn.execute(
        "SELECT seq, id, at, actor, case_id, target, key, field, old, new, source "
        "FROM change_log WHERE case_id = ? ORDER BY seq",
        [case_id],
    ).fetchall()
    return [ChangeLogEntry(*row) for row in rows]
