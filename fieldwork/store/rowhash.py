"""A checksum on every answer and case detail, against bit rot (issue 20, docs/decisions/0025-restore-and-the-disk.md).

SQLite keeps no checksums of its own: a bit flipped on the disk inside an answer's evidence
reads back as other text, passes every page check, and the next backup copies it. So each row of
`answers` and `case_details` (migration 7) and of `premises_answers` (migration 13, the answers
given once for an approved premises, decision 0037) carries `row_hash`, a SHA-256 (first 128 bits,
hex) of its fields, written by triggers of the store itself whenever a row is inserted or its fields
change, through the SQL function `fieldwork_row_hash` that every store connection registers. A
connection without it (another tool) cannot write those tables at all, so no row is ever
written without its hash.

Checked: when a case is read (case answers and details) (`assessments.get_case` and everything built on it), at open for
stores small enough for the full check, by `fieldwork store check`, and on each backup snapshot
before it may replace an older backup (a backup of a store with a failing row is refused).

Protects against accidental change (a flipped bit, a torn sector that still parses), not a
person who edits the file: they can recompute the hash. The signatures on bundles cover that.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable

FUNCTION = "fieldwork_row_hash"

ANSWER_FIELDS = ("case_id", "question_id", "value", "note", "revision", "updated_at", "updated_by")
DETAIL_FIELDS = ("case_id", "field_id", "value", "revision", "updated_at", "updated_by")
PREMISES_FIELDS = ("inspection_id", "question_id", "value", "note", "revision", "updated_at", "updated_by")
# kind (hashed first, so equal fields in two tables never share a checksum) -> table, fields, and
# what the first field names, for the message. Premises answers belong to no case.
TABLES = {
    "answer": ("answers", ANSWER_FIELDS, "case"),
    "detail": ("case_details", DETAIL_FIELDS, "case"),
    "premises": ("premises_answers", PREMISES_FIELDS, "inspection"),
}


def row_hash(kind: str, *fields) -> str:
    """The checksum of one row: each field typed and length-prefixed, so no two rows share an encoding."""
    digest = hashlib.sha256(kind.encode())
    for field in fields:
        if field is None:
            digest.update(b"N")
            continue
        if isinstance(field, int):
            data, tag = str(field).encode(), b"I"
        elif isinstance(field, str):
            data, tag = field.encode("utf-8", "surrogatepass"), b"T"
        else:  # a float or blob where text belongs: hashed as read, so a change of type shows
            data, tag = repr(field).encode(), b"X"
        digest.update(tag + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()[:32]


def register(conn: sqlite3.Connection) -> None:
    """Every store connection: the triggers of migrations 7 and 13 call this function."""
    conn.create_function(FUNCTION, -1, row_hash, deterministic=True)


def _has_hashes(conn: sqlite3.Connection, table: str) -> bool:
    return any(row[1] == "row_hash" for row in conn.execute(f"PRAGMA table_info({table})"))


def _described(kind: str, row: tuple, owner: str) -> str:
    what = "premises answer" if kind == "premises" else kind
    return f"the {what} {row[1]} of {owner} {row[0]} does not match its checksum"


def failing_rows(conn: sqlite3.Connection, *, case_id: str | None = None, limit: int = 100) -> list[str]:
    """The rows whose fields no longer match their checksum, described for people ([] when all do).

    With `case_id`, only that case's answers and details. A table from before the migration that
    gave it checksums (7 for case answers and details, 13 for premises answers) has none to check.
    """
    problems: list[str] = []
    for kind, (table, fields, owner) in TABLES.items():
        if case_id is not None and owner != "case":
            continue
        if not _has_hashes(conn, table):
            continue
        where, args = ("WHERE case_id = ?", [case_id]) if case_id is not None else ("", [])
        rows: Iterable = conn.execute(f"SELECT {', '.join(fields)}, row_hash FROM {table} {where}", args)
        for row in rows:
            if row[-1] != row_hash(kind, *row[:-1]):
                problems.append(_described(kind, row, owner))
                if len(problems) >= limit:
                    return problems
    return problems
