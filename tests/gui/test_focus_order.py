"""Tab follows reading order on every screen and reaches every control (issue 19).

Each screen is walked with Tab key presses from its first control until the keyboard comes back
round; the walk must reach every control Tab can reach on the screen, and never jump up and to
the left: the next control is below the last one's top, or wholly to its right (the next column).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from fieldwork.gui.focus_order import reading_order, takes_tab
from fieldwork.store.assessments import list_case_summaries
from tests.gui.conftest import lead_and_inspector_stores, open_case
from tests.gui.test_accessibility import open_dialog, settle
from tests.gui.test_mnemonics import dialogs

TOLERANCE = 4  # pixels: controls on one line may differ a little in height


def place(widget: QWidget, window: QWidget) -> QRect:
    """Where the widget is in the window, as if every scroll area were scrolled to its top: the
    case page scrolls as the keyboard moves, which must not reorder what is on it."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        area = parent.parentWidget().parentWidget() if parent.parentWidget() else None
        if isinstance(area, QScrollArea) and area.widget() is parent:
            inside = widget.mapTo(parent, QPoint(0, 0))
            return QRect(area.viewport().mapTo(window, QPoint(0, 0)) + inside, widget.size())
        parent = parent.parentWidget()
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def reachable(window: QWidget) -> set[QWidget]:
    return {
        w
        for w in window.findChildren(QWidget)
        if takes_tab(w) and w.isVisibleTo(window) and w.isEnabled() and w.window() is window
    }


def tab_walk(qtbot, window: QWidget) -> list[QWidget]:
    """Press Tab from the first control in reading order until the keyboard comes back round."""
    targets = reachable(window)
    start = next(w for w in reading_order(window) if w in targets)
    start.setFocus(Qt.FocusReason.TabFocusReason)
    settle()
    walk = [QApplication.focusWidget()]
    for _ in range(3 * len(targets) + 5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now in walk:
            break
        walk.append(now)
    return walk


def out_of_order(walk: list[QWidget], window: QWidget) -> list[str]:
    """Steps of the walk that go up and to the left (read as a cycle, from the top-left control)."""
    rects = [place(w, window) for w in walk]
    first = min(range(len(walk)), key=lambda i: (rects[i].top(), rects[i].left()))
    order = list(range(first, len(walk))) + list(range(first))
    problems = []
    for a, b in zip(order, order[1:], strict=False):
        before, after = rects[a], rects[b]
        if after.top() + TOLERANCE >= before.top() or after.left() + TOLERANCE >= before.right():
            continue
        problems.append(f"{_what(walk[a])} → {_what(walk[b])}")
    return problems


def _what(widget: QWidget) -> str:
    return widget.accessibleName() or getattr(widget, "text", lambda: "")() or type(widget).__name__


def check(qtbot, window: QWidget) -> None:
    settle()
    walk = tab_walk(qtbot, window)
    missed = reachable(window) - set(walk)
    assert not missed, f"Tab never reaches: {sorted(_what(w) for w in missed)}"
    assert out_of_order(walk, window) == []


@pytest.fixture
def people(tmp_path):
    lead, inspector, lead_keys, inspector_keys = lead_and_inspector_stores(tmp_path)
    yield lead, inspector, lead_keys, inspector_keys
    lead.close()
    inspector.close()


def test_welcome_screen(qtbot, make_window, tmp_path):
    from fieldwork.store import open_store

    store = open_store(tmp_path / "empty", actor="insp-1")
    try:
        check(qtbot, make_window(store))
    finally:
        store.close()


def test_inspector_cases_and_case(qtbot, window, cases):
    check(qtbot, window)
    open_case(qtbot, window, cases["C001"].id)
    check(qtbot, window)


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)], ids=["1280x800", "1024x700"])
@pytest.mark.parametrize("tab", range(4), ids=["cases", "allocation", "merge", "ratings"])
def test_each_of_the_lead_tabs(qtbot, make_window, people, tab, size):
    lead, *_ = people
    window = make_window(lead)
    window.resize(*size)
    window.home_tabs.setCurrentIndex(tab)
    check(qtbot, window)


def test_the_lead_case_view(qtbot, make_window, people):
    lead, *_ = people
    window = make_window(lead)
    open_case(qtbot, window, list_case_summaries(lead, window.inspection.id)[0].case.id)
    check(qtbot, window)


def test_every_dialog(qtbot, gui_store, gui_inspection, cases):
    from fieldwork.gui import accessibility
    from fieldwork.identity import create_keys
    from fieldwork.identity.keys import ScryptParams

    accessibility.install()  # as make_application does: it also puts each dialog's Tab in reading order
    keys = create_keys(
        gui_store.path.parent, name="Jo", person_id="insp-1", passphrase="a long passphrase", scrypt=ScryptParams(10)
    )
    problems = {}
    for dialog in dialogs(gui_store, keys, gui_inspection.id):
        open_dialog(qtbot, dialog)
        walk = tab_walk(qtbot, dialog)
        missed = sorted(_what(w) for w in reachable(dialog) - set(walk))
        found = out_of_order(walk, dialog) + [f"never reached: {name}" for name in missed]
        if found:
            problems[type(dialog).__name__] = found
        dialog.close()
    assert problems == {}
