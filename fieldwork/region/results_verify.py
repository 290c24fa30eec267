"""Verify a results bundle, failing closed, in the order an inspector's bundle is verified.

size cap → decrypt (to the region lead's key; never unencrypted) → strict ZIP checks → signature
by a key in the region's trust list → strict results manifest → signer bound to the region
inspection, not revoked → recipients → member hashes → strict records. Nothing is written; the
checks that need the store (framework text, records against it, sequence) are contributions.py's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fieldwork.bundles import container, envelope, ziparchive
from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.format import DEFAULT_LIMITS, PAYLOAD_TYPE, Limits
from fieldwork.bundles.source import Source
from fieldwork.bundles.verify import open_signed
from fieldwork.identity.keys import UnlockedIdentity
from fieldwork.identity.trust import TrustedKey, TrustList
from fieldwork.region.results_format import (
    RESULTS_KIND,
    ResultsManifest,
    ResultsRecords,
    manifest_kind,
    parse_results_manifest,
    parse_results_records,
)


@dataclass(frozen=True)
class VerifiedResults:
    manifest: ResultsManifest
    manifest_sha256: str
    records: ResultsRecords
    signer: TrustedKey
    size: int


def peek_kind(source: Source, identity: UnlockedIdentity | None, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """'results' or 'work' for a bundle these keys open; raises BundleError when it cannot be read."""
    signed = open_signed(source, identity, allow_unencrypted=True, limits=limits)
    return manifest_kind(signed.manifest_bytes)


def _check_signer(trusted: TrustedKey, manifest: ResultsManifest, region_inspection_id: str) -> None:
    if trusted.person_id != manifest.inspector_id:
        raise BundleError(
            "unknown-signer",
            f"This results bundle says it is from {manifest.inspector_id}, but its key is trusted for "
            f"{trusted.person_id}; check with both before using it.",
            detail="signer id differs from the trusted person",
        )
    if trusted.revoked_for(manifest.sequence):
        raise BundleError(
            "revoked-signer",
            f"This results bundle (number {manifest.sequence}) from {trusted.name} was signed with key "
            f"{trusted.key_id[:8]}…, which you revoked after number {trusted.revoked_after_sequence}; ask them "
            "to export again with their new key.",
            detail=f"revoked after {trusted.revoked_after_sequence}",
        )
    if not trusted.allows_inspection(region_inspection_id):
        raise BundleError(
            "unknown-signer",
            f"{trusted.name}'s key is not trusted for the region inspection {region_inspection_id}; if they lead "
            "one of its PDU inspections, check their fingerprint with them and add it with 'fieldwork trust add "
            f"IDENTITY_FILE --inspections {region_inspection_id}'.",
            detail="key not bound to the region inspection",
        )


def verify_results(
    source: Source,
    *,
    identity: UnlockedIdentity | None,
    trust: TrustList,
    region_inspection_id: str,
    limits: Limits = DEFAULT_LIMITS,
) -> VerifiedResults:
    """Verify a results bundle completely for the region inspection; BundleError says why not."""
    signed = open_signed(source, identity, allow_unencrypted=False, limits=limits)
    data, opened, entries = signed.data, signed.opened, signed.entries
    key_id, manifest_bytes, signature = signed.key_id, signed.manifest_bytes, signed.signature
    trusted = trust.get(key_id)
    if trusted is None:
        raise BundleError(
            "unknown-signer",
            f"This results bundle was signed by key {key_id[:8]}…, which is not in your trust list; check the PDU "
            "lead's fingerprint with them and add their identity with 'fieldwork trust add IDENTITY_FILE "
            f"--inspections {region_inspection_id}'.",
            detail=f"key {key_id}",
        )
    envelope.check_signature(trusted.identity.signing_public, PAYLOAD_TYPE, manifest_bytes, signature, BundleError)
    if manifest_kind(manifest_bytes) != RESULTS_KIND:
        raise BundleError(
            "wrong-kind",
            "This is an inspector's work bundle, not a PDU inspection's results; merge it into the inspection it "
            "was made for (Merge tab, or 'fieldwork merge').",
            detail="work bundle given as results",
        )
    manifest = parse_results_manifest(manifest_bytes)
    if manifest.signer_key_id != key_id:
        raise BundleError("bad-signature", detail="the manifest names another signer than the signature")
    _check_signer(trusted, manifest, region_inspection_id)
    container.check_recipients(opened, manifest.recipients, BundleError)
    members = ziparchive.read_signed(opened.archive, entries, manifest.members)
    records = parse_results_records(members[manifest.members[0].name], manifest, limits)
    return VerifiedResults(manifest, hashlib.sha256(manifest_bytes).hexdigest(), records, trusted, len(data))
