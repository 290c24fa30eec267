"""Two windows of the Frameworks page for leads (issue 18 §5, decision 0042): the confirmation of
moving an inspection to another framework version, showing what changed and what happens to the
answers; and a preview of a framework as inspectors will see it, a blank case in the case view
that cannot be changed.
"""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
)

from fieldwork.frameworks.model import Framework
from fieldwork.store.framework_move import MovePlan

PREVIEW_CASE = "PREVIEW"


def move_html(plan: MovePlan) -> str:
    """What changed and what happens to the answers, as the confirmation shows it."""
    changes = "".join(f"<li>{escape(c.words)}</li>" for c in plan.changes)
    changes = changes or "<li>No change to questions or ratings.</li>"
    summary = "".join(f"<p>{escape(line.strip())}</p>" for line in plan.summary())
    return (
        f"<h3>Move {escape(plan.inspection_id)} from version {escape(plan.old.version)} to "
        f"{escape(plan.new.version)}?</h3>{summary}"
        "<p>The move is recorded in every case's history. Each inspector's next allocation pack brings it to "
        "their laptop; bundles they made before still merge.</p>"
        f"<h4>What changed</h4><ul>{changes}</ul>"
    )


class MoveConfirmDialog(QDialog):
    """The diff and the answers' fate; Move or Cancel (Cancel is the default)."""

    def __init__(self, plan: MovePlan, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Move this inspection to another framework version")
        self.text = QTextBrowser(self)
        self.text.setObjectName("moveSummary")
        self.text.setHtml(move_html(plan))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.move_button = buttons.addButton("&Move the inspection", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(720, 520)

    @classmethod
    def ask(cls, parent, plan: MovePlan) -> bool:
        return cls(plan, parent).exec() == QDialog.DialogCode.Accepted


class FrameworkPreviewDialog(QDialog):
    """A blank case of one sample, in the case view inspectors use, in a throwaway store that
    cannot be written: what inspectors will see, with nothing saved anywhere."""

    def __init__(self, framework: Framework, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Preview: {framework.title} {framework.version}")
        self.framework = framework
        self._folder = tempfile.TemporaryDirectory(prefix="fieldwork-preview-")
        self.store = None
        self.view = None
        self.sample = QComboBox(self)
        self.sample.setAccessibleName("Sample")
        for sample in framework.samples:
            self.sample.addItem(sample.title, sample.id)
        self.sample.currentIndexChanged.connect(lambda _index: self.show_sample(self.sample.currentData()))
        top = QHBoxLayout()
        top.addWidget(QLabel("Sample (question set):", self))
        top.addWidget(self.sample, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        self._layout = QVBoxLayout(self)
        self._layout.addLayout(top)
        self._layout.addWidget(close)
        self.finished.connect(self._clean_up)
        self.resize(1100, 720)
        self.show_sample(framework.default_sample.id)

    def show_sample(self, sample_id: str) -> None:
        from fieldwork.gui.case_view import CaseView
        from fieldwork.store.db import open_store
        from fieldwork.store.inspections import add_case, create_inspection

        self._close_store()
        folder = Path(self._folder.name) / sample_id
        self.store = open_store(folder, actor="preview", backups=None)
        inspection = create_inspection(
            self.store, inspection_id="preview", provider="Preview", provider_type=self.framework.provider_types[0],
            framework=self.framework,
        )
        case = add_case(self.store, inspection, PREVIEW_CASE, sample_id=sample_id)
        self.store.no_room = True  # from here the store only reads: a preview never saves anything
        self.view = CaseView(self.store, case.id, QUndoStack(self), self)
        self.view.back_button.hide()
        self.view.complete_button.hide()
        self.view.banner.setText(
            f"Preview of {self.framework.title} {self.framework.version}: a blank case as inspectors will see it. "
            "Nothing here can be answered or saved."
        )
        self.view.banner.show()
        self._layout.insertWidget(1, self.view, 1)

    def _close_store(self) -> None:
        if self.view is not None:
            self._layout.removeWidget(self.view)
            self.view.deleteLater()
            self.view = None
        if self.store is not None:
            self.store.no_room = False
            self.store.close()
            self.store = None

    def _clean_up(self, _result: int = 0) -> None:
        self._close_store()
        self._folder.cleanup()
