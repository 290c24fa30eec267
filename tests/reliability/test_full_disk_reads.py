"""Read-only work on a full disk or a read-only mount (issue 20, docs/decisions/0025-restore-and-the-disk.md).

On a full disk SQLite cannot make the -shm file a read of a WAL-mode store needs, and every
open used to write a version stamp: `store check` showed a traceback and looking at the store
(`inspection list`, `ratings`, the app) was refused. Now they read, read-only, and a change is
refused with one sentence; `store check` on a read-only mount reads too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fieldwork.errors import StoreError
from fieldwork.paths import STORE_FILENAME
from fieldwork.profile import open_profile_store
from fieldwork.store import open_store
from fieldwork.store.assessments import set_answer

from .checks import check_answers, open_and_check
from .data import INSPECTION_ID
from .harness import run_child, wait_for_kill
from .test_disk_trouble import read_only_mount, snapshot
from .test_recovery_fronts import cli

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX mounts and signals")


@contextlib.contextmanager
def tmpfs(folder: Path, size: str):
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def fill(folder: Path) -> None:
    """Take every free byte of the file system holding `folder`."""
    number = len(list(folder.glob("filler*")))
    with open(folder / f"filler{number}", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    last = folder / f"filler{number}-last"  # the last bytes of a partly used block
    with contextlib.suppress(OSError), open(last, "wb", buffering=0) as handle:
        while True:
            handle.write(b"\0")
            handle.flush()


@pytest.fixture
def on_a_small_disk(prepared, workdir):
    with tmpfs(workdir / "small", "8m") as mount:
        data_dir = mount / "data"
        shutil.copytree(prepared["data_dir"], data_dir, ignore=shutil.ignore_patterns("backups"))
        yield {**prepared, "data_dir": data_dir, "mount": mount}


def no_traceback(done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stderr + done.stdout, done.stderr


def test_store_check_and_looking_work_on_a_full_disk(on_a_small_disk, record_message):
    data_dir = on_a_small_disk["data_dir"]
    open_and_check(data_dir).close()  # closed cleanly: no -wal, no -shm
    fill(on_a_small_disk["mount"])
    before = snapshot(data_dir)[STORE_FILENAME]
    for full in ([], ["--full"]):
        checked = cli("store", "check", *full, data_dir=data_dir)
        no_traceback(checked)
        assert checked.returncode == 0 and "passed" in checked.stdout, checked.stderr
    listed = cli("inspection", "list", data_dir=data_dir)
    no_traceback(listed)
    assert listed.returncode == 0 and INSPECTION_ID in listed.stdout, listed.stderr
    rated = cli("ratings", "--inspection", INSPECTION_ID, data_dir=data_dir)
    no_traceback(rated)
    assert rated.returncode == 0 and rated.stdout.lstrip().startswith("{"), rated.stderr
    # The app's way in: read-only, says why when a change is tried, and changes nothing.
    with open_profile_store(data_dir) as store:
        assert store.read_only and store.no_room
        case_id = store.db.execute("SELECT id FROM cases ORDER BY case_ref").fetchone()[0]
        with pytest.raises(StoreError) as refused:
            set_answer(store, case_id, "2.1.1", note="cannot be saved")
        record_message(refused.value.message)
        assert "is full" in refused.value.message and "read-only" in refused.value.message
    assert snapshot(data_dir)[STORE_FILENAME] == before


def test_work_committed_in_the_wal_reads_on_a_full_disk(on_a_small_disk, workdir, child_env):
    data_dir = on_a_small_disk["data_dir"]
    open_and_check(data_dir).close()
    died = run_child("answers", workdir, crash_at="answer.after_commit", crash_after=4, env=child_env,
                     data_dir=str(data_dir), seed=7, start=1, count=20)
    wait_for_kill(died)
    assert (Path(str(data_dir / STORE_FILENAME) + "-wal")).stat().st_size > 0
    os.unlink(Path(str(data_dir / STORE_FILENAME) + "-shm"))  # as after a reboot of a machine that died
    fill(on_a_small_disk["mount"])
    # check="off": the check at open reads through a connection of its own, whose close copies
    # the WAL into the store (SQLite's checkpoint) and so frees the WAL's room.
    with open_store(data_dir, actor="checker", check="off") as store:
        assert store.no_room
        assert check_answers(store, died.lines) == 3
    fill(on_a_small_disk["mount"])
    fill(on_a_small_disk["mount"])
    checked = cli("store", "check", data_dir=data_dir)
    no_traceback(checked)
    assert checked.returncode == 0 and "passed" in checked.stdout, checked.stderr


def test_store_check_on_a_read_only_mount(prepared):
    data_dir = prepared["data_dir"]
    open_and_check(data_dir).close()
    before = snapshot(data_dir)
    with read_only_mount(data_dir):
        checked = cli("store", "check", data_dir=data_dir)
        no_traceback(checked)
        assert checked.returncode == 0 and "passed" in checked.stdout, checked.stderr
    assert snapshot(data_dir) == before
