"""Case → Change question set…: move the open case to another sample, with a reason.

The store keeps the change (who, when, from, to, why) in the case's change log and never deletes
an answer (decision 0034); this module is only the dialog and what the menu action does
(the action itself is the main window's, so that this module loads when it is first chosen).
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from fieldwork.errors import FieldworkError
from fieldwork.frameworks.model import Framework
from fieldwork.store.assessments import change_sample as store_change_sample
from fieldwork.store.assessments import get_case

NOT_CHANGED = "Question set not changed"  # the title of its warnings: what did not happen


class ChangeSampleDialog(QDialog):
    """Move a case to another sample (question set), with the reason kept in its change log."""

    def __init__(self, framework: Framework, current_sample_id: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Change the question set")
        current = QLabel(f"Now: {framework.sample(current_sample_id).title}")
        self.sample_combo = QComboBox()
        self.sample_combo.setAccessibleName("New question set")
        for sample in framework.samples:
            if sample.id != current_sample_id:
                self.sample_combo.addItem(sample.title, sample.id)
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.setPlaceholderText("Why this case answers the other set")
        note = QLabel(
            "Answers already given are kept; those the new set does not ask stop counting. The change "
            "travels with your next bundle or pack, with your reason."
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(current)
        form.addRow("&New set", self.sample_combo)
        form.addRow("&Reason", self.reason_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Change")
        buttons.accepted.connect(self.accept)  # an empty reason is refused by the store, with why
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, str]:
        return self.sample_combo.currentData(), self.reason_edit.text()

    @classmethod
    def ask(cls, parent, framework: Framework, current_sample_id: str) -> tuple[str, str] | None:
        dialog = cls(framework, current_sample_id, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.values()
        return None


def change_sample(window) -> None:
    """Move the open case to another sample (question set), with a reason (decision 0034)."""
    view = window.case_view
    if view is None or window.inspection is None:
        window.show_error("Open a case first, then change its question set.", NOT_CHANGED)
        return
    case = get_case(window.store, view.case_id)
    answer = ChangeSampleDialog.ask(window, window.framework, case.sample_id)
    if answer is None:
        return
    if not view.flush_pending():
        window.show_error("Some evidence could not be saved; save it before changing the question set.", NOT_CHANGED)
        return
    try:
        change = store_change_sample(window.store, case.id, answer[0], answer[1])
    except FieldworkError as error:
        window.show_error(error.message, NOT_CHANGED)
        return
    window.open_case(case.id)
    moved = f"Case {case.case_ref} now answers {window.framework.sample(change.new).title}."
    kept = ""
    if change.not_counting:
        kept = f" {len(change.not_counting)} earlier answers are kept but no longer count."
    window.statusBar().showMessage(moved + kept, 15000)
