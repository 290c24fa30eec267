"""Table columns that wrap their words instead of cutting them ("Leader…", "Assess…"; issue 19).

Qt sizes a column either to its whole text (the table then runs off the side) or to a share
of the width (the text is elided). `WordColumns` does neither: each column gets at least its
longest word (and its whole heading), cells wrap at spaces, rows grow to the wrapped text, and
width to spare goes first to columns whose text would otherwise wrap, the rest to one chosen
column. Only when even the longest words do not fit does the table scroll sideways.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHeaderView, QTableView

_CELL_PADDING = 14  # the cell's margins and grid line
_HEADER_PADDING = 32  # the header's margins and a sort arrow (Qt draws it beside centred text)


class WordColumns(QObject):
    """Keeps `table`'s columns fitted to its width; extra width goes to `stretch_column`."""

    def __init__(self, table: QTableView, stretch_column: int = 0):
        super().__init__(table)
        self.table, self.stretch_column = table, stretch_column
        table.setWordWrap(True)
        table.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.viewport().installEventFilter(self)
        self._model = None
        self.watch_model()

    def watch_model(self) -> None:
        """Follow the table's model (call again after table.setModel)."""
        model = self.table.model()
        if model is self._model or model is None:
            return
        self._model = model
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.dataChanged):
            signal.connect(self.fit)
        self.fit()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def widths(self) -> tuple[list[int], list[int]]:
        """Per column: the narrowest width that cuts nothing, and the width of its unwrapped text."""
        model = self.table.model()
        cell = self.table.fontMetrics()
        heading = self.table.horizontalHeader().fontMetrics()
        least, natural = [], []
        for column in range(model.columnCount()):
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            low = high = heading.horizontalAdvance(title) + _HEADER_PADDING
            for row in range(model.rowCount()):
                text = str(model.index(row, column).data() or "")
                words = text.split() or [""]
                low = max(low, max(cell.horizontalAdvance(word) for word in words) + _CELL_PADDING)
                high = max(high, max(cell.horizontalAdvance(line) for line in text.splitlines() or [""])
                           + _CELL_PADDING)
            least.append(low)
            natural.append(max(low, high))
        return least, natural

    def fit(self, *_args) -> None:
        if not shiboken6.isValid(self.table):  # a QTableWidget's own model signals while the table is deleted
            return
        model = self.table.model()
        if model is None or not model.columnCount():
            return
        least, natural = self.widths()
        room = self.table.viewport().width()
        if sum(natural) <= room:
            chosen = list(natural)
        else:
            chosen = list(least)
            spare = room - sum(least)
            wanting = sum(n - low for n, low in zip(natural, least, strict=True))
            if spare > 0 and wanting:
                chosen = [low + (n - low) * spare // wanting for n, low in zip(natural, least, strict=True)]
        spare = room - sum(chosen)
        if spare > 0 and 0 <= self.stretch_column < len(chosen):
            chosen[self.stretch_column] += spare
        header = self.table.horizontalHeader()
        for column, width in enumerate(chosen):
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)
        self.table.resizeRowsToContents()
