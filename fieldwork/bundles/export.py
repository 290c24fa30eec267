"""Export: this inspector's work on one inspection as a signed, encrypted `.fwbundle` file.

Build order: records → records.jsonl → manifest (hashes, sequence, previous hash) → DSSE
envelope signed over PAE(payload type, manifest bytes) → canonical ZIP → HPKE container →
temp file, fsync → sequence recorded in the store → rename into place.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fieldwork import __version__
from fieldwork.bundles import container, envelope
from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.exportfile import check_exporter, target_path, write_whole
from fieldwork.bundles.format import (
    DEFAULT_LIMITS,
    ENVELOPE_NAME,
    FILE_SUFFIX,
    MANIFEST_FORMAT_VERSION,
    PAYLOAD_TYPE,
    RECORDS_NAME,
    FrameworkRef,
    Limits,
    Manifest,
    Member,
    SeenQuery,
)
from fieldwork.bundles.history import ExportRecord, next_sequence, record_export
from fieldwork.bundles.records import BundleRecords, check_consistency, records_from_store, records_to_jsonl
from fieldwork.bundles.seen_queries import queries_seen
from fieldwork.bundles.ziparchive import write_zip
from fieldwork.errors import FieldworkError
from fieldwork.faults import crash_point
from fieldwork.identity.keys import UnlockedIdentity
from fieldwork.identity.leads import pinned_lead
from fieldwork.identity.public import PublicIdentity
from fieldwork.store.db import Store


class ExportError(FieldworkError):
    """An export that cannot be made (no recipient, wrong profile, file exists...)."""

    code = "export-refused"


@dataclass(frozen=True)
class ExportResult:
    """What was written: the file, its manifest and how big it is."""

    path: Path
    manifest: Manifest
    manifest_sha256: str
    size: int
    encrypted: bool

    def summary(self) -> dict:
        return {
            "path": str(self.path),
            "bundle_id": self.manifest.bundle_id,
            "inspection_id": self.manifest.inspection_id,
            "inspector_id": self.manifest.inspector_id,
            "signer_key_id": self.manifest.signer_key_id,
            "sequence": self.manifest.sequence,
            "recipients": list(self.manifest.recipients),
            "encrypted": self.encrypted,
            "size": self.size,
            "manifest_sha256": self.manifest_sha256,
            "record_counts": self.manifest.record_counts,
            "framework": {
                "id": self.manifest.framework.id,
                "version": self.manifest.framework.version,
                "hash": self.manifest.framework.hash,
            },
        }


def suggested_filename(inspection_id: str, person_id: str, signer_key_id: str, sequence: int) -> str:
    """A name for people: ids only, never names of people or anything from a case. The person id
    says whose it is at a glance; the key id's first digits keep it unique after a key rotation,
    when the new key's sequence starts at 1 again (decision 0031)."""
    return f"{inspection_id}_{person_id}_{signer_key_id[:8]}_{sequence:04d}{FILE_SUFFIX}"


def sign_envelope(manifest_bytes: bytes, signer: UnlockedIdentity) -> bytes:
    """The DSSE envelope: Ed25519 over PAE(bundle payload type, manifest bytes)."""
    return envelope.sign(PAYLOAD_TYPE, manifest_bytes, signer)


def assemble(
    manifest: Manifest,
    records_bytes: bytes,
    signer: UnlockedIdentity,
    recipients: Sequence[PublicIdentity],
    *,
    encrypt: bool = True,
) -> bytes:
    """The bundle bytes for a manifest and record file (no checks: see `build_bundle`)."""
    archive = write_zip(
        [(ENVELOPE_NAME, sign_envelope(manifest.to_bytes(), signer)), (RECORDS_NAME, records_bytes)]
    )
    return container.seal(archive, recipients) if encrypt else container.wrap_unencrypted(archive)


def check_bundle_size(records_bytes: bytes, count: int, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse to write more than any reader accepts from one bundle (we never write what we
    would refuse to read): the records file's size and its number of records."""
    if len(records_bytes) > limits.max_member_bytes or count > limits.max_records:
        raise ExportError(
            f"This inspection's work is more than one bundle may carry ({len(records_bytes):,} bytes in "
            f"{count:,} records; at most {limits.max_member_bytes:,} bytes and {limits.max_records:,} records), "
            "so nothing was written; ask your lead or IT for help.",
            code="bundle-too-large",
        )


def build_bundle(
    records: BundleRecords,
    *,
    signer: UnlockedIdentity,
    recipients: Sequence[PublicIdentity],
    sequence: int,
    previous_manifest_sha256: str | None,
    bundle_id: str,
    created_at: str,
    encrypt: bool = True,
    queries_seen: Sequence[SeenQuery] = (),
) -> tuple[bytes, Manifest]:
    """Bundle bytes and manifest for `records` (pure: no store, no files)."""
    if encrypt and not recipients:
        raise ExportError("An encrypted bundle needs at least one recipient.", code="no-recipient")
    records_bytes = records_to_jsonl(records)
    check_bundle_size(records_bytes, sum(records.counts().values()))
    inspection = records.inspection
    manifest = Manifest(
        format_version=MANIFEST_FORMAT_VERSION,
        app_version=__version__,
        bundle_id=bundle_id,
        created_at=created_at,
        inspector_id=signer.person_id,
        signer_key_id=signer.key_id,
        recipients=tuple(sorted({r.key_id for r in recipients})) if encrypt else (),
        inspection_id=inspection.id,
        framework=FrameworkRef(inspection.framework_id, inspection.framework_version, inspection.framework_hash),
        sequence=sequence,
        previous_manifest_sha256=previous_manifest_sha256,
        members=(Member(RECORDS_NAME, len(records_bytes), hashlib.sha256(records_bytes).hexdigest()),),
        record_counts=records.counts(),
        queries_seen=tuple(sorted(set(queries_seen))),
    )
    try:  # never write what a reader refuses: the record rules checked against this manifest
        check_consistency(records, manifest)
    except BundleError as exc:
        raise ExportError(
            f"This inspection's work cannot be exported: {exc.detail}. A bundle may carry only work "
            f"recorded as {signer.person_id} (the person whose key signs it), with times up to the "
            "moment of export; check the computer's date, and ask for help if it stays.",
            code=exc.code,
        ) from None
    unique = list({r.key_id: r for r in recipients}.values())
    return assemble(manifest, records_bytes, signer, unique, encrypt=encrypt), manifest


@dataclass(frozen=True)
class ExportPreview:
    """What an export would hold, for the GUI to show before the user chooses where to save."""

    inspection_id: str
    record_counts: dict[str, int]
    statuses: dict[str, int]  # cases per status
    next_sequence: int
    lead: PublicIdentity | None  # the pinned lead, the default recipient
    suggested_filename: str


def export_preview(store: Store, inspection_id: str, identity: UnlockedIdentity) -> ExportPreview:
    """Counts, cases per status, the next sequence number and the default recipient."""
    records = records_from_store(store, inspection_id, identity.person_id)
    statuses: dict[str, int] = {}
    for case in records.cases:
        statuses[case.status] = statuses.get(case.status, 0) + 1
    sequence, _ = next_sequence(store, identity.key_id, inspection_id)
    return ExportPreview(
        inspection_id, records.counts(), statuses, sequence, pinned_lead(store, inspection_id),
        suggested_filename(inspection_id, identity.person_id, identity.key_id, sequence),
    )


def _recipients_for(
    store: Store,
    inspection_id: str,
    recipients: Sequence[PublicIdentity] | None,
    recovery: PublicIdentity | None,
) -> list[PublicIdentity]:
    chosen = list(recipients or ())
    if not chosen:
        lead = pinned_lead(store, inspection_id)
        if lead is None:
            raise ExportError(
                f"No lead is set for inspection {inspection_id}, so there is nobody to encrypt "
                "the bundle to; choose the lead's identity file (--to FILE).",
                code="no-recipient",
            )
        chosen.append(lead)
    if recovery is not None:
        chosen.append(recovery)
    for identity in chosen:
        identity.verify_self_signature()
    return list({r.key_id: r for r in chosen}.values())


def export_bundle(
    store: Store,
    inspection_id: str,
    out: str | os.PathLike,
    *,
    identity: UnlockedIdentity,
    recipients: Sequence[PublicIdentity] | None = None,
    recovery: PublicIdentity | None = None,
    encrypt: bool = True,
    overwrite: bool = False,
) -> ExportResult:
    """Write this inspector's bundle for one inspection to `out` (a file, or a folder to get
    `suggested_filename`). Recipients default to the lead pinned for the inspection; `recovery`
    adds an organisational recovery key. Either a whole verifiable bundle appears at the final
    path or nothing does.
    """
    check_exporter(store, identity, ExportError, what="bundle")
    chosen = _recipients_for(store, inspection_id, recipients, recovery) if encrypt else []
    records = records_from_store(store, inspection_id, identity.person_id)
    sequence, previous = next_sequence(store, identity.key_id, inspection_id)
    final = target_path(
        out, suggested_filename(inspection_id, identity.person_id, identity.key_id, sequence), ExportError,
        overwrite=overwrite, suffix=FILE_SUFFIX,
    )
    data, manifest = build_bundle(
        records,
        signer=identity,
        recipients=chosen,
        sequence=sequence,
        previous_manifest_sha256=previous,
        bundle_id=str(uuid.uuid4()),
        created_at=store.now(),
        encrypt=encrypt,
        queries_seen=queries_seen(store, inspection_id),
    )
    manifest_sha256 = hashlib.sha256(manifest.to_bytes()).hexdigest()
    history = ExportRecord(
        identity.key_id, inspection_id, sequence, manifest.bundle_id, manifest_sha256,
        manifest.recipients, manifest.created_at,
    )

    def remember() -> None:
        crash_point("export.before_rename")
        record_export(store, history)
        crash_point("export.after_record")

    crash_point("export.before_write")
    write_whole(
        final, data, remember, ExportError, what="bundle",
        race="Another export of this inspection finished at the same moment; export again.",
    )
    crash_point("export.after_rename")
    return ExportResult(final, manifest, manifest_sha256, len(data), encrypt)
