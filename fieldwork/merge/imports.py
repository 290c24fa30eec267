"""The bundles merged so far: the import record, forks, sequence gaps and the manifest chain."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from fieldwork.bundles.format import MAX_SEQUENCE_STEP
from fieldwork.bundles.verify import VerifiedBundle
from fieldwork.errors import FieldworkError
from fieldwork.store.db import Store


@dataclass(frozen=True)
class ImportRecord:
    """One merged bundle."""

    bundle_id: str
    manifest_sha256: str
    inspection_id: str
    signer_key_id: str
    inspector_id: str
    sequence: int
    previous_manifest_sha256: str | None
    bundle_created_at: str
    file_name: str
    imported_at: str
    imported_by: str
    cases: int
    case_details: int
    answers: int
    changes: int
    new_versions: int
    conflicts: int


@dataclass(frozen=True)
class SequenceGap:
    """Bundle numbers of one inspector's key that have not arrived although later ones have.

    `missing` holds ranges (first, last), both included, lowest first: a gap is kept as its two
    ends, never as a list of numbers, so its cost does not depend on how large the numbers are.
    """

    inspector_id: str
    signer_key_id: str
    missing: tuple[tuple[int, int], ...]
    highest: int

    @property
    def count(self) -> int:
        """How many bundle numbers are missing."""
        return sum(last - first + 1 for first, last in self.missing)

    def describe(self) -> str:
        """The missing numbers for people: "2", "2–5, 9"."""
        return ", ".join(str(first) if first == last else f"{first}–{last}" for first, last in self.missing)

    def to_json(self) -> dict:
        return {
            "inspector_id": self.inspector_id, "signer_key_id": self.signer_key_id,
            "missing": [{"first": first, "last": last} for first, last in self.missing],
            "missing_count": self.count, "highest_imported": self.highest,
        }


@dataclass(frozen=True)
class Alert:
    """A fork (refused) or a broken manifest chain (imported, noted)."""

    id: int
    kind: str  # "fork" | "chain-break"
    inspection_id: str
    inspector_id: str
    signer_key_id: str
    sequence: int
    bundle_id: str
    other_bundle_id: str | None
    file_name: str
    message: str
    detected_at: str

    def to_json(self) -> dict:
        return dict(self.__dict__)


_IMPORT_COLUMNS = (
    "bundle_id, manifest_sha256, inspection_id, signer_key_id, inspector_id, sequence, previous_manifest_sha256, "
    "bundle_created_at, file_name, imported_at, imported_by, cases, case_details, answers, changes, "
    "new_versions, conflicts"
)


def imported_with_hash(conn: sqlite3.Connection, manifest_sha256: str) -> str | None:
    row = conn.execute("SELECT bundle_id FROM merge_imports WHERE manifest_sha256 = ?", [manifest_sha256]).fetchone()
    return row[0] if row else None


def imported_file(conn: sqlite3.Connection, file_sha256: str) -> str | None:
    """The bundle id of a file whose exact bytes were verified and merged before."""
    row = conn.execute("SELECT bundle_id FROM merge_import_files WHERE file_sha256 = ?", [file_sha256]).fetchone()
    return row[0] if row else None


def remember_file(conn: sqlite3.Connection, file_sha256: str | None, bundle_id: str) -> None:
    if file_sha256:
        conn.execute(
            "INSERT OR IGNORE INTO merge_import_files (file_sha256, bundle_id) VALUES (?, ?)", [file_sha256, bundle_id]
        )


def clash(conn: sqlite3.Connection, verified: VerifiedBundle) -> tuple[str, str] | None:
    """(bundle id, why) of an imported bundle this one forks from: same signer and sequence, or
    the same bundle id, with other content."""
    m = verified.manifest
    row = conn.execute(
        "SELECT bundle_id FROM merge_imports WHERE signer_key_id = ? AND inspection_id = ? AND sequence = ?",
        [m.signer_key_id, m.inspection_id, m.sequence],
    ).fetchone()
    if row:
        return row[0], "sequence"
    row = conn.execute("SELECT bundle_id FROM merge_imports WHERE bundle_id = ?", [m.bundle_id]).fetchone()
    return (row[0], "bundle-id") if row else None


def record_alert(
    conn: sqlite3.Connection, kind: str, verified_manifest, manifest_sha256: str, other_bundle_id: str | None,
    file_name: str, message: str, now: str,
) -> None:
    m = verified_manifest
    conn.execute(
        "INSERT OR IGNORE INTO merge_alerts (kind, inspection_id, signer_key_id, inspector_id, sequence, bundle_id, "
        "manifest_sha256, other_bundle_id, file_name, message, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [kind, m.inspection_id, m.signer_key_id, m.inspector_id, m.sequence, m.bundle_id, manifest_sha256,
         other_bundle_id, file_name, message, now],
    )


def record_import(conn: sqlite3.Connection, record: ImportRecord) -> None:
    conn.execute(
        f"INSERT INTO merge_imports ({_IMPORT_COLUMNS}) VALUES ({', '.join('?' * 17)})", list(record.__dict__.values())
    )


def check_chain(conn: sqlite3.Connection, record: ImportRecord, now: str) -> list[str]:
    """Note (as alerts) where this bundle and its imported neighbours disagree on the previous
    manifest; checked both ways so the notes do not depend on the order of arrival."""
    notes = []
    neighbours = conn.execute(
        f"SELECT {_IMPORT_COLUMNS} FROM merge_imports WHERE signer_key_id = ? AND inspection_id = ? "
        "AND sequence IN (?, ?)",
        [record.signer_key_id, record.inspection_id, record.sequence - 1, record.sequence + 1],
    ).fetchall()
    for row in neighbours:
        other = ImportRecord(*row)
        earlier, later = (other, record) if other.sequence < record.sequence else (record, other)
        if later.previous_manifest_sha256 == earlier.manifest_sha256:
            continue
        message = (
            f"Bundle {later.sequence} from {later.inspector_id} does not follow on from bundle "
            f"{earlier.sequence} as merged (its record of the previous bundle differs): the inspector may "
            "have restored their computer from a backup or used a second copy; check with them."
        )
        conn.execute(
            "INSERT OR IGNORE INTO merge_alerts (kind, inspection_id, signer_key_id, inspector_id, sequence, "
            "bundle_id, manifest_sha256, other_bundle_id, file_name, message, detected_at) "
            "VALUES ('chain-break', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [later.inspection_id, later.signer_key_id, later.inspector_id, later.sequence, later.bundle_id,
             later.manifest_sha256, earlier.bundle_id, later.file_name, message, now],
        )
        notes.append(message)
    return notes


def list_imports(store: Store, inspection_id: str) -> list[ImportRecord]:
    """Every bundle merged into the inspection, by inspector and sequence."""
    rows = store.db.execute(
        f"SELECT {_IMPORT_COLUMNS} FROM merge_imports WHERE inspection_id = ? ORDER BY inspector_id, signer_key_id, "
        "sequence",
        [inspection_id],
    ).fetchall()
    return [ImportRecord(*row) for row in rows]


def sequence_gaps(store: Store, inspection_id: str) -> list[SequenceGap]:
    """Per inspector key: the bundle numbers missing below the highest merged (until they arrive),
    as ranges between neighbouring merged numbers: the work grows with the bundles merged, never
    with the size of their numbers (a store merged before the sequence bound may hold any)."""
    gaps: dict[tuple[str, str], list[tuple[int, int]]] = {}
    highest: dict[tuple[str, str], int] = {}
    for inspector_id, key_id, sequence in store.db.execute(
        "SELECT inspector_id, signer_key_id, sequence FROM merge_imports WHERE inspection_id = ? "
        "ORDER BY inspector_id, signer_key_id, sequence",
        [inspection_id],
    ):
        key = (inspector_id, key_id)
        previous = highest.get(key, 0)
        if sequence > previous + 1:
            gaps.setdefault(key, []).append((previous + 1, sequence - 1))
        highest[key] = sequence
    return [SequenceGap(*key, tuple(ranges), highest[key]) for key, ranges in sorted(gaps.items())]


def highest_sequence(conn: sqlite3.Connection, signer_key_id: str, inspection_id: str) -> int:
    """The highest bundle number merged from this key for this inspection (0 before the first)."""
    row = conn.execute(
        "SELECT MAX(sequence) FROM merge_imports WHERE signer_key_id = ? AND inspection_id = ?",
        [signer_key_id, inspection_id],
    ).fetchone()
    return row[0] or 0


def check_sequence_step(conn: sqlite3.Connection, verified: VerifiedBundle) -> None:
    """Refuse a bundle numbered more than MAX_SEQUENCE_STEP past the highest merged from its key
    for its inspection (the first bundle: past 0).

    An honest inspector's numbers go up by one per export, and every bundle carries all their
    work, so a jump of a thousand means a hostile or broken sender; without this bound one signed
    number (10^9) would make every later gap report and merge of the inspection unbounded work.
    """
    m = verified.manifest
    highest = highest_sequence(conn, m.signer_key_id, m.inspection_id)
    if m.sequence > highest + MAX_SEQUENCE_STEP:
        after = f"the highest merged from that key is {highest}" if highest else "none has been merged from that key"
        raise FieldworkError(
            f"This is bundle number {m.sequence} from {m.inspector_id} (key {m.signer_key_id[:8]}…), but {after}; "
            f"fieldwork accepts a number at most {MAX_SEQUENCE_STEP} past the highest merged, so nothing of it was "
            f"merged: merge {m.inspector_id}'s earlier bundles first, or ask them to export again.",
            code="sequence-too-far",
        )


def list_alerts(store: Store, inspection_id: str) -> list[Alert]:
    """Forks and broken manifest chains in the inspection, oldest first."""
    rows = store.db.execute(
        "SELECT id, kind, inspection_id, inspector_id, signer_key_id, sequence, bundle_id, other_bundle_id, "
        "file_name, message, detected_at FROM merge_alerts WHERE inspection_id = ? ORDER BY id",
        [inspection_id],
    ).fetchall()
    return [Alert(*row) for row in rows]
