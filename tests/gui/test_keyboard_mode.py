"""Which mode the keyboard is in is obvious (issue 19): a strong focus ring, an "answering /
typing" strip, an undo notice after each answer, and a reason when a key does nothing."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from fieldwork.gui import theme
from tests.gui.conftest import stored


def press(qtbot, key):
    qtbot.keyClick(QApplication.focusWidget(), key)


def ring_pixels(widget, rect) -> list:
    """The colours just inside each edge of `rect` (in `widget`), halfway along."""
    image = widget.grab().toImage()
    ratio = image.devicePixelRatio()
    middle = rect.center()
    points = [
        QPoint(rect.left() + 1, middle.y()),
        QPoint(rect.right() - 1, middle.y()),
        QPoint(middle.x(), rect.top() + 1),
        QPoint(middle.x(), rect.bottom() - 1),
    ]
    return [image.pixelColor(round(p.x() * ratio), round(p.y() * ratio)).name() for p in points]


def test_the_row_under_the_keyboard_has_a_strong_ring(qtbot, case_view):
    row = case_view.row("2.1.1.a")
    assert row.hasFocus()
    ring = theme.FOCUS_RING.name()
    assert ring_pixels(row, row.rect()) == [ring] * 4
    other = case_view.row("2.1.1.b")
    assert ring not in ring_pixels(other, other.rect())
    assert theme.FOCUS_RING_WIDTH >= 2


def test_the_evidence_box_being_typed_in_has_the_ring(qtbot, case_view):
    case_view.focus_question("2.1.1")
    press(qtbot, Qt.Key.Key_Y)
    panel = case_view.panel("2.1.1")
    assert QApplication.focusWidget() is panel.evidence
    width = theme.FOCUS_RING_WIDTH
    around = panel.evidence.geometry().adjusted(-width, -width, width, width)
    assert ring_pixels(panel, around) == [theme.FOCUS_RING.name()] * 4
    qtbot.keyClick(panel.evidence, Qt.Key.Key_Escape)
    assert theme.FOCUS_RING.name() not in ring_pixels(panel, around)


def test_the_mode_strip_says_answering_or_typing(qtbot, case_view):
    strip = case_view.mode_label
    assert strip.isVisible()
    assert strip.text().startswith("ANSWERING 2.1.1.a")
    assert "Y Yes" in strip.text() and "N No" in strip.text()
    assert "A " not in strip.text().split("—")[1], "2.1.1.a does not allow Not applicable"
    case_view.focus_question("2.1.1")
    press(qtbot, Qt.Key.Key_Y)  # a judgement: the keyboard goes into its evidence
    assert case_view.keyboard_mode == "typing"
    assert strip.text().startswith("TYPING evidence for 2.1.1")
    assert "Esc" in strip.text()
    press(qtbot, Qt.Key.Key_Escape)
    assert case_view.keyboard_mode == "answering"
    assert strip.text().startswith("ANSWERING 2.1.1 ")
    # Case details: typing too.
    case_view.details_form.setFocus()
    case_view.details_form.focusNextChild()
    assert case_view.keyboard_mode == "details"
    assert strip.text().startswith("TYPING case details")


def test_each_answer_leaves_an_undo_notice(qtbot, case_view, window):
    press(qtbot, Qt.Key.Key_Y)
    assert window.statusBar().currentMessage() == "Answered 2.1.1.a Yes — Ctrl+Z to undo"
    case_view.focus_question("2.1.1")
    press(qtbot, Qt.Key.Key_N)
    assert window.statusBar().currentMessage() == "Answered 2.1.1 Insufficient — Ctrl+Z to undo"
    press(qtbot, Qt.Key.Key_Escape)
    press(qtbot, Qt.Key.Key_Delete)
    assert window.statusBar().currentMessage() == "Cleared 2.1.1 — Ctrl+Z to undo"


def test_a_where_not_applicable_is_not_allowed_says_why(qtbot, case_view, window, gui_store, cases):
    assert not case_view.row("2.1.1.a").isHidden()
    press(qtbot, Qt.Key.Key_A)
    assert stored(gui_store, cases["C001"].id) == {}
    message = window.statusBar().currentMessage()
    assert message.startswith("2.1.1.a cannot be answered Not applicable")
    assert "does not allow it for this prompt" in message and "Answer Yes or No." in message


def test_a_case_detail_being_typed_in_has_the_ring(qtbot, case_view):
    form = case_view.details_form
    editor = form._editors["ldu"]
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    width = theme.FOCUS_RING_WIDTH
    around = editor.geometry().adjusted(-width, -width, width, width)
    assert ring_pixels(form, around) == [theme.FOCUS_RING.name()] * 4
    case_view.row("2.1.1.a").setFocus()
    qtbot.waitUntil(lambda: not editor.hasFocus())
    assert theme.FOCUS_RING.name() not in ring_pixels(form, around)
