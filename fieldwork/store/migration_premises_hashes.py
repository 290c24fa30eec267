"""Migration 13: a checksum on every answer given for the premises, as migration 7 gave case answers.

Decision 0037 left `premises_answers` without `row_hash`, so a flipped bit in the lead's evidence
for the premises passed every check and was copied into the next backup. The same function
(`fieldwork_row_hash`, kind 'premises', fieldwork.store.rowhash) fills the rows already there and
triggers keep it on every insert and change. The table is WITHOUT ROWID, so the triggers find the
row by its primary key. Kept in its own module so the list in fieldwork.store.migrations only
gains one line.
"""

M13_PREMISES_ROW_HASHES = """
        ALTER TABLE premises_answers ADD COLUMN row_hash TEXT;
        UPDATE premises_answers SET row_hash = fieldwork_row_hash(
            'premises', inspection_id, question_id, value, note, revision, updated_at, updated_by);
        CREATE TRIGGER premises_answers_row_hash_insert AFTER INSERT ON premises_answers
        BEGIN
            UPDATE premises_answers SET row_hash = fieldwork_row_hash('premises', NEW.inspection_id,
                NEW.question_id, NEW.value, NEW.note, NEW.revision, NEW.updated_at, NEW.updated_by)
            WHERE inspection_id = NEW.inspection_id AND question_id = NEW.question_id;
        END;
        CREATE TRIGGER premises_answers_row_hash_update
        AFTER UPDATE OF inspection_id, question_id, value, note, revision, updated_at, updated_by
        ON premises_answers
        BEGIN
            UPDATE premises_answers SET row_hash = fieldwork_row_hash('premises', NEW.inspection_id,
                NEW.question_id, NEW.value, NEW.note, NEW.revision, NEW.updated_at, NEW.updated_by)
            WHERE inspection_id = NEW.inspection_id AND question_id = NEW.question_id;
        END;
"""
