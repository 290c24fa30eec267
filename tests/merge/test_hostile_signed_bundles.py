"""Hostile but validly signed bundles (issue 16, section 1): a trusted inspector's own key can speak
only for that inspector, never move a rating without the lead seeing why, and never pass for the lead.

ann is I1 and bob is I2: each has their own key in the lead's trust list. Every bundle here is
signed and encrypted for real; the records are written by hand (what a hostile reader of
docs/bundle-format.md could write), bypassing the exporter's own checks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import uuid

import pytest

from fieldwork import __version__
from fieldwork.bundles.export import assemble
from fieldwork.bundles.fields import FrameworkRef, Member
from fieldwork.bundles.format import FORMAT_VERSION, RECORDS_NAME, Manifest
from fieldwork.bundles.records import (
    AnswerRecord,
    BundleRecords,
    CaseDetailRecord,
    CaseRecord,
    ChangeRecord,
    record_to_json,
    records_from_store,
)
from fieldwork.identity.trust import add_trusted_key
from fieldwork.merge import accept_held, agreement, list_waiting, merge_bundles
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.store.assessments import set_answer, set_detail

from .helpers import INSPECTION, accept, identity

CREATED = "2026-11-02T12:00:00.000Z"  # the lead's test clock starts 2026-11-02 09:00
_SEQUENCES = itertools.count(500)  # clear of honest exports (1, 2, …), within the 1000 a first bundle may reach


def signed(person, lead, records: BundleRecords, *, created_at: str = CREATED, framework: FrameworkRef | None = None,
           signer=None) -> bytes:
    """A genuine bundle signed by `person`'s trusted key around any records, as a hostile writer makes it."""
    signer = signer or person.keys
    # Written by hand, as a hostile writer would: fieldwork's own writer refuses impossible times.
    data = b"".join(
        json.dumps(record_to_json(r), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        for r in records
    )
    inspection = records.inspection
    manifest = Manifest(
        format_version=FORMAT_VERSION, app_version=__version__, bundle_id=str(uuid.uuid4()), created_at=created_at,
        inspector_id=signer.person_id, signer_key_id=signer.key_id, recipients=(lead.keys.key_id,),
        inspection_id=INSPECTION,
        framework=framework or FrameworkRef(
            inspection.framework_id, inspection.framework_version, inspection.framework_hash
        ),
        sequence=next(_SEQUENCES), previous_manifest_sha256=hashlib.sha256(b"earlier").hexdigest(),
        members=(Member(RECORDS_NAME, len(data), hashlib.sha256(data).hexdigest()),),
        record_counts=records.counts(),
    )
    return assemble(manifest, data, signer, [lead.keys.public])


def merge_bytes(lead, tmp_path, data: bytes):
    path = tmp_path / f"hostile-{uuid.uuid4().hex[:8]}.fwbundle"
    path.write_bytes(data)
    [result] = merge_bundles(lead.store, [path], lead.keys).results
    return result


def own_records(person) -> BundleRecords:
    return records_from_store(person.store, INSPECTION, person.id)


def case_record(lead, case, status="in_progress") -> CaseRecord:
    """The case as the lead's store has it (what a bundle carrying it says)."""
    return CaseRecord(case.id, INSPECTION, case.case_ref, case.sample_id, status, 1, case.inspector_id,
                      case.created_at, CREATED)


def answer(case_id, question, value, by, *, revision=1, at=CREATED, note="") -> AnswerRecord:
    return AnswerRecord(case_id, question, value, note, revision, at, by)


def row(lead, case_id, question="2.1.1"):
    return lead.store.db.execute(
        "SELECT value, note, updated_by FROM answers WHERE case_id = ? AND question_id = ?", [case_id, question]
    ).fetchone()


def snapshot(lead) -> dict:
    db = lead.store.db
    return {
        table: sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)  # noqa: S608 (fixed names)
        for table in ("cases", "answers", "case_details", "change_log", "merge_versions", "merge_imports")
    }


def percent(lead, kq="2.1.1"):
    report = inspection_ratings(lead.store, INSPECTION)
    return next(t for s in report.ratings.standards for t in s.key_questions if t.id == kq).percent


# --- (a) I1 answers on I2's case as "I2, revision 99" ---------------------------------------------------


def test_an_answer_in_a_colleagues_name_is_refused_and_their_real_edit_stays_shown(lead, ann, bob, sample, tmp_path):
    crn001, crn003 = sample[0], sample[2]
    set_answer(ann.store, crn001.id, "2.1.1", value="yes")
    set_answer(bob.store, crn003.id, "2.1.1", value="no", note="bob: no plan")
    merge_bundles(lead.store, [ann.export(lead), bob.export(lead)], lead.keys)
    assert percent(lead) == 50
    before = snapshot(lead)

    mine = own_records(ann)
    forged = dataclasses.replace(
        mine, cases=(*mine.cases, case_record(lead, crn003)),
        answers=(*mine.answers, answer(crn003.id, "2.1.1", "yes", "bob", revision=99, note="forged")),
    )
    result = merge_bytes(lead, tmp_path, signed(ann, lead, forged))
    assert (result.status, result.code) == ("refused", "foreign-author")
    assert "bob" in result.message and "ann" in result.message
    assert snapshot(lead) == before and percent(lead) == 50

    # bob really edits his answer later (his revision 2): it is what the lead sees.
    set_answer(bob.store, crn003.id, "2.1.1", value="no", note="bob: still no plan")
    merge_bundles(lead.store, [bob.export(lead)], lead.keys)
    assert row(lead, crn003.id) == ("no", "bob: still no plan", "bob")


def test_an_answer_on_a_colleagues_case_in_ones_own_name_is_held_until_accepted(lead, ann, bob, sample, tmp_path):
    crn001, crn003 = sample[0], sample[2]
    set_answer(ann.store, crn001.id, "2.1.1", value="yes")
    set_answer(bob.store, crn003.id, "2.1.1", value="no", note="bob: no plan")
    merge_bundles(lead.store, [ann.export(lead), bob.export(lead)], lead.keys)

    mine = own_records(ann)
    intruding = dataclasses.replace(
        mine, cases=(*mine.cases, case_record(lead, crn003)),
        answers=(*mine.answers, answer(crn003.id, "2.1.1", "yes", "ann", revision=99, at="2026-11-02T11:59:00.000Z")),
    )
    result = merge_bytes(lead, tmp_path, signed(ann, lead, intruding))
    assert result.merged
    assert row(lead, crn003.id) == ("no", "bob: no plan", "bob") and percent(lead) == 50
    assert result.held.to_json() == {"cases_added": 0, "cases_not_allocated": 1, "answers_on_others_cases": 1}
    assert any("held out of the ratings" in note for note in result.notes)
    [waiting] = [w for w in list_waiting(lead.store, INSPECTION) if w.inspector_id == "ann"]
    assert (waiting.case_ref, waiting.inspector_id, waiting.reason, waiting.allocated_to) == ("CRN003", "ann", "other",
                                                                                             "bob")

    # Accepted, ann's revision 99 does not outrank bob's revision 1: two people's answers are a conflict.
    accept(lead)
    conflict = lead.store.db.execute("SELECT reason FROM merge_open_conflicts WHERE case_id = ?", [crn003.id])
    assert conflict.fetchone() == ("parallel",)
    logged = lead.store.db.execute(
        "SELECT actor, field, old, new, source FROM change_log WHERE case_id = ? AND source = 'merge-acceptance'",
        [crn003.id],
    ).fetchall()
    assert logged == [("lead", "accepted", "other", "ann", "merge-acceptance")]


# --- (b) records claiming to be the lead ------------------------------------------------------------------


@pytest.mark.parametrize("where", ["answer", "change"])
def test_records_in_the_leads_name_are_refused(lead, ann, sample, tmp_path, where):
    crn001 = sample[0]
    set_answer(ann.store, crn001.id, "2.1.1", value="yes")
    mine = own_records(ann)
    if where == "answer":
        hostile = dataclasses.replace(
            mine, answers=(*mine.answers, answer(crn001.id, "2.1.2", "no", "lead", note="lead decided"))
        )
    else:
        entry = ChangeRecord(str(uuid.uuid4()), CREATED, "lead", INSPECTION, crn001.id, "answer", "2.1.1",
                             "resolution", "no", "yes", "conflict-resolution")
        hostile = dataclasses.replace(mine, changes=(*mine.changes, entry))
    before = snapshot(lead)
    result = merge_bytes(lead, tmp_path, signed(ann, lead, hostile))
    assert (result.status, result.code) == ("refused", "foreign-author")
    assert snapshot(lead) == before
    lead_entries = lead.store.db.execute("SELECT COUNT(*) FROM change_log WHERE actor = 'lead' AND source != 'app'")
    assert lead_entries.fetchone() == (0,)


def test_a_bundle_signed_as_the_lead_is_refused(lead, ann, sample, tmp_path):
    """Even a key trusted for the lead's person id cannot bring work in as the lead's own."""
    add_trusted_key(lead.store, identity("lead").public, [INSPECTION])
    crn001 = sample[0]
    records = own_records(ann)
    as_lead = dataclasses.replace(
        records, answers=(answer(crn001.id, "2.1.1", "yes", "lead"),),
        changes=(), details=(),
    )
    before = snapshot(lead)
    result = merge_bytes(lead, tmp_path, signed(ann, lead, as_lead, signer=identity("lead")))
    assert (result.status, result.code) == ("refused", "foreign-author")
    assert snapshot(lead) == before


# --- (c) a colleague's answer inside one's own case: a made-up double read ---------------------------------


def test_a_colleagues_answer_inside_ones_own_case_cannot_make_a_double_read(lead, ann, sample, tmp_path):
    crn001 = sample[0]
    set_answer(ann.store, crn001.id, "2.1.1", value="yes")
    merge_bundles(lead.store, [ann.export(lead)], lead.keys)
    mine = own_records(ann)
    # The next bundle says cat read ann's case too, and disagreed: a second reader who never read it.
    cat_says = [answer(crn001.id, "2.1.1", "no", "cat") if a.question_id == "2.1.1" else a for a in mine.answers]
    result = merge_bytes(lead, tmp_path, signed(ann, lead, dataclasses.replace(mine, answers=tuple(cat_says))))
    assert (result.status, result.code) == ("refused", "foreign-author")
    report = agreement(lead.store, INSPECTION)
    assert report.overall.double_read == 0 and report.overall.pairs == 0
    assert {a for (a,) in lead.store.db.execute("SELECT DISTINCT author FROM merge_versions")} == {"ann"}


# --- (d) timestamps ------------------------------------------------------------------------------------------


def _double_read(lead, ann, bob, sample):
    case = sample[1]  # CRN002: ann's case, which bob reads too (the lead accepts his second read)
    set_answer(ann.store, case.id, "2.1.1", value="yes", note="ann saw it")
    merge_bundles(lead.store, [ann.export(lead)], lead.keys)
    return case


def test_a_far_future_time_cannot_decide_which_version_is_shown(lead, ann, bob, sample, tmp_path):
    case = _double_read(lead, ann, bob, sample)
    theirs = own_records(bob)
    future = dataclasses.replace(
        theirs, answers=(*theirs.answers, answer(case.id, "2.1.1", "no", "bob", at="9999-12-31T23:59:59.999Z")),
    )
    before = snapshot(lead)
    # Times after the bundle was made are refused by the record rules...
    result = merge_bytes(lead, tmp_path, signed(bob, lead, future))
    assert (result.status, result.code) == ("refused", "malformed-record")
    # ...and a bundle "made" in the far future is refused against the lead's clock.
    result = merge_bytes(lead, tmp_path, signed(bob, lead, future, created_at="9999-12-31T23:59:59.999Z"))
    assert (result.status, result.code) == ("refused", "future-bundle")
    assert "date" in result.message
    assert snapshot(lead) == before
    assert row(lead, case.id) == ("yes", "ann saw it", "ann")


@pytest.mark.parametrize(
    "stamp", ["2026-02-30T10:00:00.000Z", "2026-11-02T25:00:00.000Z", "0000-01-01T00:00:00.000Z",
              "1999-12-31T23:59:59.999Z"],
)
def test_impossible_or_ancient_times_are_refused(lead, ann, sample, tmp_path, stamp):
    crn001 = sample[0]
    mine = own_records(ann)
    in_record = dataclasses.replace(mine, answers=(answer(crn001.id, "2.1.1", "yes", "ann", at=stamp),))
    assert merge_bytes(lead, tmp_path, signed(ann, lead, in_record)).code == "malformed-record"
    as_created = merge_bytes(lead, tmp_path, signed(ann, lead, mine, created_at=stamp))
    assert as_created.code == "malformed-manifest"
    assert lead.store.db.execute("SELECT COUNT(*) FROM merge_imports").fetchone() == (0,)


# --- (e) cases added by hand ---------------------------------------------------------------------------------


def test_forty_made_up_complete_cases_do_not_move_a_rating_until_accepted(lead, ann, bob, sample, tmp_path, capsys):
    set_answer(ann.store, sample[0].id, "2.1.1", value="yes")
    set_answer(ann.store, sample[0].id, "2.1.2", value="no")
    set_answer(ann.store, sample[1].id, "2.1.1", value="no")
    set_answer(ann.store, sample[1].id, "2.1.2", value="no")
    merge_bundles(lead.store, [ann.export(lead)], lead.keys)
    honest = inspection_ratings(lead.store, INSPECTION)
    rating = honest.standard("2.1").rating
    assert honest.cases.total == 3

    mine = own_records(ann)
    made_up, answers = [], []
    for n in range(40):
        case_id = str(uuid.UUID(int=n + 1, version=4))
        made_up.append(CaseRecord(case_id, INSPECTION, f"MADE{n:02d}", "supervision", "complete", 3, "ann", CREATED,
                                  CREATED))
        answers += [answer(case_id, "2.1.1", "yes", "ann"), answer(case_id, "2.1.2", "yes", "ann")]
    padded = dataclasses.replace(mine, cases=(*mine.cases, *made_up), answers=(*mine.answers, *answers))
    path = tmp_path / "padded.fwbundle"
    path.write_bytes(signed(ann, lead, padded))

    report = merge_bundles(lead.store, [path], lead.keys)
    [result] = report.results
    assert result.merged
    held = inspection_ratings(lead.store, INSPECTION)
    assert held.standard("2.1").rating == rating, "40 made-up cases moved the rating without a word"
    assert held.cases == honest.cases  # not even counted as cases yet
    assert result.held.cases_added == 40
    assert report.to_json()["awaiting_acceptance"] == {
        "cases_added": 40, "cases_not_allocated": 0, "answers_on_others_cases": 0,
    }
    assert report.to_json()["imported"][0]["held"]["cases_added"] == 40

    accepted = accept_held(lead.store, INSPECTION)
    assert accepted.cases == 40 and accepted.held.cases_added == 40
    after = inspection_ratings(lead.store, INSPECTION)
    assert after.standard("2.1").rating != rating and after.cases.total == 43
    assert lead.store.db.execute(
        "SELECT COUNT(*) FROM change_log WHERE source = 'merge-acceptance' AND field = 'accepted' AND old = 'added'"
    ).fetchone() == (40,)
    assert accept_held(lead.store, INSPECTION).cases == 0  # nothing waits any more


def test_answers_on_a_case_allocated_to_nobody_wait_for_the_lead(lead, ann, sample, tmp_path):
    from fieldwork.store.inspections import add_case

    nobody = add_case(lead.store, lead.inspection, "CRN009")
    mine = own_records(ann)
    hostile = dataclasses.replace(
        mine, cases=(*mine.cases, case_record(lead, nobody)),
        answers=(*mine.answers, answer(nobody.id, "2.1.1", "yes", "ann")),
    )
    result = merge_bytes(lead, tmp_path, signed(ann, lead, hostile))
    assert row(lead, nobody.id) is None and result.held.cases_not_allocated == 1
    accept(lead)
    assert row(lead, nobody.id) == ("yes", "", "ann")


# --- (f) the framework, its questions and its case-detail values --------------------------------------------


def test_a_bundle_naming_another_framework_id_or_version_is_refused_even_with_the_same_hash(
    lead, ann, sample, tmp_path
):
    mine = own_records(ann)
    for other in ({"framework_id": "other-framework"}, {"framework_version": "9.9"}):
        renamed = dataclasses.replace(mine, inspection=dataclasses.replace(mine.inspection, **other))
        ref = FrameworkRef(renamed.inspection.framework_id, renamed.inspection.framework_version,
                           renamed.inspection.framework_hash)
        result = merge_bytes(lead, tmp_path, signed(ann, lead, renamed, framework=ref))
        assert (result.status, result.code) == ("refused", "framework-mismatch")
    assert lead.store.db.execute("SELECT COUNT(*) FROM merge_imports").fetchone() == (0,)


def test_answers_to_questions_no_case_is_asked_are_refused(lead, ann, sample, tmp_path):
    crn001 = sample[0]  # a supervision case; 1.1.1 is a standard the lead rates by judgement
    mine = own_records(ann)
    hostile = dataclasses.replace(mine, answers=(*mine.answers, answer(crn001.id, "1.1.1", "yes", "ann")))
    result = merge_bytes(lead, tmp_path, signed(ann, lead, hostile))
    assert (result.status, result.code) == ("refused", "malformed-record")
    assert "not asked" in result.message


def test_an_answer_to_another_samples_question_is_kept_and_never_counted(lead, ann, sample, tmp_path):
    """Decision 0036: a case's set may change after it was answered, so its answers to the other
    set's questions travel and are kept; the ratings count only the case's own set."""
    crn001 = sample[0]  # a supervision case; 3.1.1 is asked of unpaid-work cases only
    mine = own_records(ann)
    hostile = dataclasses.replace(mine, answers=(*mine.answers, answer(crn001.id, "3.1.1", "yes", "ann")))
    result = merge_bytes(lead, tmp_path, signed(ann, lead, hostile))
    assert result.status == "imported"
    assert row(lead, crn001.id, "3.1.1") == ("yes", "", "ann")
    assert percent(lead, "3.1.1") is None


@pytest.mark.parametrize(("field", "value"), [("rosh", "extreme"), ("rosh", "High"), ("start_date", "2026-02-30"),
                                              ("start_date", "last Tuesday")])
def test_case_detail_values_outside_the_framework_are_refused(lead, ann, sample, tmp_path, field, value):
    crn001 = sample[0]
    mine = own_records(ann)
    detail = CaseDetailRecord(crn001.id, field, value, 1, CREATED, "ann")
    hostile = dataclasses.replace(mine, details=(detail,))
    result = merge_bytes(lead, tmp_path, signed(ann, lead, hostile))
    assert (result.status, result.code) == ("refused", "malformed-record")
    assert lead.store.db.execute("SELECT COUNT(*) FROM merge_imports").fetchone() == (0,)


def test_a_case_detail_in_someone_elses_name_is_never_stored_as_theirs(lead, ann, sample, tmp_path):
    """Copies of the lead's rows (from the allocation pack) add nothing and are dropped; a 'copy'
    the lead's store never had is the signer's word: stored as the signer's version, which
    contends with the lead's own value instead of passing for somebody else's."""
    crn001 = sample[0]
    set_detail(lead.store, crn001.id, "rosh", "low")
    value, revision, at, by = lead.store.db.execute(
        "SELECT value, revision, updated_at, updated_by FROM case_details WHERE case_id = ? AND field_id = 'rosh'",
        [crn001.id],
    ).fetchone()
    mine = own_records(ann)
    copy = CaseDetailRecord(crn001.id, "rosh", value, revision, at, by)
    assert merge_bytes(lead, tmp_path, signed(ann, lead, dataclasses.replace(mine, details=(copy,)))).merged
    assert lead.store.db.execute("SELECT COUNT(*) FROM merge_versions WHERE kind = 'detail'").fetchone() == (0,)

    made_up = CaseDetailRecord(crn001.id, "rosh", "high", revision + 6, CREATED, "bob")
    result = merge_bytes(lead, tmp_path, signed(ann, lead, dataclasses.replace(mine, details=(made_up,))))
    assert result.merged and result.conflicts == 1
    authors = lead.store.db.execute(
        "SELECT author, value, origin FROM merge_versions WHERE kind = 'detail' ORDER BY id"
    ).fetchall()
    assert authors == [("lead", "low", "local"), ("ann", "high", "bundle")]  # never bob's
    assert lead.store.db.execute(
        "SELECT value, updated_by FROM case_details WHERE case_id = ? AND field_id = 'rosh'", [crn001.id]
    ).fetchone() == ("low", "lead")


def test_the_summary_json_lists_what_is_held(lead, ann, bob, sample, tmp_path):
    """The CLI's merge --json output carries the same counts (shape checked here, numbers above)."""
    report = merge_bundles(lead.store, [bob.export(lead)], lead.keys)  # bob has ann's CRN002, unanswered
    expected = {"cases_added": 0, "cases_not_allocated": 1, "answers_on_others_cases": 0}
    as_json = json.loads(json.dumps(report.to_json()))
    assert as_json["awaiting_acceptance"] == expected and as_json["imported"][0]["held"] == expected
