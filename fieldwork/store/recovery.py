"""A damaged store: detect it, say so in one sentence, open it read-only, restore a backup.

Nothing here ever writes to a damaged store file or deletes it: the read-only mode opens it
with SQLite's `mode=ro`, and a restore sets the damaged file (with its -wal and -shm) aside
under a dated name before the backup copy takes its place. See
docs/decisions/0011-backups-and-recovery.md.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fieldwork.durable_files import partial_path, writer_gone
from fieldwork.errors import StoreError
from fieldwork.paths import STORE_FILENAME

if TYPE_CHECKING:  # imported at run time inside functions: db imports this module
    from fieldwork.store.backups import Backup
    from fieldwork.store.db import Store

SQLITE_HEADER = b"SQLite format 3\x00"

# Stores up to this size are checked at every open, and fully: PRAGMA integrity_check, which
# unlike quick_check also finds index entries that do not match their rows (issue 20: quick_check
# missed 5 of 20 small corruptions that integrity_check found, and a query through such an index
# silently misses rows). Measured: quick_check about 1.3 ms per MiB when the file is in the OS
# cache, about 13 ms per MiB read from disk for the first time since boot; integrity_check about
# 3.5 ms per MiB warm (the same reading cold). An inspector's 60-case store is ~2 MiB (~7 ms), so
# at most ~30 ms warm (~130 ms cold) at this limit. Larger ones (a lead's 10,000-case store is
# ~240 MiB: quick_check 0.3 s warm, 3.2 s cold; integrity_check ~3 s) get quick_check on the app's
# opener thread (check="full"); `fieldwork store check --full` runs integrity_check on any size,
# and every backup snapshot is checked before it may replace an older one. See docs/security.md.
QUICK_CHECK_AT_OPEN_MAX_BYTES = 8 * 1024 * 1024  # also the limit for the full check at open


class StoreDamagedError(StoreError):
    """The store file is damaged or is not a store; it was left exactly as it was.

    `backups` lists the backups that could replace it, newest first; `readable` says whether
    the read-only mode (`open_damaged`) can show what is left in it.
    """

    code = "store-damaged"

    def __init__(self, path: Path, what: str, *, backups: Sequence[Backup] = (), readable: bool = True):
        self.path = Path(path)
        self.backups = list(backups)
        self.readable = readable
        if self.backups:
            action = f"restore the backup from {self.backups[0].when()} (fieldwork store restore)"
        else:
            action = "there is no backup to restore, so keep the file and ask for help"
        read = " or open it read-only" if readable and self.backups else ""
        super().__init__(f"{self.path} {what}, so fieldwork did not change it; {action}{read}.")

    @property
    def latest_backup(self) -> Backup | None:
        return self.backups[0] if self.backups else None


def damaged_error(path: Path, what: str, *, readable: bool = True) -> StoreDamagedError:
    """The refusal for a damaged store at `path`, listing the backups of its data folder."""
    from fieldwork.store.backups import list_backups

    try:
        backups = [b for b in list_backups(Path(path).parent) if b.path != Path(path)]
    except OSError:
        backups = []
    return StoreDamagedError(path, what, backups=backups, readable=readable)


def is_damage(exc: BaseException) -> bool:
    """True for SQLite errors that mean the file itself is damaged (not busy, full or locked)."""
    if isinstance(exc, sqlite3.IntegrityError) or not isinstance(exc, sqlite3.DatabaseError):
        return False
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def has_sqlite_header(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(16) == SQLITE_HEADER


def _read_only_uri(path: Path) -> str:
    return "file:" + urllib.parse.quote(str(Path(path).resolve())) + "?mode=ro"


def quick_check(conn: sqlite3.Connection, *, full: bool = False) -> list[str]:
    """SQLite's own check of every page (quick_check; integrity_check when `full`, and then
    the checksum of every answer and case detail, fieldwork.store.rowhash).

    Returns the problems found, [] when the store is sound. A file too damaged to check at all
    gives its error as the one problem.
    """
    from fieldwork.store.rowhash import failing_rows

    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}").fetchall()
        problems = [row[0] for row in rows]
        if problems != ["ok"]:
            return problems
        # Issue 20: the full check also recomputes every answer's and detail's checksum.
        return failing_rows(conn) if full else []
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        return [str(exc)]


def is_no_room(exc: BaseException) -> bool:
    """True for SQLite errors a full disk gives (SQLite reports some of them as I/O errors)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("disk is full" in text or "disk i/o error" in text)


def connect_read_only(path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection that only reads the store, also where SQLite cannot make its shared-memory
    file (-shm) beside it: a full disk, a read-only mount (issue 20).

    1. SQLite's own read-only mode (mode=ro), which needs a -shm for a store in WAL mode.
    2. No -shm possible and nothing in the -wal: the main file is the whole store, read as
       immutable (no lock, no -shm; a write elsewhere at the same moment may not be seen).
    3. No -shm possible and committed work in the -wal: a connection in SQLite's exclusive
       locking mode, which keeps the WAL index in memory instead of a -shm, with query_only on
       (it needs the file writable; closing it may copy the WAL into the store, as any close does).
    Raises the first error when none of them can read it (and a damage error at once).
    """
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, check_same_thread=check_same_thread)
    except sqlite3.OperationalError as exc:
        first = exc
    else:
        try:
            conn.execute("PRAGMA user_version").fetchone()  # the first read opens the -wal and -shm
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            first = exc
        except BaseException:
            conn.close()
            raise
    wal = Path(str(path) + "-wal")
    wal_empty = not wal.exists() or wal.stat().st_size == 0
    if wal_empty:
        uri, setup = _read_only_uri(path) + "&immutable=1", ["PRAGMA query_only = ON"]
    else:
        uri = "file:" + urllib.parse.quote(str(Path(path).resolve())) + "?mode=rw"
        setup = ["PRAGMA locking_mode = EXCLUSIVE", "PRAGMA query_only = ON"]
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=check_same_thread)
    except sqlite3.OperationalError:
        raise first from None
    try:
        for statement in setup:
            conn.execute(statement)
        conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        raise first from None
    except BaseException:
        conn.close()
        raise
    return conn


def check_file(path: Path, *, full: bool = False) -> list[str]:
    """quick_check (or integrity_check) of a store file through a read-only connection, so a
    damaged store is never written to, not even by a checkpoint. [] when sound, or when SQLite
    cannot open it read-only at all (the caller's own connection then reports why)."""
    try:
        conn = connect_read_only(path)
    except sqlite3.OperationalError:
        return []
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        return [str(exc)]
    try:
        return quick_check(conn, full=full)
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def check_store(data_dir: str | os.PathLike, *, full: bool = False) -> list[str]:
    """Check the store in `data_dir` without writing anything; [] when it is sound.

    Raises StoreError when there is no store or it cannot be read at all (a full disk and a
    committed WAL that cannot be read without room), StoreDamagedError when it is not SQLite.
    """
    from fieldwork.store.restore import settle_without_opening

    path = Path(data_dir) / STORE_FILENAME
    if not path.is_file():
        raise StoreError(f"There is no fieldwork store in {data_dir}; check --data-dir.")
    settle_without_opening(data_dir)  # issue 20: a restore killed half-way is finished or undone first
    if path.stat().st_size and not has_sqlite_header(path):
        raise damaged_error(path, "is not a fieldwork store (it is not an SQLite database)", readable=False)
    try:
        conn = connect_read_only(path)
    except sqlite3.OperationalError as exc:
        raise _cannot_read(path, exc) from None
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        return [str(exc)]
    try:
        return quick_check(conn, full=full)
    except sqlite3.OperationalError as exc:
        raise _cannot_read(path, exc) from None
    finally:
        conn.close()


def _cannot_read(path: Path, exc: sqlite3.OperationalError) -> StoreError:
    why = "the disk holding it is full" if is_no_room(exc) else f"SQLite could not read it ({exc})"
    return StoreError(
        f"{path} could not be checked because {why}, and its latest changes cannot be read without room "
        "beside it; free some space (or copy the folder somewhere writable) and check again."
    )


# --- leftovers of writers that died --------------------------------------------------------------

# `.<final name>.<pid>-<8 hex>.partial` is fieldwork.durable_files' temp name (atomic_write, and
# backup_to uses the same); SQLite adds -journal, -wal or -shm to a temp database while it
# writes. `<name>.sqlite.partial` is what backups of earlier versions left.
_PARTIAL = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.partial(?:-journal|-wal|-shm)?$")
_LEGACY_BACKUP_PARTIAL = re.compile(r"^[^/]+\.sqlite\.partial(?:-journal|-wal|-shm)?$")
def remove_stale_temp_files(folder: Path, *, legacy_backup_names: bool = False) -> list[Path]:
    """Delete temp files left in `folder` by writers that died; returns what was removed.

    The rule of fieldwork.durable_files.remove_stale_partials (a temp file is removed only when
    the process named in it is gone), also matching SQLite's journal files beside a temp database
    and the names backups of earlier versions left.
    """
    removed: list[Path] = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = _PARTIAL.match(entry.name)
        legacy = legacy_backup_names and _LEGACY_BACKUP_PARTIAL.match(entry.name)
        if not match and not legacy:
            continue
        try:
            if not entry.is_file() or entry.is_symlink():
                continue
            if match and not writer_gone(int(match["pid"]), now - entry.lstat().st_mtime):
                continue
            entry.unlink()
            removed.append(entry)
        except OSError:
            continue
    return removed


def temp_path(final: Path) -> Path:
    """A temp name beside `final` that remove_stale_temp_files recognises."""
    return partial_path(final)


# --- read-only mode ------------------------------------------------------------------------------


def open_damaged(data_dir: str | os.PathLike, *, actor: str = "") -> Store:
    """Open a damaged store read-only, to look at what can still be read.

    SQLite opens it with mode=ro: nothing is written to it, no lock is taken, no backup is
    made. Pages that are damaged raise errors when read; the rest reads normally.
    """
    from fieldwork.store.db import Store, utc_now
    from fieldwork.store.restore import settle_without_opening

    path = Path(data_dir) / STORE_FILENAME
    if path.is_file():
        settle_without_opening(data_dir)
    if not path.is_file() or (path.stat().st_size and not has_sqlite_header(path)):
        raise damaged_error(path, "is not a fieldwork store (it is not an SQLite database)", readable=False)
    try:
        conn = connect_read_only(path, check_same_thread=False)  # also on a full disk (issue 20)
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA recursive_triggers = ON")  # as every store connection (fieldwork.store.db)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise damaged_error(path, f"is too damaged to read ({exc})", readable=False) from None
    store = Store(path, conn, None, actor=actor, clock=utc_now, new_id=lambda: "", backup_policy=None)
    store.damaged = True
    return store


# --- restore: fieldwork.store.restore, kept importable from here --------------------------------

_MOVED_TO_RESTORE = ("ASIDE_INFIX", "RESTORE_NOTE", "finish_interrupted_restore", "restore_backup")


def __getattr__(name: str):
    # Looked up lazily: fieldwork.store.restore imports this module's helpers.
    if name in _MOVED_TO_RESTORE:
        from fieldwork.store import restore

        return getattr(restore, name)
    raise AttributeError(name)
