"""Opening a store: durable settings, the single-writer lock, migrations with a backup first.

Durability: WAL with synchronous=FULL means a transaction that returned is on disk, so an
answer the screen shows as saved survives a kill -9 or a power cut a moment later.

Recovery (issue 7, docs/decisions/0011-backups-and-recovery.md): opening a writable store first
clears temp files left by writers that died, refuses a damaged store with StoreDamagedError
(which lists the backups; fieldwork.store.recovery has the read-only mode and the restore), and
takes the rolling backups of fieldwork.store.backups at open and close.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import sqlite3
import stat
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from fieldwork import __version__
from fieldwork.durable_files import fsync_dir
from fieldwork.errors import StoreError, StoreLockedError, StoreTooNewError
from fieldwork.faults import crash_point
from fieldwork.paths import STORE_FILENAME
from fieldwork.store import backups as _backups
from fieldwork.store import recovery as _recovery
from fieldwork.store import restore as _restore
from fieldwork.store import rowhash as _rowhash
from fieldwork.store.lock import LockBusy, StoreLock, try_lock
from fieldwork.store.migrations import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

Clock = Callable[[], dt.datetime]

# Every store connection has had recursive triggers on since the first release, because
# sqlite-utils' Database() sets them when it wraps a connection; the Store now makes that wrapper
# only when a writer asks for it, so the connection sets them itself from the start.
RECURSIVE_TRIGGERS = "PRAGMA recursive_triggers = ON"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def timestamp(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds, e.g. 2026-11-22T09:30:00.123Z; sorts as text."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Store:
    """An open store. Use `open_store`; close it (or use `with`) to release the lock.

    `conn` is the plain sqlite3 connection: reads use it. `db` wraps the same connection in
    sqlite-utils for the writers' table helpers, and is made on first use, so that the first
    window (which only reads) never imports sqlite-utils and the click, dateutil and pluggy it
    brings (about 15% of a start-up's imports; docs/performance.md). Both are the same
    connection, so the settings `_connect` made (WAL, synchronous=FULL, foreign keys, the
    checksum function) hold for either.
    """

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        lock: StoreLock | None,
        *,
        actor: str,
        clock: Clock,
        new_id: Callable[[], str],
        backup_policy: _backups.BackupPolicy | None = None,
    ):
        self.path = path
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self._lock = lock
        self.actor = actor
        self.clock = clock
        self.new_id = new_id
        # Recovery (issue 7): rolling backups at open/close follow this policy (None: none);
        # `damaged` marks a damaged store opened read-only by recovery.open_damaged.
        self.backup_policy = backup_policy
        self.damaged = False
        self.read_only_folder = False  # read-only because the folder cannot be written
        self.no_room = False  # read-only because the disk is full (issue 20): reading still works
        self.changes_at_open = conn.total_changes
        self.created_now = False
        # Things the person should be told about this open (an interrupted restore settled).
        self.notices: list[str] = []

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            import sqlite_utils

            # No sqlite-utils plugins run against a store (and scanning for them costs 17 ms).
            self._db = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._db

    # --- life cycle -------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        """True when this window may only read: another copy of the app holds the store, the
        folder cannot be written, or the disk is full."""
        return self._lock is None or self.no_room

    def close(self) -> None:
        if self._lock is not None and not self.no_room:
            _backups.at_close(self)  # rolling backup when this session changed something; never raises
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- writing ----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """All-or-nothing: every write in the block commits together, durably, or none does."""
        with self._writing():
            yield self.db

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """`transaction` without sqlite-utils: the same refusals, the same lock check and the
        same all-or-nothing block on the plain connection (the small writes a window makes
        while it starts, such as remembering its place, use it directly)."""
        if self.damaged:
            raise _recovery.damaged_error(self.path, "is damaged and open read-only", readable=False)
        if self.no_room:
            raise StoreError(
                f"The disk holding {self.path} is full, so this window is read-only and the change was not saved; "
                "free some space and start fieldwork again."
            )
        if self.read_only and self.read_only_folder:
            raise StoreError(
                f"{self.path} cannot be written (read-only file or folder); "
                "check its permissions or choose another data folder with --data-dir."
            )
        if self.read_only:
            raise StoreLockedError(
                "This store is open in another fieldwork window, so this one is read-only; "
                "close the other window and reopen to make changes."
            )
        try:
            self._lock.confirm()  # still ours (where SQLite closing a descriptor could drop it)
        except (LockBusy, OSError):
            raise StoreLockedError(
                f"{self.path} was taken over by another fieldwork window, so this change was not saved; "
                "close this window and go on in the other."
            ) from None
        try:
            with _atomic(self.conn):
                yield
        except sqlite3.OperationalError as exc:
            raise _store_error(exc, self.path) from exc
        except sqlite3.DatabaseError as exc:  # a damaged page met while writing (issue 7)
            if not _recovery.is_damage(exc):
                raise
            raise _store_error(exc, self.path) from exc

    def now(self) -> str:
        return timestamp(self.clock())

    # --- small key/value helpers --------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self._writing():
            self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def ui_state(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM ui_state WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_ui_state(self, key: str, value: str) -> None:
        if self.read_only:
            return  # a read-only window does not move the other window's place
        if self.ui_state(key) == value:
            return  # nothing to write: each start-up would otherwise commit (and fsync) its place twice
        with self._writing():
            self.conn.execute(
                "INSERT INTO ui_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )


@contextlib.contextmanager
def _atomic(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN ... COMMIT, or a savepoint inside a transaction already open; rolled back on any
    error. The same steps as sqlite-utils' `Database.atomic`, which this replaced so that writing
    needs no sqlite-utils import."""
    if conn.in_transaction:
        savepoint = f"fieldwork_{uuid.uuid4().hex}"
        conn.execute(f"SAVEPOINT {savepoint}")
        try:
            yield
        except BaseException:
            # A RAISE(ROLLBACK) trigger can end the whole transaction, savepoint included.
            if conn.in_transaction:
                conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            raise
        conn.execute(f"RELEASE SAVEPOINT {savepoint}")
        return
    conn.execute("BEGIN")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _store_error(exc: sqlite3.Error, path: Path) -> StoreError:
    text = str(exc).lower()
    if "disk is full" in text or "disk i/o" in text:
        return StoreError(
            f"The disk holding {path} is full or failing, so the last change was not saved; "
            "free some space and try again (earlier answers are safe)."
        )
    if "readonly" in text or "read-only" in text:
        return StoreError(
            f"{path} cannot be written (read-only file or folder); "
            "check its permissions or choose another data folder with --data-dir."
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return _recovery.damaged_error(path, "is damaged (SQLite cannot read part of it)")
    return StoreError(f"The store {path} could not be used: {exc}.")


def _make_private(folder: Path) -> None:
    """Take group and other permissions off the data folder; never add any (personal data)."""
    if os.name != "posix":
        return
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        with contextlib.suppress(OSError):  # not our folder to change: leave it
            os.chmod(folder, mode & 0o700)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=5, check_same_thread=False)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        # Up to 32 MiB of pages kept (SQLite's default is 2 MiB): a lead's central database of
        # 10,000 cases tallies its ratings from a few MiB of index; re-reading them at each
        # refresh cost ~15%. The cache only grows as pages are read: a small store stays small.
        conn.execute("PRAGMA cache_size = -32768")  # opens the file: in a read-only folder, fails
        # Sorts, statement journals and temp tables stay in memory: on disk they would be plain
        # copies of answers and evidence in the system's temp folder (a wipe's DELETE of a long
        # history spills its statement journal there). Set before any temp table exists, since
        # changing it later drops them.
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute(RECURSIVE_TRIGGERS)
        _rowhash.register(conn)  # the checksum triggers of answers and case details call it (issue 20)
    except BaseException:
        conn.close()  # never left for the garbage collector: an open file pins the folder
        raise
    return conn


def _connect_and_read_version(path: Path, *, allow_no_room: bool) -> tuple[sqlite3.Connection, int, bool]:
    """The store's connection, its schema version, and whether the disk was too full to open it
    the usual way (issue 20: SQLite cannot make the -shm a read needs on a full disk; looking at
    the store must still work, read-only, as long as nothing needs migrating)."""
    try:
        conn = _connect(path)
    except sqlite3.OperationalError as exc:
        if not (allow_no_room and _recovery.is_no_room(exc)):
            raise
    else:
        try:
            return conn, conn.execute("PRAGMA user_version").fetchone()[0], False
        except sqlite3.OperationalError as exc:
            conn.close()
            if not (allow_no_room and _recovery.is_no_room(exc)):
                raise
        except BaseException:
            conn.close()
            raise
    conn = _connect_without_room(path)
    try:
        return conn, conn.execute("PRAGMA user_version").fetchone()[0], True
    except BaseException:
        conn.close()
        raise


def _connect_without_room(path: Path) -> sqlite3.Connection:
    """A read-only connection for a full disk (recovery.connect_read_only), set up like _connect."""
    try:
        conn = _recovery.connect_read_only(path, check_same_thread=False)
    except sqlite3.OperationalError:
        raise StoreError(_full_disk_message(path, "cannot even be read without a little room beside it")) from None
    conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -32768")
    conn.execute(RECURSIVE_TRIGGERS)
    return conn


def _full_disk_message(path: Path, what: str) -> str:
    return (
        f"The disk holding {path} is full and the store {what}; free some space and start again (nothing was changed)."
    )


def _check_is_sqlite(path: Path) -> None:
    """Refuse before SQLite touches a file that is not a database (so it stays unchanged)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    if not _recovery.has_sqlite_header(path):
        # StoreDamagedError lists the backups that could replace it (issue 7).
        raise _recovery.damaged_error(
            path, "is not a fieldwork store (it is not an SQLite database)", readable=False
        )


def backup_to(conn: sqlite3.Connection, target: Path) -> Path:
    """A consistent snapshot through SQLite's backup API, written whole then renamed.

    Issue 7: the temp file is owner-only from its creation and named so that the next start
    clears it after a crash; the snapshot must pass `PRAGMA quick_check` and (issue 20) the
    checksum of every answer and case detail before it is renamed (else sqlite3.DatabaseError,
    and nothing appears at `target`).
    """
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _make_private(target.parent)
    partial = _recovery.temp_path(target)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        dest = sqlite3.connect(str(partial))
        try:
            conn.backup(dest, pages=1024, progress=lambda *_: crash_point("backup.mid_copy"))
            dest.execute("PRAGMA journal_mode = DELETE")
            if _recovery.quick_check(dest):
                raise sqlite3.DatabaseError("database disk image is malformed (found in a backup snapshot)")
            # Issue 20: a backup never copies an answer whose checksum fails (bit rot in the store).
            if _rowhash.failing_rows(dest, limit=1):
                raise sqlite3.DatabaseError(
                    "database disk image is malformed (an answer does not match its checksum)"
                )
        finally:
            dest.close()
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        crash_point("backup.before_rename")
        os.replace(partial, target)
    except BaseException:
        for leftover in (partial, Path(str(partial) + "-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    fsync_dir(target.parent)
    return target


def _statements(script: str) -> Iterator[str]:
    """The statements of an SQL script, one at a time (trigger bodies stay whole)."""
    pending = ""
    pieces = script.split(";")
    for piece in pieces[:-1]:
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    tail = (pending + pieces[-1]).strip()
    if tail and not all(line.strip().startswith("--") or not line.strip() for line in tail.splitlines()):
        yield tail


def _migrate(conn: sqlite3.Connection, path: Path, clock: Clock) -> None:
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise StoreTooNewError(
            f"{path} was written by a newer version of fieldwork (store version {current}; "
            f"this app reads up to {SCHEMA_VERSION}); install the newer fieldwork to open it. "
            "Nothing was changed."
        )
    if current == SCHEMA_VERSION:
        return
    if current > 0:
        stamp = clock().strftime("%Y%m%dT%H%M%S")
        backup_to(conn, path.parent / "backups" / f"before-migration-v{current}-{stamp}.sqlite")
    for number in range(current + 1, SCHEMA_VERSION + 1):
        # Each migration commits together with its version bump, or not at all. Its statements
        # run one by one inside one transaction, so that fault-injection tests can kill the
        # process between any two of them (crash points, issue 7).
        try:
            conn.execute("BEGIN IMMEDIATE")
            for statement in _statements(MIGRATIONS[number - 1]):
                conn.execute(statement)
                crash_point("migration.statement")
            conn.execute(f"PRAGMA user_version = {number}")
            crash_point("migration.before_commit")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        crash_point("migration.after_commit")


def open_store(
    data_dir: Path,
    *,
    actor: str = "",
    clock: Clock = utc_now,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    create: bool = True,
    check: str = "auto",
    backups: _backups.BackupPolicy | None = _backups.DEFAULT_POLICY,
) -> Store:
    """Open (creating and migrating if needed) the store in `data_dir`.

    When another process holds the store, it opens read-only (`Store.read_only`).
    check: "auto" runs PRAGMA integrity_check at open on stores up to 8 MiB (issue 20), "full"
    also runs quick_check on larger ones (the app does this on its opener thread), "off" never. A damaged store raises
    StoreDamagedError and is left unchanged. backups: the rolling backup policy (None: none).
    """
    data_dir = Path(data_dir)
    path = data_dir / STORE_FILENAME
    if not create and not path.exists():
        raise StoreError(f"There is no fieldwork store in {data_dir}; check --data-dir.")
    _check_is_sqlite(path)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        _make_private(data_dir)
    except OSError as exc:
        raise StoreError(
            f"The data folder {data_dir} cannot be created ({exc.strerror}); choose another folder with --data-dir."
        ) from None
    existed = path.exists() and path.stat().st_size > 0
    lock: StoreLock | None = None
    folder_read_only = False
    try:
        if not path.exists():
            # Created with owner-only permissions before SQLite writes anything into it: the
            # single-writer lock is held on this file itself (fieldwork.store.lock, issue 20).
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        lock = try_lock(path)  # None: another process writes it; this one may only read
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
            folder_read_only = True  # a read-only file or folder: reading is still possible
        else:
            raise StoreError(f"The store {path} cannot be locked ({exc.strerror}).") from None
    notices: list[str] = []
    try:
        if lock is None and not path.exists():
            raise StoreError(
                f"The data folder {data_dir} cannot be written; check its permissions "
                "or choose another folder with --data-dir."
            )
        if lock is not None:
            # Issue 20: a restore killed half-way is finished or undone before SQLite opens the
            # file (an old -wal beside a restored store would be replayed into it).
            notice = _restore.finish_interrupted_restore(data_dir)
            if notice:
                notices.append(notice)
                existed = path.exists() and path.stat().st_size > 0
            # Issue 7: temp files of writers that died (a bundle, a backup, a restore, keys).
            for folder in (data_dir, _backups.backups_dir(data_dir), data_dir / "keys"):
                _recovery.remove_stale_temp_files(folder, legacy_backup_names=folder.name == "backups")
        elif (data_dir / _restore.RESTORE_NOTE).exists():
            raise StoreLockedError(
                f"A restore in {data_dir} was interrupted and is being finished by another fieldwork window; "
                "try again in a moment."
            )
        # Issue 7: a damaged store is refused before anything (even a checkpoint) writes to it.
        depth = _check_depth(check, path) if existed else None
        problems = _recovery.check_file(path, full=depth == "full") if depth is not None else []
        if problems:
            # A failing checksum names the answer (ids only); SQLite's own findings are not for people.
            what = problems[0] if "checksum" in problems[0] else "its database check found errors"
            raise _recovery.damaged_error(path, f"is damaged ({what})")
        conn, version, no_room = _connect_and_read_version(path, allow_no_room=not folder_read_only)
        try:
            # Refuse a too-new store before anything (even the journal mode) is written to it.
            if version > SCHEMA_VERSION:
                _migrate(conn, path, clock)  # raises the too-new refusal
            if no_room:
                if version < SCHEMA_VERSION:
                    raise StoreError(_full_disk_message(path, "needs upgrading, which needs room"))
            elif lock is not None:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                _migrate(conn, path, clock)
            elif conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                raise StoreLockedError(
                    f"{path} needs upgrading but is open in another fieldwork window; close that window first."
                )
        except BaseException:
            conn.close()  # a refused store is let go at once (no -wal left, movable on Windows)
            raise
    except sqlite3.DatabaseError as exc:
        if lock is not None:
            lock.release()
        if folder_read_only and "unable to open" in str(exc).lower():  # issue 7: say why
            raise StoreError(
                f"{path} is in a folder that cannot be written (read-only), so fieldwork cannot open "
                "it there; copy the folder somewhere writable or choose another with --data-dir."
            ) from None
        raise _store_error(exc, path) from None
    except OSError as exc:  # e.g. no room for the backup taken before a migration (issue 7)
        if lock is not None:
            lock.release()
        raise StoreError(
            f"The store {path} could not be opened ({exc.strerror}); free some space or check the "
            "folder's permissions, then start again (nothing was changed)."
        ) from None
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    store = Store(path, conn, lock, actor=actor, clock=clock, new_id=new_id, backup_policy=backups)
    store.notices = notices
    store.no_room = no_room
    if lock is not None and not no_room:
        try:
            # Issue 20: an open writes nothing unless something is missing or out of date, so
            # looking at a store works on a full disk.
            if store.meta("store_id") is None:
                store.set_meta("store_id", new_id())
                store.set_meta("created_at", store.now())
            if store.meta("last_written_by_version") != __version__:
                store.set_meta("last_written_by_version", __version__)
            _backups.at_open(store, existed=existed)  # issue 7: the daily rolling backup
            store.created_now = not existed  # its first backup is taken at the next open
        except BaseException as exc:
            store.backup_policy = None  # no close-time backup of a store being refused
            store.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise _store_error(exc, path) from None
            raise
        store.changes_at_open = conn.total_changes
    store.read_only_folder = folder_read_only
    return store


def _check_depth(check: str, path: Path) -> str | None:
    """Which check an open runs: "full" (integrity_check) on a store small enough for it to be
    cheap, "quick" (quick_check) on a larger one when asked for (the app's opener thread), or none."""
    if check not in ("auto", "full", "off"):
        raise ValueError(f"check must be auto, full or off, not {check!r}")
    if check == "off":
        return None
    if path.stat().st_size <= _recovery.QUICK_CHECK_AT_OPEN_MAX_BYTES:
        return "full"
    return "quick" if check == "full" else None
