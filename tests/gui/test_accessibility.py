"""Every control of every screen has an accessible name and description (issue 19).

Walks the same screens as the mnemonic test (welcome, an inspector's cases and case with its
guidance panel, each of a lead's tabs, a lead's case with moderation, every dialog that can be
built here) and asks Qt's accessibility interface, which is what a screen reader hears, for the
name and description of each visible control: buttons, fields, text boxes, lists, check boxes,
tables and tab bars.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QComboBox, QTabBar, QWidget

from fieldwork.gui import accessibility
from fieldwork.store.assessments import list_case_summaries
from tests.gui.conftest import lead_and_inspector_stores, open_case
from tests.gui.test_mnemonics import dialogs, with_retention_banner


def open_dialog(qtbot, dialog) -> None:
    """Show a dialog as exec() would: the keyboard enters it, which prepares it (accessibility.py)."""
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and QApplication.focusWidget().window() is dialog)
    settle()


def settle() -> None:
    for _ in range(4):
        QApplication.processEvents()


def controls(window: QWidget) -> list[QWidget]:
    return [
        w
        for w in [window, *window.findChildren(QWidget)]
        if accessibility.is_control(w) and w.isVisibleTo(window) and w.window() is window
    ]


def unnamed(window: QWidget) -> list[str]:
    """Each visible control a screen reader could not name or describe, as 'Type objectName: what'."""
    settle()
    found = controls(window)
    assert found, "nothing found: the walk is not looking at this screen"
    problems = []
    for widget in found:
        name = accessibility.spoken_name(widget)
        if isinstance(widget, QComboBox):
            # On Linux Qt speaks a combo's current choice as its name (its label comes through a
            # relation); on Windows and macOS it speaks the accessibleName, which must be there.
            name = widget.accessibleName()
        what = f"{type(widget).__name__} {widget.objectName()!r}"
        if not name or re.fullmatch(r"[a-z]+([A-Z][a-z]*)+", name):  # empty, or an objectName
            problems.append(f"{what}: no name")
        if isinstance(widget, QComboBox) and name and name == widget.currentText():
            problems.append(f"{what}: named by its current choice {name!r}, not by what it is")
        # Qt's interface of a tab bar speaks its current tab, and no description of its own: the
        # description is checked on the widget, and every tab must have a name.
        description = widget.accessibleDescription() if isinstance(widget, QTabBar) else None
        if not (description or accessibility.spoken_description(widget)):
            problems.append(f"{what} ({name}): no description")
        if isinstance(widget, QTabBar):
            interface = QAccessible.queryAccessibleInterface(widget)
            tabs = [interface.child(i).text(QAccessible.Text.Name) for i in range(interface.childCount())]
            problems += [f"{what}: a tab with no name" for tab in tabs if not tab.strip()]
    return problems


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
        assert unnamed(make_window(store)) == []
    finally:
        store.close()


def test_inspector_cases_case_and_guidance(qtbot, window, cases):
    with_retention_banner(window)
    assert unnamed(window) == []
    view = open_case(qtbot, window, cases["C001"].id)
    assert unnamed(window) == []
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F2)  # the guidance panel
    assert view.guidance_panel.isVisible()
    assert unnamed(window) == []


@pytest.mark.parametrize("tab", range(4), ids=["cases", "allocation", "merge", "ratings"])
def test_each_of_the_lead_tabs(make_window, people, tab):
    lead, *_ = people
    window = with_retention_banner(make_window(lead))
    window.home_tabs.setCurrentIndex(tab)
    assert unnamed(window) == []


def test_the_lead_case_view_with_moderation(qtbot, make_window, people):
    lead, *_ = people
    window = make_window(lead)
    open_case(qtbot, window, list_case_summaries(lead, window.inspection.id)[0].case.id)
    assert unnamed(window) == []


def test_every_dialog(qtbot, gui_store, gui_inspection, cases):
    from fieldwork.identity import create_keys
    from fieldwork.identity.keys import ScryptParams

    keys = create_keys(
        gui_store.path.parent, name="Jo", person_id="insp-1", passphrase="a long passphrase", scrypt=ScryptParams(10)
    )
    accessibility.install()  # as make_application does (fieldwork/gui/app.py)
    problems = {}
    for dialog in dialogs(gui_store, keys, gui_inspection.id):
        open_dialog(qtbot, dialog)
        problems[type(dialog).__name__] = unnamed(dialog)
        dialog.close()
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_other_dialogs(qtbot, make_window, people, gui_store, gui_inspection, cases, tmp_path):
    """Identity and keys, frameworks, sample import, question set, rating a standard."""
    from fieldwork.gui.frameworks_dialog import FrameworksDialog
    from fieldwork.gui.identity_dialogs import IdentityDialog
    from fieldwork.gui.question_set import ChangeSampleDialog
    from fieldwork.gui.ratings_view import LeadRatingDialog
    from fieldwork.gui.sample_import_dialog import SampleImportDialog
    from fieldwork.imports.case_sample import check_case_sample

    lead, *_ = people
    window = make_window(lead)
    window.home_tabs.setCurrentIndex(3)
    ratings = window.ratings_view.report.ratings
    sample = tmp_path / "sample.csv"
    sample.write_text("case_ref,rosh,ldu\nN001,high,North\nN002,purple,South\n", encoding="utf-8")
    built = [
        IdentityDialog(lead),
        FrameworksDialog(tmp_path / "frameworks"),
        SampleImportDialog(gui_store, gui_inspection, check_case_sample(gui_store, gui_inspection, sample)),
        ChangeSampleDialog(window.framework, "supervision"),
        LeadRatingDialog(ratings.standards[0], ratings.framework.rating.ratings()),
    ]
    problems = {}
    for dialog in built:
        open_dialog(qtbot, dialog)
        problems[type(dialog).__name__] = unnamed(dialog)
        dialog.close()
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_screens_added_since(qtbot, make_window, people, tmp_path):
    """The Premises tab, the allocation dialog, and the lead's Frameworks page with its move."""
    from fieldwork.frameworks import load_framework
    from fieldwork.gui.allocate_dialog import AllocateDialog, Inspector
    from fieldwork.gui.frameworks_dialog import FrameworksDialog
    from fieldwork.paths import shipped_frameworks_dir
    from fieldwork.profile import set_profile
    from fieldwork.store import open_store
    from fieldwork.store.inspections import create_inspection

    accessibility.install()
    store = open_store(tmp_path / "premises", actor="lead-1")
    try:
        set_profile(store, "lead-1", "Lee Lead")
        create_inspection(
            store, inspection_id="AP-1", provider="Hill House", provider_type="Approved premises",
            framework=load_framework(shipped_frameworks_dir() / "hmip-approved-premises-2025.toml"), lead_id="lead-1",
        )  # fmt: skip
        window = make_window(store)
        window.home_tabs.setCurrentIndex(1)
        assert window.home_tabs.currentWidget() is window.premises_view
        assert unnamed(window) == []
    finally:
        store.close()

    lead, *_ = people
    lead_window = make_window(lead)
    built = [
        AllocateDialog([Inspector("insp-1", "Ira Inspector"), Inspector("insp-2", "")], {"insp-1"}, 2),
        FrameworksDialog(lead.path.parent, store=lead, inspection=lead_window.inspection),
    ]
    problems = {}
    for dialog in built:
        open_dialog(qtbot, dialog)
        problems[type(dialog).__name__] = unnamed(dialog)
        dialog.close()
    assert {name: found for name, found in problems.items() if found} == {}
