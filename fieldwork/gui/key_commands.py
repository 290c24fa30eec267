"""The main window's commands that need the private keys: a bundle, packs, a pack opened, a merge.

Each checks everything it can without the keys first (an inspection open, work saved, a lead to
encrypt to, inspectors whose identities are known, a folder chosen), so the passphrase is asked
only when the work can really go ahead (issue 19). The keys come from key_session.unlocked_keys.

Functions of the main window, kept here so that main_window.py stays about views and commands.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

from fieldwork.errors import FieldworkError
from fieldwork.gui.key_session import create_keys_first, unlocked_keys
from fieldwork.gui.last_folder import last_folder, remember_folder
from fieldwork.identity import keys_exist, load_trust_list, read_public_identity
from fieldwork.text import plural

# Titles of the warnings: each says what did not happen (issue 19).
EXPORT_FAILED = "Bundle not exported"
PACKS_FAILED = "Allocation packs not written"


def export_bundle(window) -> None:
    """File → Export bundle for the lead…: the dialog first; the passphrase only when Export is clicked."""
    from fieldwork.gui.export_dialog import ExportDialog

    if window.inspection is None:
        window.show_error("Open an inspection first.", EXPORT_FAILED)
        return
    if window.case_view is not None and not window.case_view.flush_pending():
        window.show_error(
            f"Some of what you typed in case {window.case_view.case_ref} is not saved, so it would be missing "
            "from the bundle. Export again once it is saved.", EXPORT_FAILED,
        )
        return
    if not keys_exist(window.keys.data_dir):
        created = create_keys_first(window, "exporting a bundle")
        if created is None:
            return
        window.keys.adopt(created)
    try:
        public = read_public_identity(window.keys.data_dir)
        dialog = ExportDialog(
            window.store, window.inspection.id, public, window,
            unlock=lambda: unlocked_keys(window, "exporting a bundle"),
        )
    except FieldworkError as error:
        window.show_error(error.message, EXPORT_FAILED)
        return
    dialog.exec()


def open_pack_file(window, path: str | None = None) -> None:
    """Open an allocation pack from the lead: verify, confirm an unknown lead, apply, show."""
    from fieldwork.gui.pack_dialogs import choose_pack, open_pack

    path = path or choose_pack(window, window.store)
    if not path:
        return
    identity = unlocked_keys(window, "opening an allocation pack")
    if identity is None:
        return
    try:
        result = open_pack(window, window.store, identity, path)
    except FieldworkError as error:
        window.show_error(f"The allocation pack was not opened: {error.message}", "Allocation pack not opened")
        return
    if result is None:
        return
    window.statusBar().showMessage(result.summary(), 15000)
    window.open_inspection(result.inspection_id)


def export_allocation_packs(window) -> None:
    """Allocation → Write packs: who can get one and where, then the passphrase, then the packs."""
    from fieldwork.gui.pack_dialogs import export_packs, inspectors_without_identity

    inspectors = window.allocation_view.inspectors_with_cases() if window.allocation_view else []
    if not inspectors:
        window.show_error("No case is allocated yet: allocate cases to inspectors first.", PACKS_FAILED)
        return
    inspection = window.inspection
    if inspection.lead_id and window.profile.is_set and inspection.lead_id != window.profile.person_id:
        window.show_error(
            f"Inspection {inspection.id} is led by {inspection.lead_id}, not you ({window.profile.person_id}): "
            "packs are written by the lead, from their own app.", PACKS_FAILED,
        )
        return
    missing = inspectors_without_identity(window.store, inspection.id, inspectors)
    if missing:
        ready = [i for i in inspectors if i not in missing]
        reasons = "\n".join(f"• {reason}" for reason in missing.values())
        if not ready:
            window.show_error(f"No pack can be encrypted yet:\n{reasons}", PACKS_FAILED)
            return
        go_on = QMessageBox.question(
            window, "Some inspectors cannot get a pack yet",
            f"{reasons}\n\nWrite the packs for {', '.join(ready)} now?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes,
        )
        if go_on != QMessageBox.StandardButton.Yes:
            return
        inspectors = ready
    folder = QFileDialog.getExistingDirectory(
        window, "Choose a folder for the allocation packs", last_folder(window.store, "packs")
    )
    if not folder:
        return
    remember_folder(window.store, "packs", folder)
    identity = unlocked_keys(window, "writing allocation packs")
    if identity is None:
        return
    lines = export_packs(window.store, inspection.id, inspectors, folder, identity)
    QMessageBox.information(window, f"Allocation packs: {plural(len(lines), 'inspector')}", "\n".join(lines))


def merge_pending(window) -> None:
    """The Merge tab has bundles to merge: some inspector must be trusted, then the keys."""
    view = window.merge_view
    if view is None:
        return
    paths = list(view.pending_paths)  # read first: creating keys reopens the inspection and its tabs
    if not list(load_trust_list(window.store)):
        window.show_error(
            "No inspector is trusted yet, so every bundle would be refused: add each inspector's identity with "
            "the Allocation tab's \"Add an inspector's identity…\" button first, then merge.", "Bundles not merged",
        )
        return
    identity = unlocked_keys(window, "merging bundles")
    if identity is not None and window.merge_view is not None:
        window.merge_view.merge_files(paths, identity)
