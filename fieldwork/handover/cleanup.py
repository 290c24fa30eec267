"""After a wipe commits: leave no copy of the wiped data in the store file, its WAL or its backups.

1. VACUUM, with temp_store=MEMORY (so SQLite writes no temp copy of the store to the temp folder):
   the file is rebuilt from the rows that remain, and the pages that held the wiped rows are gone.
2. wal_checkpoint(TRUNCATE): the rebuilt pages go into the store file and the WAL is emptied.
3. A new rolling backup of the wiped store is taken (checked, like every backup), then every
   other backup — automatic, manual and pre-migration alike, since each may hold the wiped data —
   is overwritten with zeros and deleted. So a backup always exists, and none is older than the wipe.

Until all three are done the wipe's records have no `cleaned_at`, and `finish_wipe` runs again at
the next chance (the app's start, every receipt and retention command). Copies of the store kept
aside by an earlier restore are not touched (they may hold work the damaged store lost): they
are reported so the user can delete them. What the file system or an SSD keeps of deleted blocks
is beyond the app's reach (docs/security.md).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from fieldwork.durable_files import fsync_dir
from fieldwork.errors import FieldworkError
from fieldwork.faults import crash_point
from fieldwork.store import backups as store_backups
from fieldwork.store import recovery
from fieldwork.store.db import Store

log = logging.getLogger("fieldwork.handover")

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class CleanupReport:
    """What finishing a wipe did; `finished` False means it will be tried again (see `problem`)."""

    finished: bool
    backups_removed: int = 0
    new_backup: str | None = None
    copies_kept: tuple[str, ...] = ()
    problem: str | None = None

    def to_json(self) -> dict:
        return dict(self.__dict__, copies_kept=list(self.copies_kept))


def pending(store: Store) -> bool:
    """True when a wipe committed but its vacuum or backup renewal has not finished yet."""
    return store.conn.execute(
        "SELECT EXISTS (SELECT 1 FROM handover_records WHERE wiped_at IS NOT NULL AND cleaned_at IS NULL) "
        "OR EXISTS (SELECT 1 FROM retention_wipes WHERE cleaned_at IS NULL)"
    ).fetchone()[0] == 1


def copies_kept_aside(data_dir: Path) -> tuple[str, ...]:
    """Copies of the store a restore set aside (fieldwork-before-restore-*.sqlite, with the -wal and
    -shm files that went aside with them): they hold personal data."""
    try:
        return tuple(
            sorted(
                str(p) for p in data_dir.iterdir()
                if recovery.ASIDE_INFIX in p.name and p.name.endswith((".sqlite", ".sqlite-wal", ".sqlite-shm"))
            )
        )
    except OSError:
        return ()


def _vacuum(conn: sqlite3.Connection) -> None:
    previous = conn.execute("PRAGMA temp_store").fetchone()[0]
    conn.execute("PRAGMA temp_store = MEMORY")  # VACUUM's copy of the store stays in memory
    try:
        conn.execute("VACUUM")
    finally:
        conn.execute(f"PRAGMA temp_store = {int(previous)}")


def truncate_wal(conn: sqlite3.Connection) -> bool:
    """Copy the WAL into the store and empty it; False when a reader elsewhere keeps it in use."""
    busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    return busy == 0


def shred(path: Path) -> None:
    """Overwrite a file with zeros, make that durable, then delete it."""
    size = path.stat().st_size
    with open(path, "r+b", buffering=0) as handle:
        zeros = bytes(min(size, _CHUNK))
        written = 0
        while written < size:
            written += handle.write(zeros[: size - written])
        os.fsync(handle.fileno())
    path.unlink()


def _replace_backups(store: Store) -> tuple[str, int]:
    """A fresh backup of the wiped store, then every other backup shredded; (new backup, removed)."""
    fresh = store_backups.take_backup(store, kind="auto", prune_old=False)  # every older one is shredded below
    crash_point("wipe.before_old_backups_removed")
    removed = 0
    for backup in store_backups.list_backups(store.path.parent):
        if backup.path != fresh.path:
            shred(backup.path)
            removed += 1
    folder = store_backups.backups_dir(store.path.parent)
    recovery.remove_stale_temp_files(folder, legacy_backup_names=True)
    fsync_dir(folder)
    return str(fresh.path), removed


def finish_wipe(store: Store) -> CleanupReport:
    """Vacuum, truncate the WAL and replace the backups after a wipe (idempotent; never raises)."""
    copies = copies_kept_aside(store.path.parent)
    if store.read_only or not pending(store):
        return CleanupReport(finished=not pending(store), copies_kept=copies)
    conn = store.conn
    try:
        if conn.in_transaction:
            raise sqlite3.OperationalError("a transaction is open")
        _vacuum(conn)
        crash_point("wipe.after_vacuum")
        if not truncate_wal(conn):
            return CleanupReport(
                False, copies_kept=copies,
                problem="Another fieldwork window is reading this store, so the wipe could not be finished (the "
                "store file still has to be compacted); close the other window, and it finishes at the next start.",
            )
        new_backup, removed = _replace_backups(store)
        with store.transaction() as db:
            now = store.now()
            db.execute("UPDATE handover_records SET cleaned_at = ? WHERE wiped_at IS NOT NULL AND cleaned_at IS NULL",
                       [now])
            db.execute("UPDATE retention_wipes SET cleaned_at = ? WHERE cleaned_at IS NULL", [now])
        with contextlib.suppress(sqlite3.Error):
            truncate_wal(conn)
    except (sqlite3.Error, OSError, FieldworkError) as exc:
        log.warning("finishing a wipe failed: %s", getattr(exc, "code", type(exc).__name__))
        return CleanupReport(
            False, copies_kept=copies,
            problem="The wiped data is deleted, but the store could not yet be compacted and its older backups "
            "replaced (the disk may be full or busy); fieldwork tries again at the next start, or run "
            "'fieldwork retention status'.",
        )
    log.info("wipe finished: store compacted, %d older backup(s) replaced", removed)
    return CleanupReport(True, removed, new_backup, copies)
