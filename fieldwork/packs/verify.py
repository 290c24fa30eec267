"""Verify an allocation pack, failing closed, before anything touches the inspector's workspace.

size cap → decrypt (the bundle container) → strict ZIP checks → envelope and the lead's
signature (a trusted lead, or one the inspector accepts by fingerprint) → strict manifest →
lead binding (person, inspection, revocation) → recipients → addressed to this inspector →
member hashes → framework (hash, then parse) → strict payload, checked against the framework.
Everything happens in memory; nothing is written anywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fieldwork.bundles import container, envelope, ziparchive
from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.source import Source, read_source
from fieldwork.errors import FrameworkError
from fieldwork.frameworks.loader import parse_framework
from fieldwork.frameworks.model import Framework
from fieldwork.identity.keys import UnlockedIdentity
from fieldwork.identity.public import PublicIdentity
from fieldwork.identity.trust import TrustedKey, TrustList
from fieldwork.packs import archive
from fieldwork.packs.errors import PackError
from fieldwork.packs.format import (
    DEFAULT_PACK_LIMITS,
    ENVELOPE_NAME,
    FRAMEWORK_NAME,
    PACK_NAME,
    PAYLOAD_TYPE,
    PackLimits,
    PackManifest,
    PackPayload,
    lead_of_manifest,
    parse_manifest,
    parse_payload,
)

_AGAIN = "ask your lead inspector to send the pack again"


@dataclass(frozen=True)
class VerifiedPack:
    """A pack that passed every check: its manifest, payload, framework and the lead who signed it."""

    manifest: PackManifest
    manifest_bytes: bytes  # exactly as signed
    manifest_sha256: str
    payload: PackPayload
    framework: Framework  # parsed from the pack's framework file
    lead: PublicIdentity  # the signer (equal to the trusted entry when the lead was trusted)
    lead_trusted: bool  # False: accepted now by fingerprint; apply_pack adds the lead to the trust list
    size: int

    @property
    def pack_id(self) -> str:
        return self.manifest.pack_id

    @property
    def inspection_id(self) -> str:
        return self.manifest.inspection_id

    def summary(self) -> dict:
        """What the pack holds, in plain JSON, for `allocation import` and the GUI."""
        inspection = self.payload.inspection
        return {
            "pack_id": self.manifest.pack_id,
            "sequence": self.manifest.sequence,
            "issued_at": self.manifest.issued_at,
            "inspection": {
                "id": inspection.id,
                "provider": inspection.provider,
                "provider_type": inspection.provider_type,
                "fieldwork_start": inspection.fieldwork_start,
                "fieldwork_end": inspection.fieldwork_end,
            },
            "inspector_id": self.manifest.inspector_id,
            "framework": {
                "id": self.manifest.framework.id,
                "version": self.manifest.framework.version,
                "hash": self.manifest.framework.hash,
                "title": self.framework.title,
            },
            "lead": {
                "name": self.lead.name,
                "person_id": self.lead.person_id,
                "key_id": self.lead.key_id,
                "fingerprint": self.lead.fingerprint,
                "trusted": self.lead_trusted,
            },
            "cases": len(self.payload.cases),
            "moderation_queries": len(self.payload.moderation_queries),
            "manifest_sha256": self.manifest_sha256,
            "size": self.size,
        }


# --- wording the shared primitives' refusals for packs ----------------------------------------


def _from_bundle_error(error: BundleError) -> PackError:
    """The same reason, said about a pack (the bundle code's sentences talk about bundles)."""
    detail = error.detail
    if error.code == "not-a-bundle":
        return PackError("not-a-pack", detail=detail)
    if error.code == "not-encrypted-for-you" and "no keys" in error.message:
        return PackError(
            "not-encrypted-for-you",
            "This pack is encrypted, but this data folder has no keys to open it; create them with "
            "'fieldwork keys init', give your lead your identity file and ask for the pack again.",
            detail=detail,
        )
    if error.code == "unsafe-archive":
        return PackError(
            "unsafe-archive",
            f"This pack's contents are not laid out the way fieldwork writes them ({detail}), so nothing "
            f"was read from it; {_AGAIN} and report the file to IT security if it happens again.",
            detail=detail,
        )
    if error.code == "tampered-member":
        return PackError("tampered-member", detail=detail)
    if error.code in ("unsupported-version", "unencrypted", "not-encrypted-for-you", "damaged"):
        return PackError(error.code, detail=detail)
    return PackError("damaged", detail=f"{error.code}: {detail}")


def _bad_signature(detail: str) -> PackError:
    return PackError("bad-signature", detail=detail)


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as typed or pasted (any case, spaces or none) in its 40-hex-digit form."""
    return "".join(text.split()).upper()


def _signer(
    key_id: str,
    manifest_bytes: bytes,
    signature: bytes,
    trusted_leads: TrustList,
    accept_lead_fingerprint: str | None,
) -> tuple[PublicIdentity, TrustedKey | None]:
    """The identity whose key made `signature` over the manifest, and its trust-list entry
    (None when the inspector accepted it by fingerprint). Refuses unknown and bad signers."""
    trusted = trusted_leads.get(key_id)
    if trusted is not None:
        signer = trusted.identity
    else:
        # Not trusted yet: the manifest names the lead's identity; check its signature with that
        # key first, so a fingerprint is only ever shown for a pack its key really signed.
        named = lead_of_manifest(manifest_bytes)
        if named is None or named.key_id != key_id:
            raise _bad_signature("the manifest names no valid identity for the signing key")
        signer = named
    envelope.check_signature(signer.signing_public, PAYLOAD_TYPE, manifest_bytes, signature, PackError)
    if trusted is not None:
        return signer, trusted
    if accept_lead_fingerprint is None:
        raise PackError(
            "unknown-signer",
            f"This pack was signed by {signer.name} ({signer.person_id}), who is not in your trust list; "
            f"compare the fingerprint {signer.fingerprint} with your lead in person or by phone, and "
            "accept it only if it is the same.",
            detail=f"key {key_id}",
            lead=signer,
        )
    if not _accepts(accept_lead_fingerprint, signer):
        raise PackError(
            "unknown-signer",
            f"The fingerprint you accepted is not the one of the lead who signed this pack "
            f"({signer.name}, {signer.fingerprint}); do not open it until you have checked with your lead.",
            detail="accepted fingerprint differs",
            lead=signer,
        )
    return signer, None


def _accepts(accept_lead_fingerprint: str | None, signer: PublicIdentity) -> bool:
    return accept_lead_fingerprint is not None and normalise_fingerprint(
        accept_lead_fingerprint
    ) == normalise_fingerprint(signer.fingerprint)


def _check_lead_binding(
    manifest: PackManifest, signer: PublicIdentity, trusted: TrustedKey | None, accept_lead_fingerprint: str | None
) -> bool:
    """Check the manifest's lead against the signer and the trust list; True when the trust list
    already vouches for this lead on this inspection (False: accepted now by fingerprint)."""
    if manifest.signer_key_id != signer.key_id or manifest.lead.key_id != signer.key_id:
        raise _bad_signature("the manifest names another signer than the signature")
    if manifest.lead.fingerprint != signer.fingerprint or manifest.lead.person_id != signer.person_id:
        raise PackError(
            "unknown-signer",
            f"This pack names an identity for key {signer.key_id[:8]}… that differs from the one in your "
            "trust list; check with your lead before opening it.",
            detail="manifest lead identity differs from the trusted one",
            lead=manifest.lead,
        )
    if trusted is None:
        return False  # accepted by fingerprint in _signer
    if trusted.revoked_for(manifest.sequence):
        # A revocation is never lifted by accepting a fingerprint.
        raise PackError(
            "revoked-signer",
            f"This pack (number {manifest.sequence}) was signed by {trusted.name}'s key "
            f"{trusted.key_id[:8]}…, which you revoked after number {trusted.revoked_after_sequence}; "
            "ask them to issue it with their new key.",
            detail=f"revoked after {trusted.revoked_after_sequence}",
        )
    if trusted.allows_inspection(manifest.inspection_id):
        return True
    if _accepts(accept_lead_fingerprint, signer):
        return False
    raise PackError(
        "unknown-signer",
        f"{trusted.name}'s key is in your trust list, but not for inspection {manifest.inspection_id}; "
        f"compare the fingerprint {signer.fingerprint} with them and accept it for this inspection "
        "if it is the same.",
        detail="key not bound to this inspection",
        lead=signer,
    )


def _check_framework(manifest: PackManifest, data: bytes) -> Framework:
    ref = manifest.framework
    if hashlib.sha256(data).hexdigest() != ref.hash:
        raise PackError(
            "framework-mismatch",
            f"This pack says it carries {ref.label()}, but its framework file is another text; "
            f"{_AGAIN}.",
            detail="framework file hash differs from the manifest",
        )
    try:
        framework = parse_framework(data, source_name=f"the framework in this pack ({ref.id} {ref.version})")
    except FrameworkError as exc:
        problems = "; ".join(exc.problems[:3])
        raise PackError(
            "invalid-framework",
            f"The framework in this pack ({ref.id} version {ref.version}) cannot be read by this "
            f"fieldwork ({problems}); install the newer fieldwork, or ask your lead to check the framework.",
            detail=problems,
        ) from None
    if (framework.id, framework.version) != (ref.id, ref.version):
        raise PackError(
            "framework-mismatch",
            f"This pack says it carries {ref.label()}, but its framework file is {framework.id} version "
            f"{framework.version}; {_AGAIN}.",
            detail="framework id or version differs from the manifest",
        )
    return framework


def check_payload_fits(payload: PackPayload, framework: Framework) -> None:
    """Refuse samples, case details, values and questions the framework does not have."""

    def bad(detail: str) -> PackError:
        return PackError(
            "malformed-pack",
            f"This pack's cases do not fit its framework ({detail}); {_AGAIN} with the current fieldwork.",
            detail=detail,
        )

    samples = {s.id for s in framework.samples}
    for case in payload.cases:
        if case.sample not in samples:
            raise bad(f"case {case.case_ref} is in unknown sample {case.sample!r}")
        moved = case.sample_change
        if moved is not None and moved.from_sample not in samples:
            raise bad(f"case {case.case_ref} was moved from unknown sample {moved.from_sample!r}")
        for detail in case.details:
            try:
                field = framework.case_detail(detail.field_id)
            except KeyError:
                raise bad(f"case {case.case_ref} has unknown case detail {detail.field_id!r}") from None
            if not field.is_stored_form(detail.value):
                raise bad(f"case {case.case_ref} has a {detail.field_id} value the framework does not allow")
    for query in payload.moderation_queries:
        if framework.question_kind(query.question_id) not in ("key_question", "prompt", "case_detail"):
            raise bad(f"a query is about unknown question {query.question_id!r}")


def verify_pack(
    source: Source,
    *,
    identity: UnlockedIdentity | None,
    trusted_leads: TrustList,
    accept_lead_fingerprint: str | None = None,
    limits: PackLimits = DEFAULT_PACK_LIMITS,
) -> VerifiedPack:
    """Verify an allocation pack completely and return what it holds.

    source: a path or the pack's bytes. identity: the inspector's unlocked keys (they decrypt
    the pack; a pack for another person id is refused). trusted_leads: the trust list snapshot
    (`load_trust_list(store)`); the signing lead must be in it, bound to the pack's inspection,
    unless `accept_lead_fingerprint` equals the signer's fingerprint (which the app shows the
    inspector to compare with their lead in person; spaces and case do not matter).

    Raises PackError (`code` from errors.REASONS; for unknown-signer, `lead` is the signer's
    identity, its signature checked, to show) for anything wrong with the pack;
    NotFoundError/FieldworkError when the file cannot be read. Writes nothing.
    """
    data = read_source(
        source, limits.max_pack_bytes, PackError, what="allocation pack", folder_hint="choose the .fwpack file in it."
    )
    try:
        opened = container.open_container(data, identity, limits=limits.container_limits())
        try:
            entries = archive.read_entries(opened.archive, limits)
        except BundleError as exc:
            if exc.code == "unsafe-archive" and _is_bundle_archive(opened.archive):
                raise PackError(
                    "not-a-pack",
                    "This file is an inspector's bundle, not an allocation pack; a lead merges bundles "
                    "into the inspection's central database.",
                    detail="the inner archive is a bundle's",
                ) from None
            raise
        key_id, manifest_bytes, signature = envelope.read(
            archive.read_member(opened.archive, entries[ENVELOPE_NAME]), PAYLOAD_TYPE, PackError,
            other_type="This pack's signed content is of a kind this fieldwork does not read; install the newer "
            "fieldwork to open it.",
        )
    except BundleError as exc:
        raise _from_bundle_error(exc) from None
    signer, trusted = _signer(key_id, manifest_bytes, signature, trusted_leads, accept_lead_fingerprint)
    manifest = parse_manifest(manifest_bytes, limits)
    lead_trusted = _check_lead_binding(manifest, signer, trusted, accept_lead_fingerprint)
    container.check_recipients(opened, manifest.recipients, PackError)
    assert identity is not None  # open_container refuses an encrypted pack without keys
    if manifest.inspector_id != identity.person_id:
        raise PackError(
            "wrong-inspector",
            f"This pack is for {manifest.inspector_id}, but your keys are {identity.person_id}'s; open it "
            f"in {manifest.inspector_id}'s workspace, or ask your lead to issue the pack to you.",
            detail=f"pack for {manifest.inspector_id}",
        )
    try:
        members = ziparchive.read_signed(opened.archive, entries, manifest.members)
    except BundleError as exc:
        raise _from_bundle_error(exc) from None
    framework = _check_framework(manifest, members[FRAMEWORK_NAME])
    payload = parse_payload(members[PACK_NAME], manifest, limits)
    check_payload_fits(payload, framework)
    return VerifiedPack(
        manifest=manifest,
        manifest_bytes=manifest_bytes,
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        payload=payload,
        framework=framework,
        lead=signer,
        lead_trusted=lead_trusted,
        size=len(data),
    )


def _is_bundle_archive(data: bytes) -> bool:
    try:
        ziparchive.read_entries(data)
    except BundleError:
        return False
    return True
