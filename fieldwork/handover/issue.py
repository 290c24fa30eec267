"""The lead's side: sign a receipt for each merged bundle and write it where the lead chooses.

A receipt is made only from what the lead's store holds: the bundle's import row (so only after
its merge committed, durably) and, per case, the highest revision the store holds from that
inspector (their latest report of the case). Each file is written whole or not at all, then
recorded; a bundle already receipted is left out unless every receipt is asked for again.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fieldwork import __version__
from fieldwork.bundles.exportfile import check_exporter
from fieldwork.durable_files import atomic_write, remove_stale_partials
from fieldwork.errors import NotFoundError
from fieldwork.handover.errors import ReceiptIssueError
from fieldwork.handover.format import FORMAT_VERSION, Receipt, ReceiptCase, signed_file, suggested_filename
from fieldwork.identity.keys import UnlockedIdentity
from fieldwork.merge.imports import ImportRecord, list_imports
from fieldwork.store.db import Store
from fieldwork.store.inspections import get_inspection
from fieldwork.text import plural


@dataclass(frozen=True)
class IssuedReceipt:
    """One receipt written: where, and for which bundle."""

    path: Path
    receipt: Receipt

    def to_json(self) -> dict:
        r = self.receipt
        return {
            "path": str(self.path), "receipt_id": r.receipt_id, "bundle_id": r.bundle_id,
            "inspector_id": r.inspector_id, "sequence": r.sequence, "cases": len(r.cases), "merged_at": r.merged_at,
        }


@dataclass(frozen=True)
class BundleReceipts:
    """A merged bundle and the receipts issued for it so far (lead side)."""

    bundle: ImportRecord
    receipts: tuple[str, ...]  # receipt ids, oldest first

    def to_json(self) -> dict:
        b = self.bundle
        return {
            "bundle_id": b.bundle_id, "inspector_id": b.inspector_id, "signer_key_id": b.signer_key_id,
            "sequence": b.sequence, "merged_at": b.imported_at, "receipts": list(self.receipts),
        }


def list_bundle_receipts(store: Store, inspection_id: str) -> list[BundleReceipts]:
    """Every bundle merged into the inspection, with the receipts issued for it."""
    issued: dict[str, list[str]] = {}
    for bundle_id, receipt_id in store.db.execute(
        "SELECT bundle_id, receipt_id FROM receipts_issued WHERE inspection_id = ? ORDER BY issued_at, receipt_id",
        [inspection_id],
    ):
        issued.setdefault(bundle_id, []).append(receipt_id)
    return [BundleReceipts(b, tuple(issued.get(b.bundle_id, ()))) for b in list_imports(store, inspection_id)]


def held_cases(store: Store, inspection_id: str, inspector_id: str) -> tuple[ReceiptCase, ...]:
    """Per case this inspector sent: its UUID as they know it, and the highest revision held here.

    A case the lead decided is the same as another (a case-reference conflict) is listed under the
    inspector's own UUID; one that cannot be told apart that way is left out (it then stays on the
    inspector's laptop, which loses nothing).
    """
    rows = store.db.execute(
        "SELECT s.case_id, s.revision FROM merge_case_states s WHERE s.inspector_id = ?1 AND ("
        "s.case_id IN (SELECT id FROM cases WHERE inspection_id = ?2) OR "
        "s.case_id IN (SELECT case_id FROM merge_case_conflicts WHERE inspection_id = ?2))",
        [inspector_id, inspection_id],
    ).fetchall()
    aliases: dict[str, list[str]] = {}
    for alias_id, case_id in store.db.execute(
        "SELECT a.alias_id, a.case_id FROM merge_case_aliases a JOIN merge_case_conflicts c ON c.case_id = a.alias_id "
        "WHERE c.inspector_id = ? AND c.inspection_id = ?",
        [inspector_id, inspection_id],
    ):
        aliases.setdefault(case_id, []).append(alias_id)
    cases = {}
    for case_id, revision in rows:
        known_as = aliases.get(case_id, [case_id])
        if len(known_as) == 1:
            cases[known_as[0]] = revision
    return tuple(ReceiptCase(uuid_, revision) for uuid_, revision in sorted(cases.items()))


def build_receipt(
    store: Store, bundle: ImportRecord, lead: UnlockedIdentity, *, receipt_id: str, issued_at: str
) -> Receipt:
    """The receipt for one merged bundle (pure reading: nothing is written)."""
    return Receipt(
        format_version=FORMAT_VERSION,
        app_version=__version__,
        receipt_id=receipt_id,
        issued_at=issued_at,
        inspection_id=bundle.inspection_id,
        lead_id=lead.person_id,
        lead_key_id=lead.key_id,
        inspector_id=bundle.inspector_id,
        inspector_key_id=bundle.signer_key_id,
        bundle_id=bundle.bundle_id,
        manifest_sha256=bundle.manifest_sha256,
        sequence=bundle.sequence,
        merged_at=bundle.imported_at,
        cases=held_cases(store, bundle.inspection_id, bundle.inspector_id),
    )


def _check_lead(store: Store, inspection_id: str, lead: UnlockedIdentity) -> None:
    try:
        inspection = get_inspection(store, inspection_id)
    except NotFoundError as exc:
        raise ReceiptIssueError(exc.message, code="unknown-inspection") from None
    check_exporter(store, lead, ReceiptIssueError, what="receipt")
    if inspection.lead_id and inspection.lead_id != lead.person_id:
        raise ReceiptIssueError(
            f"Inspection {inspection_id} is led by {inspection.lead_id}, not {lead.person_id}; receipts are signed "
            "by the inspection's lead, with the keys of the store the bundles were merged into.",
            code="not-lead",
        )


def issue_receipts(
    store: Store,
    inspection_id: str,
    out_dir: str | os.PathLike,
    *,
    identity: UnlockedIdentity,
    inspector_id: str | None = None,
    every: bool = False,
    overwrite: bool = False,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> list[IssuedReceipt]:
    """Write a receipt for each bundle merged into the inspection that has none yet (every one,
    when `every`), optionally only for one inspector, into the folder `out_dir`.

    Every target is checked before anything is written (no folder, a file in the way); then each
    receipt is written whole (temp file, fsync, rename) and recorded. Returns what was written
    (nothing, when every merged bundle already has a receipt).
    """
    _check_lead(store, inspection_id, identity)
    folder = Path(out_dir)
    if not folder.is_dir():
        raise ReceiptIssueError(f"The folder {folder} does not exist; choose an existing folder.", code="no-folder")
    bundles = [
        b for b in list_bundle_receipts(store, inspection_id)
        if (every or not b.receipts) and (inspector_id is None or b.bundle.inspector_id == inspector_id)
    ]
    if inspector_id is not None and not any(
        b.inspector_id == inspector_id for b in list_imports(store, inspection_id)
    ):
        raise ReceiptIssueError(
            f"No bundle from {inspector_id} has been merged into {inspection_id}; merge their bundle first.",
            code="nothing-merged",
        )
    targets = [
        folder / suggested_filename(inspection_id, b.bundle.inspector_id, b.bundle.signer_key_id, b.bundle.sequence)
        for b in bundles
    ]
    for target in targets:
        if target.exists() and not overwrite:
            raise ReceiptIssueError(
                f"{target} already exists; choose another folder, or replace it (--overwrite). Nothing was written.",
                code="file-exists",
            )
    remove_stale_partials(folder, ".fwreceipt")
    written = []
    for entry, target in zip(bundles, targets, strict=True):
        receipt = build_receipt(store, entry.bundle, identity, receipt_id=new_id(), issued_at=store.now())
        data = signed_file(receipt, identity)
        try:
            atomic_write(target, data, mode=0o600)
        except OSError as exc:
            raise ReceiptIssueError(
                f"The receipt could not be written to {folder} ({exc.strerror}); check there is space and that you "
                f"may write there ({plural(len(written), 'receipt')} {'was' if len(written) == 1 else 'were'} "
                "written before it).",
                code="write-failed",
            ) from None
        with store.transaction() as db:
            db.execute(
                "INSERT INTO receipts_issued (receipt_id, bundle_id, inspection_id, inspector_id, inspector_key_id, "
                "sequence, lead_key_id, cases, receipt_sha256, file_name, issued_at, issued_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [receipt.receipt_id, receipt.bundle_id, inspection_id, receipt.inspector_id,
                 receipt.inspector_key_id, receipt.sequence, receipt.lead_key_id, len(receipt.cases),
                 hashlib.sha256(data).hexdigest(), target.name, receipt.issued_at, store.actor],
            )
        written.append(IssuedReceipt(target, receipt))
    return written
