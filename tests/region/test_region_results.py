"""Region ratings from the combined results of PDU inspections (issue 17; decision 0035).

Three PDU leads, each with their own central database, export results bundles to the region
lead, whose region inspection takes them in. The region's percentages must be exactly those of
the same cases recorded in one inspection; taking a bundle in twice changes nothing; a newer
export replaces the PDU's cases; an untrusted key, a tampered bundle, other framework text and
hostile but validly signed bundles are refused (changing nothing) or attributed to their signer.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from pathlib import Path

import pytest
from merge.helpers import identity

from fieldwork.bundles import container
from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.export import sign_envelope
from fieldwork.bundles.fields import FrameworkRef, Member
from fieldwork.bundles.format import ENVELOPE_NAME, RECORDS_NAME
from fieldwork.bundles.ziparchive import write_zip
from fieldwork.merge import merge_bundles
from fieldwork.region.contributions import (
    ALREADY,
    IMPORTED,
    REFUSED,
    REPLACED,
    list_contributions,
    take_in_results,
)
from fieldwork.region.results_export import export_results, results_from_store
from fieldwork.region.results_format import ResultCase, ResultsManifest, ResultsRecords, records_to_jsonl
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.reports.tallies import key_question_tallies
from fieldwork.store.inspections import create_inspection

from .helpers import PDU, REGION, Pdu, Region, answer_randomly, make_store


@pytest.fixture
def world(tmp_path):
    pdus = [Pdu(tmp_path, f"pdu{i}", f"pdu-{i}", cases, seed=i) for i, cases in enumerate((14, 9, 11), start=1)]
    region = Region(tmp_path, [p.person for p in pdus])
    yield pdus, region
    for store in (*[p.store for p in pdus], region.store):
        store.close()


def _combined_tallies(region: Region) -> dict:
    report = inspection_ratings(region.store, REGION)
    return {kq.id: (kq.yes, kq.no, kq.na) for s in report.standards if s.standard.combined for kq in s.key_questions}


def test_three_pdus_give_the_percentages_of_one_inspection_holding_all_their_cases(world, tmp_path):
    pdus, region = world
    results = region.take_in(*(p.export(region) for p in pdus))
    assert [r.status for r in results] == [IMPORTED] * 3, results

    # The same cases, recorded in one inspection: the same seeds, one after another, in one store.
    one = make_store(tmp_path, "one")
    inspection = create_inspection(one, inspection_id="pdu-all", provider="All", provider_type="PDU",
                                   framework=PDU, lead_id="one")
    for i, cases in enumerate((14, 9, 11), start=1):
        answer_randomly(one, inspection, PDU, cases, random.Random(i), prefix=f"pdu-{i}")
    whole = key_question_tallies(one, "pdu-all", PDU)
    one.close()

    combined = _combined_tallies(region)
    report = inspection_ratings(region.store, REGION)
    checked = 0
    for rated in report.standards:
        if not rated.standard.combined:
            continue
        for kq in rated.key_questions:
            source = whole[rated.standard.key_questions[[k.id for k in rated.standard.key_questions].index(kq.id)]
                           .from_question]
            assert (kq.yes, kq.no, kq.na) == (source.yes, source.no, source.na), kq.id
            assert kq.fraction == source.fraction
            checked += 1
        assert rated.computed != "Not rated"
    assert checked == 12 and sum(sum(v) for v in combined.values()) > 0
    # The region's own case list holds none of the PDU cases.
    assert region.store.db.execute("SELECT COUNT(*) FROM cases WHERE inspection_id = ?", [REGION]).fetchone()[0] == 0
    listed = {c.pdu_inspection_id: c for c in report.contributions}
    assert sorted(listed) == ["pdu-1", "pdu-2", "pdu-3"]
    assert listed["pdu-1"].cases == 14 and listed["pdu-1"].signer_person_id == "pdu1"
    assert sum(listed["pdu-2"].cases_per_sample.values()) == 9


def test_nothing_personal_no_text_and_no_evidence_reaches_the_region(world):
    pdus, region = world
    region.take_in(pdus[0].export(region))
    conn = region.store.db.conn
    fields = {row[0] for row in conn.execute("SELECT DISTINCT field_id FROM region_contributed_details")}
    assert fields == {"rosh"}  # not age (personal), not ldu (free text)
    questions = {row[0] for row in conn.execute("SELECT DISTINCT question_id FROM region_contributed_judgements")}
    assert questions and all(PDU.question_kind(q) == "key_question" for q in questions)
    dump = "\n".join(conn.iterdump())
    assert "must stay put" not in dump and "Team Smith" not in dump and "pdu-1-000" not in dump


def test_taking_a_bundle_in_twice_changes_nothing(world):
    pdus, region = world
    path = pdus[0].export(region)
    assert region.take_in(path)[0].status == IMPORTED
    before = region.snapshot()
    again = region.take_in(path)[0]
    assert again.status == ALREADY
    assert region.snapshot() == before


def test_a_newer_export_replaces_the_pdus_cases_and_an_older_one_is_refused(world):
    pdus, region = world
    pdu = pdus[0]
    first = pdu.export(region)
    region.take_in(first)
    # The PDU lead reads two more cases and changes a judgement, then exports again.
    answer_randomly(pdu.store, pdu.inspection, PDU, 2, random.Random(99), prefix="later")
    second = pdu.export(region)
    result = region.take_in(second)[0]
    assert result.status == REPLACED
    [contribution] = list_contributions(region.store, REGION)
    assert contribution.sequence == 2 and contribution.cases == 16
    assert region.store.db.execute("SELECT COUNT(*) FROM region_contributed_cases").fetchone()[0] == 16
    before = region.snapshot()
    older = region.take_in(first)[0]
    assert (older.status, older.code) == (REFUSED, "older-results")
    assert region.snapshot() == before


def test_an_untrusted_key_a_tampered_bundle_and_other_framework_text_are_refused_changing_nothing(world, tmp_path):
    pdus, region = world
    region.take_in(pdus[0].export(region))
    before = region.snapshot()

    stranger = Pdu(tmp_path, "stranger", "pdu-9", 3, seed=9)
    untrusted = region.take_in(stranger.export(region))[0]
    assert (untrusted.status, untrusted.code) == (REFUSED, "unknown-signer")

    good = pdus[1].export(region)
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered = tmp_path / "tampered.fwbundle"
    tampered.write_bytes(bytes(data))
    refused = region.take_in(tampered)[0]
    assert refused.status == REFUSED and refused.code in ("damaged", "tampered-member", "bad-signature")

    # Recorded under another text of the PDU framework (same id and version, other content).
    edited = PDU.source_bytes.replace(b"# Court work and resettlement", b"# Edited: court work and resettlement")
    other = Pdu.__new__(Pdu)
    other.person, other.inspection_id, other.keys = "pdu3", "pdu-3x", identity("pdu3")
    other.store = make_store(tmp_path, "pdu3x")
    from fieldwork.frameworks.loader import parse_framework

    other.inspection = create_inspection(
        other.store, inspection_id="pdu-3x", provider="X", provider_type="PDU",
        framework=parse_framework(edited, source_name="edited"), lead_id="pdu3",
    )
    other.outdir = tmp_path / "pdu3x-out"
    other.outdir.mkdir()
    mismatch = region.take_in(other.export(region))[0]
    assert (mismatch.status, mismatch.code) == (REFUSED, "framework-mismatch")
    other.store.close()
    stranger.store.close()
    assert region.snapshot() == before


def _signed_results(pdu: Pdu, region: Region, records: ResultsRecords, sequence: int, path: Path,
                    previous: str | None = None, inspection_id: str | None = None) -> Path:
    """A results bundle validly signed by the PDU lead, with whatever records they choose."""
    records_bytes = records_to_jsonl(records)
    manifest = ResultsManifest(
        app_version="0", bundle_id=str(uuid.uuid4()), created_at="2026-11-02T09:00:00.000Z",
        inspector_id=pdu.person, signer_key_id=pdu.keys.key_id, recipients=(region.keys.key_id,),
        inspection_id=inspection_id or records.inspection.id,
        framework=FrameworkRef(PDU.id, PDU.version, PDU.content_hash), sequence=sequence,
        previous_manifest_sha256=previous if sequence > 1 else None,
        members=(Member(RECORDS_NAME, len(records_bytes), hashlib.sha256(records_bytes).hexdigest()),),
        record_counts=records.counts(),
    )
    archive = write_zip([(ENVELOPE_NAME, sign_envelope(manifest.to_bytes(), pdu.keys)),
                         (RECORDS_NAME, records_bytes)])
    path.write_bytes(container.seal(archive, [region.keys.public]))
    return path


def test_hostile_but_validly_signed_results_are_refused_or_attributed_to_their_signer(world, tmp_path):
    pdus, region = world
    honest = results_from_store(pdus[1].store, "pdu-2")
    region.take_in(pdus[1].export(region))
    before = region.snapshot()
    hostile = pdus[0]

    # Claiming another PDU inspection (pdu-2, already contributed by pdu2): refused, never doubled.
    claim = ResultsRecords(honest.inspection, honest.cases)
    refused = region.take_in(_signed_results(hostile, region, claim, 1, tmp_path / "claim.fwbundle"))[0]
    assert (refused.status, refused.code) == (REFUSED, "pdu-already-contributed")

    # Records for one inspection under a manifest for another.
    mine = results_from_store(hostile.store, "pdu-1")
    mixed = _signed_results(hostile, region, mine, 1, tmp_path / "mixed.fwbundle", inspection_id="pdu-7")
    assert region.take_in(mixed)[0].code == "malformed-record"

    # Evidence text smuggled in as a case detail, a personal detail, a prompt, a question of another sample.
    case = mine.cases[0]
    for bad in (
        {"details": {**case.details, "ldu": "Lives-at-12-High-Street"}},
        {"details": {**case.details, "age": "34"}},
        {"judgements": {**case.judgements, "2.1.1.a": "yes"}},
        {"judgements": {"cw.1": "yes"}} if case.sample != "court_reports" else {"judgements": {"2.1.1": "yes"}},
        {"judgements": {**case.judgements, "2.1.1": "maybe"}},
    ):
        changed = ResultCase(case.uuid, case.sample, bad.get("details", case.details), bad.get("judgements",
                                                                                                  case.judgements))
        smuggled = ResultsRecords(mine.inspection, (changed, *mine.cases[1:]))
        path = tmp_path / f"smuggled-{len(list(tmp_path.iterdir()))}.fwbundle"
        try:
            _signed_results(hostile, region, smuggled, 1, path)
        except BundleError:
            continue  # the writer refuses it too: it has no field to carry it
        result = region.take_in(path)[0]
        assert (result.status, result.code) == (REFUSED, "malformed-record"), bad

    # Sequence tricks: a first export numbered absurdly high; a fork (same number, other content).
    high = region.take_in(_signed_results(hostile, region, mine, 5000, tmp_path / "high.fwbundle", "0" * 64))[0]
    assert high.code == "sequence-too-far"
    assert region.snapshot() == before

    first = region.take_in(_signed_results(hostile, region, mine, 1, tmp_path / "first.fwbundle"))[0]
    assert first.status == IMPORTED
    after_first = region.snapshot()
    fewer = ResultsRecords(mine.inspection, mine.cases[:2])
    fork = region.take_in(_signed_results(hostile, region, fewer, 1, tmp_path / "fork.fwbundle"))[0]
    assert fork.code == "fork" and region.snapshot() == after_first

    # What it did take in is attributed to its signer.
    contribution = next(c for c in list_contributions(region.store, REGION) if c.pdu_inspection_id == "pdu-1")
    assert (contribution.signer_person_id, contribution.signer_key_id) == ("pdu1", hostile.keys.key_id)


def test_a_results_bundle_is_refused_by_the_work_merge_and_a_work_bundle_by_the_region(world, tmp_path):
    pdus, region = world
    path = pdus[0].export(region)
    report = merge_bundles(region.store, [path], region.keys)
    [result] = report.results
    assert result.code == "wrong-kind" and "results bundle" in result.message
    assert region.take_in(path)[0].status == IMPORTED


def test_a_region_inspection_is_needed_to_take_results_in(world, tmp_path):
    pdus, region = world
    with pytest.raises(Exception) as raised:
        take_in_results(pdus[1].store, "pdu-2", [pdus[0].export(region)], pdus[1].keys)
    assert getattr(raised.value, "code", "") == "not-a-region"


def test_only_the_pdu_inspections_lead_signs_its_results(world, tmp_path):
    pdus, region = world
    from fieldwork.bundles.export import ExportError

    with pytest.raises(ExportError) as raised:
        export_results(pdus[0].store, "pdu-1", tmp_path, identity=identity("pdu2"), region_lead=region.keys.public)
    assert raised.value.code in ("not-the-lead", "wrong-keys")
