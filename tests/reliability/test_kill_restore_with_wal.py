"""A restore killed half-way after the app itself died with committed work still in its WAL
(issue 20, docs/decisions/0025-restore-and-the-disk.md).

Before: the store "kept aside" was a hard link to the live file and the live -wal was moved
beside it, so a kill before the rename left the live store without its WAL (acknowledged work
gone, yet the store passed its check) and sharing its inode with the copy kept aside (the next
session's writes damaged that copy). Now the next open undoes or finishes the restore, says so,
and nothing acknowledged is lost from either file.
"""

from __future__ import annotations

import os
import sqlite3
import types
from pathlib import Path

import pytest

from fieldwork.paths import STORE_FILENAME
from fieldwork.store import open_store
from fieldwork.store.assessments import set_answer
from fieldwork.store.backups import backups_dir
from fieldwork.store.recovery import check_store
from fieldwork.store.restore import RESTORE_NOTE

from .checks import check_answers, open_and_check
from .harness import run_child, wait_for_kill

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")


def _aside_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.iterdir() if "-before-restore-" in p.name)


@pytest.fixture
def died_with_work_in_the_wal(prepared, workdir, child_env) -> dict:
    """A backup, then an app killed just after committing answers it had acknowledged."""
    data_dir = prepared["data_dir"]
    with open_and_check(data_dir) as store:
        store.set_meta("which", "before the backup")
    backup = run_child("backups", workdir, env=child_env, data_dir=str(data_dir), count=1).acks()[0][0]
    with open_and_check(data_dir) as store:
        store.set_meta("which", "after the backup")
    died = run_child("answers", workdir, crash_at="answer.after_commit", crash_after=6, env=child_env,
                     data_dir=str(data_dir), seed=20, start=1, count=50)
    wait_for_kill(died)
    assert len(died.acks()) == 5  # acknowledged, then killed after committing the sixth
    wal = Path(str(data_dir / STORE_FILENAME) + "-wal")
    assert wal.exists() and wal.stat().st_size > 0, "the committed answers are expected in the WAL"
    return {**prepared, "backup": backups_dir(data_dir) / backup, "lines": died.lines}


def test_killed_before_the_replace_the_restore_is_undone_and_the_wal_work_kept(died_with_work_in_the_wal, workdir,
                                                                                child_env):
    data_dir = died_with_work_in_the_wal["data_dir"]
    killed = run_child("restore", workdir, crash_at="restore.before_replace", env=child_env,
                       data_dir=str(data_dir), backup=str(died_with_work_in_the_wal["backup"]))
    wait_for_kill(killed)
    store = open_store(data_dir, actor="checker", check="full")
    try:
        check_answers(store, died_with_work_in_the_wal["lines"])  # with the work its WAL held
        assert store.meta("which") == "after the backup"  # the store as it was
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # Nothing beside it shares its file: the next writes can damage no other copy.
        live = os.stat(data_dir / STORE_FILENAME).st_ino
        assert all(os.stat(p).st_ino != live for p in data_dir.iterdir() if p.is_file() and p.name != STORE_FILENAME)
        assert len(store.notices) == 1 and "interrupted before it replaced the store" in store.notices[0]
        assert "undone" in store.notices[0]
        set_answer(store, store.db.execute("SELECT id FROM cases LIMIT 1").fetchone()[0], "2.1.1", note="later")
    finally:
        store.close()
    assert not (data_dir / RESTORE_NOTE).exists()
    assert _aside_files(data_dir) == []  # the copies of a store that stayed in place are gone
    open_and_check(data_dir).close()


def test_killed_after_the_replace_the_restore_is_finished_and_the_copy_kept_aside_is_whole(
        died_with_work_in_the_wal, workdir, child_env):
    data_dir = died_with_work_in_the_wal["data_dir"]
    killed = run_child("restore", workdir, crash_at="restore.after_replace", env=child_env,
                       data_dir=str(data_dir), backup=str(died_with_work_in_the_wal["backup"]))
    wait_for_kill(killed)
    # `store check` (which writes nothing to the store) settles it first, then checks the backup in place.
    assert check_store(data_dir) == []
    assert not (data_dir / RESTORE_NOTE).exists()
    with open_and_check(data_dir) as store:
        assert store.notices == []  # already settled and said by the check
        assert store.meta("which") == "before the backup"  # the backup's content
        for number in range(30):  # the next session writes a lot into the restored store
            set_answer(store, store.db.execute("SELECT id FROM cases LIMIT 1").fetchone()[0], "2.1.1",
                       note=f"after the restore {number} " + "x" * 2000)
        live = os.stat(data_dir / STORE_FILENAME).st_ino
    aside = [p for p in _aside_files(data_dir) if p.suffix == ".sqlite"]
    assert len(aside) == 1 and os.stat(aside[0]).st_ino != live
    assert Path(str(aside[0]) + "-wal").exists()  # the WAL stays with its main file
    conn = sqlite3.connect(f"file:{aside[0]}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT value FROM meta WHERE key = 'which'").fetchone()[0] == "after the backup"
        check_answers(types.SimpleNamespace(db=conn), died_with_work_in_the_wal["lines"])
    finally:
        conn.close()


def test_an_uninterrupted_restore_keeps_the_wal_work_in_the_copy_aside(died_with_work_in_the_wal):
    from fieldwork.store.recovery import restore_backup

    data_dir = died_with_work_in_the_wal["data_dir"]
    with restore_backup(data_dir, died_with_work_in_the_wal["backup"]) as store:
        assert store.meta("which") == "before the backup"
    aside = [p for p in _aside_files(data_dir) if p.suffix == ".sqlite"]
    assert len(aside) == 1
    conn = sqlite3.connect(f"file:{aside[0]}?mode=ro", uri=True)
    try:
        check_answers(types.SimpleNamespace(db=conn), died_with_work_in_the_wal["lines"])
    finally:
        conn.close()


def test_the_command_line_says_what_it_did_with_an_interrupted_restore(died_with_work_in_the_wal, workdir, child_env):
    from .test_recovery_fronts import cli

    data_dir = died_with_work_in_the_wal["data_dir"]
    killed = run_child("restore", workdir, crash_at="restore.before_replace", env=child_env,
                       data_dir=str(data_dir), backup=str(died_with_work_in_the_wal["backup"]))
    wait_for_kill(killed)
    listed = cli("inspection", "list", data_dir=data_dir)
    assert listed.returncode == 0, listed.stderr
    assert "interrupted before it replaced the store" in listed.stderr and "Traceback" not in listed.stderr
    again = cli("inspection", "list", data_dir=data_dir)
    assert again.returncode == 0 and again.stderr == ""  # said once: the restore is settled
