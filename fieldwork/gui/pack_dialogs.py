"""Allocation packs in the app: the inspector opens one; the lead writes one per inspector.

Trust is decided by people: an unknown lead's (or inspector's) fingerprint is shown in groups
so it can be compared in person or by phone before anything is trusted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from fieldwork.errors import FieldworkError
from fieldwork.identity import PublicIdentity, add_trusted_key, load_trust_list, read_identity_file
from fieldwork.store import Store
from fieldwork.text import plural


class FingerprintCheck:
    """Ask the user to confirm that a fingerprint matches what its owner reads out."""

    @classmethod
    def ask(cls, parent, identity: PublicIdentity, role: str) -> bool:
        answer = QMessageBox.question(
            parent,
            f"Check the {role}'s fingerprint",
            f"<p>This file comes from <b>{identity.name}</b> ({identity.person_id}), whom this computer does not "
            f"know yet. Ask them to read out their fingerprint (or compare it in person). Trust them only if "
            f"it is exactly:</p><p style='font-family:monospace; font-size:14pt'><b>{identity.fingerprint}</b></p>"
            "<p>Does it match?</p>",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes


def open_pack(parent, store: Store, identity, path: str):
    """Verify and apply a pack (asking about an unknown lead); the result, or None if declined.

    Raises FieldworkError with the reason when the pack is refused; nothing is then changed.
    """
    from fieldwork.packs import PackError, apply_pack, verify_pack

    trusted = load_trust_list(store)
    try:
        verified = verify_pack(path, identity=identity, trusted_leads=trusted)
    except PackError as error:
        lead = getattr(error, "lead", None)
        if error.code != "unknown-signer" or lead is None:
            raise
        if not FingerprintCheck.ask(parent, lead, "lead inspector"):
            return None
        verified = verify_pack(path, identity=identity, trusted_leads=trusted, accept_lead_fingerprint=lead.fingerprint)
    return apply_pack(store, verified)


def choose_pack(parent, store: Store | None = None) -> str | None:
    """The pack file to open, from the folder last used for packs (when `store` is given)."""
    from fieldwork.gui.last_folder import last_folder, remember_folder

    start = last_folder(store, "opened packs") if store is not None else str(Path.home())
    path, _ = QFileDialog.getOpenFileName(
        parent, "Open an allocation pack from your lead", start, "Allocation packs (*.fwpack);;All files (*)"
    )
    if path and store is not None:
        remember_folder(store, "opened packs", path)
    return path or None


def add_inspector_identity(parent, store: Store, path: str) -> PublicIdentity | None:
    """Trust an inspector's identity file after the lead confirms its fingerprint."""
    identity = read_identity_file(path)
    if not FingerprintCheck.ask(parent, identity, "inspector"):
        return None
    add_trusted_key(store, identity)
    return identity


def export_packs(store: Store, inspection_id: str, inspector_ids: list[str], folder: str, identity) -> list[str]:
    """One pack per inspector into `folder`; a line per inspector saying what happened."""
    from fieldwork.gui.wording import in_app
    from fieldwork.packs import export_pack

    lines = []
    for inspector_id in inspector_ids:
        try:
            result = export_pack(store, inspection_id, inspector_id, folder, identity=identity)
        except FieldworkError as error:
            lines.append(f"{inspector_id}: not written — {in_app(error.message)}")
            continue
        lines.append(f"{inspector_id}: {plural(result.cases, 'case')} → {result.path.name}")
    return lines


def inspectors_without_identity(store: Store, inspection_id: str, inspector_ids: list[str]) -> dict[str, str]:
    """Inspector id → why no pack can be encrypted to them, for those whose identity is missing or not
    trusted for this inspection: checked before the passphrase is asked (issue 19)."""
    from fieldwork.gui.wording import in_app
    from fieldwork.packs.export import recipient_for

    missing = {}
    for inspector_id in inspector_ids:
        try:
            recipient_for(store, inspection_id, inspector_id)
        except FieldworkError as error:
            missing[inspector_id] = in_app(error.message)
    return missing
