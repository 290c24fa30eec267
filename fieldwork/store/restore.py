"""Restoring a backup in place of the store, and finishing or undoing a restore that was killed.

Issue 20 (docs/decisions/0025-restore-and-the-disk.md): the store set aside used to be a hard
link to the live file, with the live -wal moved beside it. Killed before the backup was moved
in, the live store was then its main file without its WAL (committed work silently gone) and
shared its inode with the copy "kept aside" (later writes damaged that copy). Now:

1. The backup is copied whole to a temp file beside the store (fsynced) and locked.
2. A note, `fieldwork.sqlite.restoring`, records the backup, the temp file, the name of the
   copy to keep aside and the SHA-256 of what will be put in place (written atomically).
3. The current store is copied, with its -wal (never a hard link, never moved), to
   `fieldwork-before-restore-<time>.sqlite` (+ `-wal`): a real copy of everything committed.
4. The temp file replaces the store in one rename; only then are the old -wal and -shm removed
   (they belong to the old store, whose copy keeps them), and the note last of all.

Every open of the store (`open_store`, `store check`, the read-only mode) first settles a
note left by a restore that was killed, holding the store's lock:
- the file in place is the backup (its SHA-256 matches): the restore is finished (the old
  -wal and -shm go, they would be replayed into the backup otherwise);
- otherwise the rename never happened and the store, with its WAL, was never touched: the
  restore is undone (the temp file and the copies of the untouched store are removed).
Either way it says so (`Store.notices`, printed by the command line, shown by the app).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import sqlite3
from pathlib import Path

from fieldwork.durable_files import fsync_dir
from fieldwork.errors import StoreError, StoreLockedError
from fieldwork.faults import crash_point
from fieldwork.paths import STORE_FILENAME
from fieldwork.store import recovery as _recovery
from fieldwork.store.lock import StoreLock, try_lock

notices = logging.getLogger("fieldwork.notice")  # the command line prints these to stderr

ASIDE_INFIX = "-before-restore-"
RESTORE_NOTE = STORE_FILENAME + ".restoring"


def _aside_name(path: Path, moment: dt.datetime) -> Path:
    stamp = moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")
    for number in range(1, 1000):
        suffix = "" if number == 1 else f"-{number}"
        candidate = path.with_name(f"{path.stem}{ASIDE_INFIX}{stamp}{suffix}{path.suffix}")
        if not any(Path(str(candidate) + tail).exists() for tail in ("", "-wal", "-shm")):
            return candidate
    raise StoreError(f"Too many earlier copies of the store are kept in {path.parent}; move some away.")


def _copy_private(source: Path, target: Path) -> str:
    """Copy `source` to a new owner-only file `target` (which must not exist), fsynced; its SHA-256."""
    digest = hashlib.sha256()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as out, open(source, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_aside(path: Path, aside: Path) -> None:
    """A real copy of the store and its -wal at `aside` (-wal first: a copy with a main file is whole)."""
    pairs = [(Path(str(path) + "-wal"), Path(str(aside) + "-wal")), (path, aside)]
    for source, target in pairs:
        if not source.exists():
            continue
        staged = _recovery.temp_path(target)
        try:
            _copy_private(source, staged)
            os.replace(staged, target)
        except BaseException:
            with contextlib.suppress(OSError):
                staged.unlink()
            raise
    fsync_dir(path.parent)


def _unlink(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _write_note(data_dir: Path, note: dict) -> None:
    final = data_dir / RESTORE_NOTE
    staged = _recovery.temp_path(final)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(note, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(staged, final)
    except BaseException:
        _unlink(staged)
        raise
    fsync_dir(data_dir)


def _read_note(data_dir: Path) -> dict | None:
    try:
        note = json.loads((data_dir / RESTORE_NOTE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    if not isinstance(note, dict):
        return {}
    # Names only, in this folder: a note is never a way to delete files elsewhere.
    for key in ("incoming", "aside"):
        name = note.get(key)
        if name is not None and (not isinstance(name, str) or Path(name).name != name or not name):
            return {}
    return note


def finish_interrupted_restore(data_dir: str | os.PathLike) -> str | None:
    """Settle a restore that was killed (the caller holds the store's lock); what was done, or None.

    Runs before SQLite opens the store: the old -wal beside a restored file must go first.
    """
    data_dir = Path(data_dir)
    note = _read_note(data_dir)
    if note is None:
        return None
    path = data_dir / STORE_FILENAME
    backup = note.get("backup", "a backup")
    if not note.get("incoming") or not note.get("sha256"):
        _unlink(data_dir / RESTORE_NOTE)  # unreadable: nothing can be decided from it, nothing was removed
        message = (f"A note left by an interrupted restore in {data_dir} could not be read and was removed; "
                   "run 'fieldwork store check' to make sure the store is sound.")
        notices.warning(message)
        return message
    incoming = data_dir / note["incoming"]
    aside = data_dir / note["aside"] if note.get("aside") else None
    if path.is_file() and _sha256(path) == note["sha256"]:
        # The backup is in place: the old -wal and -shm belong to the copy kept aside.
        _unlink(Path(str(path) + "-wal"), Path(str(path) + "-shm"), incoming)
        kept = f"; the previous store is kept as {aside}" if aside and aside.exists() else ""
        message = (
            f"A restore of {backup} was interrupted after the backup was put in place; it has been finished{kept}."
        )
    else:
        # The rename never happened: the store and its -wal are as they were. The copies made of
        # them are exact duplicates of a store that is still in place.
        _unlink(incoming)
        if aside is not None:
            _unlink(aside, Path(str(aside) + "-wal"))
        message = (f"A restore of {backup} was interrupted before it replaced the store, so it was undone and the "
                   "store is as it was; run 'fieldwork store restore' again to restore that backup.")
    fsync_dir(data_dir)
    _unlink(data_dir / RESTORE_NOTE)
    fsync_dir(data_dir)
    notices.warning(message)
    return message


def settle_without_opening(data_dir: str | os.PathLike) -> str | None:
    """For readers that do not take the lock (store check, the read-only mode): settle a killed
    restore first, when its note is there and the lock can be had; StoreLockedError otherwise."""
    data_dir = Path(data_dir)
    if not (data_dir / RESTORE_NOTE).exists():
        return None
    path = data_dir / STORE_FILENAME
    try:
        lock = try_lock(path) if path.exists() else None
    except OSError:
        lock = None
    if lock is None and path.exists():
        raise StoreLockedError(
            f"A restore in {data_dir} was interrupted and the store cannot be locked to finish it; close "
            "every fieldwork window and start fieldwork again."
        )
    try:
        return finish_interrupted_restore(data_dir)
    finally:
        if lock is not None:
            lock.release()


def _check_backup(path: Path) -> None:
    from fieldwork.store.migrations import SCHEMA_VERSION

    if not path.is_file():
        raise StoreError(f"There is no backup at {path}; list them with 'fieldwork store backups'.")
    if not _recovery.has_sqlite_header(path):
        raise StoreError(f"{path} is not a fieldwork backup (it is not an SQLite database); choose another.")
    conn = sqlite3.connect(_recovery._read_only_uri(path), uri=True)
    try:
        problems = _recovery.quick_check(conn)
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
        conn = sqlite3.connect(_recovery._read_only_uri(path), uri=True)
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


def _lock_current(path: Path) -> StoreLock | None:
    if not path.exists():
        return None
    try:
        lock = try_lock(path)
    except OSError as exc:
        raise StoreError(
            f"The backup could not be restored into {path.parent} ({exc.strerror}); check the folder's "
            "permissions, then try again (the current store is unchanged)."
        ) from None
    if lock is None:
        raise StoreLockedError(
            "The store is open in another fieldwork window; close it there before restoring a backup."
        )
    return lock


def restore_backup(
    data_dir: str | os.PathLike,
    backup_path: str | os.PathLike,
    *,
    actor: str = "",
    clock=None,
):
    """Put a backup in place of the store in `data_dir` and open it (the caller closes it).

    The backup is checked first (refused if damaged or too new: then nothing changes). The
    current store, with its -wal, is copied to `fieldwork-before-restore-<time>.sqlite` (never
    deleted) before the backup copy replaces it in one rename: a kill at any moment leaves the
    old store (with all its committed work) or the restored one, and the next open finishes or
    undoes the restore and says so. The backup file itself stays where it is. Close every
    store on `data_dir` first.
    """
    from fieldwork.store.db import open_store, utc_now

    clock = clock or utc_now
    data_dir = Path(data_dir)
    backup_path = Path(backup_path)
    path = data_dir / STORE_FILENAME
    _check_backup(backup_path)
    _check_same_profile(path, backup_path)
    lock = _lock_current(path)
    incoming_lock: StoreLock | None = None
    noted = False
    try:
        finish_interrupted_restore(data_dir)  # an earlier restore killed half-way goes first
        incoming = _recovery.temp_path(path)
        try:
            digest = _copy_private(backup_path, incoming)
            # Locked before it is renamed: the lock goes with the file, so the restored store is
            # never unlocked at its final name before this restore opens it.
            incoming_lock = StoreLock(incoming)
            aside = _aside_name(path, clock()) if path.exists() else None
            _write_note(data_dir, {"backup": str(backup_path), "incoming": incoming.name,
                                   "aside": aside.name if aside else None, "sha256": digest})
            noted = True
            if aside is not None:
                _copy_aside(path, aside)
            crash_point("restore.before_replace")
            if os.name == "nt":  # Windows renames no file held open: let go just before
                for held in (incoming_lock, lock):
                    if held is not None:
                        held.release()
            os.replace(incoming, path)
            crash_point("restore.after_replace")
            _unlink(Path(str(path) + "-wal"), Path(str(path) + "-shm"))
            fsync_dir(data_dir)
            _unlink(data_dir / RESTORE_NOTE)
            fsync_dir(data_dir)
        except BaseException:
            if noted:
                with contextlib.suppress(OSError):
                    _undo_quietly(data_dir)
            _unlink(incoming)
            raise
    except OSError as exc:
        raise StoreError(
            f"The backup could not be restored into {data_dir} ({exc.strerror}); free some space or "
            "check the folder's permissions, then try again (the current store is unchanged)."
        ) from None
    finally:
        for held in (incoming_lock, lock):
            if held is not None:
                held.release()
    return open_store(data_dir, actor=actor, clock=clock)


def _undo_quietly(data_dir: Path) -> None:
    """A restore that failed here (no space for the copy, say) is settled at once, without a notice."""
    notices.disabled, was = True, notices.disabled
    try:
        finish_interrupted_restore(data_dir)
    finally:
        notices.disabled = was


__all__ = ["ASIDE_INFIX", "RESTORE_NOTE", "finish_interrupted_restore", "restore_backup", "settle_without_opening"]
