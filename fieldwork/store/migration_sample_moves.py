"""Migration 12 (decision 0036): an inspector's change of a case's question set, as the lead's store receives it.

Kept in its own module so the migrations list only gains one line; the coordinator numbers it.
"""

SQL = """
        -- One row per move of a case to another sample (question set) that an inspector's bundle
        -- brought: the inspector's change-log entry (sample_override) names it, once per entry, so
        -- a bundle merged again adds nothing. status says what became of it:
        -- applied (the lead's set was the one the inspector moved from: moved), agreed (the lead's
        -- set is already the new one), held (not the inspector's allocated case: waits for the
        -- lead to accept held work), open (the lead changed it differently: the lead decides),
        -- taken / declined (the lead decided), superseded (a later move by the same inspector).
        CREATE TABLE merge_sample_moves (
            id INTEGER PRIMARY KEY,
            change_id TEXT NOT NULL UNIQUE,
            inspection_id TEXT NOT NULL,
            case_id TEXT NOT NULL,
            case_ref TEXT NOT NULL,
            inspector_id TEXT NOT NULL,
            old_sample TEXT NOT NULL,
            new_sample TEXT NOT NULL,
            passed TEXT NOT NULL,  -- JSON list: the sets the inspector's moves took the case through
            reason TEXT NOT NULL,
            moved_at TEXT NOT NULL,
            bundle_id TEXT NOT NULL,
            status TEXT NOT NULL
                CHECK (status IN ('applied', 'agreed', 'held', 'open', 'taken', 'declined', 'superseded')),
            decided_by TEXT,
            decided_at TEXT,
            decision_reason TEXT
        );
        CREATE INDEX merge_sample_moves_case ON merge_sample_moves (case_id, status);
        CREATE INDEX merge_sample_moves_open ON merge_sample_moves (inspection_id, status);
"""
