"""The lead's allocation tab: sample import with its problems shown, allocation, counts."""

from __future__ import annotations

import pytest

from fieldwork.gui.allocation_view import AllocationView
from fieldwork.gui.sample_import_dialog import SampleImportDialog
from fieldwork.imports.case_sample import check_case_sample
from fieldwork.store.allocation import allocation_counts
from fieldwork.store.assessments import list_case_summaries
from fieldwork.store.changelog import case_history
from fieldwork.store.inspections import framework_for


@pytest.fixture
def allocation(qtbot, gui_store, gui_inspection, cases):
    view = AllocationView(gui_store, gui_inspection, framework_for(gui_store, gui_inspection))
    qtbot.addWidget(view)
    return view


def test_counts_and_cases_models_pass_the_model_tester(qtmodeltester, allocation):
    qtmodeltester.check(allocation.counts_model)
    qtmodeltester.check(allocation.cases_proxy)


def test_allocating_a_selection_records_it_and_updates_the_counts(qtbot, allocation, gui_store, gui_inspection, cases):
    allocation.cases_table.selectAll()
    with qtbot.waitSignal(allocation.allocation_changed):
        assert allocation.allocate_selected("insp-2") == 3
    assert {s.case.inspector_id for s in list_case_summaries(gui_store, gui_inspection.id)} == {"insp-2"}
    counts = allocation_counts(gui_store, gui_inspection.id)
    assert [(r.inspector_id, r.cases) for r in counts] == [("insp-2", 3)]
    assert allocation.counts_model.rowCount() == 1
    entry = [e for e in case_history(gui_store, cases["C001"].id) if e.field == "inspector"][-1]
    assert (entry.old, entry.new) == (None, "insp-2")


def test_taking_cases_back_and_a_bad_person_id(qtbot, allocation, gui_store, gui_inspection):
    allocation.cases_table.selectAll()
    allocation.allocate_selected("insp-2")
    messages = []
    allocation.message.connect(messages.append)
    assert allocation.allocate_selected("no spaces allowed") == 0
    assert "person id" in messages[-1]
    assert allocation.allocate_selected(None) == 3
    assert allocation_counts(gui_store, gui_inspection.id)[0].inspector_id == ""


def test_a_dirty_sample_shows_every_problem_and_imports_only_clean_rows_when_asked(
    qtbot, allocation, gui_store, gui_inspection, tmp_path
):
    sample = tmp_path / "sample.csv"
    sample.write_text("case_ref,rosh,ldu\nN001,high,North\nN002,purple,South\nN003,Low,North\n", encoding="utf-8")
    plan = check_case_sample(gui_store, gui_inspection, sample)
    dialog = SampleImportDialog(gui_store, gui_inspection, plan)
    qtbot.addWidget(dialog)
    assert dialog.problems_model.rowCount() == 1
    row = dialog.problems_model.row_object(0)
    assert (row.row, row.column) == (3, "rosh")
    before = len(list_case_summaries(gui_store, gui_inspection.id))
    assert dialog.apply(clean_rows_only=True)
    refs = {s.case.case_ref for s in list_case_summaries(gui_store, gui_inspection.id)}
    assert len(refs) == before + 2 and "N002" not in refs


def test_importing_through_the_view(qtbot, allocation, gui_store, gui_inspection, tmp_path, monkeypatch):
    sample = tmp_path / "sample.csv"
    sample.write_text("case_ref;rosh;inspector_id\nN010;medium;insp-3\n", encoding="utf-8")
    monkeypatch.setattr(SampleImportDialog, "exec", lambda self: self.apply(clean_rows_only=False))
    result = allocation.import_sample(str(sample))
    assert result is not None and result.added == ("N010",)
    assert any(r.inspector_id == "insp-3" for r in allocation_counts(gui_store, gui_inspection.id))


# --- issue 19: allocating to trusted inspectors, the empty tab, a file that is no sample --------------------


def _trust(store, tmp_path, person_id: str, name: str):
    from fieldwork.identity import add_trusted_key, create_keys
    from fieldwork.identity.keys import ScryptParams

    keys = create_keys(tmp_path / person_id, name=name, person_id=person_id, passphrase="a long passphrase",
                       scrypt=ScryptParams(log2_n=10))
    add_trusted_key(store, keys.public)


def test_allocate_offers_the_trusted_inspectors_by_name_and_warns_on_an_unknown_id(
    qtbot, allocation, gui_store, gui_inspection, tmp_path, monkeypatch
):
    from fieldwork.gui.allocate_dialog import AllocateDialog

    _trust(gui_store, tmp_path, "insp-2", "Zoe Second")
    _trust(gui_store, tmp_path, "insp-3", "Amy Third")
    allocation.cases_table.selectRow(0)
    shown = []

    def exec_(dialog):
        shown.append(dialog)
        qtbot.addWidget(dialog)
        return 0  # cancelled: nothing allocated

    monkeypatch.setattr(AllocateDialog, "exec", exec_)
    allocation._ask_allocate()
    dialog = shown[0]
    labels = [dialog.combo.itemText(i) for i in range(dialog.combo.count())]
    assert labels == ["Amy Third (insp-3)", "Zoe Second (insp-2)"]
    assert dialog.person_id() == "insp-3" and dialog.warning_label.isHidden()
    dialog.combo.setCurrentText("insp-22")  # a slip of the finger
    assert not dialog.warning_label.isHidden()
    assert "insp-22 is not an inspector you trust" in dialog.warning_label.text()
    assert dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()  # warned, not refused
    dialog.combo.setCurrentIndex(1)
    assert dialog.person_id() == "insp-2" and dialog.warning_label.isHidden()
    assert {s.case.inspector_id for s in list_case_summaries(gui_store, gui_inspection.id)} == {None}


def test_the_chosen_inspector_gets_the_selected_cases(qtbot, allocation, gui_store, gui_inspection, tmp_path,
                                                      monkeypatch):
    from fieldwork.gui.allocate_dialog import AllocateDialog

    _trust(gui_store, tmp_path, "insp-2", "Zoe Second")
    allocation.cases_table.selectAll()
    monkeypatch.setattr(AllocateDialog, "ask", classmethod(lambda cls, parent, offered, trusted, cases: (
        offered[0].person_id if cases == 3 else None)))
    allocation._ask_allocate()
    assert {s.case.inspector_id for s in list_case_summaries(gui_store, gui_inspection.id)} == {"insp-2"}


def test_an_empty_allocation_tab_says_what_to_do_next(qtbot, gui_store, gui_inspection):
    view = AllocationView(gui_store, gui_inspection, framework_for(gui_store, gui_inspection))
    qtbot.addWidget(view)
    view.resize(1024, 700)
    view.show()
    qtbot.waitExposed(view)
    assert view.empty_hint.isVisible()
    assert "Import case sample…" in view.empty_hint.text() and "allocation packs" in view.empty_hint.text()
    assert view.empty_hint.width() <= view.width()  # wrapped to the tab, not cut
    view.grab().save("/tmp/allocation_empty.png")


def test_the_hint_goes_once_cases_are_there(allocation):
    assert allocation.empty_hint.isHidden()


def test_a_file_that_is_no_case_sample_gets_a_dialog_that_says_what_to_do(
    allocation, tmp_path, message_boxes, gui_store, gui_inspection
):
    garbage = tmp_path / "sample.csv"
    garbage.write_bytes(bytes(range(256)) * 4)
    messages = []
    allocation.message.connect(messages.append)
    before = len(list_case_summaries(gui_store, gui_inspection.id))
    assert allocation.import_sample(str(garbage)) is None
    assert [kind for kind, _ in message_boxes] == ["warning"]
    text = message_boxes[0][1]
    assert "this is not a CSV or XLSX file" in text and "choose the CSV or XLSX file" in text
    assert "Nothing was imported" in text
    assert messages == []  # not a status-bar line that goes unseen
    assert len(list_case_summaries(gui_store, gui_inspection.id)) == before
