"""SIGKILL while a backup is taken or restored: a backup is whole at its final name or absent,
the store is never left missing, and the next start clears the temp files (issue 7)."""

from __future__ import annotations

import os
import random

import pytest

from fieldwork.paths import STORE_FILENAME
from fieldwork.store.backups import backups_dir, list_backups
from fieldwork.store.recovery import restore_backup

from .checks import check_backups, open_and_check, temp_files
from .harness import run_child, wait_for_kill

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")


@pytest.mark.parametrize("point", ["backup.mid_copy", "backup.before_rename"])
def test_killed_while_writing_a_backup(point, prepared, workdir, child_env, soak_factor):
    data_dir = prepared["data_dir"]
    rng = random.Random(point)
    acknowledged: list[str] = []
    for _ in range(5 * soak_factor):
        outcome = run_child("backups", workdir, crash_at=point, crash_after=rng.randint(1, 3), env=child_env,
                            data_dir=str(data_dir), count=10)
        wait_for_kill(outcome)
        acknowledged += [a[0] for a in outcome.acks()]
        check_backups(data_dir)  # before the next start: whole ones only at final names
        assert temp_files(backups_dir(data_dir)), "the dead writer's temp file is expected here"
        open_and_check(data_dir).close()  # the next start clears it
        names = {b.path.name for b in list_backups(data_dir)}
        assert set(acknowledged) <= names


def test_killed_at_random_moments_while_backing_up(prepared, workdir, child_env, soak_factor):
    data_dir = prepared["data_dir"]
    rng = random.Random(5)
    acknowledged: list[str] = []
    for _ in range(10 * soak_factor):
        outcome = run_child("backups", workdir, kill_after=rng.uniform(0.0, 0.06), kill_after_acks=rng.randrange(3),
                            env=child_env, data_dir=str(data_dir), count=10_000)
        wait_for_kill(outcome)
        acknowledged += [a[0] for a in outcome.acks()]
        open_and_check(data_dir).close()
        assert set(acknowledged) <= {b.path.name for b in list_backups(data_dir)}
    assert acknowledged


def _store_marker(data_dir) -> str | None:
    with open_and_check(data_dir) as store:
        return store.meta("restored")


def test_killed_while_restoring_a_backup(prepared, workdir, child_env, soak_factor):
    data_dir = prepared["data_dir"]
    with open_and_check(data_dir) as store:
        store.set_meta("which", "current")
    backup = run_child("backups", workdir, env=child_env, data_dir=str(data_dir), count=1).acks()[0][0]
    with open_and_check(data_dir) as store:
        store.set_meta("which", "after the backup")
    backup_path = backups_dir(data_dir) / backup
    backup_bytes = backup_path.read_bytes()
    rng = random.Random(3)
    runs = [("restore.before_replace", None)] * 3 + [(None, rng.uniform(0.0, 0.03)) for _ in range(6)]
    for crash_at, kill_after in runs * soak_factor:
        outcome = run_child("restore", workdir, crash_at=crash_at, kill_after=kill_after, env=child_env,
                            data_dir=str(data_dir), backup=str(backup_path))
        assert (data_dir / STORE_FILENAME).exists()  # never a moment without a store
        with open_and_check(data_dir) as store:
            which = store.meta("which")
        if crash_at:
            wait_for_kill(outcome)
            assert which == "after the backup"  # the old store, untouched
        assert which in ("after the backup", "current")
        assert backup_path.read_bytes() == backup_bytes  # the backup itself is never changed
        # Put the newer store back for the next round: it was kept aside, whole.
        aside = sorted(p for p in data_dir.iterdir() if "-before-restore-" in p.name and p.suffix == ".sqlite")
        if which == "current" and aside:
            restore_backup(data_dir, aside[-1]).close()
    # An uninterrupted restore gives the backup's content.
    restore_backup(data_dir, backup_path).close()
    with open_and_check(data_dir) as store:
        assert store.meta("which") == "current"
