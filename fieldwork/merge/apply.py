"""Versions in, central rows out: the set-based core shared by merging and resolving.

Keys to work on go into the temp table `merge_keys` (kind, case_id, key). Then:
1. `capture_local` keeps the lead's own edits of those keys as versions before anything else
   is written (so nothing the lead typed is ever overwritten unrecorded);
2. the caller adds versions;
3. `apply_new` writes the central rows of keys that gained a version: a key with one version
   only (most keys on a first merge) in one set-based statement; every other key through
   `recompute`, which applies the ordering rule (versions.py) and writes the `answers` /
   `case_details` rows and the open-conflict flags, touching only rows that change.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass

from fieldwork.merge.versions import ANSWER, DETAIL, Decision, Version, decide, digest

VERSION_COLUMNS = "id, kind, case_id, key, value, note, revision, author, updated_at, origin, bundle_id"

_TEMP_TABLES = """
CREATE TEMP TABLE IF NOT EXISTS merge_stage (
    kind TEXT NOT NULL, case_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT, note TEXT NOT NULL,
    revision INTEGER NOT NULL, author TEXT NOT NULL, updated_at TEXT NOT NULL, digest TEXT NOT NULL
);
CREATE TEMP TABLE IF NOT EXISTS merge_keys (
    kind TEXT NOT NULL, case_id TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (kind, case_id, key)
) WITHOUT ROWID;
"""


def prepare(conn: sqlite3.Connection) -> None:
    """Temp tables and the digest function on this connection (idempotent, outside transactions)."""
    conn.create_function("fieldwork_digest", 2, digest, deterministic=True)
    for statement in _TEMP_TABLES.strip().split(";"):
        if statement.strip():
            conn.execute(statement)


def clear_temp(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM temp.merge_stage")
    conn.execute("DELETE FROM temp.merge_keys")


def set_keys(conn: sqlite3.Connection, keys) -> None:
    """Make `merge_keys` hold exactly these (kind, case_id, key) triples."""
    conn.execute("DELETE FROM temp.merge_keys")
    conn.executemany("INSERT OR IGNORE INTO temp.merge_keys (kind, case_id, key) VALUES (?, ?, ?)", keys)


def max_version_id(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COALESCE(MAX(id), 0) FROM merge_versions").fetchone()[0]


# The lead's row is "their own edit" when no version has its author, time and content: rows the
# merge writes always copy those from the version they hold (only the revision is raised).
_CAPTURE = {
    ANSWER: """
        INSERT INTO merge_versions (kind, case_id, key, value, note, revision, author, updated_at, digest, origin)
        SELECT 'answer', a.case_id, a.question_id, a.value, a.note, a.revision, a.updated_by, a.updated_at,
               fieldwork_digest(a.value, a.note), 'local'
        FROM temp.{keys} k CROSS JOIN answers a ON a.case_id = k.case_id AND a.question_id = k.key
        WHERE k.kind = 'answer' AND NOT EXISTS (
            SELECT 1 FROM merge_versions v WHERE v.kind = 'answer' AND v.case_id = a.case_id
            AND v.key = a.question_id AND v.author = a.updated_by AND v.updated_at = a.updated_at
            AND v.digest = fieldwork_digest(a.value, a.note))
        ON CONFLICT DO NOTHING
    """,
    DETAIL: """
        INSERT INTO merge_versions (kind, case_id, key, value, note, revision, author, updated_at, digest, origin)
        SELECT 'detail', d.case_id, d.field_id, d.value, '', d.revision, d.updated_by, d.updated_at,
               fieldwork_digest(d.value, ''), 'local'
        FROM temp.{keys} k CROSS JOIN case_details d ON d.case_id = k.case_id AND d.field_id = k.key
        WHERE k.kind = 'detail' AND NOT EXISTS (
            SELECT 1 FROM merge_versions v WHERE v.kind = 'detail' AND v.case_id = d.case_id
            AND v.key = d.field_id AND v.author = d.updated_by AND v.updated_at = d.updated_at
            AND v.digest = fieldwork_digest(d.value, ''))
        ON CONFLICT DO NOTHING
    """,
}


def capture_local(conn: sqlite3.Connection, keys: str = "merge_keys") -> None:
    """Keep the lead's own edits of the keys in temp table `keys` (merge_keys or merge_stage)
    as versions (origin 'local')."""
    assert keys in ("merge_keys", "merge_stage")
    conn.execute(_CAPTURE[ANSWER].replace("{keys}", keys))
    conn.execute(_CAPTURE[DETAIL].replace("{keys}", keys))


_OTHER_VERSION = (
    "EXISTS (SELECT 1 FROM merge_versions w WHERE w.kind = v.kind AND w.case_id = v.case_id AND w.key = v.key "
    "AND w.id != v.id)"
)

# Versions of work the lead has not accepted yet (held.py) never reach a central row.
_NOT_HELD = (
    "NOT EXISTS (SELECT 1 FROM merge_case_readers h WHERE h.case_id = v.case_id AND h.inspector_id = v.author "
    "AND h.counted = 0)"
)

_IN_KEYS = (
    "EXISTS (SELECT 1 FROM temp.merge_keys k WHERE k.kind = v.kind AND k.case_id = v.case_id AND k.key = v.key)"
)

# Keys whose only version arrived now (apply_new puts every other key in merge_keys first): the
# row is that version, with no rule to apply and no conflict possible.
_SINGLE = {
    ANSWER: f"""
        INSERT INTO answers (case_id, question_id, value, note, revision, updated_at, updated_by)
        SELECT v.case_id, v.key, v.value, v.note, v.revision, v.updated_at, v.author
        FROM merge_versions v JOIN cases c ON c.id = v.case_id
        WHERE v.id > ? AND v.kind = 'answer' AND NOT {_IN_KEYS} AND {_NOT_HELD}
        ON CONFLICT (case_id, question_id) DO UPDATE SET value = excluded.value, note = excluded.note,
            revision = MAX(answers.revision, excluded.revision), updated_at = excluded.updated_at,
            updated_by = excluded.updated_by
        WHERE answers.value IS NOT excluded.value OR answers.note != excluded.note
            OR answers.revision < excluded.revision OR answers.updated_at != excluded.updated_at
            OR answers.updated_by != excluded.updated_by
    """,
    DETAIL: f"""
        INSERT INTO case_details (case_id, field_id, value, revision, updated_at, updated_by)
        SELECT v.case_id, v.key, v.value, v.revision, v.updated_at, v.author
        FROM merge_versions v JOIN cases c ON c.id = v.case_id
        WHERE v.id > ? AND v.kind = 'detail' AND NOT {_IN_KEYS} AND {_NOT_HELD}
        ON CONFLICT (case_id, field_id) DO UPDATE SET value = excluded.value,
            revision = MAX(case_details.revision, excluded.revision), updated_at = excluded.updated_at,
            updated_by = excluded.updated_by
        WHERE case_details.value != excluded.value OR case_details.revision < excluded.revision
            OR case_details.updated_at != excluded.updated_at OR case_details.updated_by != excluded.updated_by
    """,
}


_SINGLE_UNHELD = {kind: sql.replace(f" AND {_NOT_HELD}", "") for kind, sql in _SINGLE.items()}
assert all(_NOT_HELD not in sql for sql in _SINGLE_UNHELD.values())


def apply_new(conn: sqlite3.Connection, after_id: int, *, any_held: bool = True) -> Recomputed:
    """Write the central rows of every key that gained a version with id > after_id.

    any_held=False: the caller knows none of those versions is held (held.py), so the check per
    version is skipped (a first merge of allocated cases writes hundreds of thousands of rows)."""
    conn.execute("DELETE FROM temp.merge_keys")
    conn.execute(
        "INSERT OR IGNORE INTO temp.merge_keys (kind, case_id, key) "
        f"SELECT DISTINCT kind, case_id, key FROM merge_versions v WHERE id > ? AND {_OTHER_VERSION}",
        [after_id],
    )
    single = _SINGLE if any_held else _SINGLE_UNHELD
    written = conn.execute(single[ANSWER], [after_id]).rowcount
    written += conn.execute(single[DETAIL], [after_id]).rowcount
    result = recompute(conn)
    return Recomputed(result.keys, result.rows_written + max(written, 0), result.conflicted)


@dataclass(frozen=True)
class Recomputed:
    keys: int  # keys looked at (on cases held centrally)
    rows_written: int
    conflicted: int  # of those keys, how many are in conflict now


# The keys to load: the temp table `merge_keys` (inside a merge or resolution), or a JSON list of
# [kind, case_id, key] triples, so that reading never writes (not even a temp table: a write
# outside a transaction would open one implicitly and swallow the next real one).
_KEYS_FROM_JSON = (
    "(SELECT json_extract(value, '$[0]') AS kind, json_extract(value, '$[1]') AS case_id, "
    "json_extract(value, '$[2]') AS key FROM json_each(?))"
)


def _source(keys) -> tuple[str, list]:
    if keys is None:
        return "temp.merge_keys", []
    return _KEYS_FROM_JSON, [json.dumps([list(k) for k in keys])]


def load_versions(conn: sqlite3.Connection, keys=None) -> dict[tuple[str, str, str], list[Version]]:
    """Every version of every key (in `merge_keys`, or the given triples) whose case is held centrally."""
    source, args = _source(keys)
    grouped: dict[tuple[str, str, str], list[Version]] = defaultdict(list)
    rows = conn.execute(
        f"SELECT {', '.join('v.' + c.strip() for c in VERSION_COLUMNS.split(','))} "
        f"FROM {source} k CROSS JOIN cases c ON c.id = k.case_id "
        "CROSS JOIN merge_versions v ON v.kind = k.kind AND v.case_id = k.case_id AND v.key = k.key "
        f"WHERE {_NOT_HELD}",
        args,
    )
    for row in rows:
        version = Version(*row)
        grouped[(version.kind, version.case_id, version.key)].append(version)
    return grouped


def load_decisions(conn: sqlite3.Connection, keys=None) -> dict[tuple[str, str, str], list[Decision]]:
    source, args = _source(keys)
    grouped: dict[tuple[str, str, str], list[Decision]] = defaultdict(list)
    for kind, case_id, key, version_id, horizon in conn.execute(
        f"SELECT r.kind, r.case_id, r.key, r.version_id, r.horizon FROM {source} k "
        "CROSS JOIN merge_resolutions r ON r.kind = k.kind AND r.case_id = k.case_id AND r.key = k.key",
        args,
    ):
        grouped[(kind, case_id, key)].append(Decision(version_id, horizon))
    return grouped


def recompute(conn: sqlite3.Connection) -> Recomputed:
    """Apply the ordering rule to every key in `merge_keys` and write what changed."""
    versions = load_versions(conn)
    decisions = load_decisions(conn)
    current_answers = {
        ("answer", row[0], row[1]): row[2:]
        for row in conn.execute(
            "SELECT a.case_id, a.question_id, a.value, a.note, a.revision, a.updated_at, a.updated_by "
            "FROM temp.merge_keys k CROSS JOIN answers a ON a.case_id = k.case_id AND a.question_id = k.key "
            "WHERE k.kind = 'answer'"
        )
    }
    current_details = {
        ("detail", row[0], row[1]): row[2:]
        for row in conn.execute(
            "SELECT d.case_id, d.field_id, d.value, '', d.revision, d.updated_at, d.updated_by "
            "FROM temp.merge_keys k CROSS JOIN case_details d ON d.case_id = k.case_id AND d.field_id = k.key "
            "WHERE k.kind = 'detail'"
        )
    }
    open_now = {
        (row[0], row[1], row[2]): row[3]
        for row in conn.execute(
            "SELECT o.kind, o.case_id, o.key, o.reason FROM temp.merge_keys k CROSS JOIN merge_open_conflicts o "
            "ON o.kind = k.kind AND o.case_id = k.case_id AND o.key = k.key"
        )
    }
    answer_rows, detail_rows, flag, unflag = [], [], [], []
    conflicted = 0
    for ident, items in versions.items():
        kind, case_id, key = ident
        outcome = decide(items, decisions.get(ident, ()))
        chosen = outcome.chosen
        current = (current_answers if kind == ANSWER else current_details).get(ident)
        revision = max(outcome.revision, current[2] if current else 0)
        wanted = (chosen.value, chosen.note, revision, chosen.updated_at, chosen.author)
        if current != wanted:
            if kind == ANSWER:
                answer_rows.append((case_id, key, *wanted))
            else:
                detail_rows.append((case_id, key, chosen.value, revision, chosen.updated_at, chosen.author))
        if outcome.conflicted:
            conflicted += 1
            if open_now.get(ident) != outcome.reason:
                flag.append((kind, case_id, key, outcome.reason))
        elif ident in open_now:
            unflag.append(ident)
    conn.executemany(
        "INSERT INTO answers (case_id, question_id, value, note, revision, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, question_id) DO UPDATE SET "
        "value = excluded.value, note = excluded.note, revision = excluded.revision, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        answer_rows,
    )
    conn.executemany(
        "INSERT INTO case_details (case_id, field_id, value, revision, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, field_id) DO UPDATE SET "
        "value = excluded.value, revision = excluded.revision, updated_at = excluded.updated_at, "
        "updated_by = excluded.updated_by",
        detail_rows,
    )
    conn.executemany(
        "INSERT OR REPLACE INTO merge_open_conflicts (kind, case_id, key, reason) VALUES (?, ?, ?, ?)", flag
    )
    conn.executemany("DELETE FROM merge_open_conflicts WHERE kind = ? AND case_id = ? AND key = ?", unflag)
    return Recomputed(len(versions), len(answer_rows) + len(detail_rows), conflicted)
