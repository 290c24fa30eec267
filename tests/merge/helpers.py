"""Building blocks for merge tests: a lead and inspectors with real stores, keys and bundles.

Keys are made in memory (no scrypt at all); stores are made with the real API (open_store,
create_inspection, add_case, set_answer) and bundles with the real export. `hand_out` stands in
for an allocation pack: it copies the lead's case rows (same UUIDs) and details into an
inspector's store, exactly as a pack would leave them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import sqlite3
from pathlib import Path

from fieldwork.bundles import export_bundle
from fieldwork.identity.keys import UnlockedIdentity, generate_identity
from fieldwork.identity.trust import add_trusted_key
from fieldwork.profile import set_profile
from fieldwork.store import Store, open_store
from fieldwork.store.inspections import create_inspection

INSPECTION = "insp-test"
START = dt.datetime(2026, 11, 2, 9, 0, 0, tzinfo=dt.UTC)
_KEYS: dict[str, UnlockedIdentity] = {}
_EXPORTS = itertools.count(1)


def identity(person_id: str) -> UnlockedIdentity:
    """A deterministic in-memory identity per person id (cached: generating costs a little)."""
    if person_id not in _KEYS:
        _KEYS[person_id] = generate_identity(
            person_id.title(), person_id, created_at="2026-11-01T09:00:00.000Z",
            signing_seed=hashlib.sha256(f"signing {person_id}".encode()).digest(),
            encryption_private=hashlib.sha256(f"encryption {person_id}".encode()).digest(),  # X25519: any 32 bytes
        )
    return _KEYS[person_id]


class Clock:
    """Moves on by one second per read, from `start`; shared by stores to interleave times."""

    def __init__(self, start: dt.datetime = START):
        self.current = start

    def __call__(self) -> dt.datetime:
        value = self.current
        self.current += dt.timedelta(seconds=1)
        return value


class Person:
    """One person's data folder: store (acting as them), keys, an outbox of exported bundles."""

    def __init__(self, root: Path, person_id: str, framework, clock: Clock | None = None):
        self.id = person_id
        self.keys = identity(person_id)
        self.dir = root / person_id
        self.store: Store = open_store(self.dir, actor=person_id, clock=clock or Clock())
        # Test stores skip fsync (thousands of tiny transactions); durability is what test_kill
        # checks, on a store opened with the real settings.
        self.store.db.conn.execute("PRAGMA synchronous = OFF")
        set_profile(self.store, person_id, person_id.title())
        self.inspection = create_inspection(
            self.store, inspection_id=INSPECTION, provider="Test CRC", provider_type="CRC", framework=framework,
            lead_id="lead",
        )
        self.outbox: list[Path] = []
        self._outdir = root / f"{person_id}-out"
        self._outdir.mkdir(exist_ok=True)

    def export(self, lead: Person) -> Path:
        # A fresh name each time: a restored computer may reuse a number (a fork) for other content.
        out = self._outdir / f"{self.id}-{next(_EXPORTS):04d}.fwbundle"
        result = export_bundle(self.store, INSPECTION, out, identity=self.keys, recipients=[lead.keys.public])
        self.outbox.append(result.path)
        return result.path

    def close(self) -> None:
        self.store.close()


def make_lead(root: Path, framework, clock: Clock | None = None, trusted=("ann", "bob", "cat")) -> Person:
    lead = Person(root, "lead", framework, clock)
    for person_id in trusted:
        add_trusted_key(lead.store, identity(person_id).public, [INSPECTION])
    return lead


def hand_out(lead: Person, inspector: Person, case_ids) -> None:
    """What an allocation pack does for these cases: same UUIDs, references and details."""
    src = lead.store.db.conn
    for case_id in case_ids:
        row = src.execute(
            "SELECT id, inspection_id, case_ref, sample_id, created_at FROM cases WHERE id = ?", [case_id]
        ).fetchone()
        details = src.execute(
            "SELECT case_id, field_id, value, revision, updated_at, updated_by FROM case_details WHERE case_id = ?",
            [case_id],
        ).fetchall()
        with inspector.store.transaction() as db:
            db.execute(
                "INSERT INTO cases (id, inspection_id, case_ref, sample_id, inspector_id, status, revision, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'not_started', 0, ?, ?)",
                [*row[:4], inspector.id, row[4], row[4]],
            )
            db.conn.executemany(
                "INSERT INTO case_details (case_id, field_id, value, revision, updated_at, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                details,
            )


def send_queries(lead: Person, inspector: Person) -> None:
    """What an allocation pack does with the lead's open queries to `inspector`: the inspector's
    workspace lists them (allocation_queries) with the pack that brought them, opened now by the
    inspector's clock (allocation_packs.applied_at)."""
    from fieldwork.packs.export import open_moderation_queries

    case_ids = [row[0] for row in inspector.store.db.execute("SELECT id FROM cases")]
    queries = open_moderation_queries(lead.store, INSPECTION, inspector.id, case_ids)
    sequence = 1 + inspector.store.db.execute("SELECT COUNT(*) FROM allocation_packs").fetchone()[0]
    pack_id = f"00000000-0000-4000-8000-{sequence:012d}"
    with inspector.store.transaction() as db:
        db.execute("DELETE FROM allocation_queries WHERE inspection_id = ?", [INSPECTION])
        db.execute(
            "INSERT INTO allocation_packs (pack_id, inspection_id, inspector_id, lead_key_id, lead_person_id, "
            "sequence, issued_at, manifest_sha256, applied_at, applied_by) VALUES (?, ?, ?, ?, 'lead', ?, ?, ?, ?, ?)",
            [pack_id, INSPECTION, inspector.id, lead.keys.key_id, sequence, lead.store.now(), "0" * 64,
             inspector.store.now(), inspector.id],
        )
        db.conn.executemany(
            "INSERT OR IGNORE INTO allocation_queries (inspection_id, case_id, question_id, text, pack_id) "
            "VALUES (?, ?, ?, ?, ?)",
            [(INSPECTION, q.case_uuid, q.question_id, q.text, pack_id) for q in queries],
        )


def accept(lead: Person):
    """The lead accepts the work held for them (second reads on another inspector's case, cases
    added by hand or allocated to nobody): what a lead planning double reads does after merging."""
    from fieldwork.merge import accept_held

    return accept_held(lead.store, INSPECTION)


def open_conflicts(store: Store) -> set[tuple]:
    return set(store.db.execute("SELECT kind, case_id, key FROM merge_open_conflicts").fetchall())


# Tables whose every row is a function of the set of bundles merged (no clocks, no arrival order).
_DUMPS = {
    "cases": "SELECT id, inspection_id, case_ref, sample_id, inspector_id, status, revision, created_at, updated_at "
    "FROM cases",
    "answers": "SELECT * FROM answers",
    "case_details": "SELECT * FROM case_details",
    # The lead's acceptances carry this store's clock and ids; what they decided is in merge_case_readers.
    "change_log": "SELECT id, at, actor, inspection_id, case_id, target, key, field, old, new, source FROM change_log "
    "WHERE source != 'merge-acceptance'",
    "merge_case_readers": "SELECT case_id, inspector_id, inspection_id, reason, counted FROM merge_case_readers",
    "merge_versions": "SELECT kind, case_id, key, value, note, revision, author, updated_at, digest, origin, "
    "bundle_id, bundle_created_at FROM merge_versions",
    "merge_open_conflicts": "SELECT * FROM merge_open_conflicts",
    "merge_case_states": "SELECT * FROM merge_case_states",
    "merge_case_origins": "SELECT * FROM merge_case_origins",
    "merge_case_conflicts": "SELECT inspection_id, case_ref, case_id, owner_case_id, inspector_id, status "
    "FROM merge_case_conflicts",
    "merge_imports": "SELECT bundle_id, manifest_sha256, inspection_id, signer_key_id, inspector_id, sequence, "
    "previous_manifest_sha256, bundle_created_at, cases, case_details, answers, changes FROM merge_imports",
    "merge_alerts": "SELECT kind, bundle_id, manifest_sha256, other_bundle_id FROM merge_alerts",
}


def central_dump(store: Store) -> dict[str, list]:
    """Sorted rows of every central table, leaving out what records when or in which order."""
    return {name: sorted(store.db.execute(sql).fetchall(), key=repr) for name, sql in _DUMPS.items()}


def integrity_ok(store: Store) -> bool:
    return store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def copy_store(source: Path, target: Path) -> None:
    """A consistent copy of a closed-or-open store file (backup API), for many fresh leads."""
    target.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source / "fieldwork.sqlite")
    dst = sqlite3.connect(target / "fieldwork.sqlite")
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()



def forge(
    person: Person, lead: Person, path: Path, *, sequence: int, previous: str | None, records=None,
    created_at: str = "2026-11-03T09:00:00.000Z",
) -> Path:
    """A genuine, signed bundle with a chosen sequence and previous-manifest hash (what a restored
    computer or a second copy of a profile would send), bypassing the export history."""
    import uuid

    from fieldwork.bundles.export import build_bundle
    from fieldwork.bundles.records import records_from_store

    data, _ = build_bundle(
        records or records_from_store(person.store, INSPECTION, person.id), signer=person.keys,
        recipients=[lead.keys.public], sequence=sequence, previous_manifest_sha256=previous,
        bundle_id=str(uuid.uuid4()), created_at=created_at,
    )
    path.write_bytes(data)
    return path


def manifest_hash(lead: Person, path: Path) -> str:
    from fieldwork.bundles import verify_bundle
    from fieldwork.identity.trust import load_trust_list

    return verify_bundle(path, identity=lead.keys, trust=load_trust_list(lead.store)).manifest_sha256
