"""Re-issued packs: cases added, moved away (kept, flagged, answers intact), details updated by the
merge's rule, held back on complete cases; the same pack twice is a no-op; an older one is refused."""

from __future__ import annotations

import pytest

from fieldwork.bundles import export_bundle, verify_bundle
from fieldwork.identity import load_trust_list
from fieldwork.imports.case_sample import import_case_sample
from fieldwork.packs import PackError, apply_pack, export_pack, moved_away_cases, plan_pack
from fieldwork.store.assessments import find_case, load_assessment, set_answer, set_detail, set_status
from fieldwork.store.changelog import case_history

from .conftest import INSPECTION, verify_for
from .helpers import dump


def reimport(lead_store, tmp_path, rows: str, name: str = "sample.csv"):
    path = tmp_path / name
    path.write_text("case_ref,inspector_id,ldu,rosh\n" + rows, encoding="utf-8")
    return import_case_sample(lead_store, INSPECTION, path)


def issue(lead_store, lead_keys, out_dir):
    return export_pack(lead_store, INSPECTION, "ann", out_dir, identity=lead_keys)


def open_pack(ann_store, ann_keys, pack):
    return apply_pack(ann_store, verify_for(ann_store, pack.path, ann_keys))


@pytest.fixture
def worked(lead_store, ann_store, ann_keys, ann_pack):
    """Ann opened her first pack, answered CRN002 and corrected CRN001's RoSH level herself."""
    open_pack(ann_store, ann_keys, ann_pack)
    crn002 = find_case(ann_store, INSPECTION, "CRN002")
    set_answer(ann_store, crn002.id, "2.1.1", value="no", note="No engagement recorded.")
    set_answer(ann_store, crn002.id, "2.1.1.a", value="no")
    crn001 = find_case(ann_store, INSPECTION, "CRN001")
    set_detail(ann_store, crn001.id, "rosh", "medium")
    return ann_store


def test_reissue_adds_moves_away_and_updates_without_touching_answers(
    worked, lead_store, lead_keys, ann_keys, out_dir, tmp_path
):
    ann_store = worked
    reimport(lead_store, tmp_path, "CRN001,ann,North East,\nCRN002,bob,,\nCRN005,ann,West,low\n")
    crn002 = find_case(ann_store, INSPECTION, "CRN002")
    answers_before = load_assessment(ann_store, crn002.id).answers
    second = issue(lead_store, lead_keys, out_dir)
    assert second.manifest.sequence == 2 and second.cases == 3

    result = open_pack(ann_store, ann_keys, second)
    source = f"pack:{second.manifest.pack_id}"
    assert result.added == ("CRN005",)
    assert result.moved_away == ("CRN002",)
    assert [(u.case_ref, u.field_id, u.old, u.new) for u in result.updated] == [
        ("CRN001", "ldu", "North", "North East")
    ]
    # Ann's own RoSH correction (revision 2) is newer than the lead's untouched value: kept, reported.
    assert [(k.case_ref, k.field_id, k.old, k.new) for k in result.kept_local] == [
        ("CRN001", "rosh", "medium", "high")
    ]

    # The moved case stays, flagged, with its answers and status; nothing was deleted.
    moved = load_assessment(ann_store, crn002.id)
    assert moved.answers == answers_before and moved.case.status == "in_progress"
    assert moved.case.inspector_id == "ann"
    flags = moved_away_cases(ann_store, INSPECTION)
    assert set(flags) == {crn002.id} and flags[crn002.id].pack_id == second.manifest.pack_id
    assert ("allocation", "allocated", "moved away", source) in [
        (h.field, h.old, h.new, h.source) for h in case_history(ann_store, crn002.id)
    ]
    crn001 = find_case(ann_store, INSPECTION, "CRN001")
    assert load_assessment(ann_store, crn001.id).details == {"ldu": "North East", "rosh": "medium"}
    assert ("value", "North", "North East", source) in [
        (h.field, h.old, h.new, h.source) for h in case_history(ann_store, crn001.id) if h.key == "ldu"
    ]
    crn005 = find_case(ann_store, INSPECTION, "CRN005")
    assert crn005.id == lead_store.db.execute("SELECT id FROM cases WHERE case_ref = 'CRN005'").fetchone()[0]
    assert load_assessment(ann_store, crn005.id).details == {"ldu": "West", "rosh": "low"}

    # Ann's next bundle still hands over her answers on the moved case.
    bundle = export_bundle(ann_store, INSPECTION, out_dir, identity=ann_keys)
    records = verify_bundle(bundle.path, identity=lead_keys, trust=load_trust_list(lead_store)).records
    assert {c.case_ref for c in records.cases} == {"CRN001", "CRN002", "UPW001", "CRN005"}
    assert (crn002.id, "2.1.1", "no") in {(a.case_uuid, a.question_id, a.value) for a in records.answers}


def test_the_same_pack_twice_changes_nothing(worked, lead_store, lead_keys, ann_keys, ann_pack, out_dir, tmp_path):
    ann_store = worked
    before = dump(ann_store)
    again = open_pack(ann_store, ann_keys, ann_pack)
    assert again.already_applied and not again.changed and "nothing changed" in again.summary()
    assert dump(ann_store) == before
    reimport(lead_store, tmp_path, "CRN005,ann,West,low\n")
    second = issue(lead_store, lead_keys, out_dir)
    open_pack(ann_store, ann_keys, second)
    before = dump(ann_store)
    assert not open_pack(ann_store, ann_keys, second).changed
    assert dump(ann_store) == before


def test_an_older_pack_is_refused_and_changes_nothing(worked, lead_store, lead_keys, ann_keys, ann_pack, out_dir):
    second = issue(lead_store, lead_keys, out_dir)
    third = issue(lead_store, lead_keys, out_dir)
    open_pack(worked, ann_keys, third)
    before = dump(worked)
    for older in (ann_pack, second):  # one applied before, one never seen
        with pytest.raises(PackError) as caught:
            open_pack(worked, ann_keys, older)
        assert caught.value.code == "stale-pack"
        assert f"number {older.manifest.sequence}" in caught.value.message and "number 3" in caught.value.message
    assert dump(worked) == before


def test_a_change_on_a_complete_case_is_held_back_until_it_is_reopened(
    worked, lead_store, lead_keys, ann_keys, out_dir, tmp_path
):
    ann_store = worked
    reimport(lead_store, tmp_path, "CRN005,ann,West,low\n")
    open_pack(ann_store, ann_keys, issue(lead_store, lead_keys, out_dir))
    crn005 = find_case(ann_store, INSPECTION, "CRN005")
    set_answer(ann_store, crn005.id, "2.1.1", value="yes", note="Engaged well.")
    set_answer(ann_store, crn005.id, "2.1.2", value="yes", note="Risk managed.")
    set_status(ann_store, crn005.id, "complete")

    reimport(lead_store, tmp_path, "CRN005,ann,,high\n", name="corrected.csv")
    third = issue(lead_store, lead_keys, out_dir)
    result = open_pack(ann_store, ann_keys, third)
    assert [(h.case_ref, h.field_id, h.old, h.new) for h in result.held_back] == [("CRN005", "rosh", "low", "high")]
    assert result.updated == ()
    assessment = load_assessment(ann_store, crn005.id)
    assert assessment.details["rosh"] == "low" and assessment.case.status == "complete"

    set_status(ann_store, crn005.id, "in_progress")
    again = open_pack(ann_store, ann_keys, third)
    assert again.already_applied and again.changed
    assert [(u.case_ref, u.new) for u in again.updated] == [("CRN005", "high")]
    assert load_assessment(ann_store, crn005.id).details["rosh"] == "high"
    assert not open_pack(ann_store, ann_keys, third).changed


def test_a_case_moved_back_is_allocated_again(worked, lead_store, lead_keys, ann_keys, out_dir, tmp_path):
    ann_store = worked
    reimport(lead_store, tmp_path, "CRN002,bob,,\n")
    assert open_pack(ann_store, ann_keys, issue(lead_store, lead_keys, out_dir)).moved_away == ("CRN002",)
    reimport(lead_store, tmp_path, "CRN002,ann,,\n", name="back.csv")
    result = open_pack(ann_store, ann_keys, issue(lead_store, lead_keys, out_dir))
    assert result.returned == ("CRN002",) and result.moved_away == () and result.added == ()
    assert moved_away_cases(ann_store, INSPECTION) == {}
    crn002 = find_case(ann_store, INSPECTION, "CRN002")
    assert load_assessment(ann_store, crn002.id).answers["2.1.1"].value == "no"


def test_the_lead_changing_the_inspection_updates_it(worked, lead_store, lead_keys, ann_keys, out_dir):
    with lead_store.transaction() as db:
        db.execute("UPDATE inspections SET fieldwork_end = '2026-11-20' WHERE id = ?", [INSPECTION])
    pack = issue(lead_store, lead_keys, out_dir)
    plan = plan_pack(worked, verify_for(worked, pack.path, ann_keys))
    assert [(u.field, u.old, u.new) for u in plan.inspection_updates] == [("fieldwork_end", "2026-11-13", "2026-11-20")]
    result = open_pack(worked, ann_keys, pack)
    assert [u.field for u in result.inspection_updates] == ["fieldwork_end"]
    row = worked.db.execute("SELECT fieldwork_end FROM inspections WHERE id = ?", [INSPECTION]).fetchone()
    assert row[0] == "2026-11-20"


def test_plan_pack_writes_nothing(lead_store, ann_store, ann_keys, ann_pack):
    before = dump(ann_store)
    plan = plan_pack(ann_store, verify_for(ann_store, ann_pack.path, ann_keys))
    assert plan.create_inspection and len(plan.added) == 3 and plan.changes_anything
    assert dump(ann_store) == before
