"""Driving the app with the keyboard alone, modal dialogs included (issue 19's keyboard walks).

Every key goes to the widget that has the keyboard (QApplication.focusWidget()), as it would for
a person. A modal dialog cannot run its own loop in an offscreen test, so QDialog.exec is
replaced by `Dialogs`: each dialog is shown, gets the keyboard, and is driven by the next
scripted step (key presses only) until it closes; exec then returns its result as Qt would.
File choosers are the only test doubles (the walks use no mouse, and a native file dialog is
not the app's).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMessageBox

NONE = Qt.KeyboardModifier.NoModifier


def focused():
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard"
    return widget


def press(qtbot, key, modifier=NONE, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(focused(), key, modifier)


def type_text(qtbot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def alt(qtbot, letter: str) -> None:
    """Alt + a letter: the control whose mnemonic it is. A button so pressed shows itself down
    for a moment before it clicks (QAbstractButton.animateClick): wait for the click."""
    window = QApplication.activeWindow()
    buttons = [
        b
        for b in (window.findChildren(QAbstractButton) if window is not None else [])
        if b.isVisible() and QKeySequence.mnemonic(b.text()).toString().lower() == f"alt+{letter.lower()}"
    ]
    press(qtbot, getattr(Qt.Key, f"Key_{letter.upper()}"), Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not any(_alive_and_down(b) for b in buttons))


def _alive_and_down(button) -> bool:
    try:
        return button.isDown()
    except RuntimeError:  # the click closed its dialog, and the button is gone
        return False


def tab_to(qtbot, found: Callable[[object], bool], limit: int = 40) -> None:
    """Tab until the keyboard is on a control for which `found` is true."""
    for _ in range(limit):
        if found(focused()):
            return
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached the control (last: {focused()!r})")


class Dialogs:
    """Stands in for QDialog.exec: the next scripted step drives each dialog with keys."""

    def __init__(self, qtbot, monkeypatch):
        self.qtbot = qtbot
        self.steps: list[tuple[str, Callable[[QDialog], None]]] = []
        self.seen: list[str] = []
        dialogs = self

        def exec_(dialog, *args):
            return dialogs._run(dialog)

        monkeypatch.setattr(QDialog, "exec", exec_)
        # The conftest records static message boxes instead of showing them; a walk answers them.
        monkeypatch.setattr(QMessageBox, "question", staticmethod(self._question))

    def expect(self, title_part: str, step: Callable[[QDialog], None]) -> None:
        self.steps.append((title_part, step))

    def _run(self, dialog: QDialog) -> int:
        assert self.steps, f"an unexpected dialog opened: {type(dialog).__name__} {dialog.windowTitle()!r}"
        title_part, step = self.steps.pop(0)
        title = dialog.windowTitle()
        assert title_part in title, f"expected a dialog about {title_part!r}, got {title!r}"
        self.seen.append(title)
        underneath = QApplication.activeWindow()
        dialog.show()
        self.qtbot.waitExposed(dialog)
        dialog.activateWindow()
        self.qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and focused().window() is dialog)
        step(dialog)
        self.qtbot.waitUntil(lambda: not dialog.isVisible())
        if underneath is not None:  # as after Qt's modal loop: the window underneath is active again
            underneath.activateWindow()
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is underneath)
        return QDialog.result(dialog)  # (ExportDialog keeps its own `result` attribute)

    def _question(self, parent, title, text, buttons=None, default=None):
        box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons or QMessageBox.StandardButton.Yes, parent)
        if default is not None:
            box.setDefaultButton(default)
        box.exec()
        return box.standardButton(box.clickedButton()) if box.clickedButton() else QMessageBox.StandardButton.NoButton
