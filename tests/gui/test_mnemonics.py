"""Every Alt mnemonic is unique in its window, and every button has one (issue 19).

Walks every screen of the main window (welcome, an inspector's cases and case, each of a lead's
tabs and a lead's case), every menu, and every dialog that can be built here, and checks the
letters of what is visible at one time. Buttons repeated once per question (Ask the inspector…,
Close query) carry none on purpose: a letter cannot be unique there; they are reached with Tab
and Ctrl+Shift+A.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from fieldwork.assessment import Missing
from fieldwork.frameworks import load_framework
from fieldwork.gui.completion_dialog import CompletionDialog
from fieldwork.gui.dialogs import (
    AddCaseDialog,
    FrameworkInfoDialog,
    HistoryDialog,
    JumpToCaseDialog,
    NewInspectionDialog,
    ShortcutsDialog,
)
from fieldwork.gui.history_table_model import HistoryTableModel
from fieldwork.gui.question_widgets import KeyQuestionPanel
from fieldwork.store.assessments import list_case_summaries
from fieldwork.store.changelog import case_history
from tests.gui.conftest import MINI, lead_and_inspector_stores, open_case
from tests.gui.mnemonics import buttons_without_mnemonic, clashes, menu_clashes, mnemonic, visible_controls


def settle() -> None:
    for _ in range(4):
        QApplication.processEvents()


def check(window: QWidget) -> None:
    settle()
    controls = visible_controls(window)
    assert controls, "nothing found: the walk is not looking at this screen"
    assert clashes(controls) == {}, f"{window.windowTitle() or type(window).__name__}: one letter, two controls"
    missing = buttons_without_mnemonic(window, skip=_inside_question)
    assert missing == [], f"buttons with no Alt letter in {window.windowTitle() or type(window).__name__}"


def with_retention_banner(window):
    """The retention banner shows above every screen when data is due for deletion: include it."""
    from fieldwork.gui.handover_dialog import _banner

    _banner(window).show_lines(["2 cases are due for deletion."], window.inspection.id)
    return window


def _inside_question(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, KeyQuestionPanel):
            return True
        parent = parent.parentWidget()
    return False


def test_the_letter_of_a_mnemonic():
    assert mnemonic("E&xport") == "x"
    assert mnemonic("Save && close") is None
    assert mnemonic("&&Tom && &Jerry") == "j"
    assert mnemonic("Close") is None


@pytest.fixture
def people(tmp_path):
    lead, inspector, lead_keys, inspector_keys = lead_and_inspector_stores(tmp_path)
    yield lead, inspector, lead_keys, inspector_keys
    lead.close()
    inspector.close()


def test_welcome_screen(make_window, tmp_path):
    from fieldwork.store import open_store

    store = open_store(tmp_path / "empty", actor="insp-1")
    try:
        window = make_window(store)
        assert window.current_view() is window.welcome_view if hasattr(window, "welcome_view") else True
        check(window)
    finally:
        store.close()


def test_inspector_cases_and_case(qtbot, window, cases):
    with_retention_banner(window)
    check(window)
    assert menu_clashes(window) == {}
    assert "Remo&ve them…" in [text for text, _w in visible_controls(window)]
    open_case(qtbot, window, cases["C001"].id)
    check(window)


@pytest.mark.parametrize("tab", range(4), ids=["cases", "allocation", "merge", "ratings"])
def test_each_of_the_lead_tabs(make_window, people, tab):
    lead, *_ = people
    window = with_retention_banner(make_window(lead))
    assert window.home_tabs.count() == 4
    window.home_tabs.setCurrentIndex(tab)
    check(window)
    assert menu_clashes(window) == {}


def test_the_lead_case_view(qtbot, make_window, people):
    lead, *_ = people
    window = with_retention_banner(make_window(lead))
    case_id = list_case_summaries(lead, window.inspection.id)[0].case.id
    open_case(qtbot, window, case_id)
    check(window)


def dialogs(store, people_keys, inspection_id):
    """Every dialog that needs no modal loop to be built, shown as it first appears."""
    from fieldwork.gui.about_dialog import AboutDialog
    from fieldwork.gui.export_dialog import ExportDialog
    from fieldwork.gui.handover_dialog import HandoverSettingsDialog
    from fieldwork.gui.key_settings_dialog import KeysUnlockedDialog
    from fieldwork.gui.moderation_panel import AskInspectorDialog, ModerationNoteDialog
    from fieldwork.gui.rotation_dialogs import RotateKeysDialog

    framework = load_framework(MINI)
    case_id = list_case_summaries(store, inspection_id)[0].case.id
    problems = [Missing("2.1.1", "unanswered", "2.1.1 has no judgement yet.")]
    reminders = [Missing("2.1.1", "lead_query", "The lead asks about 2.1.1: why?")]
    yield NewInspectionDialog([framework])
    yield AddCaseDialog(framework)
    yield JumpToCaseDialog(["P1", "P2"])
    yield ShortcutsDialog()
    yield HistoryDialog("P1", HistoryTableModel(case_history(store, case_id), framework=framework))
    yield FrameworkInfoDialog(framework)
    yield CompletionDialog("P1", problems)
    yield CompletionDialog("P1", [], reminders=reminders)
    yield ExportDialog(store, inspection_id, people_keys)
    yield HandoverSettingsDialog(store)
    yield KeysUnlockedDialog(store)
    yield RotateKeysDialog(store)
    yield AboutDialog(store_path=str(store.path), profile="Ira Inspector (insp-1)")
    yield ModerationNoteDialog("P1", "moderated", 1)
    yield AskInspectorDialog("P1", framework.key_question("2.1.1"), ["insp-1"], "2.1.1")


def test_every_dialog(qtbot, gui_store, gui_inspection, cases):
    from fieldwork.identity import create_keys
    from fieldwork.identity.keys import ScryptParams

    keys = create_keys(
        gui_store.path.parent, name="Jo", person_id="insp-1", passphrase="a long passphrase", scrypt=ScryptParams(10)
    )
    seen = []
    for dialog in dialogs(gui_store, keys, gui_inspection.id):
        qtbot.addWidget(dialog)
        dialog.show()
        check(dialog)
        seen.append(type(dialog).__name__)
        dialog.close()
    assert len(seen) == 15


@pytest.mark.parametrize("row", [0, 1], ids=["first-standard", "second-standard"])
def test_the_ratings_tab_with_a_standard_chosen(qtbot, make_window, people, row):
    """Choosing a standard shows "Rate this standard…" / "Override…" beside Refresh: Alt+R once."""
    lead, *_ = people
    window = with_retention_banner(make_window(lead))
    window.home_tabs.setCurrentIndex(3)
    view = window.home_tabs.currentWidget()
    if row >= view.standards_model.rowCount():
        pytest.skip("the mini framework has one standard")
    view.standards_table.selectRow(row)
    settle()
    assert view.rate_button.isVisible(), "the walk must see the Rate button"
    check(window)
    assert menu_clashes(window) == {}
