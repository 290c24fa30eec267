"""Numbered migrations: from an empty file, over a file with data (backup first), and failing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import fieldwork.store.db as store_db
import fieldwork.store.migrations as store_migrations
from fieldwork.errors import StoreError, StoreLockedError
from fieldwork.paths import STORE_FILENAME
from fieldwork.store import open_store
from fieldwork.store.assessments import load_assessment
from fieldwork.store.inspections import framework_for, get_inspection
from fieldwork.store.lock import StoreLock
from fieldwork.store.rowhash import failing_rows

REAL_MIGRATIONS = list(store_migrations.MIGRATIONS)
EXPECTED_TABLES = {
    "meta",
    "frameworks",
    "inspections",
    "cases",
    "case_details",
    "answers",
    "change_log",
    "ui_state",
}


def tables(conn) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows if not r[0].startswith("sqlite_")}


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def use_migrations(monkeypatch, migrations: list[str]) -> int:
    """Make the store code see `migrations` as the full list; returns the new schema version."""
    for module in (store_db, store_migrations):
        monkeypatch.setattr(module, "MIGRATIONS", migrations)
        monkeypatch.setattr(module, "SCHEMA_VERSION", len(migrations))
    return len(migrations)


@pytest.fixture
def latest(monkeypatch) -> int:
    """The version a v1 store migrates to: the real latest, or one trivial extra migration when
    only version 1 exists yet, so the path over a file with data is exercised either way."""
    if len(REAL_MIGRATIONS) > 1:
        return len(REAL_MIGRATIONS)
    return use_migrations(
        monkeypatch,
        REAL_MIGRATIONS + ["ALTER TABLE cases ADD COLUMN test_flag INTEGER NOT NULL DEFAULT 0;"],
    )


def build_v1_store(folder: Path, framework) -> Path:
    """A store at version 1 holding one inspection, one case, an answer and its history."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / STORE_FILENAME
    conn = sqlite3.connect(path)
    conn.executescript(REAL_MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO meta VALUES ('store_id', 'store-v1'), ('created_at', '2025-01-01T00:00:00.000Z')")
    conn.execute(
        "INSERT INTO frameworks VALUES (?, ?, ?, ?, ?, ?)",
        [framework.content_hash, framework.id, framework.version, framework.title,
         framework.source_bytes, "2025-01-01T00:00:00.000Z"],
    )
    conn.execute(
        "INSERT INTO inspections VALUES ('old-insp', 'Old Provider CRC', 'CRC', ?, '2025-01-06', "
        "'2025-01-17', 'lead-1', 0, '2025-01-01T00:00:00.000Z', 'lead-1')",
        [framework.content_hash],
    )
    conn.execute(
        "INSERT INTO cases (id, inspection_id, case_ref, sample_id, inspector_id, status, revision, "
        "created_at, updated_at) VALUES ('case-1', 'old-insp', 'C001', 'supervision', 'insp-1', "
        "'in_progress', 2, '2025-01-06T09:00:00.000Z', '2025-01-06T09:05:00.000Z')"
    )
    conn.execute(
        "INSERT INTO case_details VALUES ('case-1', 'rosh', 'high', 1, '2025-01-06T09:01:00.000Z', 'insp-1')"
    )
    conn.execute(
        "INSERT INTO answers VALUES ('case-1', '2.1.1', 'no', 'No analysis of motivation.', 1, "
        "'2025-01-06T09:05:00.000Z', 'insp-1')"
    )
    conn.execute(
        "INSERT INTO change_log (id, at, actor, inspection_id, case_id, target, key, field, old, new, source) "
        "VALUES ('log-1', '2025-01-06T09:05:00.000Z', 'insp-1', 'old-insp', 'case-1', 'answer', '2.1.1', "
        "'value', NULL, 'no', 'app')"
    )
    conn.commit()
    conn.close()
    return path


def data_of(conn) -> dict[str, list[tuple]]:
    return {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("frameworks", "inspections", "change_log")
    } | {
        # Migration 7 adds a checksum column to these two (issue 20); their data is what is compared.
        "answers": conn.execute(
            "SELECT case_id, question_id, value, note, revision, updated_at, updated_by FROM answers ORDER BY 1"
        ).fetchall(),
        "case_details": conn.execute(
            "SELECT case_id, field_id, value, revision, updated_at, updated_by FROM case_details ORDER BY 1"
        ).fetchall(),
    } | {
        "cases": conn.execute(
            "SELECT id, inspection_id, case_ref, sample_id, inspector_id, status, revision, created_at, "
            "updated_at FROM cases ORDER BY id"
        ).fetchall(),
        "meta": conn.execute("SELECT * FROM meta WHERE key IN ('store_id', 'created_at') ORDER BY key").fetchall(),
    }


# --- from nothing ---------------------------------------------------------------------------


def test_schema_version_counts_the_migrations():
    assert store_migrations.SCHEMA_VERSION == len(store_migrations.MIGRATIONS) >= 1


@pytest.mark.parametrize("start", ["no file", "empty file"])
def test_migrates_from_nothing_to_the_latest_version(tmp_path, start):
    folder = tmp_path / "data"
    if start == "empty file":
        folder.mkdir()
        (folder / STORE_FILENAME).touch()
    with open_store(folder) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == store_migrations.SCHEMA_VERSION
        assert EXPECTED_TABLES <= tables(store.db.conn)
        answer_columns = {c.name for c in store.db["answers"].columns}
        assert {"case_id", "question_id", "value", "note", "revision", "updated_at", "updated_by"} <= answer_columns
        log_columns = {c.name for c in store.db["change_log"].columns}
        assert {"id", "at", "actor", "old", "new", "source"} <= log_columns
    # A new store needs no backup: there was nothing to lose.
    assert not (folder / "backups").exists()


# --- over a file with data ------------------------------------------------------------------


def test_migrating_keeps_the_data_and_backs_up_first(tmp_path, mini_framework, latest, clock):
    folder = tmp_path / "data"
    path = build_v1_store(folder, mini_framework)
    conn = sqlite3.connect(path)
    before = data_of(conn)
    conn.close()

    with open_store(folder, actor="insp-1", clock=clock) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == latest
        assert data_of(store.db.conn) == before
        # Migration 7 gave every existing answer and detail its checksum (issue 20).
        assert store.db.execute("SELECT count(*) FROM answers WHERE row_hash IS NULL").fetchone()[0] == 0
        assert store.db.execute("SELECT count(*) FROM case_details WHERE row_hash IS NULL").fetchone()[0] == 0
        assert failing_rows(store.db.conn) == []
        # The data is usable through the core after the upgrade.
        inspection = get_inspection(store, "old-insp")
        assert framework_for(store, inspection).content_hash == mini_framework.content_hash
        assessment = load_assessment(store, "case-1")
        assert assessment.answers["2.1.1"].value == "no"
        assert assessment.details == {"rosh": "high"}

    backups = sorted((folder / "backups").iterdir())
    assert [b.name for b in backups] == ["before-migration-v1-20261102T090000.sqlite"]
    backup = sqlite3.connect(backups[0])
    try:
        assert backup.execute("PRAGMA user_version").fetchone()[0] == 1
        assert data_of(backup) == before
        assert "test_flag" not in {r[1] for r in backup.execute("PRAGMA table_info(cases)")}
        assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        backup.close()
    assert not any(p.name.endswith(".partial") for p in (folder / "backups").iterdir())


def test_an_old_store_held_by_another_window_is_not_migrated(tmp_path, mini_framework, latest):
    folder = tmp_path / "data"
    path = build_v1_store(folder, mini_framework)
    before = path.read_bytes()
    holder = StoreLock(path)  # another window: it holds the lock on the store file itself
    try:
        with pytest.raises(StoreLockedError) as caught:
            open_store(folder)
        assert "needs upgrading" in caught.value.message
    finally:
        holder.release()
    assert user_version(path) == 1
    assert path.read_bytes() == before


# --- a migration that fails -----------------------------------------------------------------

_BROKEN = "CREATE TABLE half_done (x TEXT);\nINSERT INTO no_such_table VALUES (1);"
_GOOD = "CREATE TABLE step_ok (x TEXT);"


def test_a_failed_migration_leaves_version_and_data_untouched(tmp_path, mini_framework, monkeypatch):
    folder = tmp_path / "data"
    path = build_v1_store(folder, mini_framework)
    conn = sqlite3.connect(path)
    before = data_of(conn)
    conn.close()
    use_migrations(monkeypatch, REAL_MIGRATIONS + [_BROKEN])

    with pytest.raises(StoreError) as caught:
        open_store(folder)
    assert str(path) in caught.value.message

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(REAL_MIGRATIONS)
        assert "half_done" not in tables(conn)
        assert data_of(conn) == before
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    # The lock was released: with the broken migration gone, the store opens and writes.
    use_migrations(monkeypatch, REAL_MIGRATIONS)
    with open_store(folder) as store:
        assert store.read_only is False
        store.set_meta("after", "recovered")


def test_each_migration_commits_with_its_own_version(tmp_path, mini_framework, monkeypatch):
    folder = tmp_path / "data"
    path = build_v1_store(folder, mini_framework)
    good_version = use_migrations(monkeypatch, REAL_MIGRATIONS + [_GOOD])
    use_migrations(monkeypatch, REAL_MIGRATIONS + [_GOOD, _BROKEN])
    with pytest.raises(StoreError):
        open_store(folder)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == good_version
        assert "step_ok" in tables(conn)
        assert "half_done" not in tables(conn)
    finally:
        conn.close()
