"""The case details form at the top of a case: saved on change, checked by the core."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from fieldwork.store.assessments import load_assessment
from tests.gui.conftest import history


def details(store, case_id):
    return load_assessment(store, case_id).details


def editor(case_view, accessible_name, kind):
    found = [w for w in case_view.details_form.findChildren(kind) if w.accessibleName() == accessible_name]
    assert len(found) == 1, f"no single editor named {accessible_name!r}"
    return found[0]


def test_choosing_a_rosh_level_saves_it(qtbot, case_view, gui_store, cases):
    case_id = cases["C001"].id
    combo = editor(case_view, "Risk of serious harm (RoSH) level", QComboBox)
    assert combo.currentText() == "High"  # what add_case stored
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # High → Very high
    assert details(gui_store, case_id)["rosh"] == "very_high"
    qtbot.keyClicks(combo, "M")  # type-ahead: Medium
    assert combo.currentText() == "Medium"
    assert details(gui_store, case_id)["rosh"] == "medium"
    changes = [(e.old, e.new, e.actor) for e in history(gui_store, case_id, key="rosh")]
    assert changes == [("high", "very_high", "insp-1"), ("very_high", "medium", "insp-1")]
    assert not case_view.details_form.error_label.isVisible()


def test_a_bad_date_shows_the_error_and_saves_nothing(qtbot, case_view, gui_store, cases):
    case_id = cases["C001"].id
    line = editor(case_view, "Start date", QLineEdit)
    line.setFocus()
    qtbot.waitUntil(line.hasFocus)
    qtbot.keyClicks(line, "2026-02-31")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    error = case_view.details_form.error_label
    assert error.isVisible()
    assert "Start date" in error.text() and "YYYY-MM-DD" in error.text()
    assert "start_date" not in details(gui_store, case_id)
    assert history(gui_store, case_id, key="start_date") == []

    line.clear()
    qtbot.keyClicks(line, "2026-03-14")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert details(gui_store, case_id)["start_date"] == "2026-03-14"
    assert not error.isVisible()


def test_a_text_detail_is_saved_when_the_field_is_left(qtbot, case_view, gui_store, cases):
    case_id = cases["C001"].id
    line = editor(case_view, "Local delivery unit", QLineEdit)
    line.setFocus()
    qtbot.waitUntil(line.hasFocus)
    line.selectAll()
    qtbot.keyClicks(line, "Wolds Coast")
    qtbot.keyClick(line, Qt.Key.Key_Tab)  # leaving the field finishes the edit
    assert details(gui_store, case_id)["ldu"] == "Wolds Coast"
