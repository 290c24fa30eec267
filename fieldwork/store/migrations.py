"""Numbered schema migrations. Append only: never edit a migration that has shipped.

The schema version lives in `PRAGMA user_version`; migration N takes a store from N-1 to N.
"""

from __future__ import annotations

from fieldwork.store.migration_framework_moves import FRAMEWORK_MOVES
from fieldwork.store.migration_premises import M10_PREMISES_ANSWERS
from fieldwork.store.migration_premises_hashes import M13_PREMISES_ROW_HASHES
from fieldwork.store.migration_region import M9_REGION_CONTRIBUTIONS
from fieldwork.store.migration_sample_moves import SQL as SAMPLE_MOVES_SQL

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
        CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log
        BEGIN
            SELECT RAISE(ABORT, 'the change log is append-only');
        END;
        -- Where the user was, so a restart puts them back there.
        CREATE TABLE ui_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
"""


_M2_KEYS_AND_BUNDLES = """
        -- The lead's trust list: which signing keys may sign bundles, whose they are, for which
        -- inspections (all_inspections = 1, or the rows of trusted_key_inspections), and from
        -- which per-inspection sequence number on they are revoked.
        CREATE TABLE trusted_keys (
            key_id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL,
            name TEXT NOT NULL,
            signing_public_key TEXT NOT NULL,     -- base64 of the raw Ed25519 public key
            encryption_suite TEXT NOT NULL,
            encryption_public_key TEXT NOT NULL,  -- base64
            fingerprint TEXT NOT NULL,
            identity TEXT NOT NULL,               -- the identity file as received
            all_inspections INTEGER NOT NULL DEFAULT 0,
            revoked_after_sequence INTEGER CHECK (revoked_after_sequence >= 0),
            revoked_at TEXT,
            revoked_by TEXT,
            added_at TEXT NOT NULL,
            added_by TEXT NOT NULL
        );
        CREATE TABLE trusted_key_inspections (
            key_id TEXT NOT NULL REFERENCES trusted_keys(key_id) ON DELETE CASCADE,
            inspection_id TEXT NOT NULL,
            PRIMARY KEY (key_id, inspection_id)
        );
        -- Bundles this store's profile signed; sequence numbers and previous-manifest hashes
        -- chain per (signer key, inspection).
        CREATE TABLE bundle_exports (
            signer_key_id TEXT NOT NULL,
            inspection_id TEXT NOT NULL,
            sequence INTEGER NOT NULL CHECK (sequence >= 1),
            bundle_id TEXT NOT NULL UNIQUE,
            manifest_sha256 TEXT NOT NULL,
            recipients TEXT NOT NULL,  -- JSON list of key ids
            created_at TEXT NOT NULL,
            PRIMARY KEY (signer_key_id, inspection_id, sequence)
        );
        -- The lead whose key an inspection's bundles are encrypted to by default.
        CREATE TABLE inspection_leads (
            inspection_id TEXT PRIMARY KEY REFERENCES inspections(id) ON DELETE CASCADE,
            key_id TEXT NOT NULL,
            identity TEXT NOT NULL,
            pinned_at TEXT NOT NULL,
            pinned_by TEXT NOT NULL
        );
"""


_M3_LEAD_RATINGS = """
        -- The lead inspector's rating decisions, append-only: a judgement (with evidence) for a
        -- standard rated by judgement, or an override (with reason) of a computed rating. The
        -- latest row per (inspection_id, standard_id, kind) is in force; a withdrawal is a row
        -- with rating NULL. Nothing else about ratings is stored: it is recomputed from answers.
        CREATE TABLE lead_ratings (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            inspection_id TEXT NOT NULL,
            standard_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('judgement', 'override')),
            rating TEXT,
            text TEXT NOT NULL DEFAULT '',
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL
        );
        CREATE INDEX lead_ratings_standard ON lead_ratings (inspection_id, standard_id, kind, seq);
        CREATE TRIGGER lead_ratings_no_update BEFORE UPDATE ON lead_ratings
        BEGIN
            SELECT RAISE(ABORT, 'lead rating decisions are append-only');
        END;
        CREATE TRIGGER lead_ratings_no_delete BEFORE DELETE ON lead_ratings
        BEGIN
            SELECT RAISE(ABORT, 'lead rating decisions are append-only');
        END;
        -- The ratings are recomputed each time from one aggregate query over the key-question
        -- judgements; these covering indexes let it read them by question and value, in GROUP BY
        -- order, without touching the table rows (a 10,000-case inspection in a few tens of ms).
        CREATE INDEX answers_by_question ON answers (question_id, value, case_id);
        CREATE INDEX cases_by_sample ON cases (id, inspection_id, sample_id);
"""


_M4_ALLOCATION_PACKS = """
        -- Lead side: allocation packs this store issued. Sequences count per (lead key,
        -- inspection, inspector); a row is written before the pack appears at its final path.
        CREATE TABLE allocation_pack_exports (
            lead_key_id TEXT NOT NULL,
            inspection_id TEXT NOT NULL,
            inspector_id TEXT NOT NULL,
            sequence INTEGER NOT NULL CHECK (sequence >= 1),
            pack_id TEXT NOT NULL UNIQUE,
            manifest_sha256 TEXT NOT NULL,
            recipient_key_id TEXT NOT NULL,
            cases INTEGER NOT NULL,
            issued_at TEXT NOT NULL,
            PRIMARY KEY (lead_key_id, inspection_id, inspector_id, sequence)
        );
        -- Inspector side: the packs applied to this workspace (a pack is applied once; an older
        -- one from the same lead key is refused, docs/decisions/0010-reissued-packs.md).
        CREATE TABLE allocation_packs (
            pack_id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
            inspector_id TEXT NOT NULL,
            lead_key_id TEXT NOT NULL,
            lead_person_id TEXT NOT NULL,
            sequence INTEGER NOT NULL CHECK (sequence >= 1),
            issued_at TEXT NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            applied_at TEXT NOT NULL,
            applied_by TEXT NOT NULL,
            UNIQUE (lead_key_id, inspection_id, inspector_id, sequence)
        );
        -- Inspector side: each case a pack brought. moved_away_at is set when a later pack no
        -- longer allocates it to this inspector (the case and its answers are kept), and cleared
        -- if a pack allocates it again.
        CREATE TABLE allocation_cases (
            case_id TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
            inspection_id TEXT NOT NULL,
            first_pack_id TEXT NOT NULL,
            last_pack_id TEXT NOT NULL,
            moved_away_at TEXT,
            moved_away_pack_id TEXT
        );
        CREATE INDEX allocation_cases_inspection ON allocation_cases (inspection_id, case_id);
        -- Inspector side: the lead's open moderation queries, as the latest applied pack listed them.
        CREATE TABLE allocation_queries (
            inspection_id TEXT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
            case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            text TEXT NOT NULL,
            pack_id TEXT NOT NULL,
            PRIMARY KEY (inspection_id, case_id, question_id, text)
        );
"""


_M5_MERGE = """
        -- Lead side: every bundle merged into this store, once each. (signer, inspection, sequence)
        -- is unique: a different bundle with a used sequence is a fork and is refused.
        CREATE TABLE merge_imports (
            bundle_id TEXT PRIMARY KEY,
            manifest_sha256 TEXT NOT NULL UNIQUE,
            inspection_id TEXT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
            signer_key_id TEXT NOT NULL,
            inspector_id TEXT NOT NULL,
            sequence INTEGER NOT NULL CHECK (sequence >= 1),
            previous_manifest_sha256 TEXT,
            bundle_created_at TEXT NOT NULL,
            file_name TEXT NOT NULL,  -- as chosen, for people; never trusted
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL,
            cases INTEGER NOT NULL,
            case_details INTEGER NOT NULL,
            answers INTEGER NOT NULL,
            changes INTEGER NOT NULL,
            new_versions INTEGER NOT NULL,
            conflicts INTEGER NOT NULL,
            UNIQUE (signer_key_id, inspection_id, sequence)
        );
        -- The exact bytes of bundle files already verified and merged: the same file again is
        -- recognised by its SHA-256 without decrypting it.
        CREATE TABLE merge_import_files (
            file_sha256 TEXT PRIMARY KEY,
            bundle_id TEXT NOT NULL REFERENCES merge_imports(bundle_id) ON DELETE CASCADE
        );
        -- Forks (refused) and broken previous-manifest chains (imported, noted) for the lead to see.
        CREATE TABLE merge_alerts (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('fork', 'chain-break')),
            inspection_id TEXT NOT NULL,
            signer_key_id TEXT NOT NULL,
            inspector_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            bundle_id TEXT NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            other_bundle_id TEXT,
            file_name TEXT NOT NULL,
            message TEXT NOT NULL,
            detected_at TEXT NOT NULL,
            UNIQUE (kind, manifest_sha256)
        );
        -- Every version ever received of every answer and case detail, and the lead's own edits
        -- as they stood when a merge touched them. id is the arrival order here (never leaves this
        -- store). No foreign key to cases: a case parked by a case conflict keeps its versions.
        CREATE TABLE merge_versions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('answer', 'detail')),
            case_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT,
            note TEXT NOT NULL,
            revision INTEGER NOT NULL,
            author TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            digest TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('bundle', 'local')),
            bundle_id TEXT,          -- the earliest-made bundle that carried it (NULL: made here)
            bundle_created_at TEXT,
            UNIQUE (kind, case_id, key, author, revision, updated_at, digest)
        );
        -- The lead's decisions on conflicts: which version, having seen versions up to horizon.
        CREATE TABLE merge_resolutions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('answer', 'detail')),
            case_id TEXT NOT NULL,
            key TEXT NOT NULL,
            version_id INTEGER NOT NULL REFERENCES merge_versions(id),
            horizon INTEGER NOT NULL,
            value TEXT,
            note TEXT NOT NULL,
            reason TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL
        );
        CREATE INDEX merge_resolutions_key ON merge_resolutions (kind, case_id, key, id);
        -- Answers and details whose versions disagree and are not settled by a decision.
        CREATE TABLE merge_open_conflicts (
            kind TEXT NOT NULL CHECK (kind IN ('answer', 'detail')),
            case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            reason TEXT NOT NULL CHECK (reason IN ('fork', 'parallel', 'evidence')),
            PRIMARY KEY (kind, case_id, key)
        ) WITHOUT ROWID;
        -- Each inspector's latest report of each case (the highest revision they sent).
        CREATE TABLE merge_case_states (
            case_id TEXT NOT NULL,
            inspector_id TEXT NOT NULL,
            case_ref TEXT NOT NULL,
            sample_id TEXT NOT NULL,
            allocated_to TEXT,
            status TEXT NOT NULL,
            revision INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (case_id, inspector_id)
        ) WITHOUT ROWID;
        -- Cases an inspector added by hand, created here by a merge.
        CREATE TABLE merge_case_origins (
            case_id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL,
            inspector_id TEXT NOT NULL
        );
        -- A case reference that arrived with another case UUID than the one holding it here.
        CREATE TABLE merge_case_conflicts (
            id INTEGER PRIMARY KEY,
            inspection_id TEXT NOT NULL,
            case_ref TEXT NOT NULL,
            case_id TEXT NOT NULL UNIQUE,  -- the UUID kept aside
            owner_case_id TEXT NOT NULL,   -- the UUID holding the reference
            inspector_id TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'same', 'separate')),
            new_ref TEXT,
            reason TEXT,
            decided_by TEXT,
            decided_at TEXT
        );
        -- A case UUID the lead decided is the same case as another: its data merges into that one.
        CREATE TABLE merge_case_aliases (
            alias_id TEXT PRIMARY KEY,
            case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE
        );
        -- Moderation: the lead's state per case, and queries per question that travel back to the
        -- inspector in the next allocation pack (which reads open rows of moderation_queries).
        CREATE TABLE merge_case_moderation (
            case_id TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
            state TEXT NOT NULL CHECK (state IN ('moderated', 'agreed', 'queries')),
            note TEXT NOT NULL DEFAULT '',
            set_by TEXT NOT NULL,
            set_at TEXT NOT NULL
        );
        CREATE TABLE moderation_queries (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            inspection_id TEXT NOT NULL,
            case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            inspector_id TEXT NOT NULL,
            text TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
            base_revision INTEGER NOT NULL,  -- the inspector's latest revision when asked
            raised_by TEXT NOT NULL,
            raised_at TEXT NOT NULL,
            answered_at TEXT,
            answered_version_id INTEGER,
            closed_by TEXT,
            closed_at TEXT
        );
        CREATE INDEX moderation_queries_case ON moderation_queries (case_id, question_id, status);
"""


_M6_HANDOVER = """
        -- Issue 7 item 4, docs/decisions/0013-handover-receipts-and-wipe.md: receipts, handover, wipe,
        -- retention. Every table here holds ids, counts and times only: nothing personal. The small
        -- tables keyed by text are WITHOUT ROWID (one b-tree each) and have no extra index.
        -- This data folder's settings (fieldwork.store.settings checks names and values).
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        ) WITHOUT ROWID;
        -- Lead side: the receipts this store signed for merged bundles (a bundle may have several).
        CREATE TABLE receipts_issued (
            receipt_id TEXT PRIMARY KEY,
            bundle_id TEXT NOT NULL,
            inspection_id TEXT NOT NULL,
            inspector_id TEXT NOT NULL,
            inspector_key_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            lead_key_id TEXT NOT NULL,
            cases INTEGER NOT NULL,
            receipt_sha256 TEXT NOT NULL,
            file_name TEXT NOT NULL,  -- as written, for people; never trusted
            issued_at TEXT NOT NULL,
            issued_by TEXT NOT NULL
        ) WITHOUT ROWID;
        -- Inspector side: the receipts accepted, with the signed file as received (ids only).
        CREATE TABLE receipts_accepted (
            receipt_id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL,
            bundle_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            lead_key_id TEXT NOT NULL,
            lead_id TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            merged_at TEXT NOT NULL,
            receipt BLOB NOT NULL,
            handed_over INTEGER NOT NULL,
            kept INTEGER NOT NULL,
            wiped INTEGER NOT NULL,
            accepted_at TEXT NOT NULL,
            accepted_by TEXT NOT NULL
        );
        -- Inspector side: each case handed over (by a receipt) and/or wiped (by a receipt or by
        -- retention). No foreign key: the record outlives the case when retention removes it.
        CREATE TABLE handover_records (
            case_id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL,
            revision INTEGER,             -- the case revision the receipt covered (NULL: no receipt)
            receipt_id TEXT,
            bundle_id TEXT,
            bundle_sequence INTEGER,
            lead_key_id TEXT,
            merged_at TEXT,
            handed_over_at TEXT,
            wiped_at TEXT,
            wipe_reason TEXT CHECK (wipe_reason IN ('receipt', 'retention')),
            cleaned_at TEXT               -- store vacuumed and older backups replaced after the wipe
        ) WITHOUT ROWID;
        -- Inspector side: inspections removed whole by the retention setting.
        CREATE TABLE retention_wipes (
            inspection_id TEXT PRIMARY KEY,
            fieldwork_end TEXT,
            retention_days INTEGER NOT NULL,
            cases INTEGER NOT NULL,
            not_handed_over INTEGER NOT NULL,
            wiped_at TEXT NOT NULL,
            wiped_by TEXT NOT NULL,
            cleaned_at TEXT
        ) WITHOUT ROWID;
        -- The change log stays append-only, except for the entries of a case (or an inspection)
        -- whose personal data is being wiped: its record is written first, in the same transaction.
        DROP TRIGGER change_log_no_delete;
        CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log
        WHEN NOT EXISTS (
            SELECT 1 FROM handover_records h WHERE h.case_id = OLD.case_id AND h.wiped_at IS NOT NULL
        ) AND NOT EXISTS (
            SELECT 1 FROM retention_wipes r WHERE r.inspection_id = OLD.inspection_id
        )
        BEGIN
            SELECT RAISE(ABORT, 'the change log is append-only');
        END;
"""


_M7_ROW_HASHES = """
        -- Issue 20, docs/decisions/0025-restore-and-the-disk.md: a checksum of every answer and case
        -- detail (fieldwork.store.rowhash), filled for the rows already here and kept by triggers.
        -- fieldwork_row_hash is registered on every store connection; another tool cannot write
        -- these tables without it, so no row is ever left with a stale checksum.
        ALTER TABLE answers ADD COLUMN row_hash TEXT;
        UPDATE answers SET row_hash = fieldwork_row_hash(
            'answer', case_id, question_id, value, note, revision, updated_at, updated_by);
        CREATE TRIGGER answers_row_hash_insert AFTER INSERT ON answers
        BEGIN
            UPDATE answers SET row_hash = fieldwork_row_hash('answer', NEW.case_id, NEW.question_id, NEW.value,
                NEW.note, NEW.revision, NEW.updated_at, NEW.updated_by) WHERE rowid = NEW.rowid;
        END;
        CREATE TRIGGER answers_row_hash_update
        AFTER UPDATE OF case_id, question_id, value, note, revision, updated_at, updated_by ON answers
        BEGIN
            UPDATE answers SET row_hash = fieldwork_row_hash('answer', NEW.case_id, NEW.question_id, NEW.value,
                NEW.note, NEW.revision, NEW.updated_at, NEW.updated_by) WHERE rowid = NEW.rowid;
        END;
        ALTER TABLE case_details ADD COLUMN row_hash TEXT;
        UPDATE case_details SET row_hash = fieldwork_row_hash(
            'detail', case_id, field_id, value, revision, updated_at, updated_by);
        CREATE TRIGGER case_details_row_hash_insert AFTER INSERT ON case_details
        BEGIN
            UPDATE case_details SET row_hash = fieldwork_row_hash('detail', NEW.case_id, NEW.field_id, NEW.value,
                NEW.revision, NEW.updated_at, NEW.updated_by) WHERE rowid = NEW.rowid;
        END;
        CREATE TRIGGER case_details_row_hash_update
        AFTER UPDATE OF case_id, field_id, value, revision, updated_at, updated_by ON case_details
        BEGIN
            UPDATE case_details SET row_hash = fieldwork_row_hash('detail', NEW.case_id, NEW.field_id, NEW.value,
                NEW.revision, NEW.updated_at, NEW.updated_by) WHERE rowid = NEW.rowid;
        END;
"""


_M8_CASE_READERS = """
        -- Whose work on which case counts (decision 0019): one row per (case, inspector) whose bundle
        -- brought the case. counted = 0: held out of the central answers, the ratings and the
        -- agreement figures until the lead accepts it (the case was added by hand, allocated to
        -- nobody, or allocated to someone else).
        CREATE TABLE merge_case_readers (
            case_id TEXT NOT NULL,
            inspector_id TEXT NOT NULL,
            inspection_id TEXT NOT NULL,
            reason TEXT NOT NULL CHECK (reason IN ('allocated', 'added', 'unallocated', 'other', 'joined', 'earlier')),
            counted INTEGER NOT NULL CHECK (counted IN (0, 1)),
            accepted_by TEXT,
            accepted_at TEXT,
            PRIMARY KEY (case_id, inspector_id)
        ) WITHOUT ROWID;
        CREATE INDEX merge_case_readers_waiting ON merge_case_readers (inspection_id, counted);
        -- Work merged before this rule existed keeps counting as it did.
        INSERT OR IGNORE INTO merge_case_readers (case_id, inspector_id, inspection_id, reason, counted)
            SELECT s.case_id, s.inspector_id, c.inspection_id, 'earlier', 1
            FROM merge_case_states s JOIN cases c ON c.id = s.case_id;
        INSERT OR IGNORE INTO merge_case_readers (case_id, inspector_id, inspection_id, reason, counted)
            SELECT DISTINCT v.case_id, v.author, c.inspection_id, 'earlier', 1
            FROM merge_versions v JOIN cases c ON c.id = v.case_id WHERE v.origin = 'bundle';
"""


# Each entry is an SQL script; migration N is MIGRATIONS[N - 1].
MIGRATIONS: list[str] = [
    _M1_INITIAL,
    _M2_KEYS_AND_BUNDLES,
    _M3_LEAD_RATINGS,
    _M4_ALLOCATION_PACKS,
    _M5_MERGE,
    _M6_HANDOVER,
    _M7_ROW_HASHES,
    _M8_CASE_READERS,
    M9_REGION_CONTRIBUTIONS,
    M10_PREMISES_ANSWERS,
    SAMPLE_MOVES_SQL,
    FRAMEWORK_MOVES,
    M13_PREMISES_ROW_HASHES,
]

SCHEMA_VERSION = len(MIGRATIONS)
