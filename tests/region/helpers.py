"""Building blocks for region tests: PDU leads' central databases and a region lead's store."""

from __future__ import annotations

import random
from pathlib import Path

from merge.helpers import Clock, identity

from fieldwork.frameworks.catalogue import find_framework
from fieldwork.frameworks.model import Framework
from fieldwork.identity.trust import add_trusted_key
from fieldwork.region.contributions import take_in_results
from fieldwork.region.results_export import export_results
from fieldwork.store import open_store
from fieldwork.store.assessments import set_answer, set_detail
from fieldwork.store.inspections import add_case, create_inspection

REGION = "region-ne"
PDU = find_framework("hmip-probation-pdu-2023")
REGION_FW = find_framework("hmip-probation-region-2023")


def make_store(root: Path, person: str):
    store = open_store(root / person, actor=person, clock=Clock())
    store.db.conn.execute("PRAGMA synchronous = OFF")
    return store


def answer_randomly(
    store, inspection, framework: Framework, cases: int, rng: random.Random, prefix: str | None = None
) -> None:
    """`cases` cases spread over the samples, each key question answered Yes, No or (where allowed)
    Not applicable at random, some left unanswered; a coded detail and a personal one set."""
    samples = [s.id for s in framework.samples]
    for n in range(cases):
        ref = f"{prefix or inspection.id}-{n:03d}"
        case = add_case(store, inspection, ref, sample_id=samples[n % len(samples)])
        set_detail(store, case.id, "rosh", rng.choice(["low", "medium", "high"]))
        set_detail(store, case.id, "age", str(rng.randint(18, 70)))  # personal: never leaves the PDU
        set_detail(store, case.id, "ldu", "Team Smith")  # free text: never leaves the PDU
        for kq in framework.key_questions_for_sample(case.sample_id):
            choices = ["yes", "no", "na", None] if kq.allow_na else ["yes", "no", None]
            value = rng.choice(choices)
            if value is not None:
                set_answer(store, case.id, kq.id, value=value, note=f"Evidence about person {n} that must stay put.")


class Pdu:
    """One PDU lead's central database with a PDU inspection of `cases` answered cases."""

    def __init__(self, root: Path, person: str, inspection_id: str, cases: int, seed: int):
        self.person, self.inspection_id = person, inspection_id
        self.keys = identity(person)
        self.store = make_store(root, person)
        self.inspection = create_inspection(
            self.store, inspection_id=inspection_id, provider=f"{inspection_id} PDU", provider_type="PDU",
            framework=PDU, lead_id=person,
        )
        answer_randomly(self.store, self.inspection, PDU, cases, random.Random(seed))
        self.outdir = root / f"{person}-out"
        self.outdir.mkdir()

    def export(self, region_lead) -> Path:
        return export_results(
            self.store, self.inspection_id, self.outdir, identity=self.keys, region_lead=region_lead.keys.public
        ).path


class Region:
    def __init__(self, root: Path, trusted: list[str]):
        self.keys = identity("reg")
        self.store = make_store(root, "reg")
        create_inspection(
            self.store, inspection_id=REGION, provider="North East", provider_type="Probation region",
            framework=REGION_FW, lead_id="reg",
        )
        for person in trusted:
            add_trusted_key(self.store, identity(person).public, [REGION])

    def take_in(self, *paths, **extra):
        return take_in_results(self.store, REGION, list(paths), self.keys, **extra)

    def snapshot(self) -> tuple:
        """Everything the contributions put in the store, to prove a refusal changed nothing."""
        conn = self.store.db.conn
        return tuple(
            tuple(conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4").fetchall())
            for table in ("region_contributions", "region_contributed_cases", "region_contributed_judgements",
                          "region_contributed_details")
        )
