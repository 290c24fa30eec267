"""What stops a case from being complete, with a way to jump to each item.

The lead's open queries are listed too, as things to look at; they never stop completion
(docs/decisions/0016-moderation-in-the-app.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListView, QVBoxLayout

from fieldwork.assessment import Missing
from fieldwork.text import plural

QUESTION_ROLE = Qt.ItemDataRole.UserRole + 1
COMPLETE_ANYWAY = object()  # ask_about_queries: the inspector completes the case with queries still listed


class CompletionDialog(QDialog):
    """Lists the missing items; 'Go to' (or Enter, or a double-click) returns the chosen one."""

    def __init__(self, case_ref: str, problems: list[Missing], parent=None, *, reminders: Sequence[Missing] = ()):
        super().__init__(parent)
        self.chosen: str | object | None = None
        if problems:
            self.setWindowTitle(f"Case {case_ref} is not complete yet")
            text = (
                f"{plural(len(problems), 'item')} must be done before case {case_ref} can be marked complete. "
                "Choose one to go to it."
            )
        else:
            self.setWindowTitle(f"Case {case_ref}: the lead's queries")
            queries = "an open query" if len(reminders) == 1 else f"{len(reminders)} open queries"
            text = (
                f"The lead inspector has {queries} on case {case_ref}. Queries do not stop you from completing "
                "it, but look at each first: choose one to go to it. If you change an answer, your next bundle "
                "takes it to the lead."
            )
        intro = QLabel(text)
        intro.setWordWrap(True)
        self.model = QStandardItemModel(self)
        for problem in [*problems, *reminders]:
            item = QStandardItem(problem.message)
            item.setData(problem.question_id, QUESTION_ROLE)
            item.setEditable(False)
            self.model.appendRow(item)
        self.list_view = QListView()
        self.list_view.setAccessibleName("Missing items")
        self.list_view.setModel(self.model)
        self.list_view.setWordWrap(True)  # a lead's query is a sentence or two, not a word
        self.list_view.setCurrentIndex(self.model.index(0, 0))
        self.list_view.activated.connect(self._go)
        self.list_view.doubleClicked.connect(self._go)
        buttons = QDialogButtonBox(self)
        go = buttons.addButton("&Go to item", QDialogButtonBox.ButtonRole.AcceptRole)
        go.setDefault(True)
        if reminders and not problems:
            anyway = buttons.addButton("Mark &complete anyway", QDialogButtonBox.ButtonRole.ActionRole)
            anyway.clicked.connect(self._complete_anyway)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)  # last: Tab reached it only so (issue 19)
        buttons.accepted.connect(lambda: self._go(self.list_view.currentIndex()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list_view)
        layout.addWidget(buttons)
        self.resize(640 if reminders else 560, 320)

    def _go(self, index) -> None:
        if index.isValid():
            self.chosen = index.data(QUESTION_ROLE)
            self.accept()

    def _complete_anyway(self) -> None:
        self.chosen = COMPLETE_ANYWAY
        self.accept()

    @classmethod
    def ask(cls, parent, case_ref: str, problems: list[Missing]) -> str | None:
        """Show the dialog; the chosen question id, or None when cancelled."""
        dialog = cls(case_ref, problems, parent)
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None

    @classmethod
    def ask_about_queries(cls, parent, case_ref: str, reminders: list[Missing]) -> str | object | None:
        """Nothing blocks completion, but the lead has open queries: the question id to go to,
        COMPLETE_ANYWAY, or None when cancelled."""
        dialog = cls(case_ref, [], parent, reminders=reminders)
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None
