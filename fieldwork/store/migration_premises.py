"""Migration 10 (decision 0037): the answers given once for an approved premises, not per case.

Kept in its own module so the list in fieldwork.store.migrations only gains one line.
"""

M10_PREMISES_ANSWERS = """
        -- One row per prompt (or prompt-less key question) of a standard with basis = "premises",
        -- answered once for the inspection by the lead: the value, its evidence and a revision.
        -- Every change is also in change_log (target 'inspection', case_id NULL, key = question id,
        -- field 'premises_value' or 'premises_note'), with who, when, old and new.
        CREATE TABLE premises_answers (
            inspection_id TEXT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            value TEXT CHECK (value IN ('yes', 'no', 'na')),
            note TEXT NOT NULL DEFAULT '',
            revision INTEGER NOT NULL CHECK (revision >= 1),
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            PRIMARY KEY (inspection_id, question_id)
        ) WITHOUT ROWID;
"""
