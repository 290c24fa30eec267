"""A re-issued pack carries the lead's change of a case's question set (decision 0036).

The lead moves a case already sent to ann; her next pack moves it in her workspace, in the lead's
name with the lead's reason, keeping her answers (those the new set does not ask stop counting);
her next bundle merges at the lead without a word in anyone else's name. When ann moved the case
herself in the meantime, her set stays until the lead decides; a complete case is held back.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from fieldwork.bundles import export_bundle
from fieldwork.bundles.records import records_from_store
from fieldwork.merge import merge_bundles
from fieldwork.merge.sample_moves import decide_move, list_sample_moves
from fieldwork.packs import PackError, apply_pack, export_pack, plan_pack
from fieldwork.packs.format import PACK_NAME, PackCase, PackSampleChange, parse_payload
from fieldwork.store.assessments import change_sample, find_case, load_assessment, set_answer, set_status
from fieldwork.store.changelog import case_history

from .conftest import INSPECTION, verify_for
from .helpers import dump, open_inner


def issue(lead_store, lead_keys, out_dir):
    return export_pack(lead_store, INSPECTION, "ann", out_dir, identity=lead_keys)


def open_pack(ann_store, ann_keys, pack):
    return apply_pack(ann_store, verify_for(ann_store, pack.path, ann_keys))


def sample_log(store, case_id):
    return [(e.actor, e.field, e.old, e.new, e.source[:5]) for e in case_history(store, case_id)
            if e.field.startswith("sample")]


@pytest.fixture
def answered(lead_store, ann_store, ann_keys, ann_pack):
    """Ann opened her first pack and answered CRN002 (a supervision case)."""
    open_pack(ann_store, ann_keys, ann_pack)
    crn002 = find_case(ann_store, INSPECTION, "CRN002")
    set_answer(ann_store, crn002.id, "2.1.1", value="no", note="No engagement recorded.")
    return crn002.id


def test_the_leads_change_of_set_reaches_the_inspector_with_who_and_why_and_her_answers_kept(
    answered, lead_store, ann_store, lead_keys, ann_keys, out_dir, tmp_path
):
    crn002 = answered
    change_sample(lead_store, crn002, "unpaid_work", "Unpaid work requirement only")
    second = issue(lead_store, lead_keys, out_dir)
    [carried] = [c for c in second_payload(second, ann_keys) if c.uuid == crn002]
    assert carried.sample_change == PackSampleChange(
        "supervision", "Unpaid work requirement only", "lead-1", carried.sample_change.at
    )

    result = open_pack(ann_store, ann_keys, second)
    assert [(m.case_ref, m.old, m.new, m.by, m.reason, m.not_counting) for m in result.sample_moves] == [
        ("CRN002", "supervision", "unpaid_work", "lead-1", "Unpaid work requirement only", ("2.1.1",))
    ]
    assert "moved to another question set by the lead" in result.summary()
    assessment = load_assessment(ann_store, crn002)
    assert assessment.case.sample_id == "unpaid_work"
    assert assessment.answers["2.1.1"].value == "no"  # kept
    assert sample_log(ann_store, crn002) == [
        ("lead-1", "sample_override", "supervision", "unpaid_work", "pack:"),
        ("lead-1", "sample_reason", None, "Unpaid work requirement only", "pack:"),
    ]
    assert not open_pack(ann_store, ann_keys, second).changed  # the same pack again: nothing

    # Her bundle leaves the lead's entries out (they are the lead's, who has them) and merges whole.
    records = records_from_store(ann_store, INSPECTION, "ann")
    assert {c.actor for c in records.changes} == {"ann"}
    bundle = export_bundle(ann_store, INSPECTION, tmp_path / "ann.fwbundle", identity=ann_keys,
                           recipients=[lead_keys.public])
    [merged] = merge_bundles(lead_store, [bundle.path], lead_keys).results
    assert merged.status == "imported", merged.message
    assert find_case(lead_store, INSPECTION, "CRN002").sample_id == "unpaid_work"
    assert lead_store.db.execute(
        "SELECT value, updated_by FROM answers WHERE case_id = ? AND question_id = '2.1.1'", [crn002]
    ).fetchone() == ("no", "ann")


def pack_json(pack, keys) -> bytes:
    with zipfile.ZipFile(io.BytesIO(open_inner(pack.path.read_bytes(), keys))) as archive:
        return archive.read(PACK_NAME)


def second_payload(pack, keys) -> tuple[PackCase, ...]:
    return parse_payload(pack_json(pack, keys), pack.manifest).cases


def test_a_pack_without_a_move_is_written_as_before(ann_pack, ann_keys):
    """The field is optional and written only for a moved case, so other packs keep their bytes."""
    assert b"sample_change" not in pack_json(ann_pack, ann_keys)
    assert all(c.sample_change is None for c in second_payload(ann_pack, ann_keys))


def test_the_inspectors_own_change_stays_until_the_lead_decides_then_the_pack_brings_the_decision(
    answered, lead_store, ann_store, lead_keys, ann_keys, out_dir, tmp_path
):
    crn001 = find_case(ann_store, INSPECTION, "CRN001").id
    change_sample(ann_store, crn001, "unpaid_work", "Unpaid work requirement only")
    # Meanwhile the lead moves it the other way round (to the set it was in: a no-op here), then
    # issues a pack: the lead's set (supervision) differs from ann's, and the lead had not seen hers.
    second = issue(lead_store, lead_keys, out_dir)
    result = open_pack(ann_store, ann_keys, second)
    assert [(k.case_ref, k.old, k.new) for k in result.sample_kept_local] == [
        ("CRN001", "unpaid_work", "supervision")
    ]
    assert find_case(ann_store, INSPECTION, "CRN001").sample_id == "unpaid_work"

    # Ann's bundle: the lead's set is the one she moved from, so the merge applies her move.
    bundle = export_bundle(ann_store, INSPECTION, tmp_path / "ann.fwbundle", identity=ann_keys,
                           recipients=[lead_keys.public])
    merge_bundles(lead_store, [bundle.path], lead_keys)
    assert find_case(lead_store, INSPECTION, "CRN001").sample_id == "unpaid_work"


def test_the_leads_change_after_merging_the_inspectors_goes_back_with_the_next_pack(
    answered, lead_store, ann_store, lead_keys, ann_keys, out_dir, tmp_path
):
    crn001 = find_case(ann_store, INSPECTION, "CRN001").id
    set_answer(ann_store, crn001, "2.1.1", value="yes", note="Seen weekly.")
    change_sample(lead_store, crn001, "unpaid_work", "Lead: unpaid work")
    change_sample(lead_store, crn001, "supervision", "Lead: no, supervision after all")
    change_sample(ann_store, crn001, "unpaid_work", "Ann: unpaid work")
    bundle = export_bundle(ann_store, INSPECTION, tmp_path / "ann.fwbundle", identity=ann_keys,
                           recipients=[lead_keys.public])
    merge_bundles(lead_store, [bundle.path], lead_keys)
    # Her move was made from supervision, the lead's set now: applied (the sets alone are compared).
    assert find_case(lead_store, INSPECTION, "CRN001").sample_id == "unpaid_work"
    change_sample(lead_store, crn001, "supervision", "Lead: supervision, as agreed with Ann")

    third = issue(lead_store, lead_keys, out_dir)
    result = open_pack(ann_store, ann_keys, third)
    assert [(m.old, m.new, m.by) for m in result.sample_moves] == [("unpaid_work", "supervision", "lead-1")]
    assessment = load_assessment(ann_store, crn001)
    assert assessment.case.sample_id == "supervision" and assessment.answers["2.1.1"].value == "yes"


def test_a_change_of_set_on_a_complete_case_is_held_back_until_it_is_reopened(
    answered, lead_store, ann_store, lead_keys, ann_keys, out_dir
):
    crn002 = answered
    set_answer(ann_store, crn002, "2.1.1.a", value="no")
    set_answer(ann_store, crn002, "2.1.2", value="yes", note="Risk managed.")
    set_status(ann_store, crn002, "complete")
    change_sample(lead_store, crn002, "unpaid_work", "Unpaid work requirement only")
    second = issue(lead_store, lead_keys, out_dir)
    result = open_pack(ann_store, ann_keys, second)
    assert [(h.case_ref, h.new) for h in result.sample_held_back] == [("CRN002", "unpaid_work")]
    assert find_case(ann_store, INSPECTION, "CRN002").sample_id == "supervision"

    set_status(ann_store, crn002, "in_progress")
    again = open_pack(ann_store, ann_keys, second)
    assert again.changed and [m.new for m in again.sample_moves] == ["unpaid_work"]
    assert find_case(ann_store, INSPECTION, "CRN002").sample_id == "unpaid_work"


def test_planning_a_pack_that_moves_a_case_writes_nothing(answered, lead_store, ann_store, lead_keys, ann_keys,
                                                          out_dir):
    change_sample(lead_store, answered, "unpaid_work", "Unpaid work requirement only")
    second = issue(lead_store, lead_keys, out_dir)
    before = dump(ann_store)
    plan = plan_pack(ann_store, verify_for(ann_store, second.path, ann_keys))
    assert [m.new for m in plan.sample_moves] == ["unpaid_work"]
    assert dump(ann_store) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"from": "supervision", "reason": "r", "by": "lead-1"}, "lacks fields"),
        ({"from": "supervision", "reason": "r", "by": "lead-1", "at": "2026-11-02T09:00:00.000Z", "x": 1},
         "unknown fields"),
        ({"from": "unpaid_work", "reason": "r", "by": "lead-1", "at": "2026-11-02T09:00:00.000Z"}, "its own sample"),
        ({"from": "supervision", "reason": "two\nlines", "by": "lead-1", "at": "2026-11-02T09:00:00.000Z"},
         "reason is not valid"),
        (None, "not an object"),
    ],
)
def test_a_malformed_sample_change_is_refused(ann_pack, ann_keys, change, message):
    raw = json.loads(pack_json(ann_pack, ann_keys))
    case = next(c for c in raw["cases"] if c["sample"] == "unpaid_work")
    case["sample_change"] = change
    with pytest.raises(PackError, match=message):
        parse_payload(json.dumps(raw).encode(), ann_pack.manifest)


def test_a_move_from_a_sample_the_framework_lacks_is_refused(lead_store, lead_keys, ann_keys, ann_store, out_dir):
    from fieldwork.packs.verify import check_payload_fits
    from fieldwork.store.inspections import framework_for, get_inspection

    pack = issue(lead_store, lead_keys, out_dir)
    raw = json.loads(pack_json(pack, ann_keys))
    raw["cases"][0]["sample_change"] = {
        "from": "imaginary", "reason": "r", "by": "lead-1", "at": "2026-11-02T09:00:00.000Z"
    }
    payload = parse_payload(json.dumps(raw).encode(), pack.manifest)
    framework = framework_for(lead_store, get_inspection(lead_store, INSPECTION))
    with pytest.raises(PackError, match="moved from unknown sample 'imaginary'"):
        check_payload_fits(payload, framework)


def test_the_same_move_by_the_lead_and_the_inspector_is_agreement_with_nothing_to_decide(
    answered, lead_store, ann_store, lead_keys, ann_keys, tmp_path
):
    """(The lead and an inspector choosing different sets: tests/merge/test_sample_moves.py.)"""
    crn001 = find_case(ann_store, INSPECTION, "CRN001").id
    change_sample(lead_store, crn001, "unpaid_work", "Lead")
    change_sample(ann_store, crn001, "unpaid_work", "Ann")
    bundle = export_bundle(ann_store, INSPECTION, tmp_path / "ann.fwbundle", identity=ann_keys,
                           recipients=[lead_keys.public])
    merge_bundles(lead_store, [bundle.path], lead_keys)
    assert [m.status for m in list_sample_moves(lead_store, INSPECTION, status=None)] == ["agreed"]
    with pytest.raises(Exception, match="not waiting for a decision"):
        decide_move(lead_store, list_sample_moves(lead_store, INSPECTION, status=None)[0].id, take=True, reason="x")
