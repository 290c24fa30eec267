"""Retention: warned from 14 days before, then wiped N days after fieldwork ended; cases the lead has
not confirmed receiving stay until the inspector says otherwise."""

from __future__ import annotations

import pytest

from fieldwork.errors import FieldworkError, ValidationError
from fieldwork.handover.accept import accept_receipt
from fieldwork.handover.errors import ReceiptError
from fieldwork.handover.issue import issue_receipts
from fieldwork.handover.receipts import verify_receipt
from fieldwork.handover.retention import DUE, LATER, SKIPPED, UPCOMING, apply_retention, review
from fieldwork.store.backups import list_backups, take_backup
from fieldwork.store.inspections import create_inspection, list_inspections
from fieldwork.store.settings import RETENTION_DAYS, get_setting, list_settings, set_setting

from .helpers import INSPECTION, SUBJECT, at, case_markers, complete_case, export, markers_in, merge


def hand_over(world, person, tmp_path, *refs, wipe=False):
    for ref in refs:
        complete_case(person, ref)
    merge(world, export(person))
    out = tmp_path / f"receipts-{len(list(tmp_path.glob('receipts-*')))}"
    out.mkdir()
    issued = issue_receipts(world.lead.store, INSPECTION, out, identity=world.lead.keys, inspector_id=person.id)
    latest = max(issued, key=lambda r: r.receipt.sequence)
    accept_receipt(person.store, verify_receipt(person.store, latest.path), wipe=wipe)
    return latest.path


def item(store, day):
    [found] = [i for i in review(store, at(day)).items if i.inspection_id == INSPECTION]
    return found


def test_retention_warns_then_removes_an_inspection_handed_over_in_full(world, ann, tmp_path):
    receipt = hand_over(world, ann, tmp_path, "H001", "H002", "H003")  # handed over, data kept
    take_backup(ann.store, kind="manual")
    assert markers_in(ann.dir, case_markers("H001", "H002", "H003"))

    assert item(ann.store, "2027-01-20").state == LATER  # fieldwork ended 13 Nov 2026; 90 days
    warning = item(ann.store, "2027-01-30")
    assert (warning.state, warning.days_left, warning.due_on) == (UPCOMING, 12, "2027-02-11")
    assert "will be wiped from this laptop on 2027-02-11" in warning.sentence()
    assert apply_retention(ann.store, today=at("2027-01-30")).outcomes == ()  # a warning wipes nothing

    due = item(ann.store, "2027-02-11")
    assert (due.state, due.handed_over, due.not_handed_over) == (DUE, 3, 0)
    result = apply_retention(ann.store, today=at("2027-02-11"))
    assert [(o.inspection_id, o.removed, o.cases_wiped) for o in result.outcomes] == [(INSPECTION, True, 3)]
    assert result.cleanup.finished and len(list_backups(ann.dir)) == 1
    assert INSPECTION not in {i.id for i in list_inspections(ann.store)}
    assert not markers_in(ann.dir)  # nothing personal left: store, WAL, backups
    # What stays: the non-personal records.
    assert ann.store.db.execute("SELECT count(*) FROM handover_records WHERE wiped_at IS NOT NULL").fetchone()[0] == 3
    assert ann.store.db.execute(
        "SELECT inspection_id, retention_days, cases, not_handed_over FROM retention_wipes"
    ).fetchone() == (INSPECTION, 90, 3, 0)
    assert ann.store.db.execute("SELECT count(*) FROM bundle_exports").fetchone()[0] == 1
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(ann.store, receipt)
    assert caught.value.code == "unknown-inspection" and "retention" in caught.value.message


def test_cases_not_handed_over_stay_until_the_inspector_confirms(world, ann, tmp_path):
    hand_over(world, ann, tmp_path, "H001")
    due = item(ann.store, "2027-03-01")
    assert (due.state, due.handed_over, due.not_handed_over) == (DUE, 1, 2)
    assert "2 cases not handed over will stay" in due.sentence()

    first = apply_retention(ann.store, today=at("2027-03-01"))
    assert [(o.removed, o.cases_wiped, o.kept_not_handed_over) for o in first.outcomes] == [(False, 1, 2)]
    assert not markers_in(ann.dir, case_markers("H001"))
    assert markers_in(ann.dir, case_markers("H002", "H003"))  # never handed over: kept

    confirmed = apply_retention(ann.store, today=at("2027-03-01"), include_not_handed_over=True)
    assert [(o.removed, o.cases_wiped) for o in confirmed.outcomes] == [(True, 3)]
    assert not markers_in(ann.dir)
    assert ann.store.db.execute("SELECT not_handed_over FROM retention_wipes").fetchone() == (2,)


def test_retention_leaves_central_databases_practice_and_undated_inspections_alone(world, ann, mini_framework):
    lead_item = item(world.lead.store, "2030-01-01")
    assert lead_item.state == SKIPPED and "central database" in lead_item.skipped_because
    create_inspection(ann.store, inspection_id="UNDATED", provider="P", provider_type="CRC", framework=mini_framework)
    create_inspection(ann.store, inspection_id="PRACTICE", provider="P", provider_type="CRC",
                      framework=mini_framework, fieldwork_end="2020-01-01", is_demo=True)
    states = {i.inspection_id: (i.state, i.skipped_because) for i in review(ann.store, at("2030-01-01")).items}
    assert states["UNDATED"] == (SKIPPED, "it has no fieldwork end date")
    assert states["PRACTICE"] == (SKIPPED, "the practice inspection")
    assert apply_retention(world.lead.store, today=at("2030-01-01")).outcomes == ()
    with pytest.raises(FieldworkError) as caught:
        apply_retention(ann.store, inspection_id="UNDATED", today=at("2030-01-01"))
    assert caught.value.code == "not-due"


def test_retention_can_be_turned_off_and_its_days_changed(ann):
    assert get_setting(ann.store, RETENTION_DAYS) == "90"
    set_setting(ann.store, RETENTION_DAYS, "off")
    assert review(ann.store, at("2099-01-01")).days is None
    assert all(i.state == SKIPPED for i in review(ann.store, at("2099-01-01")).items)
    set_setting(ann.store, RETENTION_DAYS, "30")
    assert item(ann.store, "2026-12-13").state == DUE
    for bad in ("0", "-3", "soon", "4000"):
        with pytest.raises(ValidationError) as caught:
            set_setting(ann.store, RETENTION_DAYS, bad)
        assert caught.value.code == "invalid-setting"
    with pytest.raises(ValidationError):
        set_setting(ann.store, "wipe_everything", "yes")
    assert {s["name"]: s["value"] for s in list_settings(ann.store)} == {
        "handover_wipe": "ask", "retention_days": "30", "keys_unlocked_minutes": "15"
    }


def test_the_evidence_is_gone_from_every_backup_kind_after_retention(world, ann, tmp_path):
    hand_over(world, ann, tmp_path, "H001", "H002", "H003")
    take_backup(ann.store, kind="manual")
    take_backup(ann.store, kind="auto")
    assert markers_in(ann.dir, (SUBJECT,))
    apply_retention(ann.store, today=at("2027-02-12"))
    names = [b.path.name for b in list_backups(ann.dir)]
    assert len(names) == 1 and names[0].startswith("auto-")
    assert not markers_in(ann.dir, (SUBJECT,))
