"""A checksum on every answer given for the premises (migration 13), checked as case answers are.

Decision 0037 left `premises_answers` without the `row_hash` that migration 7 gave case answers
(issue 20, decision 0025): a bit flipped in the lead's evidence for the premises passed the full
check and was copied into the next backup.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers.format2 import mini2

import fieldwork.store.db as store_db
import fieldwork.store.migrations as store_migrations
from fieldwork.store import open_store
from fieldwork.store.backups import list_backups, take_backup
from fieldwork.store.inspections import create_inspection
from fieldwork.store.premises import premises_answers, set_premises_answer
from fieldwork.store.recovery import StoreDamagedError, check_store
from fieldwork.store.rowhash import failing_rows

EVIDENCE = "The hostel's vision statement is on the wall of the office and staff could explain it."


def _answer_the_premises(store) -> str:
    framework = mini2({'basis = "judgement"': 'basis = "premises"'})
    create_inspection(store, inspection_id="AP-1", provider="Hostel", provider_type="CRC", framework=framework)
    set_premises_answer(store, "AP-1", "1.1.1", value="yes", note=EVIDENCE)
    return "AP-1"


def _flip_a_bit_of_the_premises_evidence(path: Path) -> None:
    """One bit of the row's own copy of the evidence (the change log holds another copy)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [row[0] for row in conn.execute("SELECT pageno FROM dbstat WHERE name = 'premises_answers'")]
    finally:
        conn.close()
    data = bytearray(path.read_bytes())
    text = EVIDENCE.encode()
    at = next(
        (page - 1) * page_size + data[(page - 1) * page_size: page * page_size].index(text)
        for page in pages if text in data[(page - 1) * page_size: page * page_size]
    ) + 12
    data[at] ^= 1 << 2  # an ASCII letter stays an ASCII letter: only the text changes
    path.write_bytes(bytes(data))


def test_a_premises_answer_changed_on_the_disk_is_found_by_the_full_check(store):
    _answer_the_premises(store)
    path = store.path
    store.close()
    _flip_a_bit_of_the_premises_evidence(path)
    damaged = path.read_bytes()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]  # SQLite sees nothing
    finally:
        conn.close()
    # `fieldwork store check --full` names it, as it names a case answer.
    assert check_store(path.parent, full=True) == [
        "the premises answer 1.1.1 of inspection AP-1 does not match its checksum"
    ]
    # A small store gets the full check at open: refused, unchanged.
    with pytest.raises(StoreDamagedError) as caught:
        open_store(path.parent)
    assert "checksum" in caught.value.message
    assert path.read_bytes() == damaged
    # Opened without the check: no backup is taken of it.
    with open_store(path.parent, check="off", backups=None) as reopened:
        with pytest.raises(StoreDamagedError):
            take_backup(reopened, kind="manual")
    assert list_backups(path.parent) == []


def test_every_premises_save_keeps_its_checksum_and_no_other_tool_writes_one(store):
    inspection_id = _answer_the_premises(store)
    set_premises_answer(store, inspection_id, "1.1.1", value="no", note="Changed after the visit.")
    set_premises_answer(store, inspection_id, "1.1.1", value=None)
    assert failing_rows(store.db.conn) == []
    assert store.db.execute("SELECT count(*) FROM premises_answers WHERE row_hash IS NULL").fetchone()[0] == 0
    other = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="fieldwork_row_hash"):
            other.execute("UPDATE premises_answers SET note = 'changed behind the app'")
    finally:
        other.rollback()
        other.close()
    assert premises_answers(store, inspection_id)["1.1.1"].note == "Changed after the visit."


def test_the_migration_fills_the_checksum_of_answers_already_there(tmp_path, monkeypatch, clock):
    before = list(store_migrations.MIGRATIONS)
    for module in (store_db, store_migrations):  # a store as it was before migration 13
        monkeypatch.setattr(module, "MIGRATIONS", before[:12])
        monkeypatch.setattr(module, "SCHEMA_VERSION", 12)
    folder = tmp_path / "data"
    with open_store(folder, actor="lead-1", clock=clock) as old:
        _answer_the_premises(old)
        assert "row_hash" not in {c.name for c in old.db["premises_answers"].columns}
    monkeypatch.undo()
    with open_store(folder, actor="lead-1", clock=clock) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(before)
        hashes = store.db.execute("SELECT row_hash FROM premises_answers").fetchall()
        assert len(hashes) == 1 and hashes[0][0]
        assert failing_rows(store.db.conn) == []
        assert premises_answers(store, "AP-1")["1.1.1"].note == EVIDENCE
