"""The inspection home's table of cases: one row per case, sortable and filterable.

The Moderation column shows the lead their moderation of each case, and shows an inspector
how many of the lead's queries are open on it ("Lead's queries"); the home hides it for an
inspector who has none.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont

from fieldwork.frameworks.model import Framework
from fieldwork.moderation_status import STATE_LABELS, ModerationMark
from fieldwork.store.assessments import CaseSummary
from fieldwork.store.records import STATUS_LABELS

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3
MODERATION_ROLE = Qt.ItemDataRole.UserRole + 4  # the row's ModerationMark

# Filters on the Moderation column: (key, label, who sees it).
MODERATION_FILTERS = (
    ("not_moderated", "Not moderated yet", "lead"),
    ("quality_assured", "Moderated or agreed", "lead"),
    ("queries", "With queries", "lead"),
    ("queries", "With the lead's queries", "inspector"),
)
_NO_MARK = ModerationMark()
_ROLES_ANSWERED = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        CASE_ID_ROLE,
        SORT_ROLE,
        STATUS_ROLE,
        MODERATION_ROLE,
    )
)
_STATE_ORDER = (None, "queries", "moderated", "agreed")  # how far moderation has got

# (header, how to read the cell from a summary); detail columns read the framework's labels.
_DETAIL_COLUMNS = (("ldu", "LDU"), ("sentence_type", "Sentence type"), ("rosh", "RoSH level"))


def wiped_after_handover(summary: CaseSummary) -> bool:
    """A case handed over whose answers were then deleted here: it left complete, whatever is left."""
    return summary.case.status == "handed_over" and summary.judged < summary.required


def judged_counting_handed_over(summary: CaseSummary) -> int:
    """Key questions judged, counting a handed-over case as fully judged (it was complete when it left)."""
    return summary.required if summary.case.status == "handed_over" else summary.judged


class CaseTableModel(QAbstractTableModel):
    """Cases of one inspection with their key details, status and progress."""

    COLUMNS = (
        "Case reference",
        "Sample",
        *(title for _, title in _DETAIL_COLUMNS),
        "Inspector",
        "Moderation",
        "Status",
        "Progress",
    )
    INSPECTOR_COLUMN = len(COLUMNS) - 4
    MODERATION_COLUMN = len(COLUMNS) - 3
    STATUS_COLUMN = len(COLUMNS) - 2
    PROGRESS_COLUMN = len(COLUMNS) - 1

    def __init__(self, framework: Framework, parent=None):
        super().__init__(parent)
        self._framework = framework
        self._rows: list[CaseSummary] = []
        self._notes: dict[str, str] = {}
        self._marks: dict[str, ModerationMark] = {}
        self._texts: dict[str, list[str]] = {}  # case id -> each column's text (see _text)
        self._lead = True  # whose view of moderation: the lead's states, or an inspector's queries
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
        self._texts.clear()
        self.endResetModel()

    def set_moderation(self, marks: dict[str, ModerationMark], *, lead: bool) -> None:
        """Show the lead's moderation per case (lead), or the lead's queries per case (inspector)."""
        title_changed = lead != self._lead
        self._marks, self._lead = dict(marks), lead
        self._texts.clear()
        if title_changed:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, self.MODERATION_COLUMN, self.MODERATION_COLUMN)
        if self._rows:
            column = self.MODERATION_COLUMN
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column))

    def moderation_marks(self) -> dict[str, ModerationMark]:
        return dict(self._marks)

    def update_summary(self, summary: CaseSummary) -> None:
        """Refresh one case's row in place (after an answer was saved)."""
        for row, existing in enumerate(self._rows):
            if existing.case.id == summary.case.id:
                self._rows[row] = summary
                self._texts.pop(summary.case.id, None)
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
            if section == self.MODERATION_COLUMN and not self._lead:
                return "Lead's queries"
            if 0 <= section < len(self.COLUMNS):
                return self.COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role not in _ROLES_ANSWERED:  # most of Qt's many questions per cell, answered at once
            return None
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        summary = self._rows[index.row()]
        column = index.column()
        if role == CASE_ID_ROLE:
            return summary.case.id
        if role == STATUS_ROLE:
            return summary.case.status
        if role == MODERATION_ROLE:
            return self._marks.get(summary.case.id, _NO_MARK)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(summary, column)
        if role == SORT_ROLE:
            if column == self.PROGRESS_COLUMN:
                return 1.0 if wiped_after_handover(summary) else (
                    summary.judged / summary.required if summary.required else 0.0)
            if column == self.STATUS_COLUMN:
                return list(STATUS_LABELS).index(summary.case.status)
            if column == self.MODERATION_COLUMN:
                return self._moderation_rank(self._marks.get(summary.case.id, _NO_MARK))
            return self._text(summary, column).casefold()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.PROGRESS_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.PROGRESS_COLUMN:
            if wiped_after_handover(summary):
                return "Handed over complete; its answers are with the lead and were deleted from this laptop"
            return f"{summary.judged} of {summary.required} key questions judged"
        if column == self.MODERATION_COLUMN and role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.FontRole):
            return self._moderation_extra(self._marks.get(summary.case.id, _NO_MARK), role)
        return None

    def _moderation_text(self, mark: ModerationMark) -> str:
        if not self._lead:
            count = mark.open_queries
            return f"{count} {'query' if count == 1 else 'queries'}" if count else ""
        waiting = [f"{n} {what}" for n, what in ((mark.open_queries, "open"), (mark.answered_queries, "answered")) if n]
        if mark.quality_assured:
            return STATE_LABELS[mark.state] + (f"; queries: {', '.join(waiting)}" if waiting else "")
        if waiting:
            return "Queries: " + ", ".join(waiting)
        return "Queries closed" if mark.state == "queries" else "—"

    def _moderation_rank(self, mark: ModerationMark) -> int:
        """How far moderation has got (then how many queries): one number, so Qt can compare it."""
        if not self._lead:
            return mark.open_queries
        return _STATE_ORDER.index(mark.state) * 1_000_000 + mark.open_queries + mark.answered_queries

    def _moderation_extra(self, mark: ModerationMark, role):
        if role == Qt.ItemDataRole.FontRole:
            # Bold where someone has to act: an inspector's open queries, the lead's answered ones.
            if (mark.open_queries if not self._lead else mark.answered_queries) > 0:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if not self._lead:
            return "Open the case: each query shows on its question." if mark.open_queries else None
        if mark.state is None and not mark.has_queries:
            return "Not moderated yet"
        if mark.answered_queries:
            return "The inspector has answered: open the case to close the answered queries."
        return None

    def _text(self, summary: CaseSummary, column: int) -> str:
        # Qt asks for each cell's text many times (sizing columns to contents, sorting, painting):
        # worked out once per row until the row changes.
        texts = self._texts.get(summary.case.id)
        if texts is None:
            texts = self._texts[summary.case.id] = [self._display(summary, c) for c in range(len(self.COLUMNS))]
        return texts[column]

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
        if column == self.INSPECTOR_COLUMN:
            return self._notes.get(summary.case.id) or summary.case.inspector_id or "—"
        if column == self.MODERATION_COLUMN:
            return self._moderation_text(self._marks.get(summary.case.id, _NO_MARK))
        if column == self.STATUS_COLUMN:
            return STATUS_LABELS.get(summary.case.status, summary.case.status)
        if wiped_after_handover(summary):
            return "with the lead"  # not "0 / 12": the answers left this laptop complete (issue 19)
        return f"{summary.judged} / {summary.required}"


class CaseFilterProxyModel(QSortFilterProxyModel):
    """Filters by case-reference text, status and moderation; sorts on each column's natural key."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._text = ""
        self._status: str | None = None
        self._moderation: str | None = None
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_search_text(self, text: str) -> None:
        self._change_filter(lambda: setattr(self, "_text", text.strip().casefold()))

    def set_status_filter(self, status: str | None) -> None:
        self._change_filter(lambda: setattr(self, "_status", status))

    def set_moderation_filter(self, key: str | None) -> None:
        """A key of MODERATION_FILTERS, or None for every case."""
        self._change_filter(lambda: setattr(self, "_moderation", key))

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
        if self._moderation and not _moderation_matches(self._moderation, model.data(index, MODERATION_ROLE)):
            return False
        if self._text:
            return self._text in str(model.data(index, Qt.ItemDataRole.DisplayRole)).casefold()
        return True


def _moderation_matches(key: str, mark: ModerationMark | None) -> bool:
    mark = mark or _NO_MARK
    if key == "not_moderated":
        return mark.state is None and not mark.has_queries
    if key == "quality_assured":
        return mark.quality_assured
    return mark.has_queries
