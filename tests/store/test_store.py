"""Opening the local store: durable settings, permissions, one writer, and refusals that change nothing."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from fieldwork.errors import StoreError, StoreLockedError, StoreTooNewError
from fieldwork.paths import STORE_FILENAME
from fieldwork.store import open_store
from fieldwork.store.lock import StoreLock
from fieldwork.store.migrations import SCHEMA_VERSION

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def pragma(store, name: str):
    return store.db.execute(f"PRAGMA {name}").fetchone()[0]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in the folder with its bytes and modification time."""
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()
    }


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_open_creates_a_durable_store(store, store_dir):
    path = store_dir / STORE_FILENAME
    assert store.path == path
    assert path.is_file()
    assert pragma(store, "journal_mode") == "wal"
    assert pragma(store, "synchronous") == 2  # FULL
    assert pragma(store, "foreign_keys") == 1
    assert pragma(store, "user_version") == SCHEMA_VERSION
    assert store.read_only is False


def test_foreign_keys_are_enforced(store):
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(
            "INSERT INTO cases (id, inspection_id, case_ref, sample_id, created_at, updated_at) "
            "VALUES ('c', 'no-such-inspection', 'C1', 'supervision', 'now', 'now')"
        )


def test_store_records_its_identity_with_the_injected_clock_and_ids(store):
    assert store.meta("store_id") == "00000000-0000-0000-0000-000000000001"
    assert store.meta("created_at") == "2026-11-02T09:00:00.000Z"
    assert store.meta("last_written_by_version")
    assert store.meta("no-such-key", "fallback") == "fallback"


@posix_only
def test_store_file_and_folder_are_private(store, store_dir):
    assert mode(store_dir) == 0o700
    assert mode(store_dir / STORE_FILENAME) == 0o600


@posix_only
def test_an_existing_open_folder_is_made_private(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o755)
    with open_store(folder):
        pass
    assert mode(folder) == 0o700


def test_second_open_is_read_only_while_the_first_still_writes(store, store_dir):
    second = open_store(store_dir, actor="insp-2")
    try:
        assert second.read_only is True
        assert store.read_only is False
        with pytest.raises(StoreLockedError) as caught:
            second.set_meta("colour", "blue")
        assert "read-only" in caught.value.message
        with pytest.raises(StoreLockedError), second.transaction():
            pass
        assert second.meta("colour") is None
        # The first keeps writing, and the second reads what it wrote.
        store.set_meta("colour", "green")
        assert second.meta("colour") == "green"
        # A read-only window does not move the other window's place.
        second.set_ui_state("page", "cases")
        assert store.ui_state("page") is None
    finally:
        second.close()
    store.set_meta("colour", "red")
    assert store.meta("colour") == "red"


_SECOND_WRITER = """
import sys
from fieldwork.errors import StoreLockedError
from fieldwork.store import open_store
store = open_store(sys.argv[1], actor="intruder")
try:
    store.set_meta("colour", "from the second writer")
    print("WROTE")
except StoreLockedError:
    print("REFUSED", store.read_only)
finally:
    store.close()
"""


def test_deleting_the_old_lock_file_lets_no_second_writer_in(store, store_dir):
    """Issue 20: the lock was a separate file; deleting it while the app ran let a second writer in.
    Now it is held on the store file itself: there is nothing beside the store to delete."""
    store.set_meta("colour", "green")
    for leftover in store_dir.iterdir():
        if leftover.name.endswith(".lock"):
            leftover.unlink()
    second = subprocess.run([sys.executable, "-c", _SECOND_WRITER, str(store_dir)], capture_output=True, text=True,
                            timeout=120)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["REFUSED", "True"]
    assert store.meta("colour") == "green"
    store.set_meta("colour", "still the first writer's")  # the first keeps its lock
    assert store.meta("colour") == "still the first writer's"


def test_the_lock_goes_when_the_writer_closes_and_survives_sqlite_closing_other_connections(store, store_dir):
    # Another connection to the same file in this process (a check, a backup) opens and closes:
    # with classic POSIX locks that close would drop every lock the process holds on the file.
    other = sqlite3.connect(store_dir / STORE_FILENAME)
    other.execute("SELECT count(*) FROM meta").fetchone()
    other.close()
    assert _try_other_writer(store_dir) is None
    store.close()
    taken = _try_other_writer(store_dir)
    assert taken is not None
    taken.release()


def _try_other_writer(store_dir: Path):
    from fieldwork.store.lock import try_lock

    return try_lock(store_dir / STORE_FILENAME)


def test_closing_releases_the_store_for_the_next_writer(store_dir):
    first = open_store(store_dir)
    first.set_meta("k", "1")
    first.close()
    with open_store(store_dir) as again:
        assert again.read_only is False
        again.set_meta("k", "2")
        assert again.meta("k") == "2"


def test_a_failed_transaction_writes_nothing(store):
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("INSERT INTO meta (key, value) VALUES ('half', 'done')")
        raise RuntimeError("interrupted")
    assert store.meta("half") is None


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / STORE_FILENAME
    path.write_bytes(b"These are my notes, not a database.\n" * 50)
    before = snapshot(folder)
    with pytest.raises(StoreError) as caught:
        open_store(folder)
    assert not isinstance(caught.value, StoreTooNewError)
    assert str(path) in caught.value.message
    assert "not an SQLite database" in caught.value.message
    assert snapshot(folder) == before


def test_open_without_create_refuses_a_missing_store(tmp_path):
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path / "nothing-here", create=False)
    assert "--data-dir" in caught.value.message
    assert not (tmp_path / "nothing-here").exists()


def _make_too_new_wal_store(folder: Path) -> Path:
    with open_store(folder) as s:
        s.set_meta("written-by", "the future")
    conn = sqlite3.connect(folder / STORE_FILENAME)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    return folder / STORE_FILENAME


def test_a_store_from_a_newer_version_is_refused_and_unchanged(tmp_path):
    folder = tmp_path / "data"
    path = _make_too_new_wal_store(folder)
    before = snapshot(folder)
    with pytest.raises(StoreTooNewError) as caught:
        open_store(folder)
    message = caught.value.message
    assert str(path) in message
    assert "newer version" in message
    assert str(SCHEMA_VERSION + 5) in message
    assert snapshot(folder) == before  # no -wal/-shm left behind either
    assert not (folder / "backups").exists()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 5
    conn.close()


def test_a_newer_store_is_refused_by_a_second_window_too(tmp_path):
    folder = tmp_path / "data"
    path = _make_too_new_wal_store(folder)
    before = path.read_bytes()
    holder = StoreLock(path)  # another window: it holds the lock on the store file itself
    try:
        with pytest.raises(StoreTooNewError):
            open_store(folder)
    finally:
        holder.release()
    assert path.read_bytes() == before


def test_a_refused_store_is_closed_at_once(tmp_path):
    folder = tmp_path / "data"
    _make_too_new_wal_store(folder)
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(StoreTooNewError) as caught:
        open_store(folder)
    # Checked while the refusal (and its traceback) is still alive: nothing may hold the file open.
    assert sorted(p.name for p in folder.iterdir()) == before
    assert "newer version" in caught.value.message


def test_a_too_new_store_in_rollback_journal_mode_is_unchanged(tmp_path):
    """A restored backup is in rollback-journal mode (backup_to writes journal_mode=DELETE)."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / STORE_FILENAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x TEXT)")
    conn.execute("INSERT INTO future VALUES ('from a later fieldwork')")
    conn.commit()
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreTooNewError):
        open_store(folder)
    # Not even the journal mode (header bytes 18-19) may be switched to WAL.
    assert path.read_bytes() == before


@posix_only
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_folder_gives_a_clear_store_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        with pytest.raises(StoreError) as caught:
            open_store(folder)
        assert str(folder) in caught.value.message
        assert "--data-dir" in caught.value.message or "permission" in caught.value.message
        assert list(folder.iterdir()) == []
    finally:
        os.chmod(folder, 0o700)


@posix_only
def test_open_never_adds_write_permission_to_a_read_only_folder(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        try:
            open_store(folder).close()
        except StoreError:
            pass
        assert mode(folder) & 0o222 == 0
    finally:
        os.chmod(folder, 0o700)
