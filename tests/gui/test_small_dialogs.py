"""Small dialogs (issue 19): titles that say what they are for, the last folder used remembered per
purpose, and file names that carry the person's id."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from fieldwork.bundles import export_preview
from fieldwork.gui.export_dialog import ExportDialog
from fieldwork.gui.identity_dialogs import IdentityDialog
from fieldwork.gui.last_folder import last_folder, remember_folder
from fieldwork.gui.pack_dialogs import choose_pack
from fieldwork.identity import create_keys
from fieldwork.identity.keys import ScryptParams
from fieldwork.identity.leads import pin_lead

CHEAP = ScryptParams(log2_n=10)  # tests only


def test_the_last_folder_is_remembered_per_purpose(gui_store, tmp_path):
    sticks = tmp_path / "usb stick"
    sticks.mkdir()
    assert last_folder(gui_store, "packs") == str(Path.home())
    remember_folder(gui_store, "packs", str(sticks / "T9_insp-1_pack0001.fwpack"))
    assert last_folder(gui_store, "packs") == str(sticks)
    assert last_folder(gui_store, "bundles") == str(Path.home())  # another purpose keeps its own
    sticks.rmdir()  # the stick was taken out: back to the home folder
    assert last_folder(gui_store, "packs") == str(Path.home())


def test_the_identity_file_dialog_says_what_it_is_for_and_opens_where_the_last_one_went(
    qtbot, gui_store, tmp_path, monkeypatch
):
    create_keys(gui_store.path.parent, name="Jo", person_id="jo", passphrase="a long enough passphrase", scrypt=CHEAP)
    folder = tmp_path / "for the lead"
    folder.mkdir()
    asked = []

    def save_as(parent, title, default, filters):
        asked.append((title, default))
        return str(folder / Path(default).name), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    dialog = IdentityDialog(gui_store)
    qtbot.addWidget(dialog)
    dialog._export_clicked()
    dialog._export_clicked()
    assert asked[0][0] == "Save your identity file for your lead"
    assert Path(asked[0][1]).name == "jo.fwid.json"  # the person's id, not a key id
    assert Path(asked[1][1]).parent == folder  # the second time, where the first went
    assert (folder / "jo.fwid.json").exists()


def test_a_pack_is_opened_from_the_folder_of_the_last_one(gui_store, tmp_path, monkeypatch):
    asked = []

    def open_file(parent, title, start, filters):
        asked.append((title, start))
        return str(tmp_path / "T9.fwpack"), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_file))
    choose_pack(None, gui_store)
    choose_pack(None, gui_store)
    assert asked[0][0] == "Open an allocation pack from your lead"
    assert asked[1][1] == str(tmp_path)


def test_a_bundle_is_named_with_the_person_id_and_saved_where_the_last_one_went(
    qtbot, gui_store, gui_inspection, cases, tmp_path
):
    keys = create_keys(
        gui_store.path.parent, name="Jo", person_id="insp-1", passphrase="a long passphrase", scrypt=CHEAP
    )
    lead = create_keys(tmp_path / "lead", name="Lee", person_id="lead-1", passphrase="another passphrase", scrypt=CHEAP)
    pin_lead(gui_store, gui_inspection.id, lead.public)
    name = export_preview(gui_store, gui_inspection.id, keys).suggested_filename
    assert name.startswith(f"{gui_inspection.id}_insp-1_") and name.endswith("_0001.fwbundle")
    stick = tmp_path / "stick"
    stick.mkdir()
    first = ExportDialog(gui_store, gui_inspection.id, keys)
    qtbot.addWidget(first)
    first.path_edit.setText(str(stick / name))
    assert first.export(), first.message.text()
    second = ExportDialog(gui_store, gui_inspection.id, keys)
    qtbot.addWidget(second)
    assert Path(second.path_edit.text()).parent == stick
    assert Path(second.path_edit.text()).name.endswith("_0002.fwbundle")
