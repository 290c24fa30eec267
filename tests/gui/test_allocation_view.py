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
