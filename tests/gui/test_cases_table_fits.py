"""The cases list shows every column whole at a laptop's width: words wrap, nothing ends in "…",
and the table does not scroll sideways (issue 19: "Northshire …" hid the team, and Status and
Progress were off to the right at 1024 px)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt

from fieldwork.demo import create_demo_inspection
from fieldwork.store import open_store


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_every_cell_and_title_of_the_cases_list_is_whole(make_window, tmp_path, qtbot, size):
    store = open_store(tmp_path / "data", actor="insp-1")
    try:
        inspection = create_demo_inspection(store)
        window = make_window(store)
        window.resize(*size)
        window.open_inspection(inspection.id)
        qtbot.wait(50)  # the layout settles at the new size, as it does on screen
        table = window.home_view.table
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
    finally:
        store.close()
