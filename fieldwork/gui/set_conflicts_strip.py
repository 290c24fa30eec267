"""Merge tab: a case an inspector moved to another question set than the lead did (decision 0036).

One strip above the conflicts, shown only while such a change waits: it names the case, who moved
it from which set to which and why, and the lead's own set; the lead takes the inspector's set or
keeps their own, with a reason (kept in the case's change log). One decision at a time, oldest
case reference first; the store does the work (fieldwork.merge.sample_moves).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QLineEdit, QPushButton, QWidget

from fieldwork.errors import FieldworkError
from fieldwork.frameworks.model import Framework
from fieldwork.gui.wording import in_app
from fieldwork.store.db import Store


class SetConflictsStrip(QWidget):
    message = Signal(str)
    decided = Signal()

    def __init__(self, store: Store, inspection_id: str, framework: Framework, parent=None):
        super().__init__(parent)
        self.store, self.inspection_id, self.framework = store, inspection_id, framework
        self.moves = []
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Question sets to decide")
        self.take_button = QPushButton("&Take their set…", self)
        self.take_button.setToolTip("Move the case to the set the inspector chose")
        self.take_button.clicked.connect(lambda: self._ask(take=True))
        self.keep_button = QPushButton("Keep &your set…", self)
        self.keep_button.setToolTip("Keep the case in your set; their next pack moves it back in their workspace")
        self.keep_button.clicked.connect(lambda: self._ask(take=False))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.take_button)
        layout.addWidget(self.keep_button)
        self.refresh()

    def _title(self, sample_id: str) -> str:
        try:
            return self.framework.sample(sample_id).title
        except KeyError:
            return sample_id

    def refresh(self) -> None:
        from fieldwork.merge.sample_moves import list_sample_moves

        self.moves = list_sample_moves(self.store, self.inspection_id)
        if self.moves:
            first = self.moves[0]
            more = f" (1 of {len(self.moves)})" if len(self.moves) > 1 else ""
            self.label.setText(
                f"<b>Question set to decide{more}:</b> {first.inspector_id} moved case {first.case_ref} from "
                f"{self._title(first.old_sample)} to {self._title(first.new_sample)} "
                f"(“{first.reason or 'no reason given'}”); you have it in {self._title(first.lead_sample)}."
            )
        self.setVisible(bool(self.moves))
        for button in (self.take_button, self.keep_button):
            button.setEnabled(bool(self.moves) and not self.store.read_only)

    def _ask(self, *, take: bool) -> None:
        if not self.moves:
            return
        reason, ok = QInputDialog.getText(
            self, "Decide the question set", "Why (kept in the case's change log):", QLineEdit.EchoMode.Normal
        )
        if ok:
            self.decide(take=take, reason=reason)

    def decide(self, *, take: bool, reason: str) -> bool:
        """Decide the first waiting change; False (with the reason said) when it was refused."""
        from fieldwork.merge.sample_moves import decide_move

        if not self.moves:
            return False
        move = self.moves[0]
        try:
            decided = decide_move(self.store, move.id, take=take, reason=reason)
        except FieldworkError as error:
            self.message.emit(in_app(error.message))
            return False
        self.refresh()
        self.message.emit(f"Case {decided.case_ref} is in {self._title(decided.lead_sample)}; your reason is kept.")
        self.decided.emit()
        return True
