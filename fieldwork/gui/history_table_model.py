"""The change log of a case as a table: when, who, what, old → new, source.

In words, not stored codes (issue 19): "In progress" rather than "in_progress", "Sufficient"
rather than "yes", the question's text beside its number, "Allocation pack" rather than
"pack:405840d6-…". The stored value is kept in the cell's tooltip for anyone checking.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from fieldwork.frameworks.model import Framework
from fieldwork.gui.format import saved_time, uk_date
from fieldwork.store.records import STATUS_LABELS, ChangeLogEntry

_FIELD_NAMES = {
    "value": "answer",
    "note": "evidence",
    "status": "status",
    "reopened": "reopened",
    "added": "added",
    "inspector": "allocated to",
    "allocation": "allocation",
    "query": "lead's query",
    "wiped": "wiped",
    "sample_rule": "question set (by the framework's rule)",
    "sample_override": "question set (chosen by hand)",
    "sample_reason": "why",
}
_ANSWER_WORDS = {"yes": "Yes", "no": "No", "na": "Not applicable"}
_ALLOCATION_WORDS = {"allocated": "Allocated to this inspector", "moved away": "Moved to another inspector"}


def _short(text: str | None, limit: int = 60) -> str:
    if text is None or text == "":
        return "—"
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def source_words(source: str) -> str:
    """Where a change came from, as a person would say it."""
    kind, _, detail = source.partition(":")
    if source == "app":
        return "In the app"
    if kind == "pack":
        return "Allocation pack"
    if kind == "answers-import":
        return f"Imported from {detail}" if detail else "Imported answers"
    if source == "practice":
        return "Practice inspection"
    if source == "moderation":
        return "Lead's moderation"
    return source


class HistoryTableModel(QAbstractTableModel):
    COLUMNS = ("When", "Who", "What", "Change", "Old", "New", "Source")

    def __init__(self, entries: list[ChangeLogEntry], parent=None, *, framework: Framework | None = None):
        super().__init__(parent)
        self._entries = list(entries)
        self._framework = framework

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
        column = index.column()
        if role == Qt.ItemDataRole.ToolTipRole:
            return {
                2: self._question_text(entry) or entry.key,
                4: entry.old,
                5: entry.new,
                6: entry.source,
            }.get(column)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == 0:
            return f"{uk_date(entry.at)} {saved_time(entry.at)}"
        if column == 1:
            return entry.actor
        if column == 2:
            return self._what(entry)
        if column == 3:
            return "case detail" if entry.target == "detail" else _FIELD_NAMES.get(entry.field, entry.field)
        if column in (4, 5):
            return _short(self._words(entry, entry.old if column == 4 else entry.new))
        if column == 6:
            return source_words(entry.source)
        return None

    # --- words -----------------------------------------------------------------------------
    def _question_text(self, entry: ChangeLogEntry) -> str | None:
        framework = self._framework
        if framework is None or entry.target != "answer":
            return None
        kind = framework.question_kind(entry.key)
        if kind == "key_question":
            return framework.key_question(entry.key).text
        if kind == "prompt":
            return framework.prompt(entry.key).text
        return None

    def _what(self, entry: ChangeLogEntry) -> str:
        text = self._question_text(entry)
        if text:
            return _short(f"{entry.key} {text}", 70)
        if entry.target == "detail" and self._framework is not None:
            if self._framework.question_kind(entry.key) == "case_detail":
                return self._framework.case_detail(entry.key).label
        if entry.target == "case":
            return f"Case {entry.key}"
        return entry.key

    def _words(self, entry: ChangeLogEntry, value: str | None) -> str | None:
        """A stored value as the screen shows it; the stored value when no wording is known."""
        if value is None or value == "":
            return value
        framework = self._framework
        if entry.field in ("status", "reopened"):
            return STATUS_LABELS.get(value, value)
        if entry.field == "allocation":
            return _ALLOCATION_WORDS.get(value, value)
        if entry.target == "answer" and entry.field == "value":
            if framework is not None and framework.question_kind(entry.key) == "key_question":
                return framework.judgement_labels.get(value, value)
            if framework is not None:
                return framework.answer_labels.get(value, value)
            return _ANSWER_WORDS.get(value, value)
        if entry.target == "detail" and framework is not None:
            if framework.question_kind(entry.key) == "case_detail":
                return framework.case_detail(entry.key).label_for(value) or value
        if entry.field in ("added", "sample_rule", "sample_override") and framework is not None:
            try:
                return framework.sample(value).title
            except KeyError:
                return value
        return value
