"""The inspection home's table of cases: one row per case, sortable and filterable."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

from fieldwork.frameworks.model import Framework
from fieldwork.store.assessments import CaseSummary
from fieldwork.store.records import STATUS_LABELS

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3

# (header, how to read the cell from a summary); detail columns read the framework's labels.
_DETAIL_COLUMNS = (("ldu", "LDU"), ("sentence_type", "Sentence type"), ("rosh", "RoSH level"))


class CaseTableModel(QAbstractTableModel):
    """Cases of one inspection with their key details, status and progress."""

    COLUMNS = ("Case reference", "Sample", *(title for _, title in _DETAIL_COLUMNS), "Inspector", "Status", "Progress")

    def __init__(self, framework: Framework, parent=None):
        super().__init__(parent)
        self._framework = framework
        self._rows: list[CaseSummary] = []
        self._notes: dict[str, str] = {}
        self._detail_fields = {
            field_id: framework.case_detail(field_id)
            for field_id, _ in _DETAIL_COLUMNS
            if framework.question_kind(field_id) == "case_detail"
        }

    def set_summaries(self, summaries: list[CaseSummary], notes: dict[str, str] | None = None) -> None:
        """Show these cases; `notes` (by case id) replace the inspector cell, e.g. a case moved away."""
        self.beginResetModel()
        self._rows = list(summaries)
        self._notes = dict(notes or {})
        self.endResetModel()

    def update_summary(self, summary: CaseSummary) -> None:
        """Refresh one case's row in place (after an answer was saved)."""
        for row, existing in enumerate(self._rows):
            if existing.case.id == summary.case.id:
                self._rows[row] = summary
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
                return

    def summaries(self) -> list[CaseSummary]:
        return list(self._rows)

    def row_of_case(self, case_id: str) -> int:
        return next((i for i, s in enumerate(self._rows) if s.case.id == case_id), -1)

    # --- Qt overrides ----------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self.COLUMNS):
                return self.COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        summary = self._rows[index.row()]
        column = index.column()
        if role == CASE_ID_ROLE:
            return summary.case.id
        if role == STATUS_ROLE:
            return summary.case.status
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(summary, column)
        if role == SORT_ROLE:
            if column == len(self.COLUMNS) - 1:
                return summary.judged / summary.required if summary.required else 0.0
            if column == len(self.COLUMNS) - 2:
                return list(STATUS_LABELS).index(summary.case.status)
            return self._display(summary, column).casefold()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == len(self.COLUMNS) - 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == len(self.COLUMNS) - 1:
            return f"{summary.judged} of {summary.required} key questions judged"
        return None

    def _display(self, summary: CaseSummary, column: int) -> str:
        if column == 0:
            return summary.case.case_ref
        if column == 1:
            try:
                return self._framework.sample(summary.case.sample_id).title
            except KeyError:
                return summary.case.sample_id
        detail_index = column - 2
        if detail_index < len(_DETAIL_COLUMNS):
            field_id = _DETAIL_COLUMNS[detail_index][0]
            field = self._detail_fields.get(field_id)
            value = summary.details.get(field_id, "")
            return field.label_for(value) if field else value
        if column == len(self.COLUMNS) - 3:
            return self._notes.get(summary.case.id) or summary.case.inspector_id or "—"
        if column == len(self.COLUMNS) - 2:
            return STATUS_LABELS.get(summary.case.status, summary.case.status)
        return f"{summary.judged} / {summary.required}"


class CaseFilterProxyModel(QSortFilterProxyModel):
    """Filters by case-reference text and by status; sorts on each column's natural key."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._text = ""
        self._status: str | None = None
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_search_text(self, text: str) -> None:
        self._change_filter(lambda: setattr(self, "_text", text.strip().casefold()))

    def set_status_filter(self, status: str | None) -> None:
        self._change_filter(lambda: setattr(self, "_status", status))

    def _change_filter(self, change) -> None:
        # Qt 6.10 replaced invalidateRowsFilter() with begin/endFilterChange; support both.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row, source_parent) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if self._status and model.data(index, STATUS_ROLE) != self._status:
            return False
        if self._text:
            return self._text in str(model.data(index, Qt.ItemDataRole.DisplayRole)).casefold()
        return True
