"""This signer's export history: sequence numbers and the previous-manifest hash chain.

Sequences count per (signer key, inspection), from 1. A sequence is recorded before the bundle
file appears at its final path, so a crash can leave a gap (harmless: the merge shows it) but
never reuse a number for different content (a fork, which the merge refuses).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from fieldwork.store.db import Store


@dataclass(frozen=True)
class ExportRecord:
    signer_key_id: str
    inspection_id: str
    sequence: int
    bundle_id: str
    manifest_sha256: str
    recipients: tuple[str, ...]
    created_at: str


def next_sequence(store: Store, signer_key_id: str, inspection_id: str) -> tuple[int, str | None]:
    """The next sequence number and the previous manifest's SHA-256 (None for the first)."""
    row = store.db.execute(
        "SELECT sequence, manifest_sha256 FROM bundle_exports WHERE signer_key_id = ? "
        "AND inspection_id = ? ORDER BY sequence DESC LIMIT 1",
        [signer_key_id, inspection_id],
    ).fetchone()
    return (1, None) if row is None else (row[0] + 1, row[1])


def record_export(store: Store, record: ExportRecord) -> None:
    """Remember an export; fails (nothing written) if its sequence is already used."""
    with store.transaction() as db:
        db.execute(
            "INSERT INTO bundle_exports (signer_key_id, inspection_id, sequence, bundle_id, "
            "manifest_sha256, recipients, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                record.signer_key_id, record.inspection_id, record.sequence, record.bundle_id,
                record.manifest_sha256, json.dumps(list(record.recipients)), record.created_at,
            ],
        )


def list_exports(store: Store, inspection_id: str | None = None) -> list[ExportRecord]:
    """Every export this store made (optionally for one inspection), oldest first."""
    sql = (
        "SELECT signer_key_id, inspection_id, sequence, bundle_id, manifest_sha256, recipients, "
        "created_at FROM bundle_exports"
    )
    args: list[str] = []
    if inspection_id is not None:
        sql += " WHERE inspection_id = ?"
        args.append(inspection_id)
    rows = store.db.execute(sql + " ORDER BY created_at, sequence", args).fetchall()
    return [ExportRecord(*row[:5], tuple(json.loads(row[5])), row[6]) for row in rows]
