"""The strip under the case page that says which mode the keyboard is in (issue 19).

Single-letter answer keys once changed a judgement while the inspector thought they were typing,
and answer keys ended up as evidence text. The strip names the mode in capitals, in a colour of
its own, with the keys that work in it: ANSWERING (letters answer the row with the ring) or
TYPING (letters are text; Esc goes back to answering).
"""

from __future__ import annotations

from fieldwork.gui import theme
from fieldwork.gui.shortcuts import key_for

_KEYS = {"yes": "Y", "no": "N", "na": "A"}


class KeyboardModeStrip(theme.PillLabel):
    """One line (wrapped when narrow) naming the keyboard's mode and the keys that work in it."""

    def __init__(self, parent=None):
        super().__init__("", parent, radius=3)
        self.setObjectName("keyboardMode")
        self.setWordWrap(True)
        self.setContentsMargins(10, 4, 10, 4)
        self.setAccessibleName("Keyboard mode")
        self.mode = ""
        self.show_idle()

    def show_answering(self, question_id: str, answers: list[tuple[str, str]], *, judgement: bool) -> None:
        """`answers`: (stored value, label) of each answer the row allows, in order."""
        keys = " · ".join(f"{_KEYS[value]} {label}" for value, label in answers)
        then = "Enter: type evidence" if judgement else "Down/Up: next/previous"
        self._show("answering", f"ANSWERING {question_id} — {keys} · Delete clears · {then}")

    def show_typing(self, question_id: str) -> None:
        self._show("typing", f"TYPING evidence for {question_id} — letters go into the text · Esc: back to answering")

    def show_details(self) -> None:
        self._show("details", "TYPING case details — Tab: next field")

    def show_idle(self) -> None:
        self._show("", f"Choose a question to answer ({key_for('next_unanswered')}: the next unanswered one)")

    def _show(self, mode: str, text: str) -> None:
        self.mode = mode
        self.setText(text)
        self.set_fill(theme.MODE_FILLS["typing" if mode == "details" else mode])
