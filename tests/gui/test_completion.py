"""Marking a case complete: the missing items, jumping to them, completing, reopening."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldwork.gui.completion_dialog import CompletionDialog
from fieldwork.store.assessments import get_case
from tests.gui.conftest import history, press_shortcut, stored


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def focused_id():
    return getattr(QApplication.focusWidget(), "question_id", None)


class Calls(list):
    """The calls made to CompletionDialog.ask; `choose(problems)` is what the inspector picks."""


@pytest.fixture
def ask_calls(monkeypatch):
    calls = Calls()
    calls.choose = lambda problems: problems[0].question_id

    def ask(cls, parent, case_ref, problems):
        calls.append((case_ref, [(p.question_id, p.kind) for p in problems]))
        return calls.choose(problems)

    monkeypatch.setattr(CompletionDialog, "ask", classmethod(ask))
    return calls


def test_missing_items_are_listed_and_the_chosen_one_gets_the_keyboard(qtbot, case_view, ask_calls, gui_store, cases):
    case_id = cases["C001"].id
    ask_calls.choose = lambda problems: problems[-1].question_id
    qtbot.mouseClick(case_view.complete_button, Qt.MouseButton.LeftButton)
    assert ask_calls == [("C001", [("2.1.1", "unanswered"), ("2.1.2", "unanswered")])]
    assert focused_id() == "2.1.2"
    assert get_case(gui_store, case_id).status == "not_started"

    # Judge 2.1.2 Not applicable and 2.1.1 No, both without any text.
    press(qtbot, Qt.Key.Key_A)
    press(qtbot, Qt.Key.Key_Escape)
    case_view.focus_question("2.1.1")
    qtbot.waitUntil(lambda: focused_id() == "2.1.1")
    press(qtbot, Qt.Key.Key_N)
    press(qtbot, Qt.Key.Key_Escape)

    ask_calls.choose = lambda problems: problems[0].question_id
    case_view.focus_question("2.1.2")
    qtbot.waitUntil(lambda: focused_id() == "2.1.2")
    press_shortcut(qtbot, QApplication.focusWidget(), "toggle_complete")  # Ctrl+Return
    assert ask_calls[-1] == ("C001", [("2.1.1", "no_without_evidence"), ("2.1.2", "na_without_reason")])
    assert focused_id() == "2.1.1"
    assert get_case(gui_store, case_id).status == "in_progress"


def test_cancelling_the_list_changes_nothing(qtbot, case_view, ask_calls, gui_store, cases):
    ask_calls.choose = lambda problems: None
    case_view.toggle_complete()
    assert len(ask_calls) == 1
    assert get_case(gui_store, cases["C001"].id).status == "not_started"
    assert focused_id() == "2.1.1.a"


def answer_all_with_evidence(qtbot, case_view):
    """Y, Y, then judgement No with evidence, then 2.1.2 Not applicable with a reason."""
    press(qtbot, Qt.Key.Key_Y)
    press(qtbot, Qt.Key.Key_Y)
    press(qtbot, Qt.Key.Key_N)  # judgement 2.1.1 → evidence box
    qtbot.keyClicks(QApplication.focusWidget(), "Risk to the ex-partner not analysed.")
    press(qtbot, Qt.Key.Key_Escape)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_A)  # 2.1.2 → evidence box
    qtbot.keyClicks(QApplication.focusWidget(), "No indications of risk of serious harm.")
    # No Escape: the text is still waiting for its debounce when "Mark complete" is chosen.


def test_complete_then_reopen(qtbot, case_view, window, ask_calls, gui_store, cases):
    case_id = cases["C001"].id
    answer_all_with_evidence(qtbot, case_view)
    window.actions["toggle_complete"].trigger()
    assert ask_calls == []  # nothing missing: no list
    assert get_case(gui_store, case_id).status == "complete"
    assert stored(gui_store, case_id)["2.1.2"] == ("na", "No indications of risk of serious harm.")
    assert all(not row.isEnabled() for row in case_view.rows)
    assert all(case_view.panel(q).evidence.isReadOnly() for q in ("2.1.1", "2.1.2"))
    assert case_view.banner.isVisible()
    assert "complete" in case_view.banner.text()
    assert case_view.status_label.text() == "Complete"
    assert case_view.complete_button.text() == "&Reopen case"
    # The home table knows too.
    model = window.home_view.table_model
    row = model.row_of_case(case_id)
    assert model.index(row, model.columnCount() - 2).data() == "Complete"
    assert "1 of 3 cases complete" == window.home_view.progress_label.text()

    qtbot.mouseClick(case_view.complete_button, Qt.MouseButton.LeftButton)
    assert get_case(gui_store, case_id).status == "in_progress"
    assert not case_view.banner.isVisible()
    assert all(row.isEnabled() for row in case_view.rows)
    assert not case_view.panel("2.1.1").evidence.isReadOnly()
    reopened = history(gui_store, case_id, field="reopened")
    assert [(e.old, e.new, e.actor) for e in reopened] == [("complete", "in_progress", "insp-1")]
    statuses = [(e.old, e.new) for e in history(gui_store, case_id, key="C001", field="status")]
    assert ("in_progress", "complete") in statuses


def test_a_complete_case_cannot_be_changed_through_the_screen(qtbot, case_view, window, ask_calls, gui_store, cases):
    case_id = cases["C001"].id
    answer_all_with_evidence(qtbot, case_view)
    window.actions["toggle_complete"].trigger()
    assert get_case(gui_store, case_id).status == "complete"
    before = stored(gui_store, case_id)
    log_before = len(history(gui_store, case_id))

    for row in case_view.rows:
        for key in (Qt.Key.Key_Y, Qt.Key.Key_N, Qt.Key.Key_A, Qt.Key.Key_Delete):
            qtbot.keyClick(row, key)
        for button in row.buttons.buttons():
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    evidence = case_view.panel("2.1.1").evidence
    evidence.setFocus()
    qtbot.keyClicks(evidence, "more text")
    case_view.details_form.setFocus()
    from PySide6.QtWidgets import QComboBox

    combo = next(
        c
        for c in case_view.details_form.findChildren(QComboBox)
        if c.accessibleName() == "Risk of serious harm (RoSH) level"
    )
    assert not combo.isEnabled()
    qtbot.keyClicks(combo, "L")
    assert window.undo_stack.canUndo()
    window.undo_stack.undo()  # undo of an earlier answer is refused by the store too
    window.actions["next_unanswered"].trigger()

    assert stored(gui_store, case_id) == before
    assert get_case(gui_store, case_id).status == "complete"
    assert len(history(gui_store, case_id)) == log_before
    assert evidence.toPlainText() == "Risk to the ex-partner not analysed."


def test_sections_built_after_opening_a_complete_case_are_locked_too(qtbot, make_window, two_standard_store):
    from fieldwork.store.assessments import set_answer, set_status

    store, cases = two_standard_store
    case_id = cases["C002"].id
    for question_id in ("2.1.1", "2.1.2", "2.2.1"):
        set_answer(store, case_id, question_id, value="yes")
    set_status(store, case_id, "complete")
    window = make_window(store)
    window.open_case(case_id)
    view = window.case_view
    qtbot.waitUntil(lambda: view.fully_built, timeout=3000)  # built in idle moments
    assert [r.question_id for r in view.rows][-2:] == ["2.2.1.a", "2.2.1"]
    assert all(not row.isEnabled() for row in view.rows)
    assert view.panel("2.2.1").evidence.isReadOnly()
    qtbot.keyClick(view.row("2.2.1"), Qt.Key.Key_N)
    assert stored(store, case_id)["2.2.1"] == ("yes", "")

    view.toggle_complete()  # reopen: the later section opens up as well
    assert all(row.isEnabled() for row in view.rows)
    assert not view.panel("2.2.1").evidence.isReadOnly()


def test_the_completion_dialog_lists_the_items_and_returns_the_one_chosen(qtbot):
    from PySide6.QtWidgets import QDialog, QLabel

    from fieldwork.assessment import Missing

    problems = [
        Missing("2.1.1", "no_without_evidence", "2.1.1 is judged insufficient without evidence."),
        Missing("2.1.2", "na_without_reason", "2.1.2 is Not applicable without a reason."),
    ]
    dialog = CompletionDialog("C001", problems)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    model = dialog.model
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [p.message for p in problems]
    intro = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "2 items must be done before case C001" in intro
    dialog.list_view.setFocus()
    qtbot.keyClick(dialog.list_view, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.list_view, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.chosen == "2.1.2"


def test_the_completion_list_names_each_question_in_words(qtbot, case_view, monkeypatch, mini):
    """Issue 19: "2.1.1 has no judgement yet" alone makes the inspector look the number up."""
    listed = []
    record = classmethod(lambda cls, parent, ref, problems: listed.extend(problems))
    monkeypatch.setattr(CompletionDialog, "ask", record)
    case_view.toggle_complete()
    messages = {p.question_id: p.message for p in listed}
    assert set(messages) == {"2.1.1", "2.1.2"}
    for question_id, message in messages.items():
        assert message.startswith(f"{question_id} has no judgement yet.")
        assert mini.key_question(question_id).text in message
