"""Undo and redo of answers: each command re-applies a value through the store.

Undo is itself a saved change (logged old → new), never a rewind of history.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand


class AnswerCommand(QUndoCommand):
    """Set one prompt answer or judgement from `old` to `new`."""

    def __init__(self, question_id: str, old: str | None, new: str | None, apply: Callable[[str, str | None], bool]):
        label = {"yes": "Yes", "no": "No", "na": "Not applicable", None: "cleared"}
        super().__init__(f"{question_id}: {label.get(new, new)}")
        self.question_id = question_id
        self.old = old
        self.new = new
        self._apply = apply

    def redo(self) -> None:
        if not self._apply(self.question_id, self.new):
            self.setObsolete(True)

    def undo(self) -> None:
        if not self._apply(self.question_id, self.old):
            self.setObsolete(True)
