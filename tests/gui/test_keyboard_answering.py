"""Answering a case with the keyboard only, checked against what the store holds."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldwork.gui.question_widgets import EVIDENCE_SAVE_DELAY_MS
from fieldwork.gui.shortcuts import WINDOW_SHORTCUTS
from tests.gui.conftest import (
    SUPERVISION_ROWS,
    make_cases,
    make_inspection,
    mini_variant,
    open_case,
    press_shortcut,
    stored,
    stored_value,
)


def focused_id() -> str | None:
    return getattr(QApplication.focusWidget(), "question_id", None)


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    """Press a key on whatever has the keyboard, as a person would."""
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard"
    qtbot.keyClick(widget, key, modifier)


def test_the_first_question_has_the_keyboard(case_view, window):
    assert focused_id() == "2.1.1.a"
    assert QApplication.focusWidget() is case_view.row("2.1.1.a")
    assert [r.question_id for r in case_view.rows] == SUPERVISION_ROWS


def test_y_answers_yes_saves_and_moves_on(qtbot, case_view, gui_store, cases):
    case_id = cases["C001"].id
    press(qtbot, Qt.Key.Key_Y)
    assert stored(gui_store, case_id) == {"2.1.1.a": ("yes", "")}
    assert case_view.row("2.1.1.a").value == "yes"
    assert focused_id() == "2.1.1.b"
    press(qtbot, Qt.Key.Key_N)
    assert stored_value(gui_store, case_id, "2.1.1.b") == "no"
    assert focused_id() == "2.1.1"
    # The first answer moved the case from Not started to In progress, in the store too.
    from fieldwork.store.assessments import get_case

    assert get_case(gui_store, case_id).status == "in_progress"
    assert case_view.status_label.text() == "In progress"


def test_a_answers_not_applicable_only_where_the_framework_allows_it(qtbot, case_view, gui_store, cases):
    case_id = cases["C001"].id
    # 2.1.1.a does not allow Not applicable: A changes nothing and the keyboard stays.
    press(qtbot, Qt.Key.Key_A)
    assert stored(gui_store, case_id) == {}
    assert focused_id() == "2.1.1.a"
    press(qtbot, Qt.Key.Key_Down)
    assert focused_id() == "2.1.1.b"
    press(qtbot, Qt.Key.Key_A)  # 2.1.1.b allows it
    assert stored(gui_store, case_id) == {"2.1.1.b": ("na", "")}
    assert focused_id() == "2.1.1"


def test_delete_clears_an_answer(qtbot, case_view, gui_store, cases):
    case_id = cases["C001"].id
    press(qtbot, Qt.Key.Key_Y)
    press(qtbot, Qt.Key.Key_Up)
    assert focused_id() == "2.1.1.a"
    press(qtbot, Qt.Key.Key_Delete)
    assert stored_value(gui_store, case_id, "2.1.1.a") is None
    assert case_view.row("2.1.1.a").value is None
    assert focused_id() == "2.1.1.a"  # clearing does not move on


def test_up_and_down_move_between_rows_and_stop_at_the_ends(qtbot, case_view):
    press(qtbot, Qt.Key.Key_Up)
    assert focused_id() == "2.1.1.a"
    seen = [focused_id()]
    for _ in range(len(SUPERVISION_ROWS)):
        press(qtbot, Qt.Key.Key_Down)
        seen.append(focused_id())
    assert seen == [*SUPERVISION_ROWS, "2.1.2"]
    press(qtbot, Qt.Key.Key_Up)
    assert focused_id() == "2.1.1"


def test_judgement_n_asks_for_evidence_which_is_saved_after_a_pause(qtbot, case_view, window, gui_store, cases):
    case_id = cases["C001"].id
    case_view.focus_question("2.1.1")
    qtbot.waitUntil(lambda: focused_id() == "2.1.1")
    press(qtbot, Qt.Key.Key_N)
    panel = case_view.panel("2.1.1")
    assert stored(gui_store, case_id) == {"2.1.1": ("no", "")}
    assert QApplication.focusWidget() is panel.evidence  # the hands go straight to the evidence

    text = "No analysis of the domestic abuse call-outs."
    qtbot.keyClicks(panel.evidence, text)
    assert panel.save_label.text() == "Not saved yet"
    assert "Typing" in window.save_label.text()
    assert stored(gui_store, case_id)["2.1.1"] == ("no", "")  # debounced: not yet
    qtbot.waitUntil(lambda: stored(gui_store, case_id)["2.1.1"] == ("no", text), timeout=EVIDENCE_SAVE_DELAY_MS + 3000)
    qtbot.waitUntil(lambda: panel.save_label.text().startswith("Saved"))
    assert window.save_label.text() == "✓ All changes saved"

    # Escape goes back to the judgement row.
    press(qtbot, Qt.Key.Key_Escape)
    assert focused_id() == "2.1.1"
    assert QApplication.focusWidget() is case_view.row("2.1.1")


def test_escape_saves_evidence_typed_without_a_pause(qtbot, case_view, gui_store, cases):
    case_view.focus_question("2.1.2")
    qtbot.waitUntil(lambda: focused_id() == "2.1.2")
    press(qtbot, Qt.Key.Key_Return)  # Enter on a judgement: type its evidence
    panel = case_view.panel("2.1.2")
    assert QApplication.focusWidget() is panel.evidence
    qtbot.keyClicks(panel.evidence, "Quick note")
    press(qtbot, Qt.Key.Key_Escape)
    assert stored(gui_store, cases["C001"].id)["2.1.2"] == (None, "Quick note")
    assert panel.save_label.text().startswith("Saved")
    assert focused_id() == "2.1.2"


def test_next_question_and_next_unanswered_actions(qtbot, case_view, window, gui_store, cases):
    window.actions["next_question"].trigger()
    assert focused_id() == "2.1.1.b"
    window.actions["previous_question"].trigger()
    assert focused_id() == "2.1.1.a"
    # Alt+Down reaches the window action from a focused row (rows only take plain Down).
    press_shortcut(qtbot, QApplication.focusWidget(), "next_question")
    assert focused_id() == "2.1.1.b"
    press_shortcut(qtbot, QApplication.focusWidget(), "previous_question")
    assert focused_id() == "2.1.1.a"

    press(qtbot, Qt.Key.Key_Y)  # 2.1.1.a yes → on 2.1.1.b
    case_view.focus_question("2.1.1")
    qtbot.waitUntil(lambda: focused_id() == "2.1.1")
    press(qtbot, Qt.Key.Key_Y)  # judgement yes → the evidence box
    window.actions["next_unanswered"].trigger()  # from the evidence: after 2.1.1 comes 2.1.2
    assert focused_id() == "2.1.2"
    window.actions["next_unanswered"].trigger()  # wraps round to the unanswered prompt
    assert focused_id() == "2.1.1.b"
    press_shortcut(qtbot, QApplication.focusWidget(), "next_unanswered")  # the real key
    assert focused_id() == "2.1.2"
    assert stored(gui_store, cases["C001"].id) == {"2.1.1.a": ("yes", ""), "2.1.1": ("yes", "")}


def test_next_unanswered_says_so_when_everything_is_answered(qtbot, case_view, window):
    for key in (Qt.Key.Key_Y, Qt.Key.Key_Y, Qt.Key.Key_Y):
        press(qtbot, key)
    case_view.focus_question("2.1.2")
    qtbot.waitUntil(lambda: focused_id() == "2.1.2")
    press(qtbot, Qt.Key.Key_Y)
    with qtbot.waitSignal(case_view.message, timeout=1000) as blocker:
        window.actions["next_unanswered"].trigger()
    assert "Every question" in blocker.args[0]


@pytest.fixture
def na_window(make_window, tmp_path):
    """A store whose 2.1.1 (which has prompts) allows Not applicable."""
    from fieldwork.store import open_store

    framework = mini_variant({'lens = "engagement"\n': 'lens = "engagement"\nallow_na = true\n'})
    store = open_store(tmp_path / "na-data", actor="insp-1")
    cases = make_cases(store, make_inspection(store, framework))
    yield make_window(store), store, cases
    store.close()


def test_not_applicable_judgement_disables_the_prompts_and_says_why(qtbot, na_window):
    window, store, cases = na_window
    case_id = cases["C001"].id
    view = open_case(qtbot, window, case_id)
    panel = view.panel("2.1.1")
    assert not panel.relevance_label.isVisible()
    press(qtbot, Qt.Key.Key_Y)  # 2.1.1.a yes
    view.focus_question("2.1.1")
    qtbot.waitUntil(lambda: focused_id() == "2.1.1")
    press(qtbot, Qt.Key.Key_A)
    assert stored(store, case_id) == {"2.1.1.a": ("yes", ""), "2.1.1": ("na", "")}
    assert not view.row("2.1.1.a").isEnabled()
    assert not view.row("2.1.1.b").isEnabled()
    assert panel.relevance_label.isVisible()
    assert "Not applicable" in panel.relevance_label.text()
    assert "reason" in panel.relevance_label.text()  # the framework asks for a reason

    # Moving skips the disabled prompts; a key pressed on them can change nothing.
    press(qtbot, Qt.Key.Key_Escape)
    assert focused_id() == "2.1.1"
    press(qtbot, Qt.Key.Key_Up)
    assert focused_id() == "2.1.1"
    qtbot.keyClick(view.row("2.1.1.a"), Qt.Key.Key_N)
    assert stored(store, case_id)["2.1.1.a"] == ("yes", "")

    # Judging it again brings the prompts back.
    press(qtbot, Qt.Key.Key_Y)
    assert stored_value(store, case_id, "2.1.1") == "yes"
    assert view.row("2.1.1.a").isEnabled() and view.row("2.1.1.b").isEnabled()
    assert not panel.relevance_label.isVisible()


def test_clicking_an_answer_button_saves_and_clicking_again_clears(qtbot, case_view, gui_store, cases):
    row = case_view.row("2.1.1.a")
    yes = next(b for b in row.buttons.buttons() if b.property("answer") == "yes")
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    assert stored_value(gui_store, cases["C001"].id, "2.1.1.a") == "yes"
    assert yes.isChecked()
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    assert stored_value(gui_store, cases["C001"].id, "2.1.1.a") is None
    assert not yes.isChecked()


def in_evidence_of(qtbot, case_view, question_id):
    case_view.focus_question(question_id)
    qtbot.waitUntil(lambda: focused_id() == question_id)
    qtbot.keyClick(case_view.row(question_id), Qt.Key.Key_Return)
    evidence = case_view.panel(question_id).evidence
    assert QApplication.focusWidget() is evidence
    qtbot.keyClicks(evidence, "half a sentence")
    return evidence


def test_alt_down_works_while_typing_evidence_and_saves_it(qtbot, case_view, gui_store, cases):
    evidence = in_evidence_of(qtbot, case_view, "2.1.1")
    press_shortcut(qtbot, evidence, "next_question")
    assert QApplication.focusWidget() is case_view.row("2.1.2")
    assert stored(gui_store, cases["C001"].id)["2.1.1"] == (None, "half a sentence")


def test_ctrl_u_in_the_evidence_box_moves_on_and_keeps_the_text(qtbot, case_view, gui_store, cases):
    evidence = in_evidence_of(qtbot, case_view, "2.1.1")
    press_shortcut(qtbot, evidence, "next_unanswered")
    assert focused_id() == "2.1.2"
    assert evidence.toPlainText() == "half a sentence"
    assert stored(gui_store, cases["C001"].id)["2.1.1"] == (None, "half a sentence")


# Shortcuts the help says work anywhere in the window; undo/redo are left out on purpose (in the
# evidence box they undo typing), export_bundle has no action yet (see test_screens).
FROM_EVIDENCE = [name for name, _key, _what in WINDOW_SHORTCUTS if name not in ("undo", "redo", "export_bundle")]


@pytest.mark.parametrize("name", FROM_EVIDENCE)
def test_window_shortcuts_work_from_the_evidence_box(qtbot, monkeypatch, case_view, window, gui_store, cases, name):
    from fieldwork.gui.completion_dialog import CompletionDialog
    from fieldwork.gui.dialogs import HistoryDialog, JumpToCaseDialog, ShortcutsDialog

    monkeypatch.setattr(CompletionDialog, "ask", classmethod(lambda cls, parent, ref, problems: None))
    monkeypatch.setattr(JumpToCaseDialog, "ask", classmethod(lambda cls, parent, refs: None))
    monkeypatch.setattr(HistoryDialog, "exec", lambda self: 0)
    monkeypatch.setattr(ShortcutsDialog, "exec", lambda self: 0)
    evidence = in_evidence_of(qtbot, case_view, "2.1.1")
    with qtbot.waitSignal(window.actions[name].triggered, timeout=1000):
        press_shortcut(qtbot, evidence, name)
    assert evidence.toPlainText() == "half a sentence"  # the key did not edit the text
    # Saved at once when the keyboard left the box, else after the pause.
    qtbot.waitUntil(lambda: stored(gui_store, cases["C001"].id).get("2.1.1") == (None, "half a sentence"))


def test_j_and_k_move_like_down_and_up(qtbot, case_view):
    press(qtbot, Qt.Key.Key_J)
    press(qtbot, Qt.Key.Key_J)
    assert focused_id() == "2.1.1"
    press(qtbot, Qt.Key.Key_K)
    assert focused_id() == "2.1.1.b"


def test_evidence_typed_just_before_leaving_the_case_is_saved(qtbot, case_view, window, gui_store, cases):
    in_evidence_of(qtbot, case_view, "2.1.1")
    qtbot.mouseClick(case_view.back_button, Qt.MouseButton.LeftButton)
    assert window.current_view() is window.home_view
    assert stored(gui_store, cases["C001"].id)["2.1.1"] == (None, "half a sentence")


def test_evidence_typed_just_before_quitting_is_saved(qtbot, case_view, window, gui_store, cases):
    in_evidence_of(qtbot, case_view, "2.1.2")
    press_shortcut(qtbot, QApplication.focusWidget(), "quit")
    assert not window.isVisible()
    assert stored(gui_store, cases["C001"].id)["2.1.2"] == (None, "half a sentence")
