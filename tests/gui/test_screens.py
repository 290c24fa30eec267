"""The help, history and framework screens, and the shortcuts they promise."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QTableView, QTextBrowser

from fieldwork.gui.dialogs import FrameworkInfoDialog, HistoryDialog, ShortcutsDialog
from fieldwork.gui.history_table_model import HistoryTableModel
from fieldwork.gui.shortcuts import ROW_KEYS, WINDOW_SHORTCUTS
from fieldwork.store.assessments import set_answer, set_detail, set_status
from fieldwork.store.changelog import case_history
from tests.gui.conftest import make_cases, make_inspection, mini_variant, press_shortcut


def test_shortcuts_dialog_lists_every_shortcut(qtbot):
    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    text = dialog.findChild(QTextBrowser).toPlainText()
    for _name, key, what in WINDOW_SHORTCUTS:
        assert key in text
        assert what in text
    for key, what in ROW_KEYS:
        assert key in text and what in text


def test_f1_opens_the_shortcuts_dialog(qtbot, monkeypatch, case_view, window):
    opened = []
    monkeypatch.setattr(ShortcutsDialog, "exec", lambda self: opened.append(self) or 0)
    press_shortcut(qtbot, QApplication.focusWidget(), "shortcuts")
    assert len(opened) == 1


@pytest.mark.parametrize("name", [name for name, _key, _what in WINDOW_SHORTCUTS])
def test_every_listed_shortcut_is_bound_in_the_window(window, name):
    key = next(k for n, k, _ in WINDOW_SHORTCUTS if n == name)
    assert name in window.actions, f"no window action for {name} ({key})"
    assert QKeySequence(key) in window.actions[name].shortcuts()


@pytest.mark.parametrize("force_py", [False, True], ids=["qt-tester", "py-tester"])
def test_history_model_passes_modeltester(qtmodeltester, gui_store, cases, force_py):
    case_id = cases["C001"].id
    set_answer(gui_store, case_id, "2.1.1.a", value="yes")
    set_answer(gui_store, case_id, "2.1.1", value="no", note="A long note. " * 20)
    set_detail(gui_store, case_id, "rosh", "Medium")
    set_answer(gui_store, case_id, "2.1.1", note="")
    model = HistoryTableModel(case_history(gui_store, case_id))
    qtmodeltester.check(model, force_py=force_py)
    assert model.rowCount() == len(case_history(gui_store, case_id))


def test_history_model_shows_who_changed_what(gui_store, cases):
    case_id = cases["C003"].id
    set_answer(gui_store, case_id, "3.1.1", value="yes", note="Placement well run.")
    set_status(gui_store, case_id, "complete")
    set_status(gui_store, case_id, "in_progress")
    model = HistoryTableModel(case_history(gui_store, case_id))
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    what = [(row[1], row[2], row[3], row[4], row[5]) for row in rows]
    assert ("insp-1", "3.1.1", "answer", "—", "Yes") in what
    assert ("insp-1", "3.1.1", "evidence", "—", "Placement well run.") in what
    assert ("insp-1", "Case C003", "reopened", "Complete", "In progress") in what


def test_history_model_speaks_in_words_not_stored_codes(gui_store, cases, mini):
    """Issue 19: question text beside its number, the framework's words for answers, statuses,
    choices and samples, and where a change came from."""
    case_id = cases["C001"].id
    set_answer(gui_store, case_id, "2.1.1", value="yes")
    set_answer(gui_store, case_id, "2.1.1.b", value="na")
    set_detail(gui_store, case_id, "rosh", "Medium")
    set_answer(gui_store, case_id, "2.1.2", value="no", source="pack:405840d6-1c2b-4f7e-9d1a-aa11bb22cc33")
    model = HistoryTableModel(case_history(gui_store, case_id), framework=mini)
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    cells = [(row[2], row[3], row[4], row[5], row[6]) for row in rows]
    kq = mini.key_question("2.1.1").text
    assert (f"2.1.1 {kq}", "answer", "—", "Sufficient", "In the app") in cells
    prompt = mini.prompt("2.1.1.b").text
    assert (f"2.1.1.b {prompt}", "answer", "—", "Not applicable", "In the app") in cells
    assert (mini.case_detail("rosh").label, "case detail", "High", "Medium", "In the app") in cells
    assert ("Case C001", "status", "Not started", "In progress", "In the app") in cells
    assert any(row[2].startswith("2.1.2 ") and row[5] == "Insufficient" and row[6] == "Allocation pack" for row in rows)
    flat = " ".join(str(c) for row in rows for c in row)
    for code in ("not_started", "in_progress", "pack:", "yes", " na "):
        assert code not in flat, f"{code!r} shown as stored"
    # The stored value is still there for anyone checking: in the tooltip.
    pack_row = next(r for r in range(model.rowCount()) if rows[r][6] == "Allocation pack")
    assert model.index(pack_row, 6).data(Qt.ItemDataRole.ToolTipRole).startswith("pack:405840d6")


def test_history_dialog_from_the_case_includes_evidence_still_being_typed(qtbot, monkeypatch, case_view, window):
    shown = []
    monkeypatch.setattr(HistoryDialog, "exec", lambda self: shown.append(self) or 0)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Y)  # 2.1.1.a
    evidence = case_view.panel("2.1.1").evidence
    evidence.setFocus()
    qtbot.keyClicks(evidence, "typed just now")
    press_shortcut(qtbot, evidence, "history")  # no pause first
    [dialog] = shown
    qtbot.addWidget(dialog)
    model = dialog.findChild(QTableView).model()
    cells = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert any(row[2].startswith("2.1.1 ") and row[3] == "evidence" and row[5] == "typed just now" for row in cells)
    assert any(row[2].startswith("2.1.1.a ") and row[3] == "answer" and row[5] == "Yes" for row in cells)
    assert "C001" in dialog.windowTitle()


@pytest.fixture
def noted_window(make_window, tmp_path):
    from fieldwork.store import open_store

    note = "Domain 2 wording confirmed against the 2018 standards; domain 1 recalled."
    framework = mini_variant({'provenance = "recalled"\n': f'provenance = "recalled"\nprovenance_note = "{note}"\n'})
    store = open_store(tmp_path / "noted", actor="insp-1")
    make_cases(store, make_inspection(store, framework))
    yield make_window(store), note
    store.close()


def test_about_this_framework_shows_the_provenance_note(qtbot, monkeypatch, noted_window):
    window, note = noted_window
    shown = []
    monkeypatch.setattr(FrameworkInfoDialog, "exec", lambda self: shown.append(self) or 0)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    about = next(a for a in help_menu.actions() if a.text() == "About this &framework")
    about.trigger()
    [dialog] = shown
    qtbot.addWidget(dialog)
    text = dialog.findChild(QTextBrowser).toPlainText()
    assert note in text
    assert "Mini test framework" in text
    assert "Written for the fieldwork test suite." in text  # the source
    # mini.toml: domain 1 is recalled (1 standard, 1 key question), domain 2 confirmed; each item says which.
    assert "2 of 9 standards, key questions and prompts are marked [recalled]" in text
    assert "[recalled] 1.1.1 Is there a clear vision?" in text and "[confirmed] 2.1.1 " in text
