"""What must hold after every kill: the store opens and is sound, every acknowledged answer is
there, no partial file sits at a final path, temp files go at the next start."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from fieldwork.paths import STORE_FILENAME
from fieldwork.store import open_store
from fieldwork.store.backups import backups_dir, list_backups
from fieldwork.store.rowhash import failing_rows

TEMP_NAME = re.compile(r"(\.partial(-journal|-wal|-shm)?$)|(\.tmp$)")


def temp_files(*folders: Path) -> list[Path]:
    found = []
    for folder in folders:
        if folder.is_dir():
            found += [p for p in folder.iterdir() if TEMP_NAME.search(p.name)]
    return found


def open_and_check(data_dir: Path):
    """Open as the next start would, and check the store and what lies beside it."""
    store = open_store(data_dir, actor="checker", check="full")
    try:
        assert not store.read_only, "the killed child's lock must be gone"
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert failing_rows(store.db.conn) == []  # every answer and detail kept its checksum (issue 20)
        # Temp files of the dead writer are gone at this start.
        left = temp_files(data_dir, backups_dir(data_dir), data_dir / "keys")
        assert left == [], f"temp files survived the next start: {left}"
        check_backups(data_dir)
    except BaseException:
        store.close()
        raise
    return store


def check_backups(data_dir: Path) -> None:
    """Every file at a backup's final name is a whole, sound database."""
    for backup in list_backups(data_dir):
        conn = sqlite3.connect(f"file:{backup.path}?mode=ro", uri=True)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", backup.path
            assert conn.execute("SELECT count(*) FROM meta").fetchone()[0] > 0
        finally:
            conn.close()


def answer_expectations(lines: list[str]) -> tuple[set[int], dict[tuple[str, str], set[int]]]:
    """From TRY/ACK lines: the acknowledged write numbers, and per (case, question) the write
    numbers whose note may be the current one (the last acknowledged, or a later unacknowledged)."""
    acked: set[int] = set()
    allowed: dict[tuple[str, str], set[int]] = {}
    for line in lines:
        parts = line.split(" ")
        if parts[0] not in ("TRY", "ACK") or len(parts) != 4:
            continue
        number, key = int(parts[1]), (parts[2], parts[3])
        if parts[0] == "ACK":
            acked.add(number)
            allowed[key] = {number}
        else:
            allowed.setdefault(key, {None}).add(number)
    return acked, allowed


_NUMBER = re.compile(r"\(note (-?\d+)\)\.")


def _number(note: str | None) -> int | None:
    match = _NUMBER.search(note or "")
    return int(match[1]) if match else None


def check_answers(store, lines: list[str]) -> int:
    """Every acknowledged write is in the change log and each answer holds an allowed note.

    Notes are recognised by the "(note N)." of data.note_for(N) (some tests pad them)."""
    acked, allowed = answer_expectations(lines)
    logged = {
        _number(row[0])
        for row in store.db.execute("SELECT new FROM change_log WHERE target = 'answer' AND field = 'note'")
    }
    missing = [n for n in acked if n not in logged]
    assert not missing, f"acknowledged answers lost: {sorted(missing)[:10]}"
    for (case_id, question), numbers in allowed.items():
        row = store.db.execute(
            "SELECT note FROM answers WHERE case_id = ? AND question_id = ?", [case_id, question]
        ).fetchone()
        if None in numbers:  # never acknowledged for this key: the earlier content may remain
            continue
        assert row is not None and _number(row[0]) in numbers, f"{case_id}/{question}: {row} not in {sorted(numbers)}"
    return len(acked)


def store_file(data_dir: Path) -> Path:
    return data_dir / STORE_FILENAME
