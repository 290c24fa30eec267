"""One identity from the first run (issue 20 §2, docs/decisions/0023-one-identity-from-the-first-run.md).

A lead takes the steps in either order, in the real window with its real dialogs: start an
inspection by hand and try the practice inspection, then make keys — or keys first. After a
restart (a new window on the same data folder) the lead still has the Allocation, Merge and
Ratings tabs, and the practice inspection's export names the person and carries the cases.
Dialogs are driven through a patched `exec`/`ask`, never a modal loop.
"""

from __future__ import annotations

import pytest
from helpers.keyrings import no_os_keyring
from PySide6.QtWidgets import QDialog, QLabel, QPushButton

from fieldwork.bundles import verify_bundle
from fieldwork.demo import DEMO_FRAMEWORK_ID
from fieldwork.gui.dialogs import NewInspectionDialog
from fieldwork.gui.export_dialog import ExportDialog
from fieldwork.gui.identity_dialogs import IdentityDialog, PassphraseDialog
from fieldwork.gui.shortcuts import CASES_TAB, LEAD_TAB_TITLES
from fieldwork.identity import TrustList, export_identity, read_public_identity, unlock_keys
from fieldwork.identity import keys as keys_module
from fieldwork.identity.keys import ScryptParams
from fieldwork.profile import open_profile_store, read_profile
from fieldwork.store.changelog import case_history
from fieldwork.store.inspections import get_inspection, list_inspections

LOGIN = "jlaptop"  # the computer's login name in these tests
PERSON = "jlead"
PASSPHRASE = "lantern orbit staple"
LEAD_TAB_LABELS = list(LEAD_TAB_TITLES)


@pytest.fixture(autouse=True)
def contained(monkeypatch):
    """A known login name, cheap scrypt for keys made in the app, and never the OS keyring."""
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, LOGIN)
    monkeypatch.setattr(keys_module, "DEFAULT_SCRYPT", ScryptParams(log2_n=10))
    monkeypatch.setattr(PassphraseDialog, "ask", classmethod(lambda cls, parent, prompt: PASSPHRASE))
    with no_os_keyring():
        yield


def button(widget, text: str) -> QPushButton:
    return next(b for b in widget.findChildren(QPushButton) if b.text().replace("&", "") == text.replace("&", ""))


def tab_labels(window) -> list[str]:
    return [window.home_tabs.tabText(i) for i in range(window.home_tabs.count())]


def start_inspection_by_hand(window, monkeypatch, inspection_id: str) -> None:
    """Welcome → Set up an inspection (lead inspector)…, or File → New inspection… once an inspection exists."""

    def fill(dialog):
        dialog.provider_edit.setText("Northshire Test CRC")
        dialog.framework_combo.setCurrentIndex(
            next(i for i, f in enumerate(dialog.frameworks) if f.id == DEMO_FRAMEWORK_ID)
        )
        dialog.id_edit.setText(inspection_id)
        dialog._accept()
        return dialog.result()

    monkeypatch.setattr(NewInspectionDialog, "exec", fill)
    if window.inspection is None:
        button(window.current_view(), "Set up an inspection (lead inspector)…").click()
    else:
        window.new_inspection_action.trigger()
    assert window.inspection is not None and window.inspection.id == inspection_id


def try_practice(window) -> str:
    if window.inspection is None:
        button(window.current_view(), "Try the practice inspection").click()
    else:
        window.practice_action.trigger()
    assert window.inspection is not None and window.inspection.is_demo
    return window.inspection.id


def make_keys_in_the_app(window, monkeypatch) -> IdentityDialog:
    """Profile → Your identity and keys…: type a name, person id and passphrase; Create my keys."""
    seen = {}

    def drive(dialog):
        seen["dialog"] = dialog
        note = getattr(dialog, "carry_over_label", None)
        seen["note"] = note.text() if note is not None and note.isVisibleTo(dialog) else ""
        dialog.name_edit.setText("Jo Lead")
        dialog.person_edit.setText(PERSON)
        dialog.passphrase_edit.setText(PASSPHRASE)
        dialog.repeat_edit.setText(PASSPHRASE)
        dialog.hybrid_check.setChecked(False)
        button(dialog, "Create my keys").click()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(IdentityDialog, "exec", drive)
    profile_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Profile")
    next(a for a in profile_menu.actions() if a.text() == "Your &identity and keys…").trigger()
    dialog = seen["dialog"]
    assert getattr(dialog, "created", None) is not None, dialog.error_label.text()
    dialog.note_before = seen["note"]
    return dialog


def restart(window, store, data_dir, make_window):
    """Close the window and the store, then open both again as the app does at start."""
    window.close()
    store.close()
    store = open_profile_store(data_dir)
    return make_window(store), store


def export_practice(qtbot, window, monkeypatch, practice_id, data_dir, tmp_path):
    """File → Export bundle…, sent to the person's own identity file (in practice they are the lead)."""
    window.open_inspection(practice_id)
    seen = {}
    monkeypatch.setattr(ExportDialog, "exec", lambda dialog: seen.setdefault("dialog", dialog) and 0)
    window.export_bundle()
    dialog = seen["dialog"]
    what = next(w.text() for w in dialog.findChildren(QLabel) if w.text().startswith("<b>What goes in:</b>"))
    own = tmp_path / "own.fwid.json"
    export_identity(data_dir, own)
    assert dialog.use_lead_identity(str(own))
    dialog.path_edit.setText(str(tmp_path / "practice.fwbundle"))
    assert dialog.export(), dialog.message.text()
    me = unlock_keys(data_dir, PASSPHRASE)
    verified = verify_bundle(tmp_path / "practice.fwbundle", identity=me, trust=TrustList.of(me.public))
    return what, verified


def assert_one_identity(store, inspection_ids):
    assert read_profile(store).person_id == PERSON
    for inspection_id in inspection_ids:
        inspection = get_inspection(store, inspection_id)
        assert inspection.lead_id == PERSON and inspection.created_by == PERSON
    people = {row[0] for row in store.db.execute("SELECT inspector_id FROM cases UNION SELECT updated_by FROM answers")}
    assert people == {PERSON}


def test_inspection_first_then_keys_the_lead_stays_the_lead(qtbot, make_window, monkeypatch, tmp_path):
    data_dir = tmp_path / "data"
    store = open_profile_store(data_dir)
    window = make_window(store)
    start_inspection_by_hand(window, monkeypatch, "NTC-2026-11")
    assert tab_labels(window) == LEAD_TAB_LABELS  # the login name stands in for the lead until keys exist
    practice_id = try_practice(window)
    assert get_inspection(store, practice_id).lead_id == LOGIN

    window.open_inspection("NTC-2026-11")
    dialog = make_keys_in_the_app(window, monkeypatch)
    assert read_public_identity(data_dir).person_id == PERSON
    assert window.is_lead() and tab_labels(window) == LEAD_TAB_LABELS  # at once, without a restart

    window, store = restart(window, store, data_dir, make_window)
    assert window.inspection.id == "NTC-2026-11" and window.is_lead()
    assert tab_labels(window) == LEAD_TAB_LABELS
    assert window.allocation_view is not None and window.merge_view is not None and window.ratings_view is not None
    assert_one_identity(store, ["NTC-2026-11", practice_id])
    # The change log says what moved, from which name to which id, in each case's history too.
    moved = [e for e in case_history(store, store.db.execute("SELECT id FROM cases LIMIT 1").fetchone()[0])
             if e.field == "profile_person_id"]
    assert [(e.old, e.new, e.actor) for e in moved] == [(LOGIN, PERSON, PERSON)]

    what, verified = export_practice(qtbot, window, monkeypatch, practice_id, data_dir, tmp_path)
    assert "(none)" not in what and "12 cases" in what
    assert verified.manifest.inspector_id == PERSON
    assert len(verified.records.cases) == 12 and verified.records.answers
    assert {a.updated_by for a in verified.records.answers} == {PERSON}
    # The keys page said beforehand what the new person id would take over.
    assert LOGIN in dialog.note_before and "NTC-2026-11" in dialog.note_before and practice_id in dialog.note_before
    store.close()


def test_a_store_whose_work_is_under_the_login_name_keeps_its_lead_after_keys(
    qtbot, make_window, monkeypatch, tmp_path
):
    """Work made before the welcome page asked (an earlier version, or the command line): nothing
    named the profile, so the login name stands in; making keys in the app moves it all."""
    from fieldwork.demo import create_demo_inspection, demo_framework
    from fieldwork.store.inspections import create_inspection

    data_dir = tmp_path / "data"
    store = open_profile_store(data_dir)
    framework = demo_framework(data_dir)
    create_inspection(store, inspection_id="NTC-2026-11", provider="Northshire Test CRC",
                      provider_type=framework.provider_types[0], framework=framework, lead_id=store.actor)
    practice_id = create_demo_inspection(store).id
    assert not read_profile(store).is_set and get_inspection(store, "NTC-2026-11").lead_id == LOGIN
    window = make_window(store)
    window.open_inspection("NTC-2026-11")
    assert tab_labels(window) == LEAD_TAB_LABELS

    dialog = make_keys_in_the_app(window, monkeypatch)
    window, store = restart(window, store, data_dir, make_window)
    window.open_inspection("NTC-2026-11")
    assert window.is_lead() and tab_labels(window) == LEAD_TAB_LABELS
    assert_one_identity(store, ["NTC-2026-11", practice_id])
    what, verified = export_practice(qtbot, window, monkeypatch, practice_id, data_dir, tmp_path)
    assert "12 cases" in what and len(verified.records.cases) == 12
    assert "login name" in dialog.note_before and LOGIN in dialog.note_before  # said so before the keys were made
    store.close()


def test_keys_first_then_inspection_the_lead_is_the_lead(qtbot, make_window, monkeypatch, tmp_path):
    data_dir = tmp_path / "data"
    store = open_profile_store(data_dir)
    window = make_window(store)
    dialog = make_keys_in_the_app(window, monkeypatch)
    assert dialog.note_before == ""  # nothing was recorded under the login name: nothing to carry over
    assert window.current_view().__class__.__name__ == "WelcomeView"
    start_inspection_by_hand(window, monkeypatch, "NTC-2026-11")
    practice_id = try_practice(window)
    assert tab_labels(window) == LEAD_TAB_LABELS

    window, store = restart(window, store, data_dir, make_window)
    window.open_inspection("NTC-2026-11")
    assert window.is_lead() and tab_labels(window) == LEAD_TAB_LABELS
    assert_one_identity(store, ["NTC-2026-11", practice_id])
    assert store.db.execute("SELECT COUNT(*) FROM change_log WHERE field = 'profile_person_id'").fetchone()[0] == 0

    what, verified = export_practice(qtbot, window, monkeypatch, practice_id, data_dir, tmp_path)
    assert "(none)" not in what and "12 cases" in what
    assert verified.manifest.inspector_id == PERSON and len(verified.records.cases) == 12
    assert len(list_inspections(store)) == 2
    store.close()


def test_the_person_id_typed_on_the_welcome_page_is_used_from_the_first_record(
    qtbot, make_window, monkeypatch, tmp_path
):
    """The recommended first run: say who you are on the welcome page; the keys are made for that id."""
    data_dir = tmp_path / "data"
    store = open_profile_store(data_dir)
    window = make_window(store)
    welcome = window.current_view()
    assert welcome.person_edit.text() == LOGIN  # the login name is offered
    welcome.name_edit.setText("Jo Lead")
    welcome.person_edit.setText(PERSON)
    start_inspection_by_hand(window, monkeypatch, "NTC-2026-11")
    practice_id = try_practice(window)
    assert read_profile(store).person_id == PERSON and store.actor == PERSON
    assert_one_identity(store, ["NTC-2026-11", practice_id])  # never recorded under the login name

    def drive(dialog):
        assert dialog.person_edit.text() == PERSON and dialog.name_edit.text() == "Jo Lead"  # offered for the keys
        dialog.passphrase_edit.setText(PASSPHRASE)
        dialog.repeat_edit.setText(PASSPHRASE)
        dialog.hybrid_check.setChecked(False)
        button(dialog, "Create my keys").click()
        assert dialog.created is not None and dialog.moved.total == 0
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(IdentityDialog, "exec", drive)
    window.show_identity()
    assert read_public_identity(data_dir).person_id == PERSON

    window, store = restart(window, store, data_dir, make_window)
    window.open_inspection("NTC-2026-11")
    assert window.is_lead() and tab_labels(window) == LEAD_TAB_LABELS
    assert not store.db.execute("SELECT 1 FROM change_log WHERE field = 'profile_person_id'").fetchall()
    store.close()


def test_a_person_id_the_welcome_page_cannot_use_is_refused_there_and_nothing_starts(qtbot, make_window, tmp_path):
    store = open_profile_store(tmp_path / "data")
    window = make_window(store)
    welcome = window.current_view()
    welcome.person_edit.setText("Jo Lead")  # a name, not an id: spaces are not allowed
    button(welcome, "Try the practice inspection").click()
    assert window.inspection is None and window.current_view() is welcome
    assert "not a usable person id" in welcome.error_label.text()
    assert not read_profile(store).is_set and not list_inspections(store)
    welcome.person_edit.setText("")
    button(welcome, "Try the practice inspection").click()
    assert "Give your person id" in welcome.error_label.text() and not list_inspections(store)
    store.close()


def test_a_person_id_changed_on_the_keys_page_takes_the_records_with_it(qtbot, tmp_path):
    """Named on the welcome page, then another id given for the keys (a typo put right): the
    inspections and cases move to the id the keys carry, and their history says so."""
    store = open_profile_store(tmp_path / "data")
    from fieldwork.demo import create_demo_inspection
    from fieldwork.profile import name_profile

    name_profile(store, "jlaed", "Jo Lead")
    practice = create_demo_inspection(store)
    dialog = IdentityDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.person_edit.text() == "jlaed" and not dialog.person_edit.isReadOnly()
    assert "jlaed" in dialog.carry_over_label.text() and practice.id in dialog.carry_over_label.text()
    assert dialog.create("Jo Lead", PERSON, PASSPHRASE, scrypt=ScryptParams(log2_n=10)), dialog.error_label.text()
    assert dialog.moved.old == "jlaed" and dialog.moved.total > 0
    assert_one_identity(store, [practice.id])
    entries = [(e.old, e.new) for e in case_history(store, dialog.moved.cases[0]) if e.field == "profile_person_id"]
    assert entries == [("jlaed", PERSON)]
    store.close()


def test_a_lead_whose_keys_came_first_under_the_old_order_gets_the_tabs_back(qtbot, make_window, monkeypatch, tmp_path):
    """A store left by the defect: the inspection led by the login name, keys and profile for jlead.
    Opening it says where to put it right; Make it mine on the keys page gives the tabs back."""
    from fieldwork.demo import create_demo_inspection, demo_framework
    from fieldwork.identity import create_keys
    from fieldwork.profile import set_profile
    from fieldwork.store.inspections import create_inspection

    data_dir = tmp_path / "data"
    store = open_profile_store(data_dir)
    framework = demo_framework(data_dir)
    create_inspection(store, inspection_id="NTC-2026-11", provider="Northshire Test CRC",
                      provider_type=framework.provider_types[0], framework=framework, lead_id=store.actor)
    practice_id = create_demo_inspection(store).id
    create_keys(data_dir, name="Jo Lead", person_id=PERSON, passphrase=PASSPHRASE, scrypt=ScryptParams(log2_n=10))
    set_profile(store, PERSON, "Jo Lead")  # what key creation did before decision 0023, and nothing more

    window = make_window(store)
    window.open_inspection("NTC-2026-11")
    assert not window.is_lead() and tab_labels(window) == [CASES_TAB]
    assert "Make it mine" in window.statusBar().currentMessage() and LOGIN in window.statusBar().currentMessage()

    def drive(dialog):
        assert LOGIN in " ".join(w.text() for w in dialog.findChildren(QLabel))
        dialog.claim_button.click()
        assert dialog.claimed is not None and dialog.claimed.inspections == sorted(["NTC-2026-11", practice_id])
        assert not hasattr(dialog, "claim_button") or not dialog.claim_button.isVisibleTo(dialog)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(IdentityDialog, "exec", drive)
    window.show_identity()
    assert window.is_lead() and tab_labels(window) == LEAD_TAB_LABELS  # at once

    window, store = restart(window, store, data_dir, make_window)
    window.open_inspection("NTC-2026-11")
    assert window.is_lead() and tab_labels(window) == LEAD_TAB_LABELS
    assert_one_identity(store, ["NTC-2026-11", practice_id])
    what, verified = export_practice(qtbot, window, monkeypatch, practice_id, data_dir, tmp_path)
    assert "12 cases" in what and len(verified.records.cases) == 12
    store.close()
