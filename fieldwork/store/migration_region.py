"""Migration 9: a region inspection's contributions from its PDU inspections (decision 0035).

Kept apart from the region's own cases: contributed cases are never in its case list,
allocation, packs or bundles. A contribution is keyed by (region inspection, PDU inspection,
signer key); importing a newer results bundle replaces its cases in one transaction.
"""

M9_REGION_CONTRIBUTIONS = """
        CREATE TABLE region_contributions (
            region_inspection_id TEXT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
            pdu_inspection_id TEXT NOT NULL,
            signer_key_id TEXT NOT NULL,
            signer_person_id TEXT NOT NULL,
            signer_name TEXT NOT NULL,
            provider TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            bundle_id TEXT NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            framework_id TEXT NOT NULL,
            framework_version TEXT NOT NULL,
            framework_hash TEXT NOT NULL,
            bundle_created_at TEXT NOT NULL,
            received_at TEXT NOT NULL,
            received_by TEXT NOT NULL,
            file_name TEXT NOT NULL,
            open_conflicts INTEGER NOT NULL,
            cases INTEGER NOT NULL,
            cases_per_sample TEXT NOT NULL,  -- JSON: sample id -> number of cases
            PRIMARY KEY (region_inspection_id, pdu_inspection_id, signer_key_id)
        ) WITHOUT ROWID;
        CREATE TABLE region_contributed_cases (
            region_inspection_id TEXT NOT NULL,
            pdu_inspection_id TEXT NOT NULL,
            signer_key_id TEXT NOT NULL,
            case_uuid TEXT NOT NULL,
            sample_id TEXT NOT NULL,
            PRIMARY KEY (region_inspection_id, pdu_inspection_id, signer_key_id, case_uuid),
            FOREIGN KEY (region_inspection_id, pdu_inspection_id, signer_key_id)
                REFERENCES region_contributions ON DELETE CASCADE
        ) WITHOUT ROWID;
        -- Key-question judgements only (no prompts, no evidence text).
        CREATE TABLE region_contributed_judgements (
            region_inspection_id TEXT NOT NULL,
            pdu_inspection_id TEXT NOT NULL,
            signer_key_id TEXT NOT NULL,
            case_uuid TEXT NOT NULL,
            question_id TEXT NOT NULL,
            value TEXT NOT NULL CHECK (value IN ('yes', 'no', 'na')),
            PRIMARY KEY (region_inspection_id, pdu_inspection_id, signer_key_id, case_uuid, question_id),
            FOREIGN KEY (region_inspection_id, pdu_inspection_id, signer_key_id, case_uuid)
                REFERENCES region_contributed_cases ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE TABLE region_contributed_details (
            region_inspection_id TEXT NOT NULL,
            pdu_inspection_id TEXT NOT NULL,
            signer_key_id TEXT NOT NULL,
            case_uuid TEXT NOT NULL,
            field_id TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (region_inspection_id, pdu_inspection_id, signer_key_id, case_uuid, field_id),
            FOREIGN KEY (region_inspection_id, pdu_inspection_id, signer_key_id, case_uuid)
                REFERENCES region_contributed_cases ON DELETE CASCADE
        ) WITHOUT ROWID;
"""
