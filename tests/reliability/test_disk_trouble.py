"""A full disk, a read-only folder, a damaged store, a file that is not a store (issue 7, item 2).

Each gives one clear sentence, changes nothing it should not, and a damaged store can be looked
at read-only or replaced by its last automatic backup.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from fieldwork.bundles import export_bundle
from fieldwork.bundles.export import ExportError
from fieldwork.errors import StoreError
from fieldwork.identity import read_identity_file, unlock_keys
from fieldwork.paths import STORE_FILENAME
from fieldwork.profile import open_profile_store
from fieldwork.store import open_store
from fieldwork.store.assessments import set_answer
from fieldwork.store.backups import backups_dir, list_backups
from fieldwork.store.recovery import StoreDamagedError, check_store, open_damaged, restore_backup

from .checks import check_answers, open_and_check, temp_files
from .data import INSPECTION_ID, PASSPHRASE, note_for
from .harness import run_child

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file systems and signals")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_sentence(message: str) -> None:
    assert message.endswith(".") and message.count(". ") == 0, message
    assert "Traceback" not in message and len(message) < 400, message


# --- a full disk ---------------------------------------------------------------------------------


def test_a_full_disk_refuses_the_change_and_loses_nothing(prepared, workdir, child_env, record_message):
    """RLIMIT_FSIZE in the child: every write past the limit fails with EFBIG, as on a full disk."""
    data_dir = prepared["data_dir"]
    open_and_check(data_dir).close()
    messages = workdir / "messages.txt"
    outcome = run_child(
        "full_disk", workdir, env=child_env, data_dir=str(data_dir), out=str(prepared["out"]),
        lead_file=str(prepared["lead_file"]), messages=str(messages), room=48 * 1024,
    )
    assert outcome.exitcode == 0
    said = messages.read_text().splitlines()
    for line in said:
        record_message(line)
    answers = [line for line in said if line.startswith("answer: ")]
    assert len(answers) == 3, said
    for line in answers:
        code, message = line.removeprefix("answer: ").split(": ", 1)
        assert code == "store" and "is full" in message and "earlier answers are safe" in message
        one_sentence(message)
    export_line = next(line for line in said if line.startswith("export: "))
    # The bundle's temp file or the store's record of its sequence met the full disk first.
    assert ("write-failed" in export_line and "space" in export_line) or "is full" in export_line, export_line
    backup_line = next(line for line in said if line.startswith("backup: "))
    assert backup_line.startswith("backup: store: ") and "free some space" in backup_line
    # Nothing half-made anywhere; every acknowledged answer kept, including the one after.
    assert list(prepared["out"].iterdir()) == []
    with open_and_check(data_dir) as store:
        assert check_answers(store, outcome.lines) >= 2
        assert any(a[0] == "1000" for a in outcome.acks())
    assert temp_files(backups_dir(data_dir)) == []


@pytest.fixture
def small_tmpfs(workdir):
    """A 640 KiB tmpfs (root only; skipped where mounting is not allowed)."""
    mount = workdir / "small"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=640k,mode=0700", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_really_full_disk(prepared, small_tmpfs, record_message):
    data_dir = small_tmpfs / "data"
    shutil.copytree(prepared["data_dir"], data_dir)
    acked: list[str] = []
    with open_profile_store(data_dir) as store:
        cases = [r[0] for r in store.db.execute("SELECT id FROM cases ORDER BY case_ref")]
        with pytest.raises(StoreError) as caught:
            for number in range(1, 2000):
                acked.append(f"TRY {number} {cases[number % len(cases)]} 2.1.1")
                set_answer(store, cases[number % len(cases)], "2.1.1", note=note_for(number) + " x" * 3000)
                acked.append(f"ACK {number} {cases[number % len(cases)]} 2.1.1")
        record_message(caught.value.message)
        one_sentence(caught.value.message)
        assert "is full" in caught.value.message
        identity = unlock_keys(data_dir, PASSPHRASE)
        with pytest.raises(ExportError) as refused:
            export_bundle(store, INSPECTION_ID, small_tmpfs, identity=identity,
                          recipients=[read_identity_file(prepared["lead_file"])])
        record_message(refused.value.message)
        assert refused.value.code == "write-failed"
    assert not list(small_tmpfs.glob("*.fwbundle")) and not temp_files(small_tmpfs)
    # Space again (the test's notes go): everything acknowledged is there.
    copy = prepared["root"] / "from-tmpfs"
    shutil.copytree(data_dir, copy)
    with open_and_check(copy) as store:
        assert check_answers(store, acked) > 3


# --- a read-only folder --------------------------------------------------------------------------


@contextlib.contextmanager
def read_only_mount(folder: Path):
    """Make `folder` read-only even for root: a read-only bind mount (skipped where not allowed)."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o500)
        try:
            yield
        finally:
            os.chmod(folder, 0o700)
        return
    bind = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot make a read-only folder as root here: {bind.stderr.decode().strip()}")
    try:
        remount = subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True)
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {remount.stderr.decode().strip()}")
        yield
    finally:
        unmount = subprocess.run(["umount", str(folder)], capture_output=True)
        if unmount.returncode != 0:  # busy: something still holds a file open in it
            subprocess.run(["umount", "-l", str(folder)], check=False)  # never leave the mount behind
            pytest.fail(f"a file in {folder} was left open by the code under test ({unmount.stderr.decode().strip()})")


def test_a_read_only_folder_gives_one_clear_sentence_and_stays_unchanged(prepared, workdir, record_message):
    data_dir = prepared["data_dir"]
    open_and_check(data_dir).close()
    empty = workdir / "empty"
    empty.mkdir()
    before = snapshot(data_dir)
    with read_only_mount(data_dir), read_only_mount(empty):
        with pytest.raises(StoreError) as caught:
            open_store(data_dir)
        record_message(caught.value.message)
        one_sentence(caught.value.message)
        assert "cannot be written" in caught.value.message and str(data_dir) in caught.value.message
        with pytest.raises(StoreError) as caught_empty:
            open_store(empty)
        record_message(caught_empty.value.message)
        assert "cannot be written" in caught_empty.value.message
        assert list(empty.iterdir()) == []
    # An export into a read-only folder is refused the same way.
    out = workdir / "ro-out"
    out.mkdir()
    with read_only_mount(out), open_profile_store(data_dir) as store:
        identity = unlock_keys(data_dir, PASSPHRASE)
        with pytest.raises(ExportError) as refused:
            export_bundle(store, INSPECTION_ID, out, identity=identity,
                          recipients=[read_identity_file(prepared["lead_file"])])
        record_message(refused.value.message)
        one_sentence(refused.value.message)
        assert refused.value.code == "write-failed"
    assert list(out.iterdir()) == []
    after = snapshot(data_dir)
    assert after[STORE_FILENAME] == before[STORE_FILENAME]


# --- a damaged store, a file that is not a store -------------------------------------------------


def damage_a_middle_page(path: Path, seed: int) -> None:
    """Random bytes over one whole page of table data in the middle of the file.

    Never a page of the schema (sqlite_master): the tests mean a store whose rows are damaged but
    whose tables can still be listed, and where the schema's pages fall moves with every migration.
    """
    data = path.read_bytes()
    page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = len(data) // page_size
    schema = "('sqlite_schema', 'sqlite_master')"
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        data_pages = [
            number - 1  # dbstat numbers pages from 1; offsets below count from 0
            for (number,) in conn.execute(f"SELECT pageno FROM dbstat WHERE name NOT IN {schema}")
        ]
    page = min(data_pages, key=lambda index: (abs(index - pages // 2), index))
    noise = random.Random(seed).randbytes(page_size)
    with open(path, "r+b") as handle:
        handle.seek(page * page_size)
        handle.write(noise)


@pytest.fixture
def damaged(prepared) -> dict:
    """A store with an automatic backup, then a page of random bytes in its middle."""
    data_dir = prepared["data_dir"]
    with open_and_check(data_dir) as store:  # the open takes the first automatic backup
        for number in range(40):  # enough pages for a "middle"
            set_answer(store, store.db.execute("SELECT id FROM cases LIMIT 1").fetchone()[0], "2.1.2",
                       note=note_for(5000 + number) + " more" * 200)
    assert [b.kind for b in list_backups(data_dir)] == ["automatic"]
    path = data_dir / STORE_FILENAME
    assert not Path(str(path) + "-wal").exists()
    damage_a_middle_page(path, seed=11)
    return {**prepared, "path": path, "bytes": path.read_bytes()}


def test_a_damaged_store_is_refused_unchanged_with_its_backups(damaged, record_message):
    data_dir, path = damaged["data_dir"], damaged["path"]
    backups_before = snapshot(backups_dir(data_dir))
    with pytest.raises(StoreDamagedError) as caught:
        open_store(data_dir)
    error = caught.value
    record_message(error.message)
    one_sentence(error.message)
    assert str(path) in error.message and "damaged" in error.message and "restore the backup from" in error.message
    assert error.readable and [b.kind for b in error.backups] == ["automatic"]
    assert error.latest_backup.when() in error.message
    assert path.read_bytes() == damaged["bytes"]  # no further damage
    assert snapshot(backups_dir(data_dir)) == backups_before  # and no backup of the damage
    assert check_store(data_dir)  # the CLI's check says so too
    assert path.read_bytes() == damaged["bytes"]


def test_a_damaged_store_opens_read_only(damaged):
    data_dir, path = damaged["data_dir"], damaged["path"]
    store = open_damaged(data_dir)
    try:
        assert store.read_only and store.damaged
        with contextlib.suppress(sqlite3.DatabaseError):  # what is left reads; a damaged page may not
            store.db.execute("SELECT count(*) FROM cases").fetchone()
        with pytest.raises(StoreDamagedError) as caught:
            store.set_meta("x", "y")
        assert "read-only" in caught.value.message
    finally:
        store.close()
    assert path.read_bytes() == damaged["bytes"]


def test_restoring_the_last_backup_keeps_the_damaged_store_aside(damaged):
    data_dir, path = damaged["data_dir"], damaged["path"]
    latest = list_backups(data_dir)[0]
    latest_bytes = latest.path.read_bytes()
    with restore_backup(data_dir, latest.path) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 12
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    aside = [p for p in data_dir.iterdir() if "-before-restore-" in p.name and p.suffix == ".sqlite"]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged["bytes"]  # never deleted
    assert latest.path.read_bytes() == latest_bytes
    open_and_check(data_dir).close()


def test_a_damaged_backup_is_refused_and_changes_nothing(damaged):
    data_dir, path = damaged["data_dir"], damaged["path"]
    broken = backups_dir(data_dir) / "manual-20261101T090000.sqlite"
    shutil.copy(path, broken)
    with pytest.raises(StoreError) as caught:
        restore_backup(data_dir, broken)
    assert "damaged too" in caught.value.message
    assert path.read_bytes() == damaged["bytes"]
    assert not [p for p in data_dir.iterdir() if "-before-restore-" in p.name]


def test_a_file_that_is_not_a_store(prepared, record_message):
    data_dir = prepared["data_dir"]
    open_and_check(data_dir).close()
    path = data_dir / STORE_FILENAME
    path.write_bytes(b"%PDF-1.7 this is somebody's report, not a store\n" * 100)
    before = snapshot(data_dir)
    with pytest.raises(StoreDamagedError) as caught:
        open_store(data_dir)
    record_message(caught.value.message)
    one_sentence(caught.value.message)
    assert "not an SQLite database" in caught.value.message and not caught.value.readable
    assert caught.value.backups  # the restore is still offered
    with pytest.raises(StoreDamagedError):
        open_damaged(data_dir)
    assert snapshot(data_dir) == before
    restore_backup(data_dir, caught.value.latest_backup.path).close()
    open_and_check(data_dir).close()


def test_quick_check_at_open_follows_the_size(damaged, monkeypatch):
    """check="auto" checks stores up to the size limit at open; "off" does not; "full" always does."""
    import fieldwork.store.recovery as recovery

    data_dir = damaged["data_dir"]
    monkeypatch.setattr(recovery, "QUICK_CHECK_AT_OPEN_MAX_BYTES", 1024)
    # Too big for the check at open: the damage is met when the damaged page is read (or not at
    # all), and the open never writes a backup of it.
    backups_before = {b.path.name for b in list_backups(data_dir)}
    with contextlib.suppress(StoreError):
        open_store(data_dir, backups=None).close()
    assert {b.path.name for b in list_backups(data_dir)} == backups_before
    with pytest.raises(StoreDamagedError):
        open_store(data_dir, check="full")
