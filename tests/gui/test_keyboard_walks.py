"""A whole day at the keyboard, with no mouse (issue 19): an inspector's and a lead's.

Only key presses drive the app (tests/gui/keyboard_walk.py); the data is set up directly, and
file choosers are the only test doubles.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton, QRadioButton

from fieldwork.identity import add_trusted_key, load_trust_list
from fieldwork.merge import list_conflicts
from fieldwork.packs import apply_pack, export_pack, verify_pack
from fieldwork.store.assessments import find_case, load_assessment
from tests.gui import test_merge_view
from tests.gui.conftest import lead_and_inspector_stores
from tests.gui.keyboard_walk import Dialogs, alt, focused, press, tab_to, type_text

CTRL = Qt.KeyboardModifier.ControlModifier
double_read = test_merge_view.double_read  # a lead, and ann's and bob's bundles of one case D1


def down_to(qtbot, table, wanted, limit: int = 30) -> None:
    """Arrow down a table (from its first row) until its current row holds what is `wanted`."""
    press(qtbot, Qt.Key.Key_Home, CTRL)  # the first row (Home alone: the first column)
    for _ in range(limit):
        row = table.currentIndex().row()
        if row >= 0 and wanted(table.model().row_object(row)):
            return
        press(qtbot, Qt.Key.Key_Down)
    raise AssertionError("the arrows never reached the wanted row")


@pytest.fixture
def inspector_with_pack(tmp_path):
    """insp-1 has opened the lead's pack of inspection T9 (cases P1 and P2)."""
    lead, inspector, lead_keys, inspector_keys = lead_and_inspector_stores(tmp_path)
    add_trusted_key(lead, inspector_keys.public)
    pack = export_pack(lead, "T9", "insp-1", tmp_path / "insp-1.fwpack", identity=lead_keys)
    verified = verify_pack(
        pack.path,
        identity=inspector_keys,
        trusted_leads=load_trust_list(inspector),
        accept_lead_fingerprint=lead_keys.public.fingerprint,
    )
    apply_pack(inspector, verified)
    yield inspector, tmp_path
    lead.close()
    inspector.close()


def test_an_inspectors_day_at_the_keyboard(qtbot, make_window, monkeypatch, inspector_with_pack):
    inspector, folder = inspector_with_pack
    dialogs = Dialogs(qtbot, monkeypatch)
    window = make_window(inspector)
    assert window.inspection.id == "T9" and window.current_view() is window.home_view

    # Find the case and open it: Ctrl+F, its reference, Enter.
    press(qtbot, Qt.Key.Key_F, CTRL)
    type_text(qtbot, "P1")
    press(qtbot, Qt.Key.Key_Return)
    view = window.case_view
    assert view is not None and view.case_ref == "P1"
    qtbot.waitUntil(lambda: focused() is view.rows[0])

    # Answer: two prompts, the judgement; its evidence; the next key question and its evidence.
    press(qtbot, Qt.Key.Key_Y)
    press(qtbot, Qt.Key.Key_N)
    press(qtbot, Qt.Key.Key_Y)  # 2.1.1 sufficient: the keyboard goes on to its evidence
    assert focused() is view.panel("2.1.1").evidence
    type_text(qtbot, "Motivation explored in the first two appointments.")
    press(qtbot, Qt.Key.Key_Escape)  # back to answering
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_N)  # 2.1.2 insufficient
    type_text(qtbot, "No risk plan for the partner.")
    press(qtbot, Qt.Key.Key_Escape)

    # Complete the case: Ctrl+Return.
    press(qtbot, Qt.Key.Key_Return, CTRL)
    case = find_case(inspector, "T9", "P1")
    assert case.status == "complete"
    answers = {q: (a.value, a.note) for q, a in load_assessment(inspector, case.id).answers.items()}
    assert answers["2.1.1.a"][0] == "yes" and answers["2.1.1.b"][0] == "no"
    assert answers["2.1.1"] == ("yes", "Motivation explored in the first two appointments.")
    assert answers["2.1.2"] == ("no", "No risk plan for the partner.")

    # Export the bundle: Ctrl+E; Alt+S to the file name; Enter exports; the passphrase; Esc closes.
    bundle = folder / "out" / "insp-1-T9.fwbundle"
    bundle.parent.mkdir()

    def export(dialog):
        alt(qtbot, "s")
        press(qtbot, Qt.Key.Key_A, CTRL)
        type_text(qtbot, str(bundle))
        press(qtbot, Qt.Key.Key_Return)  # Export is the default button
        assert "written to" in dialog.message.text()
        press(qtbot, Qt.Key.Key_Escape)

    def passphrase(_dialog):
        type_text(qtbot, "inspector passphrase")
        press(qtbot, Qt.Key.Key_Return)

    dialogs.expect("Export a bundle", export)
    dialogs.expect("Unlock your keys", passphrase)
    press(qtbot, Qt.Key.Key_E, CTRL)
    assert dialogs.steps == [] and bundle.exists()


def test_a_leads_merge_day_at_the_keyboard(qtbot, make_window, monkeypatch, double_read, tmp_path):
    lead, lead_keys, inspection, case, bundles = double_read
    dialogs = Dialogs(qtbot, monkeypatch)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: (bundles, "")))
    report = tmp_path / "M1-ratings.html"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(report), "")))
    window = make_window(lead)

    # To the Merge tab (Ctrl+Tab twice) and merge the bundles (Alt+C, the passphrase).
    press(qtbot, Qt.Key.Key_Tab, CTRL, times=2)
    view = window.merge_view
    assert window.home_tabs.currentWidget() is view

    def passphrase(_dialog):
        type_text(qtbot, "a long passphrase")
        press(qtbot, Qt.Key.Key_Return)

    dialogs.expect("Unlock your keys", passphrase)
    with qtbot.waitSignal(view.merged, timeout=20000):
        alt(qtbot, "c")
    assert view.results_model.rowCount() == 2

    # D1 changed hands: its earlier answer waits until the lead accepts it (Alt+W, then Alt+Y).
    def yes(_box):
        alt(qtbot, "y")

    dialogs.expect("Accept held work", yes)
    alt(qtbot, "w")
    assert view.conflicts_model.rowCount() == 1

    # Settle the conflict: Tab to it, to bob's version card, choose it (Space), give the reason, Alt+K.
    tab_to(qtbot, lambda w: w is view.conflicts_table)
    press(qtbot, Qt.Key.Key_Down)
    bobs = next(card.choice for card in view.conflict_panel.cards if card.version.author == "bob")
    qtbot.waitUntil(bobs.isVisible)  # the cards are shown by the event loop, as in the app
    tab_to(qtbot, lambda w: isinstance(w, QRadioButton))  # Tab reaches the chosen card's button
    for _ in range(len(view.conflict_panel.cards)):  # the arrows move the choice, as in any radio group
        if focused() is bobs:
            break
        press(qtbot, Qt.Key.Key_Right)
    assert focused() is bobs and bobs.isChecked()
    assert view.conflict_panel.chosen_version().author == "bob"
    tab_to(qtbot, lambda w: w is view.reason_edit)
    type_text(qtbot, "Bob's reading matches the case file.")
    alt(qtbot, "k")
    assert list_conflicts(lead, "M1") == []
    assert load_assessment(lead, case.id).answers["2.1.1"].value == "no"

    # Rate the judgement standard 1.1 on the Ratings tab: Alt+N (Ctrl+Tab inside the Merge tab turns
    # its own inner tabs, as Qt does for nested tabs), Tab to the standards, Alt+R.
    alt(qtbot, "n")
    ratings = window.ratings_view
    assert window.home_tabs.currentWidget() is ratings
    tab_to(qtbot, lambda w: w is ratings.standards_table)
    down_to(qtbot, ratings.standards_table, lambda rated: rated.standard.id == "1.1")

    def rate(dialog):
        assert focused() is dialog.rating_combo
        type_text(qtbot, "Good")
        press(qtbot, Qt.Key.Key_Tab)
        type_text(qtbot, "Clear vision, shared in staff interviews.")
        tab_to(qtbot, lambda w: isinstance(w, QPushButton) and w.text().replace("&", "") == "OK")
        press(qtbot, Qt.Key.Key_Space)

    dialogs.expect("Rate standard 1.1", rate)
    alt(qtbot, "r")
    rated = next(r for r in ratings.report.ratings.standards if r.standard.id == "1.1")
    assert rated.rating == "Good"

    # Export the report: Alt+X; the file chooser is the test double.
    alt(qtbot, "x")
    assert report.exists() and "Good" in Path(report).read_text(encoding="utf-8")
    assert dialogs.steps == []
