"""The inspection home's case table: a well-behaved Qt model, filtered and sorted naturally."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from fieldwork.gui.case_table_model import (
    CASE_ID_ROLE,
    STATUS_ROLE,
    CaseFilterProxyModel,
    CaseTableModel,
)
from fieldwork.store.assessments import list_case_summaries, set_answer, set_status

COL_REF = 0
COL_STATUS = len(CaseTableModel.COLUMNS) - 2
COL_PROGRESS = len(CaseTableModel.COLUMNS) - 1


@pytest.fixture
def summaries(gui_store, gui_inspection, cases):
    """C001 half judged (in progress), C002 untouched (not started), C003 judged and complete."""
    set_answer(gui_store, cases["C001"].id, "2.1.1", value="yes")
    set_answer(gui_store, cases["C003"].id, "3.1.1", value="yes")
    set_status(gui_store, cases["C003"].id, "complete")
    return list_case_summaries(gui_store, gui_inspection.id)


@pytest.fixture
def model(qtbot, mini, summaries):
    table = CaseTableModel(mini)
    table.set_summaries(summaries)
    return table


@pytest.fixture
def proxy(model):
    filtered = CaseFilterProxyModel()
    filtered.setSourceModel(model)
    return filtered


def column(model, col: int) -> list[str]:
    return [model.index(r, col).data() for r in range(model.rowCount())]


def refs(model) -> list[str]:
    return column(model, COL_REF)


@pytest.mark.parametrize("force_py", [False, True], ids=["qt-tester", "py-tester"])
def test_case_table_model_passes_modeltester(qtmodeltester, model, force_py):
    assert model.rowCount() == 3
    qtmodeltester.check(model, force_py=force_py)


@pytest.mark.parametrize("force_py", [False, True], ids=["qt-tester", "py-tester"])
def test_proxy_passes_modeltester(qtmodeltester, proxy, force_py):
    proxy.sort(COL_PROGRESS, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(proxy, force_py=force_py)
    proxy.set_search_text("C00")
    proxy.set_status_filter("in_progress")
    qtmodeltester.check(proxy, force_py=force_py)


def test_rows_show_the_case_details_status_and_progress(model, cases):
    row = {model.index(r, 0).data(): r for r in range(3)}["C001"]
    cells = [model.index(row, c).data() for c in range(model.columnCount())]
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    by_header = dict(zip(header, cells, strict=True))
    assert by_header["Case reference"] == "C001"
    assert by_header["Sample"] == "Case supervision"
    assert by_header["LDU"] == "North"
    assert by_header["RoSH level"] == "High"  # the framework's label, not the stored value
    assert by_header["Status"] == "In progress"
    assert by_header["Progress"] == "1 / 2"
    assert model.index(row, 0).data(CASE_ID_ROLE) == cases["C001"].id
    assert model.index(row, 0).data(STATUS_ROLE) == "in_progress"


def test_search_filters_by_case_reference(proxy):
    assert sorted(refs(proxy)) == ["C001", "C002", "C003"]
    proxy.set_search_text("  c002 ")  # case and surrounding spaces do not matter
    assert refs(proxy) == ["C002"]
    proxy.set_search_text("zzz")
    assert refs(proxy) == []
    proxy.set_search_text("")
    assert proxy.rowCount() == 3


def test_status_filter_and_search_combine(proxy):
    proxy.set_status_filter("not_started")
    assert refs(proxy) == ["C002"]
    proxy.set_status_filter("complete")
    assert refs(proxy) == ["C003"]
    proxy.set_search_text("C001")
    assert refs(proxy) == []
    proxy.set_status_filter(None)
    assert refs(proxy) == ["C001"]


def test_sorting_by_progress_uses_the_fraction_judged(proxy):
    # As text, "0 / 2" < "1 / 1" < "1 / 2"; as progress 0 % < 50 % < 100 %.
    proxy.sort(COL_PROGRESS, Qt.SortOrder.AscendingOrder)
    assert column(proxy, COL_PROGRESS) == ["0 / 2", "1 / 2", "1 / 1"]
    proxy.sort(COL_PROGRESS, Qt.SortOrder.DescendingOrder)
    assert refs(proxy) == ["C003", "C001", "C002"]


def test_sorting_by_status_follows_the_workflow_not_the_alphabet(proxy):
    proxy.sort(COL_STATUS, Qt.SortOrder.AscendingOrder)
    assert column(proxy, COL_STATUS) == ["Not started", "In progress", "Complete"]
    proxy.sort(COL_STATUS, Qt.SortOrder.DescendingOrder)
    assert column(proxy, COL_STATUS) == ["Complete", "In progress", "Not started"]


def test_update_summary_changes_exactly_one_row(qtbot, gui_store, gui_inspection, cases, model):
    set_answer(gui_store, cases["C002"].id, "2.1.1", value="no")
    fresh = {s.case.case_ref: s for s in list_case_summaries(gui_store, gui_inspection.id)}
    row = refs(model).index("C002")
    before = {r: [model.index(r, c).data() for c in range(model.columnCount())] for r in range(3)}
    with qtbot.waitSignal(model.dataChanged, timeout=1000) as blocker:
        model.update_summary(fresh["C002"])
    top_left, bottom_right = blocker.args[:2]
    assert (top_left.row(), bottom_right.row()) == (row, row)
    assert (top_left.column(), bottom_right.column()) == (0, model.columnCount() - 1)
    assert model.index(row, COL_PROGRESS).data() == "1 / 2"
    assert model.index(row, COL_STATUS).data() == "In progress"
    for other in set(range(3)) - {row}:
        assert [model.index(other, c).data() for c in range(model.columnCount())] == before[other]
