"""The handover in the app: the lead's Save receipts…, the inspector's File → Accept a handover
receipt… (ask, wipe, refusals), the settings, and the retention banner and wipe at start-up."""

from __future__ import annotations

import datetime as dt

import pytest
from handover.helpers import (
    INSPECTION,
    case_markers,
    complete_case,
    export,
    make_world,
    markers_in,
    merge,
)

from fieldwork.gui import handover_dialog
from fieldwork.gui.handover_dialog import HandoverChoice, HandoverDialog, HandoverSettingsDialog
from fieldwork.gui.merge_view import MergeView
from fieldwork.handover.accept import plan_receipt
from fieldwork.handover.issue import issue_receipts
from fieldwork.handover.receipts import verify_receipt
from fieldwork.store import open_store
from fieldwork.store.inspections import framework_for, get_inspection, list_inspections
from fieldwork.store.settings import get_setting, set_setting


@pytest.fixture
def world(tmp_path, mini):
    made = make_world(tmp_path, mini)
    yield made
    made.close()


def _receipt(world, tmp_path, *refs):
    ann = world.inspectors["ann"]
    for ref in refs:
        complete_case(ann, ref)
    merge(world, export(ann))
    out = tmp_path / f"receipts{len(list(tmp_path.glob('receipts*')))}"
    out.mkdir()
    issued = issue_receipts(world.lead.store, INSPECTION, out, identity=world.lead.keys)
    return max(issued, key=lambda r: r.receipt.sequence).path


def _reopen_at(person, day: str):
    """The person's store again, with the app's clock on a given day (for retention)."""
    person.store.close()
    moment = dt.datetime.fromisoformat(day).replace(hour=9, tzinfo=dt.UTC)
    person.store = open_store(person.dir, actor=person.id, clock=lambda: moment)
    return person.store


def test_the_lead_saves_receipts_from_the_merge_tab(qtbot, world, tmp_path):
    ann = world.inspectors["ann"]
    complete_case(ann, "H001")
    lead = world.lead.store
    inspection = get_inspection(lead, INSPECTION)
    view = MergeView(lead, inspection, framework_for(lead, inspection))
    qtbot.addWidget(view)
    assert view.receipts_button.isEnabled() and view.receipts_button.text() == "Save &receipts…"
    folder = tmp_path / "out"
    folder.mkdir()
    assert "No bundle has been merged" in view.save_receipts(str(folder), world.lead.keys)
    with qtbot.waitSignal(view.merged, timeout=20000):
        view.merge_files([str(export(ann))], world.lead.keys)
    text = view.save_receipts(str(folder), world.lead.keys)
    assert "Wrote 1 receipt to" in text and "ann, bundle 1 (3 cases)" in text
    assert len(list(folder.glob("*.fwreceipt"))) == 1
    assert view.save_receipts(str(folder), world.lead.keys) is None  # every bundle has one
    assert "Wrote 1 receipt to" in view.save_receipts(str(folder), world.lead.keys, every=True)


def test_accepting_a_receipt_shows_each_case_asks_and_wipes(qtbot, world, tmp_path, make_window, message_boxes,
                                                             monkeypatch):
    ann = world.inspectors["ann"]
    path = _receipt(world, tmp_path, "H001", "H002")
    plan = plan_receipt(ann.store, verify_receipt(ann.store, path))
    dialog = HandoverDialog(plan)
    qtbot.addWidget(dialog)
    rows = [(dialog.model.data(dialog.model.index(r, 0)), dialog.model.data(dialog.model.index(r, 2)))
            for r in range(dialog.model.rowCount())]
    assert rows == [("H001", "Will be marked handed over"), ("H002", "Will be marked handed over"),
                    ("H003", "Stays: not complete")]
    assert dialog.wipe_radio.isChecked() and dialog.ok_button.text() == "&Mark handed over and delete"
    dialog.keep_radio.setChecked(True)
    assert dialog.ok_button.text() == "&Mark handed over" and dialog.choice() == HandoverChoice(False, False)

    window = make_window(ann.store)
    asked = []
    monkeypatch.setattr(HandoverDialog, "ask", classmethod(lambda cls, parent, p: asked.append(p) or
                                                           HandoverChoice(wipe=True, remember=True)))
    run = handover_dialog.accept_receipt_file(window, str(path))
    qtbot.waitUntil(lambda: run.done, timeout=20000)
    assert len(asked) == 1
    kind, text = message_boxes[-1]
    assert kind == "information" and "Marked 2 cases handed over: H001, H002." in text
    assert "Deleted the personal data of 2 cases" in text and "H003 is not complete" in text
    assert get_setting(ann.store, "handover_wipe") == "always"  # "remember my choice"
    assert not markers_in(ann.dir, case_markers("H001", "H002"))
    statuses = {s.case.case_ref: s.case.status for s in window.home_view.table_model.summaries()}
    assert statuses == {"H001": "handed_over", "H002": "handed_over", "H003": "not_started"}  # the list refreshed


def test_a_refused_receipt_says_why_and_changes_nothing(qtbot, world, tmp_path, make_window, message_boxes):
    ann = world.inspectors["ann"]
    _receipt(world, tmp_path, "H001")
    window = make_window(ann.store)
    assert handover_dialog.accept_receipt_file(window, str(ann.outbox[0])) is None
    kind, text = message_boxes[-1]
    assert kind == "warning" and text.startswith("The receipt was not accepted: This file is not a fieldwork receipt")
    assert ann.store.db.execute("SELECT count(*) FROM handover_records").fetchone() == (0,)


def test_with_a_setting_the_dialog_does_not_ask(qtbot, world, tmp_path):
    ann = world.inspectors["ann"]
    path = _receipt(world, tmp_path, "H001")
    set_setting(ann.store, "handover_wipe", "never")
    dialog = HandoverDialog(plan_receipt(ann.store, verify_receipt(ann.store, path)))
    qtbot.addWidget(dialog)
    assert dialog.wipe_radio.isHidden() and "keep after handover" in dialog.setting_note.text()
    assert dialog.choice() == HandoverChoice(False, False)


def test_the_settings_dialog_saves_both_settings(qtbot, world):
    ann = world.inspectors["ann"]
    dialog = HandoverSettingsDialog(ann.store)
    qtbot.addWidget(dialog)
    assert dialog.days.value() == 90 and dialog.wipe_combo.currentData() == "ask"
    dialog.wipe_combo.setCurrentIndex(dialog.wipe_combo.findData("always"))
    dialog.days.setValue(0)
    assert dialog.days.text() == "Off (never)"
    dialog.save()
    assert (get_setting(ann.store, "handover_wipe"), get_setting(ann.store, "retention_days")) == ("always", "off")


def test_the_window_warns_at_start_when_retention_is_near(qtbot, world, tmp_path, make_window):
    ann = world.inspectors["ann"]
    _receipt(world, tmp_path, "H001")
    store = _reopen_at(ann, "2027-01-30")
    window = make_window(store)
    qtbot.waitUntil(lambda: getattr(window, "_retention_banner", None) is not None, timeout=5000)
    banner = window._retention_banner
    assert banner.toolbar.isVisible()
    assert "Inspection H1 will be deleted from this laptop on 11 Feb 2027 (in 12 days)" in banner.text.text()
    assert not banner.wipe_rest_button.isVisible()
    assert markers_in(ann.dir, case_markers("H001"))  # a warning wipes nothing


def test_a_due_inspection_is_wiped_at_start_and_the_rest_only_when_confirmed(
    qtbot, world, tmp_path, make_window, message_boxes, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    ann = world.inspectors["ann"]
    path = _receipt(world, tmp_path, "H001")
    from fieldwork.handover.accept import accept_receipt

    accept_receipt(ann.store, verify_receipt(ann.store, path), wipe=False)  # handed over, data kept
    store = _reopen_at(ann, "2027-02-20")
    window = make_window(store)

    def wiped() -> bool:
        banner = getattr(window, "_retention_banner", None)
        return banner is not None and "was deleted from this laptop" in banner.text.text()

    qtbot.waitUntil(wiped, timeout=20000)
    banner = window._retention_banner
    assert "Inspection H1: the personal data of 1 case handed over to your lead was deleted" in banner.text.text()
    assert "2 cases were never handed over to your lead" in banner.text.text()
    assert not markers_in(ann.dir, case_markers("H001"))
    assert markers_in(ann.dir, case_markers("H002", "H003"))
    assert banner.wipe_rest_button.isVisibleTo(banner)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    run = handover_dialog.confirm_wipe_rest(window, INSPECTION)
    qtbot.waitUntil(lambda: run.done, timeout=20000)
    assert list_inspections(store) == []
    assert banner.text.text().startswith("Inspection H1 was deleted from this laptop (3 cases)")
    assert not banner.wipe_rest_button.isVisibleTo(banner)
    assert not markers_in(ann.dir)
    assert window.current_view().__class__.__name__ == "WelcomeView"


def test_after_a_wipe_the_list_shows_handed_over_cases_as_with_the_lead_not_zero_done(
    qtbot, world, tmp_path, make_window, monkeypatch
):
    """Issue 19: "0 / 12" beside "2 of 3 cases complete" read as work lost."""
    ann = world.inspectors["ann"]
    path = _receipt(world, tmp_path, "H001", "H002")
    window = make_window(ann.store)
    delete = HandoverChoice(wipe=True, remember=False)
    monkeypatch.setattr(HandoverDialog, "ask", classmethod(lambda cls, parent, p: delete))
    run = handover_dialog.accept_receipt_file(window, str(path))
    qtbot.waitUntil(lambda: run.done, timeout=20000)
    home = window.home_view
    model = home.table_model
    progress = {model.summaries()[r].case.case_ref: model.data(model.index(r, model.PROGRESS_COLUMN))
                for r in range(model.rowCount())}
    assert progress["H001"] == progress["H002"] == "with the lead"
    assert progress["H003"].startswith("0 / ")
    assert home.progress_label.text() == "2 of 3 cases complete"
    required = {s.case.case_ref: s.required for s in model.summaries()}
    assert home.progress_bar.value() == required["H001"] + required["H002"]  # they left fully judged
