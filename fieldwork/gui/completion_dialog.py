"""What stops a case from being complete, with a way to jump to each item."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListView, QVBoxLayout

from fieldwork.assessment import Missing

QUESTION_ROLE = Qt.ItemDataRole.UserRole + 1


class CompletionDialog(QDialog):
    """Lists the missing items; 'Go to' (or Enter, or a double-click) returns the chosen one."""

    def __init__(self, case_ref: str, problems: list[Missing], parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Case {case_ref} is not complete yet")
        self.chosen: str | None = None
        intro = QLabel(
            f"{len(problems)} item(s) must be done before case {case_ref} can be marked complete. "
            "Choose one to go to it."
        )
        intro.setWordWrap(True)
        self.model = QStandardItemModel(self)
        for problem in problems:
            item = QStandardItem(problem.message)
            item.setData(problem.question_id, QUESTION_ROLE)
            item.setEditable(False)
            self.model.appendRow(item)
        self.list_view = QListView()
        self.list_view.setAccessibleName("Missing items")
        self.list_view.setModel(self.model)
        self.list_view.setCurrentIndex(self.model.index(0, 0))
        self.list_view.activated.connect(self._go)
        self.list_view.doubleClicked.connect(self._go)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        go = buttons.addButton("&Go to item", QDialogButtonBox.ButtonRole.AcceptRole)
        go.setDefault(True)
        buttons.accepted.connect(lambda: self._go(self.list_view.currentIndex()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list_view)
        layout.addWidget(buttons)
        self.resize(560, 320)

    def _go(self, index) -> None:
        if index.isValid():
            self.chosen = index.data(QUESTION_ROLE)
            self.accept()

    @classmethod
    def ask(cls, parent, case_ref: str, problems: list[Missing]) -> str | None:
        """Show the dialog; the chosen question id, or None when cancelled."""
        dialog = cls(case_ref, problems, parent)
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None
