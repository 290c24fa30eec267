"""Damage SQLite's quick check misses, and bit rot in evidence (issue 20, decision 0025).

A corrupted index entry passes `quick_check` (a query through that index then silently misses
rows); a bit flipped inside an answer's evidence passes every page check SQLite has. Now a small
store gets the full `integrity_check` at open, and every answer and case detail carries a
checksum that is checked when its case is read, by the full check and before every backup.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fieldwork.store import open_store
from fieldwork.store.assessments import load_assessment, set_answer, set_detail
from fieldwork.store.backups import list_backups, take_backup
from fieldwork.store.inspections import add_case
from fieldwork.store.recovery import StoreDamagedError, check_store
from fieldwork.store.rowhash import failing_rows

EVIDENCE = "Seen at the home visit on 3 March; the plan names the risk to the partner."


@pytest.fixture
def closed_store(store, inspection) -> Path:
    """A closed store of 30 cases, two answers each, the evidence text known."""
    for number in range(30):
        case = add_case(store, inspection, f"CRN{number:03d}", inspector_id="insp-1")
        set_answer(store, case.id, "2.1.1", value="yes", note=f"{EVIDENCE} (case {number:03d})")
        set_answer(store, case.id, "2.1.2", value="no", note="Nothing recorded.")
        set_detail(store, case.id, "rosh", "high")
    path = store.path
    store.close()
    assert not Path(str(path) + "-wal").exists()
    return path


def page_of(path: Path, name: str) -> tuple[int, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [name]).fetchone()[0]
    finally:
        conn.close()
    return root, page_size


def test_index_damage_quick_check_misses_is_refused_at_open(closed_store):
    path = closed_store
    root, page_size = page_of(path, "answers_by_question")  # one leaf page in a store this size
    data = bytearray(path.read_bytes())
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    case_id = conn.execute("SELECT case_id FROM answers ORDER BY case_id LIMIT 1").fetchone()[0]
    conn.close()
    page = data[(root - 1) * page_size: root * page_size]
    at = (root - 1) * page_size + page.index(case_id.encode()) + len(case_id) - 1
    data[at] = ord("0") if data[at] != ord("0") else ord("1")  # one character of a case id in the index
    path.write_bytes(bytes(data))
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]  # the damage quick_check misses
    finally:
        conn.close()
    damaged = path.read_bytes()
    with pytest.raises(StoreDamagedError) as caught:
        open_store(path.parent)
    assert "damaged" in caught.value.message
    assert path.read_bytes() == damaged  # refused unchanged
    assert check_store(path.parent, full=True)


def _flip_a_bit_of_the_evidence(path: Path, number: int, bit: int) -> None:
    """Flip one bit of the answer's own copy of the text (the change log holds another copy)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [row[0] for row in conn.execute("SELECT pageno FROM dbstat WHERE name = 'answers'")]
    finally:
        conn.close()
    data = bytearray(path.read_bytes())
    text = f"{EVIDENCE} (case {number:03d})".encode()
    at = next(
        (page - 1) * page_size + data[(page - 1) * page_size: page * page_size].index(text)
        for page in pages if text in data[(page - 1) * page_size: page * page_size]
    ) + 10 + number % 40
    data[at] ^= 1 << bit  # an ASCII letter stays one byte of valid text: nothing but the text changes
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("number, bit", [(1, 0), (7, 1), (12, 2), (20, 3), (29, 4)])
def test_a_flipped_bit_in_evidence_is_caught_everywhere(closed_store, number, bit):
    path = closed_store
    _flip_a_bit_of_the_evidence(path, number, bit)
    damaged = path.read_bytes()
    # SQLite itself sees nothing wrong.
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
    # 1. At open (a small store gets the full check): refused, unchanged, no backup of it.
    with pytest.raises(StoreDamagedError) as caught:
        open_store(path.parent)
    assert "checksum" in caught.value.message
    assert path.read_bytes() == damaged
    # 2. The full check names it.
    problems = check_store(path.parent, full=True)
    assert problems and "does not match its checksum" in problems[0]
    # 3. Opened without the check at open: reading that case is refused, and a backup is refused.
    with open_store(path.parent, check="off", backups=None) as store:
        case_id = store.db.execute("SELECT id FROM cases WHERE case_ref = ?", [f"CRN{number:03d}"]).fetchone()[0]
        with pytest.raises(StoreDamagedError):
            load_assessment(store, case_id)
        other = store.db.execute("SELECT id FROM cases WHERE case_ref != ? LIMIT 1", [f"CRN{number:03d}"]).fetchone()
        assert load_assessment(store, other[0]).answers  # the other cases still read
        with pytest.raises(StoreDamagedError):
            take_backup(store, kind="manual")
    assert list_backups(path.parent) == []


def test_every_save_keeps_its_checksum(store, inspection):
    case = add_case(store, inspection, "CRN001", inspector_id="insp-1")
    set_answer(store, case.id, "2.1.1", value="yes", note="first")
    set_answer(store, case.id, "2.1.1", value="no", note="second")
    set_detail(store, case.id, "rosh", "high")
    set_detail(store, case.id, "rosh", "low")
    assert failing_rows(store.db.conn) == []
    assert store.db.execute("SELECT count(*) FROM answers WHERE row_hash IS NULL").fetchone()[0] == 0
    # A tool that does not know the checksum cannot write an answer at all.
    other = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="fieldwork_row_hash"):
            other.execute("UPDATE answers SET note = 'changed behind the app'")
    finally:
        other.rollback()
        other.close()
    assert load_assessment(store, case.id).answers["2.1.1"].note == "second"
