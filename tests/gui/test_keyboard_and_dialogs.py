"""Enter does the obvious thing, dates let Tab go, F1 fits, and no message names a terminal
command (issue 19)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from fieldwork.frameworks import load_framework
from fieldwork.gui.dialogs import NewInspectionDialog, ShortcutsDialog
from fieldwork.gui.shortcuts import LEAD_KEYS, LEAD_TAB_TITLES, ROW_KEYS, WINDOW_SHORTCUTS, alt_key
from fieldwork.gui.wording import SCREENS, in_app, screen_for
from tests.gui.conftest import MINI

ROOT = Path(__file__).resolve().parents[2]


# --- Enter ------------------------------------------------------------------------------------
def test_enter_on_a_welcome_choice_presses_it(qtbot, make_window, tmp_path, monkeypatch):
    from fieldwork.gui.main_window import MainWindow
    from fieldwork.store import open_store

    opened = []
    monkeypatch.setattr(MainWindow, "open_practice", lambda self: opened.append("practice"))
    store = open_store(tmp_path / "empty", actor="insp-1")
    try:
        window = make_window(store)
        practice = next(
            b for b in window.current_view().findChildren(QPushButton) if "practice" in b.text().replace("&", "")
        )
        practice.setFocus()
        qtbot.waitUntil(practice.hasFocus)
        qtbot.keyClick(practice, Qt.Key.Key_Return)
        assert opened == ["practice"]
    finally:
        store.close()


def test_enter_in_the_search_box_with_one_match_opens_it(qtbot, window, cases):
    home = window.home_view
    home.search_edit.setFocus()
    qtbot.keyClicks(home.search_edit, "C00")  # three matches: the keyboard goes to the first
    qtbot.keyClick(home.search_edit, Qt.Key.Key_Return)
    assert window.case_view is None
    assert QApplication.focusWidget() is home.table and home.table.currentIndex().row() == 0
    home.search_edit.setFocus()
    home.search_edit.clear()
    qtbot.keyClicks(home.search_edit, "C002")
    qtbot.keyClick(home.search_edit, Qt.Key.Key_Return)
    assert window.case_view is not None and window.case_view.case_id == cases["C002"].id


def test_enter_in_the_export_dialog_exports(qtbot, gui_store, gui_inspection, cases, tmp_path, monkeypatch):
    from fieldwork.gui.export_dialog import ExportDialog
    from fieldwork.identity import create_keys
    from fieldwork.identity.keys import ScryptParams
    from fieldwork.identity.leads import pin_lead

    cheap = ScryptParams(log2_n=10)
    keys = create_keys(
        gui_store.path.parent, name="Jo", person_id="insp-1", passphrase="a long passphrase", scrypt=cheap
    )
    lead = create_keys(tmp_path / "lead", name="Lee", person_id="lead-1", passphrase="another passphrase", scrypt=cheap)
    pin_lead(gui_store, gui_inspection.id, lead.public)
    dialog = ExportDialog(gui_store, gui_inspection.id, keys)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "out.fwbundle"))
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.export_button.isDefault()
    assert not dialog.choose_lead_button.autoDefault(), "focus on it would make Enter choose a file"
    exported = []
    monkeypatch.setattr(ExportDialog, "export", lambda self: exported.append(True))
    dialog.buttons.accepted.disconnect()
    dialog.buttons.accepted.connect(dialog.export)
    for widget in (dialog.choose_lead_button, dialog.path_edit):  # wherever the keyboard is
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert exported == [True, True]


# --- dates ------------------------------------------------------------------------------------
def test_tab_leaves_a_date_field(qtbot):
    dialog = NewInspectionDialog([load_framework(MINI)])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.start_edit.setFocus()
    qtbot.waitUntil(dialog.start_edit.hasFocus)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.end_edit, "Tab stayed in the start date"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.id_edit
    qtbot.keyClicks(dialog.id_edit, "CRC-T-1")
    assert dialog.values()["inspection_id"] == "CRC-T-1"
    qtbot.keyClick(dialog.id_edit, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is dialog.end_edit


# --- F1 ---------------------------------------------------------------------------------------
def test_the_shortcuts_list_has_the_lead_keys_and_fits_a_laptop_screen(qtbot):
    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    text = dialog.browser.toPlainText()
    for key, what in (*ROW_KEYS, *LEAD_KEYS, *((k, w) for _n, k, w in WINDOW_SHORTCUTS)):
        assert key in text and what in text
    for title in LEAD_TAB_TITLES:
        assert alt_key(title) in text
    # 1280×800 less a title bar and a task bar: all of it visible, nothing to scroll.
    assert dialog.width() <= 1280 and dialog.height() <= 800 - 80
    assert dialog.browser.verticalScrollBar().maximum() == 0
    assert dialog.browser.horizontalScrollBar().maximum() == 0


def test_the_lead_tabs_answer_to_the_keys_the_list_gives(make_window, tmp_path):
    from tests.gui.conftest import lead_and_inspector_stores

    lead, inspector, *_ = lead_and_inspector_stores(tmp_path)
    try:
        window = make_window(lead)
        assert [window.home_tabs.tabText(i) for i in range(window.home_tabs.count())] == list(LEAD_TAB_TITLES)
    finally:
        lead.close()
        inspector.close()


# --- no terminal commands ---------------------------------------------------------------------
_QUOTED = re.compile(r"(['`])(fieldwork [a-z][^'`]*)\1")


def quoted_commands() -> set[str]:
    """Every terminal command quoted in the core's sources (which is where app messages come from)."""
    found = set()
    for path in (ROOT / "fieldwork").rglob("*.py"):
        if "cli" in path.parts:
            continue
        found |= {m.group(2) for m in _QUOTED.finditer(path.read_text(encoding="utf-8"))}
    return found


def test_every_command_the_core_quotes_has_a_screen():
    commands = quoted_commands()
    assert "fieldwork trust add" in commands  # the walk sees what it should
    for command in commands:
        assert screen_for(command.removeprefix("fieldwork ")), f"no screen for {command!r}"


@pytest.mark.parametrize(
    "message",
    [
        "The old key k1 of Ann is not in your trust list; add the new identity file with 'fieldwork trust add' "
        "after checking its fingerprint.",
        "This is an identity file, not a key rotation statement; add it with 'fieldwork trust add FILE' after",
        "ask its owner to export it again with 'fieldwork keys export'",
        "see 'fieldwork keys export --out FILE' and `fieldwork trust rotate`",
    ],
)
def test_messages_name_the_screen_not_the_command(message):
    shown = in_app(message)
    assert "fieldwork " not in shown.replace("fieldwork user guide", "")
    assert any(screen in shown for screen in SCREENS.values())


def test_a_refused_key_change_names_the_screen(make_window, gui_store, cases, tmp_path, message_boxes):
    """The app's own path: Profile → Accept a key change… with an identity file instead."""
    from fieldwork.identity import create_keys, export_identity
    from fieldwork.identity.keys import ScryptParams

    create_keys(tmp_path / "ann", name="Ann", person_id="ann", passphrase="a long passphrase", scrypt=ScryptParams(10))
    identity_file = tmp_path / "ann.json"
    export_identity(tmp_path / "ann", identity_file)
    window = make_window(gui_store)
    from fieldwork.gui.rotation_dialogs import accept_key_change

    accept_key_change(window, gui_store, str(identity_file))
    [(_kind, text)] = message_boxes
    assert "not a key rotation statement" in text
    assert "fieldwork trust" not in text and "Add an inspector's identity" in text
