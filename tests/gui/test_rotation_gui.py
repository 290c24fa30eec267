"""Key rotation in the app (docs/decisions/0014-key-rotation.md): an inspector makes new keys from
the identity page, and the lead accepts the key change from Profile → Accept a key change…, on
real (cheap) keys, packs and bundles. Every dialog is driven through a patched `exec`/`ask`.
"""

from __future__ import annotations

import keyring
import pytest
from helpers.keyrings import MemoryKeyring, no_os_keyring
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton

from fieldwork.bundles import export_bundle
from fieldwork.gui.identity_dialogs import IdentityDialog, PassphraseDialog
from fieldwork.gui.pack_dialogs import export_packs
from fieldwork.gui.rotation_dialogs import KeyChangeCheck, RotateKeysDialog
from fieldwork.identity import (
    add_trusted_key,
    create_keys,
    export_identity,
    load_trust_list,
    read_public_identity,
    unlock_keys,
)
from fieldwork.identity import keys as keys_module
from fieldwork.identity.keys import ScryptParams
from fieldwork.identity.leads import inspections_led_by
from fieldwork.identity.rotate import retired_dir
from fieldwork.merge import merge_bundles
from fieldwork.packs import apply_pack, verify_pack
from fieldwork.store.assessments import find_case, set_answer
from tests.gui.conftest import lead_and_inspector_stores

CHEAP = ScryptParams(log2_n=10)  # tests only
OLD_PASSPHRASE = "inspector passphrase"  # lead_and_inspector_stores
LEAD_PASSPHRASE = "lead passphrase long"
NEW_PASSPHRASE = "staple orbit lantern"


@pytest.fixture(autouse=True)
def cheap_and_contained(monkeypatch):
    """New keys with cheap scrypt, and never the real OS keyring."""
    monkeypatch.setattr(keys_module, "DEFAULT_SCRYPT", CHEAP)
    with no_os_keyring():
        yield


@pytest.fixture
def team(tmp_path):
    """Lead and inspector (conftest): the lead trusts insp-1 for T9 and sends a pack the inspector
    opens (T9 pinned to the lead); the inspector's bundle 1 is merged by the lead."""
    lead, inspector, lead_keys, inspector_keys = lead_and_inspector_stores(tmp_path)
    add_trusted_key(lead, inspector_keys.public, ["T9"])
    packs = tmp_path / "packs"
    packs.mkdir()
    export_packs(lead, "T9", ["insp-1"], str(packs), lead_keys)
    verified = verify_pack(
        next(packs.glob("*.fwpack")), identity=inspector_keys, trusted_leads=load_trust_list(inspector),
        accept_lead_fingerprint=lead_keys.public.fingerprint,
    )
    apply_pack(inspector, verified)
    set_answer(inspector, find_case(inspector, "T9", "P1").id, "2.1.1", value="yes", note="old key")
    (tmp_path / "bundles").mkdir()
    first = export_bundle(inspector, "T9", tmp_path / "bundles", identity=inspector_keys)
    assert first.manifest.sequence == 1
    assert len(merge_bundles(lead, [first.path], lead_keys).imported) == 1
    yield lead, inspector, lead_keys, inspector_keys, tmp_path
    lead.close()
    inspector.close()


def key_files(data_dir) -> dict[str, bytes]:
    folder = data_dir / "keys"
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def fill_and_make(dialog: RotateKeysDialog, *, current: str | None, new: str = NEW_PASSPHRASE, again=None) -> None:
    if current is not None:
        assert dialog.current_edit.isVisibleTo(dialog)
        dialog.current_edit.setText(current)
    dialog.new_edit.setText(new)
    dialog.repeat_edit.setText(new if again is None else again)
    dialog.make_button.click()


def rotate_with_dialog(qtbot, store, out, *, current=OLD_PASSPHRASE, on_rotated=None) -> RotateKeysDialog:
    dialog = RotateKeysDialog(store, on_rotated=on_rotated)
    qtbot.addWidget(dialog)
    dialog.folder_edit.setText(str(out))
    fill_and_make(dialog, current=current)
    assert dialog.rotation is not None, dialog.error_label.text()
    return dialog


def labels(widget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel)]


# --- making new keys ---------------------------------------------------------------------------------


def test_an_inspector_makes_new_keys_from_the_identity_page(qtbot, make_window, monkeypatch, team):
    lead, inspector, lead_keys, inspector_keys, folder = team
    data_dir = inspector.path.parent
    out = folder / "statements"
    out.mkdir()
    asked = []

    def passphrase(cls, parent, prompt):
        asked.append(prompt)
        return OLD_PASSPHRASE if len(asked) == 1 else NEW_PASSPHRASE

    monkeypatch.setattr(PassphraseDialog, "ask", classmethod(passphrase))
    window = make_window(inspector)
    assert window.keys.unlock(window).key_id == inspector_keys.key_id  # unlocked once, kept by the window
    seen = {}

    def drive_rotation(dialog):
        seen["rotation"] = dialog
        text = " ".join(labels(dialog))
        assert "retires your old key" in text and "Accept a key change" in text
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(out)))
        next(b for b in dialog.findChildren(QPushButton) if b.text() == "C&hoose…").click()
        assert dialog.folder_edit.text() == str(out)
        fill_and_make(dialog, current=OLD_PASSPHRASE)
        return 1

    def drive_identity(dialog):
        seen["identity"] = dialog
        assert dialog.on_keys_changed is not None
        next(b for b in dialog.findChildren(QPushButton) if b.text() == "Make &new keys…").click()
        seen["shown"] = labels(dialog)  # the summary, refreshed behind the result
        return 1

    monkeypatch.setattr(RotateKeysDialog, "exec", drive_rotation)
    monkeypatch.setattr(IdentityDialog, "exec", drive_identity)
    window.show_identity()

    result = seen["rotation"].rotation
    assert result is not None, seen["rotation"].error_label.text()
    new = read_public_identity(data_dir)
    assert result.new.key_id == new.key_id != inspector_keys.key_id
    assert new.fingerprint != inspector_keys.public.fingerprint and new.person_id == "insp-1"
    assert result.path.parent == out and result.path.suffix == ".fwrotation" and result.path.is_file()
    assert dict(result.statement.last_sequences) == {"T9": 1}
    # The old key is retired: its files kept aside, unchanged; nothing signs with it again.
    assert (retired_dir(data_dir) / inspector_keys.key_id / "identity.json").is_file()
    assert result.retired_folder == retired_dir(data_dir) / inspector_keys.key_id
    # The result says what happened and what to do; the identity page shows the new key.
    shown = " ".join(labels(seen["rotation"]))
    assert new.fingerprint in labels(seen["rotation"]) and str(result.path) in shown
    assert "is retired" in shown and "Next: give this file to your lead" in shown
    assert new.key_id in seen["shown"] and new.fingerprint in seen["shown"]
    # The window forgot the old unlocked keys: the next use asks for the (new) passphrase.
    again = window.keys.unlock(window)
    assert len(asked) == 2 and again.key_id == new.key_id
    assert unlock_keys(data_dir, NEW_PASSPHRASE).key_id == new.key_id


def test_a_wrong_current_passphrase_changes_nothing(qtbot, team):
    lead, inspector, lead_keys, inspector_keys, folder = team
    data_dir = inspector.path.parent
    before = key_files(data_dir)
    out = folder / "statements"
    out.mkdir()
    called = []
    dialog = RotateKeysDialog(inspector, on_rotated=called.append)
    qtbot.addWidget(dialog)
    dialog.folder_edit.setText(str(out))
    fill_and_make(dialog, current="not my passphrase")
    assert "passphrase" in dialog.error_label.text().lower()
    fill_and_make(dialog, current=OLD_PASSPHRASE, again="staple orbit lanterns")
    assert dialog.error_label.text() == "The two new passphrases differ; type the same one twice."
    fill_and_make(dialog, current=OLD_PASSPHRASE, new="short")
    assert "too short" in dialog.error_label.text()
    assert dialog.rotation is None and called == []
    assert key_files(data_dir) == before  # byte for byte
    assert not retired_dir(data_dir).exists() and list(out.iterdir()) == []
    assert read_public_identity(data_dir).key_id == inspector_keys.key_id


def test_keys_that_unlock_through_the_keyring_need_no_current_passphrase(qtbot, gui_store, tmp_path):
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    old = create_keys(gui_store.path.parent, name="Jo", person_id="jo", passphrase="a long enough passphrase",
                      use_keyring=True, scrypt=CHEAP)
    dialog = RotateKeysDialog(gui_store)
    qtbot.addWidget(dialog)
    assert not dialog.needs_passphrase and not dialog.current_edit.isVisibleTo(dialog)
    dialog.folder_edit.setText(str(tmp_path))
    fill_and_make(dialog, current=None)
    assert dialog.rotation is not None, dialog.error_label.text()
    assert dialog.rotation.new.key_id != old.key_id
    assert unlock_keys(gui_store.path.parent).key_id == dialog.rotation.new.key_id  # still through the keyring

    # The keyring goes away while the dialog is open: the current passphrase is asked for after all.
    again = RotateKeysDialog(gui_store)
    qtbot.addWidget(again)
    assert not again.current_edit.isVisibleTo(again)
    backend.secrets.clear()
    again.folder_edit.setText(str(tmp_path))
    fill_and_make(again, current=None, new="another new passphrase")
    assert again.rotation is None and again.needs_passphrase and again.current_edit.isVisibleTo(again)
    fill_and_make(again, current=NEW_PASSPHRASE, new="another new passphrase")
    assert again.rotation is not None, again.error_label.text()


# --- accepting a key change ---------------------------------------------------------------------------


def accept_menu_action(window):
    return next(a for a in window.findChildren(type(window.actions["quit"])) if a.text() == "&Accept a key change…")


def test_the_lead_accepts_a_key_change_and_merges_the_new_keys_bundle(
    qtbot, make_window, monkeypatch, team, message_boxes
):
    lead, inspector, lead_keys, inspector_keys, folder = team
    result = rotate_with_dialog(qtbot, inspector, folder).rotation
    new_keys = unlock_keys(inspector.path.parent, NEW_PASSPHRASE)
    set_answer(inspector, find_case(inspector, "T9", "P2").id, "2.1.1", value="no", note="new key")
    bundle = export_bundle(inspector, "T9", folder / "bundles", identity=new_keys)
    assert bundle.manifest.sequence == 1 and bundle.manifest.signer_key_id == new_keys.key_id
    refused = merge_bundles(lead, [bundle.path], lead_keys)
    assert [r.code for r in refused.refused] == ["unknown-signer"]  # until the key change is accepted

    chosen, checked = [], []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName",
        staticmethod(lambda parent, title, folder, filters: chosen.append(filters) or (str(result.path), "")),
    )
    monkeypatch.setattr(KeyChangeCheck, "ask", classmethod(lambda cls, parent, s: checked.append(s.new) or True))
    window = make_window(lead)
    accept_menu_action(window).trigger()
    assert chosen and "*.fwrotation" in chosen[0] and "All files (*)" in chosen[0]
    assert [i.fingerprint for i in checked] == [result.new.fingerprint]  # the new fingerprint was put to a person
    trust = load_trust_list(lead)
    assert trust.get(result.new.key_id).inspections == frozenset({"T9"})
    assert trust.get(result.new.key_id).revoked_after_sequence is None
    assert trust.get(inspector_keys.key_id).revoked_after_sequence == 1  # the old key's last number
    kind, text = message_boxes[-1]
    assert kind == "information"
    assert "Accepted the key change of <b>Ira Inspector</b> (insp-1)" in text and result.new.fingerprint in text
    assert "trusted for T9" in text and f"old key {inspector_keys.key_id} is revoked after number 1" in text

    report = merge_bundles(lead, [bundle.path], lead_keys)
    assert len(report.imported) == 1 and report.imported[0].inspector_id == "insp-1"

    window.accept_key_change()  # the same statement again: said, and nothing changes
    kind, text = message_boxes[-1]
    assert kind == "warning" and "already accepted" in text
    assert load_trust_list(lead).get(inspector_keys.key_id).revoked_after_sequence == 1


def test_an_inspector_accepts_the_leads_key_change(qtbot, make_window, monkeypatch, team, message_boxes):
    lead, inspector, lead_keys, inspector_keys, folder = team
    result = rotate_with_dialog(qtbot, lead, folder, current=LEAD_PASSPHRASE).rotation
    monkeypatch.setattr(KeyChangeCheck, "ask", classmethod(lambda cls, parent, s: True))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a: (str(result.path), "")))
    window = make_window(inspector)
    window.accept_key_change()
    kind, text = message_boxes[-1]
    assert kind == "information" and "Your bundles for T9 will now be encrypted to the new key." in text
    assert inspections_led_by(inspector, result.new.key_id) == ["T9"]


def test_a_declined_fingerprint_changes_nothing(qtbot, make_window, monkeypatch, team, message_boxes):
    lead, inspector, lead_keys, inspector_keys, folder = team
    result = rotate_with_dialog(qtbot, inspector, folder).rotation
    before = list(load_trust_list(lead))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a: (str(result.path), "")))
    monkeypatch.setattr(KeyChangeCheck, "ask", classmethod(lambda cls, parent, s: False))
    window = make_window(lead)
    window.accept_key_change()
    assert list(load_trust_list(lead)) == before
    assert load_trust_list(lead).get(result.new.key_id) is None
    assert load_trust_list(lead).get(inspector_keys.key_id).revoked_after_sequence is None
    assert message_boxes == []


def test_the_fingerprint_question_shows_the_new_fingerprint_and_defaults_to_no(qtbot, team, message_boxes):
    lead, inspector, lead_keys, inspector_keys, folder = team
    result = rotate_with_dialog(qtbot, inspector, folder).rotation
    assert not KeyChangeCheck.ask(None, result.statement)  # the recorder answers Ok, which is not Yes
    kind, text = message_boxes[-1]
    assert kind == "question" and result.new.fingerprint in text and "Ira Inspector" in text


@pytest.mark.parametrize("kind", ["identity", "junk"])
def test_a_file_that_is_not_a_statement_is_refused(qtbot, make_window, monkeypatch, team, message_boxes, kind):
    lead, inspector, lead_keys, inspector_keys, folder = team
    path = folder / "not-a-statement.fwrotation"
    if kind == "identity":
        export_identity(inspector.path.parent, path)
    else:
        path.write_text("these are my notes, not a key change\n")
    before = list(load_trust_list(lead))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a: (str(path), "")))
    monkeypatch.setattr(KeyChangeCheck, "ask", classmethod(lambda cls, parent, s: pytest.fail("asked")))
    window = make_window(lead)
    window.accept_key_change()
    (box, text), = message_boxes
    assert box == "warning" and text.startswith("This file was not accepted as a key change.")
    assert ("an identity file, not a key rotation statement" if kind == "identity" else "cannot be used") in text
    assert list(load_trust_list(lead)) == before


def test_cancelling_the_file_choice_does_nothing(qtbot, make_window, monkeypatch, team, message_boxes):
    lead = team[0]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a: ("", "")))
    make_window(lead).accept_key_change()
    assert message_boxes == []
