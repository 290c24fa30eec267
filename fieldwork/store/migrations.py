"""Numbered schema migrations. Append only: never edit a migration that has shipped.

The schema version lives in `PRAGMA user_version`; migration N takes a store from N-1 to N.
"""

from __future__ import annotations

_M1_INITIAL = """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        -- The exact framework text each inspection was made under, so it always reopens
        -- under that version even after the shipped file changes.
        CREATE TABLE frameworks (
            hash TEXT PRIMARY KEY,
            id TEXT NOT NULL,
            version TEXT NOT NULL,
            title TEXT NOT NULL,
            source BLOB NOT NULL,
            added_at TEXT NOT NULL
        );
        CREATE TABLE inspections (
            id TEXT PRIMARY KEY,
            provider TEXT NOT NULL,
            provider_type TEXT NOT NULL,
            framework_hash TEXT NOT NULL REFERENCES frameworks(hash),
            fieldwork_start TEXT,
            fieldwork_end TEXT,
            lead_id TEXT,
            is_demo INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL
        );
        CREATE TABLE cases (
            id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
            case_ref TEXT NOT NULL,
            sample_id TEXT NOT NULL,
            inspector_id TEXT,
            status TEXT NOT NULL DEFAULT 'not_started'
                CHECK (status IN ('not_started', 'in_progress', 'complete', 'handed_over')),
            revision INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (inspection_id, case_ref)
        );
        CREATE TABLE case_details (
            case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            field_id TEXT NOT NULL,
            value TEXT NOT NULL,
            revision INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            PRIMARY KEY (case_id, field_id)
        );
        -- One row per prompt answer or key-question judgement, with its evidence text.
        CREATE TABLE answers (
            case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            value TEXT CHECK (value IN ('yes', 'no', 'na')),
            note TEXT NOT NULL DEFAULT '',
            revision INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            PRIMARY KEY (case_id, question_id)
        );
        -- Append-only history of every change: who, when, old → new, and where it came from.
        CREATE TABLE change_log (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,  -- travels in bundles; seq never leaves this store
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            inspection_id TEXT NOT NULL,
            case_id TEXT,
            target TEXT NOT NULL CHECK (target IN ('answer', 'detail', 'case', 'inspection')),
            key TEXT NOT NULL,
            field TEXT NOT NULL,
            old TEXT,
            new TEXT,
            source TEXT NOT NULL DEFAULT 'app'
        );
        CREATE INDEX change_log_case ON change_log (case_id, seq);
        CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log
        BEGIN
            SELECT RAISE(ABORT, 'the change log is append-only');
        END;
        -- Where the user was, so a restart puts them back there.
        CREATE TABLE ui_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
"""


# Each entry is an SQL script; migration N is MIGRATIONS[N - 1].
MIGRATIONS: list[str] = [
    _M1_INITIAL,
]

SCHEMA_VERSION = len(MIGRATIONS)
