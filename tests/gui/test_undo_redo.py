"""Undo and redo of answers: each step is a saved, logged change, never a rewind."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import history, press_shortcut, stored_value


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def test_undo_restores_the_stored_value_and_logs_both_changes(qtbot, case_view, window, gui_store, cases):
    case_id = cases["C001"].id
    press(qtbot, Qt.Key.Key_Y)  # 2.1.1.a: none → yes
    press(qtbot, Qt.Key.Key_Up)
    press(qtbot, Qt.Key.Key_N)  # 2.1.1.a: yes → no
    assert stored_value(gui_store, case_id, "2.1.1.a") == "no"
    assert window.undo_stack.count() == 2

    window.undo_stack.undo()
    assert stored_value(gui_store, case_id, "2.1.1.a") == "yes"
    assert case_view.row("2.1.1.a").value == "yes"
    window.undo_stack.undo()
    assert stored_value(gui_store, case_id, "2.1.1.a") is None
    assert case_view.row("2.1.1.a").value is None

    changes = [(e.old, e.new, e.actor) for e in history(gui_store, case_id, key="2.1.1.a", field="value")]
    assert changes == [
        (None, "yes", "insp-1"),
        ("yes", "no", "insp-1"),
        ("no", "yes", "insp-1"),  # undo is itself a logged change
        ("yes", None, "insp-1"),
    ]

    window.undo_stack.redo()
    assert stored_value(gui_store, case_id, "2.1.1.a") == "yes"
    window.undo_stack.redo()
    assert stored_value(gui_store, case_id, "2.1.1.a") == "no"
    assert case_view.row("2.1.1.a").value == "no"
    assert len(history(gui_store, case_id, key="2.1.1.a", field="value")) == 6


def test_ctrl_z_and_ctrl_shift_z_keys(qtbot, case_view, window, gui_store, cases):
    case_id = cases["C001"].id
    press(qtbot, Qt.Key.Key_Y)  # 2.1.1.a yes, keyboard now on 2.1.1.b
    press(qtbot, Qt.Key.Key_A)  # 2.1.1.b na
    assert stored_value(gui_store, case_id, "2.1.1.b") == "na"
    press_shortcut(qtbot, QApplication.focusWidget(), "undo")
    assert stored_value(gui_store, case_id, "2.1.1.b") is None
    assert stored_value(gui_store, case_id, "2.1.1.a") == "yes"
    press_shortcut(qtbot, QApplication.focusWidget(), "redo")
    assert stored_value(gui_store, case_id, "2.1.1.b") == "na"
    assert window.actions["undo"].text().startswith("&Undo")


def test_undo_of_a_judgement_restores_the_prompts(qtbot, case_view, window, gui_store, cases):
    case_id = cases["C001"].id
    case_view.focus_question("2.1.2")
    qtbot.waitUntil(case_view.row("2.1.2").hasFocus)
    press(qtbot, Qt.Key.Key_A)
    assert stored_value(gui_store, case_id, "2.1.2") == "na"
    window.actions["undo"].trigger()
    assert stored_value(gui_store, case_id, "2.1.2") is None
    assert case_view.row("2.1.2").value is None
    assert "0 of 2" in case_view.progress_label.text()


def test_leaving_the_case_clears_the_undo_history(qtbot, case_view, window, gui_store, cases):
    press(qtbot, Qt.Key.Key_Y)
    assert window.undo_stack.canUndo()
    window.actions["go_home"].trigger()
    assert not window.undo_stack.canUndo()
    assert stored_value(gui_store, cases["C001"].id, "2.1.1.a") == "yes"
