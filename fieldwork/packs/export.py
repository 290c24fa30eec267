"""Export: one inspector's allocation as a pack signed by the lead and encrypted to the inspector.

Build order: cases and details from the lead's store → payload/pack.json, framework bytes →
manifest (hashes, sequence, the lead's identity) → DSSE envelope signed over PAE(payload type,
manifest bytes) → canonical ZIP → HPKE container to the inspector's key → temp file, fsync →
sequence recorded in the store → rename into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from fieldwork import __version__
from fieldwork.bundles import container, envelope
from fieldwork.bundles.exportfile import check_exporter, target_path, write_whole
from fieldwork.bundles.format import FrameworkRef
from fieldwork.frameworks.model import Framework
from fieldwork.identity.keys import UnlockedIdentity
from fieldwork.identity.public import PublicIdentity
from fieldwork.identity.trust import TrustedKey, load_trust_list
from fieldwork.packs.archive import write_zip
from fieldwork.packs.errors import PackExportError
from fieldwork.packs.format import (
    ENVELOPE_NAME,
    FILE_SUFFIX,
    FORMAT_VERSION,
    FRAMEWORK_NAME,
    PACK_NAME,
    PAYLOAD_TYPE,
    PERSON_ID_PATTERN,
    PackCase,
    PackDetail,
    PackInspection,
    PackManifest,
    PackMember,
    PackPayload,
    PackQuery,
    PackSampleChange,
)
from fieldwork.packs.framework_moves import framework_moves_for_pack
from fieldwork.store.case_samples import SampleMove, latest_moves
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection

MODERATION_TABLE = "moderation_queries"


@dataclass(frozen=True)
class PackResult:
    """What was written: the file, its manifest, and what it carries."""

    path: Path
    manifest: PackManifest
    manifest_sha256: str
    size: int
    cases: int
    moderation_queries: int
    recipient: PublicIdentity

    def summary(self) -> dict:
        return {
            "path": str(self.path),
            "pack_id": self.manifest.pack_id,
            "inspection_id": self.manifest.inspection_id,
            "inspector_id": self.manifest.inspector_id,
            "sequence": self.manifest.sequence,
            "issued_at": self.manifest.issued_at,
            "signer_key_id": self.manifest.signer_key_id,
            "recipients": list(self.manifest.recipients),
            "recipient_fingerprint": self.recipient.fingerprint,
            "cases": self.cases,
            "moderation_queries": self.moderation_queries,
            "framework": {
                "id": self.manifest.framework.id,
                "version": self.manifest.framework.version,
                "hash": self.manifest.framework.hash,
            },
            "size": self.size,
            "manifest_sha256": self.manifest_sha256,
        }


@dataclass(frozen=True)
class PackExportRecord:
    """One pack this store issued (the lead's history)."""

    lead_key_id: str
    inspection_id: str
    inspector_id: str
    sequence: int
    pack_id: str
    manifest_sha256: str
    recipient_key_id: str
    cases: int
    issued_at: str


def suggested_pack_filename(inspection_id: str, recipient_person_id: str, recipient_key_id: str, sequence: int) -> str:
    """A name for people: ids only (the recipient's person id and key id, never a name or anything
    from a case); the key id's first digits tell packs for an old and a new key apart (decision 0031)."""
    return f"{inspection_id}_{recipient_person_id}_{recipient_key_id[:8]}_pack{sequence:04d}{FILE_SUFFIX}"


# --- the lead's history of issued packs ----------------------------------------------------


def next_pack_sequence(store: Store, lead_key_id: str, inspection_id: str, inspector_id: str) -> int:
    """Packs count per (lead key, inspection, inspector), from 1."""
    row = store.db.execute(
        "SELECT MAX(sequence) FROM allocation_pack_exports WHERE lead_key_id = ? AND inspection_id = ? "
        "AND inspector_id = ?",
        [lead_key_id, inspection_id, inspector_id],
    ).fetchone()
    return (row[0] or 0) + 1


def list_pack_exports(store: Store, inspection_id: str | None = None) -> list[PackExportRecord]:
    """Every pack this store issued (optionally for one inspection), oldest first."""
    sql = (
        "SELECT lead_key_id, inspection_id, inspector_id, sequence, pack_id, manifest_sha256, "
        "recipient_key_id, cases, issued_at FROM allocation_pack_exports"
    )
    args: list[str] = []
    if inspection_id is not None:
        sql += " WHERE inspection_id = ?"
        args.append(inspection_id)
    rows = store.db.execute(sql + " ORDER BY issued_at, inspector_id, sequence", args).fetchall()
    return [PackExportRecord(*row) for row in rows]


def _record_export(store: Store, record: PackExportRecord) -> None:
    with store.transaction() as db:
        db.execute(
            "INSERT INTO allocation_pack_exports (lead_key_id, inspection_id, inspector_id, sequence, pack_id, "
            "manifest_sha256, recipient_key_id, cases, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                record.lead_key_id, record.inspection_id, record.inspector_id, record.sequence, record.pack_id,
                record.manifest_sha256, record.recipient_key_id, record.cases, record.issued_at,
            ],
        )


# --- choosing the recipient ----------------------------------------------------------------


def recipient_for(store: Store, inspection_id: str, inspector_id: str) -> PublicIdentity:
    """The inspector's identity from the lead's trust list: the newest key of that person id
    that is not wholly revoked and is trusted for the inspection. Refuses clearly otherwise."""
    keys = [k for k in load_trust_list(store) if k.person_id == inspector_id]
    usable = [k for k in keys if k.revoked_after_sequence != 0]
    if not usable:
        revoked = " (their only key is revoked)" if keys else ""
        raise PackExportError(
            f"There is no identity for {inspector_id} in your trust list{revoked}, so the pack cannot be "
            "encrypted to them; add their identity file with 'fieldwork trust add' first.",
            code="no-recipient",
        )
    for_inspection = [k for k in usable if k.allows_inspection(inspection_id)]
    if not for_inspection:
        listed = ", ".join(sorted(set().union(*(k.inspections or () for k in usable)))) or "no inspections"
        raise PackExportError(
            f"{inspector_id}'s key is trusted only for {listed}, so their bundles for {inspection_id} would "
            f"be refused; add it for this inspection with 'fieldwork trust add IDENTITY_FILE --inspections "
            f"{inspection_id}' first.",
            code="no-recipient",
        )
    chosen: TrustedKey = max(for_inspection, key=lambda k: (k.added_at, k.key_id))
    return chosen.identity


# --- building ------------------------------------------------------------------------------


def _table_columns(store: Store, table: str) -> set[str]:
    return {row[1] for row in store.db.execute(f"PRAGMA table_info({table})").fetchall()}


_QUERY_COLUMNS = {"seq", "inspection_id", "case_id", "question_id", "inspector_id", "text", "status"}


def open_moderation_queries(
    store: Store, inspection_id: str, inspector_id: str, case_ids: list[str]
) -> tuple[PackQuery, ...]:
    """The lead's open moderation queries to `inspector_id` on these cases (the merge's
    `moderation_queries` rows with status 'open'), oldest first; none when the store has no such
    table (or not the columns this reads)."""
    if not case_ids or not _QUERY_COLUMNS <= _table_columns(store, MODERATION_TABLE):
        return ()
    rows = store.db.execute(
        f"SELECT case_id, question_id, text FROM {MODERATION_TABLE} WHERE inspection_id = ? AND inspector_id = ? "
        "AND status = 'open' AND case_id IN (SELECT value FROM json_each(?)) ORDER BY seq",
        [inspection_id, inspector_id, json.dumps(case_ids)],
    ).fetchall()
    return tuple(dict.fromkeys(PackQuery(case_id, question_id, text) for case_id, question_id, text in rows))


def _sample_change(move: SampleMove | None, sample_id: str) -> PackSampleChange | None:
    if move is None or move.new != sample_id or move.old == sample_id:
        return None
    return PackSampleChange(move.old, move.reason, move.actor, move.at)


def payload_from_store(store: Store, inspection_id: str, inspector_id: str) -> tuple[PackPayload, Framework]:
    """The inspection and the cases allocated to `inspector_id` (and only those), with details."""
    inspection = get_inspection(store, inspection_id)
    framework = framework_for(store, inspection)
    rows = store.db.execute(
        "SELECT id, case_ref, sample_id, created_at FROM cases WHERE inspection_id = ? AND inspector_id = ? "
        "ORDER BY case_ref, id",
        [inspection_id, inspector_id],
    ).fetchall()
    details: dict[str, list[PackDetail]] = {row[0]: [] for row in rows}
    for case_id, field_id, value, revision, updated_at, updated_by in store.db.execute(
        "SELECT d.case_id, d.field_id, d.value, d.revision, d.updated_at, d.updated_by FROM case_details d "
        "JOIN cases c ON c.id = d.case_id WHERE c.inspection_id = ? AND c.inspector_id = ? "
        "ORDER BY d.case_id, d.field_id",
        [inspection_id, inspector_id],
    ):
        details[case_id].append(PackDetail(field_id, value, revision, updated_at, updated_by))
    # A case moved to another set since it was added carries its latest move (decision 0036), so
    # the inspector's workspace moves it too, in the name of whoever made the move.
    moves = latest_moves(store, [row[0] for row in rows])
    cases = tuple(
        PackCase(
            case_id, case_ref, sample_id, created_at, tuple(details[case_id]),
            _sample_change(moves.get(case_id), sample_id),
        )
        for case_id, case_ref, sample_id, created_at in rows
    )
    payload = PackPayload(
        PackInspection(
            id=inspection.id,
            provider=inspection.provider,
            provider_type=inspection.provider_type,
            fieldwork_start=inspection.fieldwork_start,
            fieldwork_end=inspection.fieldwork_end,
            lead_id=inspection.lead_id,
            created_at=inspection.created_at,
            created_by=inspection.created_by,
        ),
        cases,
        open_moderation_queries(store, inspection_id, inspector_id, [c.uuid for c in cases]),
        framework_moves_for_pack(store, inspection_id),
    )
    return payload, framework


def sign_envelope(manifest_bytes: bytes, signer: UnlockedIdentity) -> bytes:
    """The DSSE envelope: Ed25519 over PAE(pack payload type, manifest bytes)."""
    return envelope.sign(PAYLOAD_TYPE, manifest_bytes, signer)


def assemble(
    manifest: PackManifest, payload_bytes: bytes, framework_bytes: bytes, signer: UnlockedIdentity,
    recipients: list[PublicIdentity],
) -> bytes:
    """The pack bytes for a manifest and its members (no checks: see `build_pack`)."""
    archive = write_zip(
        [
            (ENVELOPE_NAME, sign_envelope(manifest.to_bytes(), signer)),
            (PACK_NAME, payload_bytes),
            (FRAMEWORK_NAME, framework_bytes),
        ]
    )
    return container.seal(archive, recipients)


def build_pack(
    payload: PackPayload,
    framework: Framework,
    *,
    signer: UnlockedIdentity,
    inspector_id: str,
    recipients: list[PublicIdentity],
    sequence: int,
    pack_id: str,
    issued_at: str,
) -> tuple[bytes, PackManifest]:
    """Pack bytes and manifest (pure: no store, no files)."""
    if not recipients:
        raise PackExportError("A pack needs the inspector's identity to be encrypted to.", code="no-recipient")
    payload_bytes = payload.to_bytes()
    framework_bytes = framework.source_bytes
    manifest = PackManifest(
        format_version=FORMAT_VERSION,
        app_version=__version__,
        pack_id=pack_id,
        issued_at=issued_at,
        inspection_id=payload.inspection.id,
        inspector_id=inspector_id,
        lead=signer.public,
        signer_key_id=signer.key_id,
        recipients=tuple(sorted({r.key_id for r in recipients})),
        framework=FrameworkRef(framework.id, framework.version, framework.content_hash),
        sequence=sequence,
        members=(
            PackMember(PACK_NAME, len(payload_bytes), hashlib.sha256(payload_bytes).hexdigest()),
            PackMember(FRAMEWORK_NAME, len(framework_bytes), hashlib.sha256(framework_bytes).hexdigest()),
        ),
    )
    unique = list({r.key_id: r for r in recipients}.values())
    return assemble(manifest, payload_bytes, framework_bytes, signer, unique), manifest


def export_pack(
    store: Store,
    inspection_id: str,
    inspector_id: str,
    out: str | os.PathLike,
    *,
    identity: UnlockedIdentity,
    recipient: PublicIdentity | None = None,
    overwrite: bool = False,
) -> PackResult:
    """Write `inspector_id`'s allocation pack for one inspection to `out` (a file, or a folder to get
    `suggested_pack_filename`), signed with the lead's `identity` and encrypted to `recipient`
    (default: that person's identity in the lead's trust list). It carries the inspection, the
    framework file, the cases allocated to that person (no one else's) with their details, the
    lead's public identity and the open moderation queries on those cases. Either a whole pack
    appears at the final path or nothing does; the sequence number is recorded first.
    """
    check_exporter(store, identity, PackExportError, what="pack")
    if not isinstance(inspector_id, str) or not PERSON_ID_PATTERN.fullmatch(inspector_id):
        raise PackExportError(
            f"'{inspector_id}' is not a person id; use the inspector's id as in their identity file.",
            code="invalid-value",
        )
    get_inspection(store, inspection_id)  # a clear refusal for an unknown inspection
    if recipient is None:
        recipient = recipient_for(store, inspection_id, inspector_id)
    elif recipient.person_id != inspector_id:
        raise PackExportError(
            f"The identity given is {recipient.person_id}'s, not {inspector_id}'s; choose {inspector_id}'s "
            "identity file.",
            code="wrong-recipient",
        )
    recipient.verify_self_signature()
    payload, framework = payload_from_store(store, inspection_id, inspector_id)
    sequence = next_pack_sequence(store, identity.key_id, inspection_id, inspector_id)
    final = target_path(
        out, suggested_pack_filename(inspection_id, recipient.person_id, recipient.key_id, sequence), PackExportError,
        overwrite=overwrite, suffix=FILE_SUFFIX,
    )
    data, manifest = build_pack(
        payload, framework, signer=identity, inspector_id=inspector_id, recipients=[recipient],
        sequence=sequence, pack_id=str(uuid.uuid4()), issued_at=store.now(),
    )
    manifest_sha256 = hashlib.sha256(manifest.to_bytes()).hexdigest()
    record = PackExportRecord(
        identity.key_id, inspection_id, inspector_id, sequence, manifest.pack_id, manifest_sha256,
        recipient.key_id, len(payload.cases), manifest.issued_at,
    )
    write_whole(
        final, data, lambda: _record_export(store, record), PackExportError, what="pack",
        race="Another export of this pack finished at the same moment; export again.",
    )
    return PackResult(
        final, manifest, manifest_sha256, len(data), len(payload.cases), len(payload.moderation_queries), recipient
    )
