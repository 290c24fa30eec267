"""The identity page and the export dialog, driven as an inspector would, on real keys and bundles."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldwork.bundles import verify_bundle
from fieldwork.gui.export_dialog import ExportDialog
from fieldwork.gui.identity_dialogs import IdentityDialog, KeySession, PassphraseDialog
from fieldwork.identity import TrustList, create_keys, keys_exist, read_public_identity, unlock_keys
from fieldwork.identity.keys import ScryptParams
from fieldwork.identity.leads import pin_lead
from fieldwork.profile import read_profile
from fieldwork.store.assessments import set_answer

CHEAP = ScryptParams(log2_n=10)  # tests only


def test_creating_keys_sets_the_profile_and_shows_the_fingerprint(qtbot, gui_store):
    dialog = IdentityDialog(gui_store)
    qtbot.addWidget(dialog)
    assert not keys_exist(gui_store.path.parent)
    assert dialog.create("Jo Inspector", "jinspector", "correct horse battery staple", scrypt=CHEAP)
    public = read_public_identity(gui_store.path.parent)
    assert read_profile(gui_store).person_id == "jinspector"
    shown = [w.text() for w in dialog.findChildren(type(dialog.error_label)) if w.isVisibleTo(dialog)]
    assert public.fingerprint in shown  # the fingerprint is on screen, in its groups
    assert " " in public.fingerprint


def test_a_refused_creation_says_why_and_creates_nothing(qtbot, gui_store):
    dialog = IdentityDialog(gui_store)
    qtbot.addWidget(dialog)
    assert not dialog.create("Jo Inspector", "jinspector", "short", scrypt=CHEAP)
    assert dialog.error_label.text()
    assert not keys_exist(gui_store.path.parent)


def test_exporting_the_public_identity(qtbot, gui_store, tmp_path):
    create_keys(gui_store.path.parent, name="Jo", person_id="jo", passphrase="a long enough passphrase", scrypt=CHEAP)
    dialog = IdentityDialog(gui_store)
    qtbot.addWidget(dialog)
    written = dialog.export_to(str(tmp_path / "jo.json"))
    assert written is not None and written.exists()
    assert "jo" in written.read_text()
    assert "private" not in written.read_text().lower()


def test_key_session_asks_once_and_retries_a_wrong_passphrase(qtbot, gui_store, monkeypatch):
    create_keys(gui_store.path.parent, name="Jo", person_id="jo", passphrase="a long enough passphrase", scrypt=CHEAP)
    answers = iter(["wrong passphrase", "a long enough passphrase"])
    prompts = []

    def ask(cls, parent, prompt):
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(PassphraseDialog, "ask", classmethod(ask))
    session = KeySession(gui_store.path.parent)
    identity = session.unlock(None)
    assert identity is not None and identity.person_id == "jo"
    assert len(prompts) == 2 and "did not unlock" in prompts[1]
    assert session.unlock(None) is identity  # no second prompt


@pytest.fixture
def inspector_and_lead(gui_store, gui_inspection, cases, tmp_path):
    inspector = create_keys(
        gui_store.path.parent, name="Jo", person_id="insp-1", passphrase="a long enough passphrase", scrypt=CHEAP
    )
    lead = create_keys(
        tmp_path / "lead", name="Lee Lead", person_id="lead-1", passphrase="another long passphrase", scrypt=CHEAP
    )
    return inspector, lead


def test_export_dialog_writes_a_bundle_only_the_lead_can_open(
    qtbot, gui_store, gui_inspection, cases, inspector_and_lead, tmp_path
):
    inspector, lead = inspector_and_lead
    set_answer(gui_store, cases["C001"].id, "2.1.1", value="yes", note="Good engagement")
    dialog = ExportDialog(gui_store, gui_inspection.id, inspector)
    qtbot.addWidget(dialog)
    assert not dialog.export_button.isEnabled()  # no lead yet: says so instead of guessing
    lead_file = tmp_path / "lead.json"
    from fieldwork.identity import export_identity

    export_identity(tmp_path / "lead", lead_file)
    assert dialog.use_lead_identity(str(lead_file))
    assert dialog.export_button.isEnabled()
    dialog.path_edit.setText(str(tmp_path / "out.fwbundle"))
    assert dialog.export()
    assert "written to" in dialog.message.text()
    bundle = Path(dialog.result.path)
    lead_unlocked = unlock_keys(tmp_path / "lead", "another long passphrase")
    verified = verify_bundle(bundle, identity=lead_unlocked, trust=TrustList.of(inspector.public))
    assert any(a.question_id == "2.1.1" and a.value == "yes" for a in verified.records.answers)


def test_export_to_a_missing_folder_says_why_and_writes_nothing(
    qtbot, gui_store, gui_inspection, inspector_and_lead, tmp_path
):
    inspector, lead = inspector_and_lead
    pin_lead(gui_store, gui_inspection.id, lead.public)
    dialog = ExportDialog(gui_store, gui_inspection.id, inspector)
    qtbot.addWidget(dialog)
    assert dialog.export_button.isEnabled()  # the pinned lead is the default recipient
    dialog.path_edit.setText(str(tmp_path / "no-such-folder" / "out.fwbundle"))
    assert not dialog.export()
    assert dialog.message.text()
    assert not (tmp_path / "no-such-folder").exists()


def test_the_identity_page_names_screens_not_terminal_commands(qtbot, gui_store, tmp_path):
    """A damaged identity file: the core's advice names 'fieldwork keys export'; the page names the screen."""
    from PySide6.QtWidgets import QLabel

    create_keys(gui_store.path.parent, name="Jo", person_id="jo", passphrase="a long enough passphrase", scrypt=CHEAP)
    (gui_store.path.parent / "keys" / "identity.json").write_text("{ not json", encoding="utf-8")
    dialog = IdentityDialog(gui_store)
    qtbot.addWidget(dialog)
    shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "identity file" in shown
    assert "fieldwork keys" not in shown
    assert "Export identity file" in shown  # the screen that does what the command did


def _overlaps(dialog):
    """Pairs of visible labels and buttons that overlap, and labels shorter than their wrapped text."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QAbstractButton, QLabel

    widgets = [w for w in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)
               if w.isVisible() and (not isinstance(w, QLabel) or w.text())]
    rects = [(w, QRect(w.mapTo(dialog, w.rect().topLeft()), w.size())) for w in widgets]
    problems = []
    for i, (a, ra) in enumerate(rects):
        needed = a.heightForWidth(a.width()) if isinstance(a, QLabel) and a.wordWrap() else a.sizeHint().height()
        if a.height() < needed:
            problems.append(f"{a.text()[:30]!r} is squeezed ({a.height()} of {needed} px)")
        for b, rb in rects[i + 1:]:
            if ra.intersects(rb) and not (a.isAncestorOf(b) or b.isAncestorOf(a)):
                first, second = (getattr(w, "text", lambda: "")()[:30] for w in (a, b))
                problems.append(f"{first!r} overlaps {second!r}")
    return problems


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_the_identity_page_grows_to_the_export_message(qtbot, gui_store, tmp_path, size):
    from PySide6.QtWidgets import QApplication, QWidget

    create_keys(gui_store.path.parent, name="Jo", person_id="jo", passphrase="a long enough passphrase", scrypt=CHEAP)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(*size)
    dialog = IdentityDialog(gui_store, parent)
    dialog.show()
    qtbot.waitExposed(dialog)
    for _ in range(3):
        QApplication.processEvents()
    assert _overlaps(dialog) == []
    assert dialog.export_to(str(tmp_path / "a folder with a long name for the stick" / "jo.fwid.json")) is None
    assert dialog.export_to(str(tmp_path / "jo.fwid.json")) is not None
    for _ in range(3):
        QApplication.processEvents()
    assert _overlaps(dialog) == []
    assert dialog.height() <= size[1], "taller than the screen"
