"""A damaged store: detect it, say so in one sentence, open it read-only, restore a backup.

Nothing here ever writes to a damaged store file or deletes it: the read-only mode opens it
with SQLite's `mode=ro`, and a restore sets the damaged file (with its -wal and -shm) aside
under a dated name before the backup copy takes its place. See
docs/decisions/0011-backups-and-recovery.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import shutil
import sqlite3
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fieldwork.errors import StoreError, StoreLockedError
from fieldwork.faults import crash_point
from fieldwork.paths import STORE_FILENAME

if TYPE_CHECKING:  # imported at run time inside functions: db imports this module
    from fieldwork.store.backups import Backup
    from fieldwork.store.db import Store

SQLITE_HEADER = b"SQLite format 3\x00"

# Stores up to this size are checked (PRAGMA quick_check) at every open. Measured: about 1.3 ms
# per MiB when the file is in the OS cache, about 13 ms per MiB when it is read from disk for the
# first time since boot, so at most ~10 ms (~110 ms cold). An inspector's 60-case store is ~2 MiB
# (5 ms). Larger ones (a lead's 10,000-case store is ~240 MiB: 0.3 s warm, 3.2 s cold) are checked
# by the app's opener thread (check="full"), by `fieldwork store check`, and whenever a backup is
# taken (the snapshot is checked before it may replace an older one). See docs/security.md.
QUICK_CHECK_AT_OPEN_MAX_BYTES = 8 * 1024 * 1024


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
    """SQLite's own check of every page (quick_check; integrity_check when `full`).

    Returns the problems found, [] when the store is sound. A file too damaged to check at all
    gives its error as the one problem.
    """
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}").fetchall()
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        return [str(exc)]
    problems = [row[0] for row in rows]
    return [] if problems == ["ok"] else problems


def check_file(path: Path, *, full: bool = False) -> list[str]:
    """quick_check (or integrity_check) of a store file through a read-only connection, so a
    damaged store is never written to, not even by a checkpoint. [] when sound, or when SQLite
    cannot open it read-only at all (the caller's own connection then reports why)."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
    except sqlite3.OperationalError:
        return []
    try:
        return quick_check(conn, full=full)
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def check_store(data_dir: str | os.PathLike, *, full: bool = False) -> list[str]:
    """Check the store in `data_dir` without writing anything; [] when it is sound.

    Raises StoreError when there is no store, StoreDamagedError when it is not SQLite at all.
    """
    path = Path(data_dir) / STORE_FILENAME
    if not path.is_file():
        raise StoreError(f"There is no fieldwork store in {data_dir}; check --data-dir.")
    if path.stat().st_size and not has_sqlite_header(path):
        raise damaged_error(path, "is not a fieldwork store (it is not an SQLite database)", readable=False)
    conn = sqlite3.connect(_read_only_uri(path), uri=True)
    try:
        return quick_check(conn, full=full)
    finally:
        conn.close()


# --- leftovers of writers that died --------------------------------------------------------------

# `.<final name>.<pid>-<8 hex>.partial` is fieldwork.identity.files' temp name (atomic_write, and
# backup_to uses the same); SQLite adds -journal, -wal or -shm to a temp database while it
# writes. `<name>.sqlite.partial` is what backups of earlier versions left.
_PARTIAL = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.partial(?:-journal|-wal|-shm)?$")
_LEGACY_BACKUP_PARTIAL = re.compile(r"^[^/]+\.sqlite\.partial(?:-journal|-wal|-shm)?$")
_STALE_AFTER_SECONDS = 24 * 3600  # where we cannot ask whether the writer is still running


def _writer_gone(pid: int, age_seconds: float) -> bool:
    if pid == os.getpid():
        return False
    if os.name == "posix":
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return age_seconds > _STALE_AFTER_SECONDS  # the pid may belong to another process now
    return age_seconds > _STALE_AFTER_SECONDS


def remove_stale_temp_files(folder: Path, *, legacy_backup_names: bool = False) -> list[Path]:
    """Delete temp files left in `folder` by writers that died; returns what was removed.

    The same rule as fieldwork.identity.files.remove_stale_partials (a temp file is removed only
    when the process named in it is gone), without importing the identity package at start-up,
    and also matching SQLite's journal files beside a temp database.
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
            if match and not _writer_gone(int(match["pid"]), now - entry.lstat().st_mtime):
                continue
            entry.unlink()
            removed.append(entry)
        except OSError:
            continue
    return removed


def temp_path(final: Path) -> Path:
    """A temp name beside `final` that remove_stale_temp_files recognises."""
    return final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- read-only mode ------------------------------------------------------------------------------


def open_damaged(data_dir: str | os.PathLike, *, actor: str = "") -> Store:
    """Open a damaged store read-only, to look at what can still be read.

    SQLite opens it with mode=ro: nothing is written to it, no lock is taken, no backup is
    made. Pages that are damaged raise errors when read; the rest reads normally.
    """
    import sqlite_utils

    from fieldwork.store.db import Store, utc_now

    path = Path(data_dir) / STORE_FILENAME
    if not path.is_file() or (path.stat().st_size and not has_sqlite_header(path)):
        raise damaged_error(path, "is not a fieldwork store (it is not an SQLite database)", readable=False)
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise damaged_error(path, f"is too damaged to read ({exc})", readable=False) from None
    db = sqlite_utils.Database(conn, execute_plugins=False)
    store = Store(path, db, None, actor=actor, clock=utc_now, new_id=lambda: "", backup_policy=None)
    store.damaged = True
    return store


# --- restore -------------------------------------------------------------------------------------


ASIDE_INFIX = "-before-restore-"


def _aside_name(path: Path, moment: dt.datetime) -> Path:
    stamp = moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")
    for number in range(1, 1000):
        suffix = "" if number == 1 else f"-{number}"
        candidate = path.with_name(f"{path.stem}{ASIDE_INFIX}{stamp}{suffix}{path.suffix}")
        if not any(Path(str(candidate) + tail).exists() for tail in ("", "-wal", "-shm")):
            return candidate
    raise StoreError(f"Too many damaged copies of the store are kept in {path.parent}; move some away.")


def _copy_private(source: Path, target: Path) -> None:
    """Copy `source` to a new owner-only file `target` (which must not exist), fsynced."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as out, open(source, "rb") as handle:
        shutil.copyfileobj(handle, out, 1024 * 1024)
        out.flush()
        os.fsync(out.fileno())


def _check_backup(path: Path) -> None:
    from fieldwork.store.migrations import SCHEMA_VERSION

    if not path.is_file():
        raise StoreError(f"There is no backup at {path}; list them with 'fieldwork store backups'.")
    if not has_sqlite_header(path):
        raise StoreError(f"{path} is not a fieldwork backup (it is not an SQLite database); choose another.")
    conn = sqlite3.connect(_read_only_uri(path), uri=True)
    try:
        problems = quick_check(conn)
        version = conn.execute("PRAGMA user_version").fetchone()[0] if not problems else 0
        has_meta = not problems and conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone() is not None
    except sqlite3.DatabaseError as exc:
        problems, version, has_meta = [str(exc)], 0, False
    finally:
        conn.close()
    if problems:
        raise StoreError(f"The backup {path} is damaged too; choose an older one (fieldwork store backups).")
    if version < 1 or not has_meta:
        raise StoreError(f"{path} is an SQLite database but not a fieldwork store or backup; choose another.")
    if version > SCHEMA_VERSION:
        raise StoreError(f"The backup {path} was written by a newer version of fieldwork; install it to restore.")


def _profile_of(path: Path) -> str | None:
    """The person id a store or backup belongs to, or None when it has none or cannot be read."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'profile.person_id'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _check_same_profile(store_path: Path, backup_path: Path) -> None:
    """A backup of another person's store would put their work under this folder's keys."""
    if not store_path.is_file():
        return
    here, there = _profile_of(store_path), _profile_of(backup_path)
    if here and there and here != there:
        raise StoreError(
            f"{backup_path} is a backup of {there}'s store, but this data folder is {here}'s; restore it into "
            f"{there}'s own data folder instead."
        )


def restore_backup(
    data_dir: str | os.PathLike,
    backup_path: str | os.PathLike,
    *,
    actor: str = "",
    clock=None,
) -> Store:
    """Put a backup in place of the store in `data_dir` and open it (the caller closes it).

    The backup is checked first (refused if damaged or too new: then nothing changes). The
    current store, with its -wal and -shm, is kept beside it as `fieldwork-before-restore-<time>.sqlite`
    (never deleted), and the backup is copied in whole before it replaces the store in one
    rename: a crash at any moment leaves the old store or the restored one, never neither. The
    backup file itself stays where it is. Close every store on `data_dir` first.
    """
    import filelock

    from fieldwork.store.db import open_store, utc_now

    clock = clock or utc_now
    data_dir = Path(data_dir)
    backup_path = Path(backup_path)
    path = data_dir / STORE_FILENAME
    _check_backup(backup_path)
    _check_same_profile(path, backup_path)
    lock = filelock.FileLock(str(path) + ".lock", thread_local=False, mode=0o600)
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        raise StoreLockedError(
            "The store is open in another fieldwork window; close it there before restoring a backup."
        ) from None
    try:
        incoming = temp_path(path)
        try:
            _copy_private(backup_path, incoming)
            if path.exists():
                aside = _aside_name(path, clock())
                # The damaged file stays at its name until the backup replaces it (a hard link, or
                # a copy where the file system has none), so there is always a store there.
                try:
                    os.link(path, aside)
                except OSError:
                    staged = temp_path(aside)
                    _copy_private(path, staged)
                    os.replace(staged, aside)
                # Its -wal must go with it: left beside the restored file, SQLite would replay it.
                for tail in ("-wal", "-shm"):
                    companion = Path(str(path) + tail)
                    if companion.exists():
                        os.replace(companion, Path(str(aside) + tail))
                fsync_dir(data_dir)
            crash_point("restore.before_replace")
            os.replace(incoming, path)
            fsync_dir(data_dir)
        except BaseException:
            with contextlib.suppress(OSError):
                incoming.unlink()
            raise
    except OSError as exc:
        raise StoreError(
            f"The backup could not be restored into {data_dir} ({exc.strerror}); free some space or "
            "check the folder's permissions, then try again (the current store is unchanged)."
        ) from None
    finally:
        lock.release()
    return open_store(data_dir, actor=actor, clock=clock)
