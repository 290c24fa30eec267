"""The case lists show every column whole at a laptop's width: words wrap, nothing ends in "…",
and the tables do not scroll sideways (issue 19: "Northshire …" hid the team, Status and
Progress were off to the right at 1024 px, and the Allocation tab cut "Community sentenc…")."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt

from fieldwork.demo import create_demo_inspection
from fieldwork.profile import set_profile
from fieldwork.store import open_store


def assert_nothing_cut(table) -> None:
    model, header, metrics = table.model(), table.horizontalHeader(), table.fontMetrics()
    assert model.rowCount() > 0
    assert not table.horizontalScrollBar().isVisible()
    for column in range(model.columnCount()):
        if header.isSectionHidden(column):  # e.g. the lead's queries, shown only when there are some
            continue
        room = header.sectionSize(column) - 8
        title = model.headerData(column, Qt.Orientation.Horizontal)
        assert header.fontMetrics().horizontalAdvance(title) <= room, title
        for row in range(model.rowCount()):
            text = str(model.index(row, column).data() or "")
            assert table.wordWrap() or metrics.horizontalAdvance(text) <= room, text
            wrapped = metrics.boundingRect(QRect(0, 0, room, 10_000), Qt.TextFlag.TextWordWrap, text)
            assert wrapped.height() <= table.rowHeight(row), text


@pytest.fixture
def practice_window(make_window, tmp_path):
    store = open_store(tmp_path / "data", actor="lead-1")
    set_profile(store, "lead-1", "Lee Lead")  # the practice inspection's lead: the lead's tabs show
    inspection = create_demo_inspection(store)
    window = make_window(store)
    window.open_inspection(inspection.id)
    yield window
    store.close()


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_every_cell_and_title_of_the_cases_list_is_whole(practice_window, qtbot, size):
    practice_window.resize(*size)
    qtbot.wait(50)  # the layout settles at the new size, as it does on screen
    assert_nothing_cut(practice_window.home_view.table)


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_every_cell_and_title_of_the_allocation_tab_is_whole(practice_window, qtbot, size):
    practice_window.resize(*size)
    practice_window.home_tabs.setCurrentIndex(1)
    qtbot.wait(50)
    view = practice_window.allocation_view
    assert practice_window.home_tabs.currentWidget() is view
    assert_nothing_cut(view.cases_table)
    assert_nothing_cut(view.counts_table)
