"""Schema migration: the moves of inspections from one framework text to a newer version."""

from __future__ import annotations

FRAMEWORK_MOVES = """
        -- Each move of an inspection to a newer version of its framework (decision 0042): from which
        -- pinned text to which, and which earlier question ids the new text carries on under new ids.
        -- The lead's store writes a row when the lead moves; an inspector's store copies the lead's row
        -- (same id, the lead as mover) when an allocation pack brings the move. Bundles made under an
        -- earlier text still merge: their answers follow the renames of every move since.
        CREATE TABLE framework_moves (
            id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
            from_hash TEXT NOT NULL REFERENCES frameworks(hash),
            to_hash TEXT NOT NULL REFERENCES frameworks(hash),
            renamed TEXT NOT NULL,  -- JSON object: earlier question id -> its id in the new text
            moved_at TEXT NOT NULL,
            moved_by TEXT NOT NULL,
            source TEXT NOT NULL,
            UNIQUE (inspection_id, from_hash)
        );
"""
