"""Alt mnemonics of what is on screen: which letter each control answers to, per window.

Qt activates a mnemonic only for a visible, enabled-or-not control of the active window, so the
scope is "everything visible in one window at once": its menu bar titles, buttons, labels with a
buddy, check boxes, group boxes and tab titles. The items of one open menu are a scope of their own.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtWidgets import (
    QAbstractButton,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QTabBar,
    QToolButton,
    QWidget,
)


def mnemonic(text: str) -> str | None:
    """The letter after a single '&' ("E&xport" → "x"), or None ("&&" is a literal ampersand)."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1
        i += 1
    return None


def _is_standard_dialog_button(button: QAbstractButton) -> bool:
    box = button.parentWidget()
    return isinstance(box, QDialogButtonBox) and box.standardButton(button) != QDialogButtonBox.StandardButton.NoButton


def visible_controls(window: QWidget) -> list[tuple[str, QWidget | None]]:
    """(text, widget) of everything in `window` that can carry a mnemonic, as shown now."""
    found: list[tuple[str, QWidget | None]] = []
    if isinstance(window, QMainWindow) and window.menuBar().isVisible():
        found += [(action.text(), None) for action in window.menuBar().actions() if action.isVisible()]
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.window() is not window:
            continue
        if isinstance(widget, QAbstractButton) and not isinstance(widget, QToolButton):
            found.append((widget.text(), widget))
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            found.append((widget.text(), widget))
        elif isinstance(widget, QGroupBox) and widget.isCheckable():
            found.append((widget.title(), widget))
        elif isinstance(widget, QTabBar):
            found += [(widget.tabText(i), widget) for i in range(widget.count()) if widget.isTabVisible(i)]
    return found


def clashes(pairs: list[tuple[str, object]]) -> dict[str, list[str]]:
    """Letters used by more than one control: letter → their texts."""
    by_letter: dict[str, list[str]] = defaultdict(list)
    for text, _widget in pairs:
        letter = mnemonic(text)
        if letter:
            by_letter[letter].append(text)
    return {letter: texts for letter, texts in by_letter.items() if len(texts) > 1}


def buttons_without_mnemonic(window: QWidget, skip=lambda widget: False) -> list[str]:
    """Visible push buttons with no mnemonic (OK/Cancel/Close of a button box answer to Enter/Esc;
    `skip` leaves out others the caller exempts)."""
    return [
        widget.text() or widget.accessibleName() or type(widget).__name__
        for text, widget in visible_controls(window)
        if isinstance(widget, QPushButton)
        and mnemonic(text) is None
        and not _is_standard_dialog_button(widget)
        and not skip(widget)
    ]


def menu_clashes(window: QMainWindow) -> dict[str, dict[str, list[str]]]:
    """For each menu of the menu bar (and submenu), its letters used twice."""
    result = {}

    def walk(menu: QMenu, title: str) -> None:
        items = [(a.text(), a) for a in menu.actions() if a.isVisible() and not a.isSeparator()]
        found = clashes(items)
        if found:
            result[title] = found
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), action.text())

    for action in window.menuBar().actions():
        if action.menu() is not None:
            walk(action.menu(), action.text())
    return result
