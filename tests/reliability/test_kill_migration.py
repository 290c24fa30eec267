"""SIGKILL while a store is migrated: between any two statements of a migration, before and after
its commit, and while the backup taken before migrating is written (issue 7).

The child runs a test migration (workers.TEST_MIGRATION) statement by statement through the real
db._migrate. After each kill the store must be at the old version with the old data, or at the
new one with the migration whole; opening again finishes it, the same as an uninterrupted run.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from fieldwork.store import db as store_db
from fieldwork.store import migrations as store_migrations
from fieldwork.store.backups import list_backups

from .checks import check_backups, open_and_check, store_file
from .harness import run_child, wait_for_kill
from .workers import TEST_MIGRATION, TEST_MIGRATION_STATEMENTS

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")

REAL_VERSION = store_migrations.SCHEMA_VERSION


@pytest.fixture
def with_test_migration(monkeypatch) -> int:
    migrations = [*store_migrations.MIGRATIONS, TEST_MIGRATION]
    for module in (store_db, store_migrations):
        monkeypatch.setattr(module, "MIGRATIONS", migrations)
        monkeypatch.setattr(module, "SCHEMA_VERSION", len(migrations))
    return len(migrations)


def _shape(path: Path) -> tuple:
    """The schema and the data a migration touches, for comparing two stores."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[1] for r in schema if r[0] == "table"}
        probe = None
        if "reliability_probe" in tables:
            probe = conn.execute("SELECT * FROM reliability_probe ORDER BY 1").fetchall()
        cases = conn.execute("SELECT * FROM cases ORDER BY id").fetchall()
        answers = conn.execute("SELECT * FROM answers ORDER BY case_id, question_id").fetchall()
        return version, schema, probe, cases, answers
    finally:
        conn.close()


def _version(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


POINTS = (
    [("migration.statement", n) for n in range(1, TEST_MIGRATION_STATEMENTS + 1)]
    + [("migration.before_commit", 1), ("migration.after_commit", 1)]
    + [("backup.mid_copy", 1), ("backup.before_rename", 1)]
)


def test_killed_at_every_step_of_a_migration(prepared, workdir, child_env, soak_factor, with_test_migration):
    latest = with_test_migration
    # The uninterrupted run, on a copy.
    reference_dir = workdir / "reference"
    shutil.copytree(prepared["data_dir"], reference_dir)
    open_and_check(reference_dir).close()
    expected = _shape(store_file(reference_dir))
    assert expected[0] == latest and expected[2]

    pristine = workdir / "pristine"
    shutil.copytree(prepared["data_dir"], pristine)
    for _ in range(soak_factor):
        for point, after in POINTS:
            data_dir = workdir / "data"
            if data_dir.exists():
                shutil.rmtree(data_dir)
            shutil.copytree(pristine, data_dir)
            before = _shape(store_file(data_dir))
            outcome = run_child("migrate", workdir, crash_at=point, crash_after=after, env=child_env,
                                data_dir=str(data_dir))
            wait_for_kill(outcome)
            # Straight after the kill: the old store untouched, or the migration whole.
            now = _version(store_file(data_dir))
            if point == "migration.after_commit":
                assert now == latest
            else:
                assert now == REAL_VERSION
                assert _shape(store_file(data_dir)) == before
            # The next start finishes the job, the same as the uninterrupted run.
            open_and_check(data_dir).close()
            assert _shape(store_file(data_dir)) == expected
            check_backups(data_dir)
            assert any(b.kind == "before-migration" for b in list_backups(data_dir))


def test_killed_at_random_moments_while_opening_and_migrating(
    prepared, workdir, child_env, soak_factor, with_test_migration
):
    import random

    rng = random.Random(99)
    reference_dir = workdir / "reference"
    shutil.copytree(prepared["data_dir"], reference_dir)
    open_and_check(reference_dir).close()
    expected = _shape(store_file(reference_dir))
    pristine = workdir / "pristine"
    shutil.copytree(prepared["data_dir"], pristine)
    killed = 0
    for _ in range(12 * soak_factor):
        data_dir = workdir / "data"
        if data_dir.exists():
            shutil.rmtree(data_dir)
        shutil.copytree(pristine, data_dir)
        outcome = run_child("migrate", workdir, kill_after=rng.uniform(0.0, 0.03), env=child_env,
                            data_dir=str(data_dir))
        killed += outcome.killed
        assert _version(store_file(data_dir)) in (REAL_VERSION, with_test_migration)
        open_and_check(data_dir).close()
        assert _shape(store_file(data_dir)) == expected
    assert killed >= 3
