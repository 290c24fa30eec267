"""Accessible names and descriptions for every control, derived in one place (issue 19).

A screen reader speaks a control's accessible name ("Export bundle…") and description (what it is
for, where it is). Qt derives the name of a button from its text and of a field from the label
whose buddy it is; everything else (a table, a tab bar, a field whose label is just the widget
before it, any description) would need a line per widget in every screen. Instead each window
is labelled as a whole, from what a sighted user sees next to each control: the main window
each time it changes view (welcome, cases, a case, a lead's tab as it is built), each dialog as
the keyboard first enters it. The question rows and evidence boxes, built while a case is open,
carry their own names and descriptions (question_widgets.py).

- name: Qt's own (button text, buddy label); else the label just before it in its layout; else
  its placeholder or tooltip; for a table its column titles, for a tab bar its tabs;
- description: its tooltip; else what it is and where ("Button on the Merge tab", "Text field in
  the dialog 'Export bundle'").

Names and descriptions set explicitly by a screen are never replaced; a tooltip set later
replaces, at the next labelling, a description this module derived.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from fieldwork.gui.focus_order import follow_reading_order, takes_tab

# The kinds of control every screen is checked for (tests/gui/test_accessibility.py).
CONTROL_TYPES = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTabBar,
)
_DERIVED = "_fieldwork_derived_description"  # set on a widget whose description came from here


def is_control(widget: QWidget) -> bool:
    """A control a user operates, not a part of another control (a combo's own line edit, a
    spin box's text, a table's header or corner button, a tab bar's scroll arrows)."""
    if isinstance(widget, QHeaderView) or widget.isWindow():
        return False
    if not isinstance(widget, CONTROL_TYPES) and not takes_tab(widget):
        return False  # any other widget Tab stops on is a control too (a question row, a chart)
    if widget.window().windowType() == Qt.WindowType.Popup:
        return False  # a combo's drop-down list, a menu: part of the control that opened it
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QAbstractSpinBox, QTabBar, QAbstractItemView)):
            return False
        parent = parent.parentWidget()
    return True


def spoken_name(widget: QWidget) -> str:
    """What a screen reader announces as the widget's name (Qt's accessibility interface)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return (interface.text(QAccessible.Text.Name) or "").strip() if interface is not None else ""


def spoken_description(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return (interface.text(QAccessible.Text.Description) or "").strip() if interface is not None else ""


def _plain(text: str) -> str:
    """Visible text as spoken: no mnemonic ampersands, markup, trailing colons or extra spaces."""
    text = re.sub(r"<[^>]+>", " ", text or "")
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    return " ".join(text.split()).rstrip(":").strip()


def _label_before(widget: QWidget) -> str:
    """The text of the short label laid out just before the widget (its visible caption)."""
    parent = widget.parentWidget()
    layout = parent.layout() if parent is not None else None
    found = _search_layout(layout, widget) if layout is not None else None
    if isinstance(found, QLabel) and found.isVisibleTo(parent) and found.buddy() in (None, widget):
        text = _plain(found.text())
        if text and len(text) <= 80:
            return text
    return ""


def _search_layout(layout, widget):
    """The widget laid out before `widget` in whichever (nested) layout holds it."""
    previous = None
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item.widget() is widget:
            return previous
        if item.layout() is not None:
            found = _search_layout(item.layout(), widget)
            if found is not None:
                return found
        if item.widget() is not None:
            previous = item.widget()
    return None


def descendants(root: QWidget, *, current_pages_only: bool = False) -> list[QWidget]:
    """`root` and every widget inside it. Walked with children(): findChildren() (PySide6 6.11)
    left the Python side of every closed case view's rows alive (tests/gui/test_soak.py).

    current_pages_only: leave out the pages a stacked widget (or a tab widget's stack) is not
    showing, e.g. a closed case view waiting to be deleted or a lead tab not in front."""
    found, stack = [], [root]
    while stack:
        widget = stack.pop()
        found.append(widget)
        shown = widget.currentWidget() if current_pages_only and isinstance(widget, QStackedWidget) else None
        stack.extend(
            child for child in widget.children()
            if isinstance(child, QWidget) and (shown is None or child is shown)
        )
    return found


def _buddy_text(widget: QWidget) -> str:
    """The text of a label whose buddy is `widget`, looked for among the children of each of its
    ancestors (where forms and group boxes put them). Not the whole window for each widget: with a
    case open that was a walk of a thousand widgets per control, and opening a case took 40–60 ms
    more."""
    ancestor = widget.parentWidget()
    while ancestor is not None:
        for label in ancestor.children():
            if isinstance(label, QLabel) and label.buddy() is widget and _plain(label.text()):
                return _plain(label.text())
        if ancestor.isWindow():
            break
        ancestor = ancestor.parentWidget()
    return ""


def derive_name(widget: QWidget) -> str:
    if isinstance(widget, QTabBar):
        tabs = [_plain(widget.tabText(i)) for i in range(widget.count())]
        return "Tabs: " + ", ".join(t for t in tabs if t) if any(tabs) else ""
    caption = _buddy_text(widget) or _label_before(widget)
    if caption:
        return caption
    if isinstance(widget, QLineEdit) and widget.placeholderText():
        return _plain(widget.placeholderText())
    if isinstance(widget, (QTextEdit, QPlainTextEdit)) and widget.placeholderText():
        return _plain(widget.placeholderText()).split(". ")[0]
    if widget.toolTip():
        return _plain(widget.toolTip()).split(". ")[0]
    if isinstance(widget, QTextEdit) and widget.isReadOnly() and widget.window().windowTitle():
        return _plain(widget.window().windowTitle())  # the text a help or information dialog shows
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        model = widget.model()
        titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
        titles = [_plain(str(t)) for t in titles if t]
        if titles:
            return "Table of " + ", ".join(titles)
    return ""


_KINDS = (
    (QCheckBox, "Check box"),
    (QRadioButton, "Option"),
    (QAbstractButton, "Button"),
    (QComboBox, "List to choose from"),
    (QAbstractSpinBox, "Field"),
    (QLineEdit, "Text field"),
    (QTextEdit, "Text box"),
    (QPlainTextEdit, "Text box"),
    (QAbstractItemView, "Table"),
    (QTabBar, "Tabs"),
    (QWidget, "Area"),
)


def _place(widget: QWidget) -> str:
    """Where the widget is, in the words on screen: a group's title, a tab, a dialog."""
    chain = [widget]
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QGroupBox) and parent.title():
            return f"in '{_plain(parent.title())}'"
        if isinstance(parent, QTabWidget) and not isinstance(widget, QTabBar) and len(chain) >= 2:
            index = parent.indexOf(chain[-2])  # the page, below the tab widget's own stack
            if index >= 0 and parent.tabText(index):
                return f"on the {_plain(parent.tabText(index))} tab"
        if parent.isWindow():
            title = _plain(parent.windowTitle())
            where = "dialog" if isinstance(parent, QDialog) else "window"
            return f"in the {where} '{title}'" if title else f"in the {where}"
        chain.append(parent)
        parent = parent.parentWidget()
    return ""


def derive_description(widget: QWidget) -> str:
    if widget.toolTip():
        return _plain(widget.toolTip())
    kind = next(word for cls, word in _KINDS if isinstance(widget, cls))
    return f"{kind} {_place(widget)}".strip()


def _qt_name(widget: QWidget) -> str:
    """The name Qt derives by itself (its accessibility interface is not asked here: creating one
    for a widget still being laid out, e.g. a tab bar while a tab is added, crashes Qt)."""
    if widget.accessibleName():
        return widget.accessibleName()
    if isinstance(widget, QComboBox):
        return ""  # Qt names a combo by its current choice, which is a value, not a name
    if isinstance(widget, QAbstractButton) and _plain(widget.text()):
        return widget.text()
    parent = widget.parentWidget()
    if parent is not None:
        for label in parent.children():
            if isinstance(label, QLabel) and label.buddy() is widget and _plain(label.text()):
                return label.text()
        if isinstance(parent, QGroupBox) and parent.title():
            return parent.title()
    return ""


def label_control(widget: QWidget) -> None:
    """Give one control a name and a description where Qt would announce none; Tab leaves tables."""
    if not _qt_name(widget):
        name = derive_name(widget)
        if name:
            widget.setAccessibleName(name)
    if widget.property(_DERIVED) and widget.toolTip():
        widget.setAccessibleDescription("")  # a tooltip set since: Qt speaks it as the description
        widget.setProperty(_DERIVED, False)
    if not widget.accessibleDescription() and not widget.toolTip():
        widget.setAccessibleDescription(derive_description(widget))
        widget.setProperty(_DERIVED, True)
    if isinstance(widget, (QTextEdit, QPlainTextEdit)) and not widget.tabChangesFocus():
        # Tab moves on from a text box instead of typing a tab character, which no evidence or
        # reason needs: otherwise the keyboard could not leave it (WCAG 2.1.2, no keyboard trap).
        widget.setTabChangesFocus(True)
    if isinstance(widget, QAbstractItemView) and widget.tabKeyNavigation():
        # Tab leaves a table for the next control (arrows move between its cells): by default
        # Qt's tables keep Tab for their cells, and keyboard users were trapped in them.
        widget.setTabKeyNavigation(False)


def label_controls(root: QWidget, *, current_pages_only: bool = False) -> None:
    """Label every control in `root` (a window, a dialog, a view) now; see `descendants`."""
    for widget in descendants(root, current_pages_only=current_pages_only):
        if is_control(widget):
            label_control(widget)


def prepare_window(window: QWidget) -> None:
    """A dialog as it opens: every control labelled, Tab in reading order (focus_order.py)."""
    label_controls(window)
    follow_reading_order(window)


class _DialogWatcher(QObject):
    """Prepares each dialog the first time the keyboard enters it.

    Not an application-wide event filter: one Python call per Qt event doubled the time a case
    takes to open. The focus moves a few times a minute, and always into a dialog as it opens.
    """

    def focus_changed(self, _old, new) -> None:
        window = new.window() if new is not None else None
        if isinstance(window, QDialog) and not window.property(_PREPARED):
            window.setProperty(_PREPARED, True)
            prepare_window(window)


_PREPARED = "_fieldwork_prepared"
_watcher: _DialogWatcher | None = None


def install(app: QApplication | None = None) -> None:
    """Prepare every dialog from now on (idempotent); main windows call label_controls themselves."""
    global _watcher
    if _watcher is None:
        _watcher = _DialogWatcher()
        (app or QApplication.instance()).focusChanged.connect(_watcher.focus_changed)
