"""Verify a receipt on the inspector's laptop, failing closed, before anything is changed.

size cap → envelope (strict, canonical) → signing key is the pinned lead of some inspection here
→ Ed25519 over PAE(receipt type, receipt bytes) → strict receipt schema → the receipt names that
key, for an inspection whose pinned lead it is → the key is not revoked. Whether the bundle was
exported here is checked by `accept.plan_receipt`, against the store. Nothing is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fieldwork.bundles import envelope
from fieldwork.bundles.source import Source, read_source
from fieldwork.handover.errors import ReceiptError
from fieldwork.handover.format import MAX_FILE_BYTES, PAYLOAD_TYPE, Receipt, parse_receipt, read_envelope
from fieldwork.identity.leads import pinned_lead
from fieldwork.identity.public import PublicIdentity, identity_from_bytes
from fieldwork.identity.trust import load_trust_list
from fieldwork.store.db import Store


@dataclass(frozen=True)
class VerifiedReceipt:
    """A receipt whose signature is the pinned lead's, for one of this store's inspections."""

    receipt: Receipt
    data: bytes  # the .fwreceipt file as received (kept with the acceptance: ids only)
    lead: PublicIdentity
    sha256: str

    def summary(self) -> dict:
        r = self.receipt
        return {
            "receipt_id": r.receipt_id, "inspection_id": r.inspection_id, "bundle_id": r.bundle_id,
            "sequence": r.sequence, "manifest_sha256": r.manifest_sha256, "inspector_id": r.inspector_id,
            "inspector_key_id": r.inspector_key_id, "lead_id": r.lead_id, "lead_key_id": r.lead_key_id,
            "issued_at": r.issued_at, "merged_at": r.merged_at, "cases": len(r.cases),
        }


def _pinned_by_key(store: Store, key_id: str) -> tuple[PublicIdentity | None, list[str]]:
    """The identity pinned as lead under `key_id`, and the inspections it leads here."""
    rows = store.db.execute(
        "SELECT inspection_id, identity FROM inspection_leads WHERE key_id = ? ORDER BY inspection_id", [key_id]
    ).fetchall()
    if not rows:
        return None, []
    identity = identity_from_bytes(rows[0][1].encode("utf-8"), source=f"The pinned lead of {rows[0][0]}")
    return identity, [row[0] for row in rows]


def _inspection_gone(store: Store, inspection_id: str) -> ReceiptError:
    wiped = store.db.execute(
        "SELECT wiped_at FROM retention_wipes WHERE inspection_id = ?", [inspection_id]
    ).fetchone()
    if wiped is not None:
        return ReceiptError(
            "unknown-inspection",
            f"Inspection {inspection_id} was already wiped from this laptop ({wiped[0][:10]}, retention "
            "setting), so there is nothing left to hand over; nothing was changed.",
            detail="wiped by retention",
        )
    return ReceiptError(
        "unknown-inspection",
        f"This receipt is for inspection {inspection_id}, which is not on this laptop; check you are in the "
        "data folder you export bundles from. Nothing was changed.",
        detail="no such inspection",
    )


def _refuse_if_removed_by_retention(store: Store, payload: bytes) -> None:
    """Word the refusal of a receipt whose inspection retention removed (its pinned lead went with it).

    The payload is not authenticated here: it only chooses the sentence of a refusal.
    """
    try:
        inspection_id = parse_receipt(payload).inspection_id
    except ReceiptError:
        return
    if store.db.execute("SELECT 1 FROM retention_wipes WHERE inspection_id = ?", [inspection_id]).fetchone():
        raise _inspection_gone(store, inspection_id)


def verify_receipt(store: Store, source: Source) -> VerifiedReceipt:
    """Verify a receipt file (a path or its bytes) against this store's pinned leads.

    Raises ReceiptError (`code` from errors.REASONS) for anything wrong, NotFoundError when there
    is no such file. Writes nothing.
    """
    data = read_source(
        source, MAX_FILE_BYTES, ReceiptError, what="receipt", folder_hint="choose the .fwreceipt file in it."
    )
    key_id, payload, signature = read_envelope(data)
    lead, leads_of = _pinned_by_key(store, key_id)
    if lead is None:
        _refuse_if_removed_by_retention(store, payload)
        raise ReceiptError(
            "unknown-signer",
            f"This receipt was signed by key {key_id[:8]}…, which is not the lead of any inspection on this "
            "laptop, so it was refused and nothing was changed; check with your lead that it is theirs.",
            detail=f"key {key_id}",
        )
    envelope.check_signature(lead.signing_public, PAYLOAD_TYPE, payload, signature, ReceiptError)
    receipt = parse_receipt(payload)
    if receipt.lead_key_id != key_id or receipt.lead_id != lead.person_id:
        raise ReceiptError("bad-signature", detail="the receipt names another lead than the signing key")
    if receipt.inspection_id not in leads_of:
        if store.db.execute("SELECT 1 FROM inspections WHERE id = ?", [receipt.inspection_id]).fetchone() is None:
            raise _inspection_gone(store, receipt.inspection_id)
        pinned = pinned_lead(store, receipt.inspection_id)
        raise ReceiptError(
            "unknown-signer",
            f"This receipt for inspection {receipt.inspection_id} was signed by {lead.person_id}, who is not the "
            f"lead pinned for it here ({pinned.person_id if pinned else 'none'}); nothing was changed. Ask the "
            "inspection's lead for the receipt.",
            detail="signer is not the inspection's pinned lead",
        )
    trusted = load_trust_list(store).get(key_id)
    if trusted is not None and trusted.revoked_after_sequence is not None:
        raise ReceiptError(
            "revoked-signer",
            f"This receipt was signed with {lead.person_id}'s key {key_id[:8]}…, which you revoked; nothing was "
            "changed. Ask your lead to issue the receipt with their new key.",
            detail=f"revoked after {trusted.revoked_after_sequence}",
        )
    return VerifiedReceipt(receipt, data, lead, hashlib.sha256(data).hexdigest())
