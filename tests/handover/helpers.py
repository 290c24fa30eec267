"""A lead and inspectors with real stores, keys on disk (cheap scrypt), packs, bundles and a merge.

The personal data below is made up and distinctive, so that a scan of raw bytes can prove where
it is and, after a wipe, that it is gone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from fieldwork.bundles import export_bundle
from fieldwork.identity import add_trusted_key, create_keys, load_trust_list
from fieldwork.identity.keys import ScryptParams, UnlockedIdentity
from fieldwork.merge import merge_bundles
from fieldwork.packs import apply_pack, export_pack, verify_pack
from fieldwork.profile import set_profile
from fieldwork.store import Store, open_store
from fieldwork.store.allocation import allocate_cases
from fieldwork.store.assessments import find_case, set_answer, set_status
from fieldwork.store.inspections import add_case, create_inspection

CHEAP = ScryptParams(log2_n=10)  # tests only
PASSPHRASE = "correct horse battery"  # the one tests/helpers/cli.py puts in FIELDWORK_PASSPHRASE
INSPECTION = "H1"
SUBJECT = "Wilhelmina Featherstonehaugh-Quist"
PLACE = "Larkspur Row bail hostel"
MARKERS = (SUBJECT, "Featherstonehaugh", PLACE, "Larkspur", "Thistlewood")


def evidence(ref: str, n: int = 0) -> str:
    return f"{SUBJECT} disclosed threats made at the {PLACE} (case {ref}, note {n})"


def ldu(ref: str) -> str:
    """Each case's LDU detail is distinctive too, so a scan can tell cases apart."""
    return f"Thistlewood Marsh {ref} LDU"


def case_markers(*refs: str) -> tuple[str, ...]:
    return tuple(m for ref in refs for m in (ldu(ref), f"case {ref}, note"))


@dataclass
class Person:
    id: str
    dir: Path
    keys: UnlockedIdentity
    store: Store
    outbox: list[Path] = field(default_factory=list)

    def close(self) -> None:
        self.store.close()


def make_person(root: Path, person_id: str, name: str) -> Person:
    folder = root / person_id
    keys = create_keys(folder, name=name, person_id=person_id, passphrase=PASSPHRASE, scrypt=CHEAP)
    store = open_store(folder, actor=person_id)
    set_profile(store, person_id, name)
    return Person(person_id, folder, keys, store)


@dataclass
class World:
    root: Path
    lead: Person
    inspectors: dict[str, Person]
    cases: dict[str, str]  # case reference → UUID (the same on every laptop)

    def close(self) -> None:
        for person in (self.lead, *self.inspectors.values()):
            person.close()


def make_world(root: Path, framework, allocation: dict[str, tuple[str, ...]] | None = None) -> World:
    """Lead lead-1 with inspection H1; each inspector's cases handed out by a real pack."""
    allocation = allocation or {"ann": ("H001", "H002", "H003")}
    lead = make_person(root, "lead-1", "Lee Lead")
    inspection = create_inspection(
        lead.store, inspection_id=INSPECTION, provider="Handover CRC", provider_type="CRC", framework=framework,
        fieldwork_start="2026-11-02", fieldwork_end="2026-11-13", lead_id="lead-1",
    )
    cases = {}
    for refs in allocation.values():
        for ref in refs:
            if ref not in cases:
                cases[ref] = add_case(lead.store, inspection, ref, details={"ldu": ldu(ref), "rosh": "high"}).id
    inspectors = {}
    for person_id, refs in allocation.items():
        person = make_person(root, person_id, person_id.title())
        add_trusted_key(lead.store, person.keys.public, [INSPECTION])
        allocate_cases(lead.store, [cases[r] for r in refs], person_id)
        pack = export_pack(lead.store, INSPECTION, person_id, root / f"{person_id}.fwpack", identity=lead.keys)
        verified = verify_pack(
            pack.path, identity=person.keys, trusted_leads=load_trust_list(person.store),
            accept_lead_fingerprint=lead.keys.public.fingerprint,
        )
        apply_pack(person.store, verified)
        inspectors[person_id] = person
    return World(root, lead, inspectors, cases)


def complete_case(person: Person, ref: str, n: int = 0) -> str:
    """Answer every question of a supervision case (with evidence) and mark it complete."""
    case_id = find_case(person.store, INSPECTION, ref).id
    for prompt in ("2.1.1.a", "2.1.1.b"):
        set_answer(person.store, case_id, prompt, value="yes")
    set_answer(person.store, case_id, "2.1.1", value="yes", note=evidence(ref, n))
    set_answer(person.store, case_id, "2.1.2", value="no", note=evidence(ref, n + 1))
    set_status(person.store, case_id, "complete")
    return case_id


def export(person: Person) -> Path:
    out = person.dir.parent / f"{person.id}-out"
    out.mkdir(exist_ok=True)
    result = export_bundle(person.store, INSPECTION, out, identity=person.keys)
    person.outbox.append(result.path)
    return result.path


def merge(world: World, *paths: Path) -> None:
    report = merge_bundles(world.lead.store, list(paths), world.lead.keys)
    assert not report.refused, [r.message for r in report.refused]


def raw_files(data_dir: Path) -> dict[str, bytes]:
    """The raw bytes of the store, its -wal and -shm, and every file in its backups folder."""
    found = {}
    for name in ("fieldwork.sqlite", "fieldwork.sqlite-wal", "fieldwork.sqlite-shm"):
        path = data_dir / name
        if path.exists():
            found[name] = path.read_bytes()
    backups = data_dir / "backups"
    if backups.is_dir():
        for path in sorted(backups.rglob("*")):
            if path.is_file():
                found[str(path.relative_to(data_dir))] = path.read_bytes()
    return found


def markers_in(data_dir: Path, markers: tuple[str, ...] = MARKERS) -> list[str]:
    """Where any of `markers` occurs in the raw bytes of the store, its WAL or its backups."""
    return [
        f"{marker!r} in {name}"
        for name, data in raw_files(data_dir).items()
        for marker in markers
        if marker.encode("utf-8") in data or marker.encode("utf-16-le") in data
    ]


def at(day: str) -> dt.date:
    return dt.date.fromisoformat(day)
