"""Rolling backups of a store: consistent snapshots in DATA_DIR/backups, taken without asking.

When (docs/decisions/0011-backups-and-recovery.md):
- at open, when the newest backup is older than `every` (24 h) and the store already existed;
- at close, when this session changed the store and the newest backup is older than
  `at_close_after` (1 h), so a day's work is in a backup the moment the app closes (not in
  the session that created the store: its first backup is taken at the next open);
- before a migration (`before-migration-vN-<time>.sqlite`, written by db._migrate);
- on demand (`fieldwork store backup`).

Each snapshot comes from SQLite's backup API (consistent even while the store is in use),
is written owner-only to a temp name, checked with `PRAGMA quick_check`, fsynced and renamed
into place: a backup either is whole and sound at its final name or does not exist. A snapshot
that fails the check is thrown away and never pushes a good backup out. The newest `keep` (7)
automatic backups are kept; pre-migration and manual ones are never deleted automatically.

A backup that cannot be taken at open or close (disk full, read-only folder) is logged and does
not stop the app: the store itself is unaffected.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fieldwork.errors import StoreError

if TYPE_CHECKING:  # db imports this module; it is imported inside functions
    from fieldwork.store.db import Store

log = logging.getLogger("fieldwork.backups")

BACKUPS_DIRNAME = "backups"
_NAME = re.compile(
    r"^(?P<kind>auto|manual|before-migration-v(?P<version>\d+))-(?P<stamp>\d{8}T\d{6})(?:-(?P<n>\d+))?\.sqlite$"
)
_STAMP = "%Y%m%dT%H%M%S"
_KINDS = {"auto": "automatic", "manual": "manual"}


@dataclass(frozen=True)
class BackupPolicy:
    """When backups are taken and how many automatic ones are kept."""

    every: dt.timedelta = dt.timedelta(hours=24)
    at_close_after: dt.timedelta = dt.timedelta(hours=1)
    keep: int = 7


DEFAULT_POLICY = BackupPolicy()


@dataclass(frozen=True)
class Backup:
    """One backup file; `kind` is automatic, manual or before-migration."""

    path: Path
    kind: str
    taken_at: dt.datetime  # UTC, from the file name
    size: int
    schema_version: int | None = None  # for before-migration backups: the version backed up

    def when(self) -> str:
        """The time it was taken, for people (local time)."""
        local = self.taken_at.astimezone()
        return f"{local.day} {local:%B %Y} at {local:%H:%M}"

    def to_json(self) -> dict:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "taken_at": self.taken_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "size": self.size,
            "schema_version": self.schema_version,
        }


def backups_dir(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / BACKUPS_DIRNAME


def list_backups(data_dir: str | os.PathLike) -> list[Backup]:
    """Every backup of the store in `data_dir`, newest first."""
    found = []
    try:
        entries = list(backups_dir(data_dir).iterdir())
    except OSError:
        return []
    for entry in entries:
        match = _NAME.match(entry.name)
        if not match or not entry.is_file():
            continue
        kind = _KINDS.get(match["kind"], "before-migration")
        taken = dt.datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=dt.UTC)
        version = int(match["version"]) if match["version"] else None
        found.append((taken, int(match["n"] or 1), Backup(entry, kind, taken, entry.stat().st_size, version)))
    return [backup for *_, backup in sorted(found, key=lambda item: item[:2], reverse=True)]


def _new_name(folder: Path, prefix: str, moment: dt.datetime) -> Path:
    """`<prefix>-<time>.sqlite`, numbered -2, -3... after the highest of the same second (never
    reusing a pruned lower number, which would sort as older than it is)."""
    stamp = moment.astimezone(dt.UTC).strftime(_STAMP)
    taken = [0]
    if folder.is_dir():
        for entry in folder.iterdir():
            match = _NAME.match(entry.name)
            if match and match["stamp"] == stamp:
                taken.append(int(match["n"] or 1))
    number = max(taken) + 1
    return folder / (f"{prefix}-{stamp}.sqlite" if number == 1 else f"{prefix}-{stamp}-{number}.sqlite")


def take_backup(store: Store, *, kind: str = "auto", prune_old: bool = True) -> Backup:
    """Snapshot the open store now (kind "auto" or "manual"); prunes old automatic ones unless
    `prune_old` is False (a wipe shreds them itself: pruning would only unlink them).

    Raises StoreDamagedError when the snapshot fails its check (the store itself is damaged),
    StoreError when it cannot be written.
    """
    from fieldwork.store.db import _store_error, backup_to

    if kind not in _KINDS:
        raise ValueError(kind)
    folder = backups_dir(store.path.parent)
    try:
        target = backup_to(store.conn, _new_name(folder, kind, store.clock()))
    except sqlite3.DatabaseError as exc:
        raise _store_error(exc, store.path) from None
    except OSError as exc:
        raise StoreError(
            f"A backup of the store could not be written to {folder} ({exc.strerror}); "
            "free some space or check the folder's permissions."
        ) from None
    backup = next(b for b in list_backups(store.path.parent) if b.path == target)
    if prune_old and kind == "auto" and store.backup_policy is not None:
        prune(store.path.parent, store.backup_policy.keep)
    return backup


def prune(data_dir: str | os.PathLike, keep: int) -> list[Path]:
    """Delete automatic backups beyond the newest `keep`; others are never deleted here."""
    automatic = [b for b in list_backups(data_dir) if b.kind == "automatic"]
    removed = []
    for backup in automatic[max(keep, 1):]:
        try:
            backup.path.unlink()
            removed.append(backup.path)
        except OSError as exc:
            log.warning("old backup not removed: %s", exc.strerror)
    return removed


def _newest_age(store: Store) -> dt.timedelta | None:
    backups = list_backups(store.path.parent)
    if not backups:
        return None
    return store.clock() - backups[0].taken_at


def _due(age: dt.timedelta | None, limit: dt.timedelta) -> bool:
    # A newest backup "in the future" means the clock was wrong then or is now: take one.
    return age is None or age >= limit or age < -dt.timedelta(hours=1)


def at_open(store: Store, *, existed: bool) -> None:
    """The open-time backup (db.open_store calls this for a writable store)."""
    policy = store.backup_policy
    if policy is None or not existed or not _due(_newest_age(store), policy.every):
        return
    _quietly(store, "open")


def at_close(store: Store) -> None:
    """The close-time backup (Store.close calls this before closing a writable store); never raises."""
    policy = store.backup_policy
    if policy is None or store.damaged or store.created_now:
        return  # a store created in this session gets its first backup at the next open
    try:
        if store.conn.total_changes <= store.changes_at_open:
            return
        if not _due(_newest_age(store), policy.at_close_after):
            return
    except (OSError, sqlite3.Error) as exc:
        log.warning("automatic backup at close not taken: %s", type(exc).__name__)
        return
    _quietly(store, "close")


def _quietly(store: Store, moment: str) -> None:
    from fieldwork.store.recovery import StoreDamagedError

    try:
        take_backup(store, kind="auto")
    except StoreDamagedError:
        if moment == "open":
            raise  # the caller refuses the store and offers the backups
        log.error("the store failed its check while being backed up at close")
    except Exception as exc:  # a backup must never take the app or the store down with it
        log.warning("automatic backup at %s not taken: %s", moment, getattr(exc, "code", type(exc).__name__))
