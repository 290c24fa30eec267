"""Tab follows reading order: the order of the layouts on screen, not the order of construction.

Qt's default Tab order is the order widgets were created in. A screen that builds its right
column before a control of its left column (the Ratings tab's breakdown choice), or a button
added to a panel after the panel's text box, sends the keyboard up and back across the screen.
Walking the layouts instead gives what a reader sees: a vertical layout top to bottom, a
horizontal one (or a splitter) left to right, a grid and a form row by row; a column of a
layout is read to its end before the next column. `follow_reading_order` applies that order to
a window or dialog when it is shown (fieldwork/gui/accessibility.py) and to each of the lead's
tabs as it is built.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

# Controls whose insides are theirs alone (a table's viewport, a combo's line edit).
_LEAVES = (QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QTabBar, QTextEdit)


def takes_tab(widget: QWidget) -> bool:
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.focusProxy() is None


def reading_order(root: QWidget) -> list[QWidget]:
    """The widgets of `root` that Tab can reach, in the order its layouts show them."""
    found: list[QWidget] = []
    seen: set[int] = set()

    def visit(widget: QWidget) -> None:
        if id(widget) in seen or (widget is not root and widget.isWindow()):
            return
        seen.add(id(widget))
        if takes_tab(widget) and widget is not root:
            found.append(widget)
        if isinstance(widget, _LEAVES):
            return
        if isinstance(widget, QTabWidget):
            visit(widget.tabBar())
        if isinstance(widget, QScrollArea) and widget.widget() is not None:
            visit(widget.widget())
        elif isinstance(widget, (QSplitter, QStackedWidget, QTabWidget)):
            for index in range(widget.count()):
                visit(widget.widget(index))
        elif widget.layout() is not None:
            visit_layout(widget.layout())
        # Children placed by hand, outside any layout, by their place on screen.
        rest = [c for c in widget.children() if isinstance(c, QWidget)]  # not findChildren: see accessibility.py
        for child in sorted(rest, key=lambda c: (c.y(), c.x())):
            visit(child)

    def visit_layout(layout) -> None:
        items = [layout.itemAt(i) for i in range(layout.count())]
        if isinstance(layout, QGridLayout):
            positions = [layout.getItemPosition(i)[:2] for i in range(layout.count())]
            items = [item for _, item in sorted(zip(positions, items, strict=True), key=lambda pair: pair[0])]
        elif isinstance(layout, QFormLayout):
            rows = [layout.getItemPosition(i) for i in range(layout.count())]
            keys = [(row, role.value if hasattr(role, "value") else int(role)) for row, role in rows]
            items = [item for _, item in sorted(zip(keys, items, strict=True), key=lambda pair: pair[0])]
        elif isinstance(layout, QBoxLayout) and layout.direction() in (
            QBoxLayout.Direction.RightToLeft,
            QBoxLayout.Direction.BottomToTop,
        ):
            items.reverse()
        for item in items:
            if item.widget() is not None:
                visit(item.widget())
            elif item.layout() is not None:
                visit_layout(item.layout())

    visit(root)
    return found


def follow_reading_order(root: QWidget) -> None:
    """Make Tab go through `root`'s controls in reading order."""
    order = reading_order(root)
    for first, second in zip(order, order[1:], strict=False):
        QWidget.setTabOrder(first, second)
