"""The change log of a case as a table: when, who, what, old → new, source."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from fieldwork.gui.format import saved_time, uk_date
from fieldwork.store.records import ChangeLogEntry

_FIELD_NAMES = {"value": "answer", "note": "evidence", "status": "status", "reopened": "reopened", "added": "added"}


def _short(text: str | None, limit: int = 60) -> str:
    if text is None or text == "":
        return "—"
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


class HistoryTableModel(QAbstractTableModel):
    COLUMNS = ("When", "Who", "What", "Change", "Old", "New", "Source")

    def __init__(self, entries: list[ChangeLogEntry], parent=None):
        super().__init__(parent)
        self._entries = list(entries)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._entries)):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (4, 5):
            return entry.old if index.column() == 4 else entry.new
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            f"{uk_date(entry.at)} {saved_time(entry.at)}",
            entry.actor,
            entry.key,
            _FIELD_NAMES.get(entry.field, entry.field),
            _short(entry.old),
            _short(entry.new),
            entry.source,
        )[index.column()]
