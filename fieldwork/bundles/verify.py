"""Verify a bundle, failing closed, in the design's order, before anything touches a database.

size cap → decrypt → strict ZIP checks → signature by a trusted key → strict manifest →
signer binding (person, inspection, revocation), recipients, inspection and framework →
member hashes → strict records. Everything happens in memory; nothing is extracted to disk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from operator import attrgetter

from fieldwork.bundles import container, envelope, ziparchive
from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.format import (
    DEFAULT_LIMITS,
    ENVELOPE_NAME,
    PAYLOAD_TYPE,
    Limits,
    Manifest,
    parse_manifest,
)
from fieldwork.bundles.records import BundleRecords, parse_records
from fieldwork.bundles.source import Source, read_source
from fieldwork.frameworks.model import Framework
from fieldwork.identity.keys import UnlockedIdentity
from fieldwork.identity.trust import TrustedKey, TrustList


@dataclass(frozen=True)
class VerifiedBundle:
    """A bundle that passed every check: its manifest, its records and who signed it."""

    manifest: Manifest
    manifest_bytes: bytes  # exactly as signed
    manifest_sha256: str  # hex; the next bundle of this signer names it as previous
    records: BundleRecords
    signer: TrustedKey
    encrypted: bool
    opened_with: str | None  # our key id that decrypted it (None when unencrypted)
    size: int

    def summary(self) -> dict:
        """The manifest and signer in plain JSON, for `bundle verify` and the GUI."""
        return {
            **self.manifest.to_json(),
            "manifest_sha256": self.manifest_sha256,
            "signer": {
                "key_id": self.signer.key_id,
                "person_id": self.signer.person_id,
                "name": self.signer.name,
                "fingerprint": self.signer.identity.fingerprint,
            },
            "encrypted": self.encrypted,
            "size": self.size,
        }


def _bad_signature(detail: str) -> BundleError:
    return BundleError("bad-signature", detail=detail)


def _check_signer(trusted: TrustedKey, manifest: Manifest) -> None:
    if trusted.person_id != manifest.inspector_id:
        raise BundleError(
            "unknown-signer",
            f"This bundle says it is from {manifest.inspector_id}, but its key is trusted for "
            f"{trusted.person_id}; check with both inspectors before using it.",
            detail="inspector id differs from the trusted person",
        )
    if trusted.revoked_for(manifest.sequence):
        raise BundleError(
            "revoked-signer",
            f"This bundle (number {manifest.sequence}) from {trusted.name} ({trusted.person_id}) was signed "
            f"with their key {trusted.key_id[:8]}…, which you revoked after number "
            f"{trusted.revoked_after_sequence}, so it was refused; ask {trusted.person_id} to export "
            "again with their new key (after 'fieldwork keys rotate', or new keys whose identity file you add "
            "with 'fieldwork trust add').",
            detail=f"revoked after {trusted.revoked_after_sequence}",
        )
    if not trusted.allows_inspection(manifest.inspection_id):
        raise BundleError(
            "unknown-signer",
            f"{trusted.name}'s key is not trusted for inspection {manifest.inspection_id}; if they "
            "work on it, add it with 'fieldwork trust add IDENTITY_FILE --inspections "
            f"{manifest.inspection_id}'.",
            detail="key not bound to this inspection",
        )


def check_framework(manifest: Manifest, framework: Framework) -> None:
    """Refuse a bundle made under another framework than `framework`: its id, version and text."""
    ref = manifest.framework
    if (ref.id, ref.version, ref.hash) != (framework.id, framework.version, framework.content_hash):
        differs = [name for name, mine, theirs in (
            ("id", ref.id, framework.id), ("version", ref.version, framework.version),
            ("hash", ref.hash, framework.content_hash),
        ) if mine != theirs]
        raise BundleError(
            "framework-mismatch",
            f"This bundle was made under {ref.label()}, but inspection "
            f"{manifest.inspection_id} uses {framework.id} version {framework.version} "
            f"({framework.content_hash[:12]}); the inspector must export from the inspection set "
            "up with the same framework.",
            detail=f"framework {' and '.join(differs)} differs",
        )


def check_records_fit(records: BundleRecords, framework: Framework) -> None:
    """Refuse records the framework does not allow: an unknown sample or case detail, a detail
    value not in the field's stored form (as packs are checked), an answer to a question that is
    not asked of any sample (a standard the lead rates by judgement: another sample's question is
    kept, as after a change of set, and not counted), or an answer value the question does not allow.

    Each distinct (question, value) and (detail, value) is checked once; only a bundle that breaks
    a rule is walked record by record, to name the first record at fault."""
    if not _fits(records, framework):
        _first_misfit(records, framework)


def _fits(records: BundleRecords, framework: Framework) -> bool:
    samples = {s.id for s in framework.samples}
    if not set(map(attrgetter("sample"), records.cases)) <= samples:
        return False
    for field_id, value in set(map(attrgetter("field_id", "value"), records.details)):
        if framework.question_kind(field_id) != "case_detail" or not framework.case_detail(field_id).is_stored_form(
            value
        ):
            return False
    asked = _questions_asked_of_any(framework)
    for question_id, value in set(map(attrgetter("question_id", "value"), records.answers)):
        kind = framework.question_kind(question_id)
        if kind not in ("key_question", "prompt") or question_id not in asked:
            return False
        question = framework.key_question(question_id) if kind == "key_question" else framework.prompt(question_id)
        if value is not None and value not in question.allowed():
            return False
    return True


def _first_misfit(records: BundleRecords, framework: Framework) -> None:
    """Record by record, in the file's order: refuse with the first record the framework does not allow."""

    def bad(detail: str) -> BundleError:
        return BundleError(
            "malformed-record",
            f"This bundle's records do not fit the framework ({detail}); ask the inspector to "
            "export again with the current fieldwork.",
            detail=detail,
        )

    samples = {s.id for s in framework.samples}
    for case in records.cases:
        if case.sample not in samples:
            raise bad(f"case {case.case_ref} is in unknown sample {case.sample!r}")
    for detail in records.details:
        if framework.question_kind(detail.field_id) != "case_detail":
            raise bad(f"unknown case detail {detail.field_id!r}")
        if not framework.case_detail(detail.field_id).is_stored_form(detail.value):
            raise bad(f"a {detail.field_id} value the framework does not allow")
    # An answer to another sample's question is kept, not counted: the case changed set after it
    # was given (decision 0036), and the ratings count only the case's own set.
    asked = _questions_asked_of_any(framework)
    for answer in records.answers:
        kind = framework.question_kind(answer.question_id)
        if kind not in ("key_question", "prompt"):
            raise bad(f"unknown question {answer.question_id!r}")
        if answer.question_id not in asked:
            raise bad(f"question {answer.question_id} is not asked of cases of any sample")
        if kind == "key_question":
            question = framework.key_question(answer.question_id)
        else:
            question = framework.prompt(answer.question_id)
        if answer.value is not None and answer.value not in question.allowed():
            raise bad(f"answer {answer.value!r} is not allowed for {answer.question_id}")


def _questions_asked_of_any(framework: Framework) -> frozenset[str]:
    """The key questions and prompts a case of some sample answers."""
    return frozenset().union(*(_questions_asked(framework, sample.id) for sample in framework.samples))


def _questions_asked(framework: Framework, sample_id: str) -> frozenset[str]:
    """The key questions and prompts a case of this sample answers (standards rated from cases only)."""
    return frozenset(
        item for kq in framework.key_questions_for_sample(sample_id) for item in (kq.id, *(p.id for p in kq.prompts))
    )


@dataclass(frozen=True)
class SignedFile:
    """A bundle file opened as far as its signed envelope: what every kind of bundle reads first."""

    data: bytes
    opened: container.Opened
    entries: dict
    key_id: str
    manifest_bytes: bytes
    signature: bytes


def open_signed(
    source: Source, identity: UnlockedIdentity | None, *, allow_unencrypted: bool, limits: Limits
) -> SignedFile:
    """Read, decrypt and unzip a bundle (work or results) and read its envelope; nothing is trusted yet."""
    data = read_source(source, limits.max_bundle_bytes, BundleError, what="fieldwork bundle")
    opened = container.open_container(data, identity, allow_unencrypted=allow_unencrypted, limits=limits)
    entries = ziparchive.read_entries(opened.archive, limits)
    key_id, manifest_bytes, signature = envelope.read(
        ziparchive.read_member(opened.archive, entries[ENVELOPE_NAME]), PAYLOAD_TYPE, BundleError,
        other_type="This bundle's signed content is of a kind this fieldwork does not read; install the "
        "newer fieldwork to read it.",
    )
    return SignedFile(data, opened, entries, key_id, manifest_bytes, signature)


def verify_bundle(
    source: Source,
    *,
    identity: UnlockedIdentity | None,
    trust: TrustList,
    inspection_id: str | None = None,
    framework: Framework | None = None,
    allow_unencrypted: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> VerifiedBundle:
    """Verify a bundle completely and return its manifest and parsed records.

    source: a path or the bundle's bytes. identity: the unlocked keys that decrypt it (the
    lead's; None only for unencrypted bundles). trust: the signers accepted (a snapshot, e.g.
    `load_trust_list(store)`). inspection_id / framework: when given, bundles for another
    inspection or made under another framework text are refused, and record question ids are
    checked against the framework. allow_unencrypted: accept a bundle without encryption (an
    explicit choice; refused by default). limits: caps on sizes and counts.

    Raises BundleError (one `code` from errors.REASONS, a sentence in `message`) for anything
    wrong with the bundle, NotFoundError/FieldworkError when the file cannot be read. Nothing is
    written anywhere; the caller decides what to do with the result.
    """
    signed = open_signed(source, identity, allow_unencrypted=allow_unencrypted, limits=limits)
    data, opened, entries = signed.data, signed.opened, signed.entries
    key_id, manifest_bytes, signature = signed.key_id, signed.manifest_bytes, signed.signature
    trusted = trust.get(key_id)
    if trusted is None:
        raise BundleError(
            "unknown-signer",
            f"This bundle was signed by key {key_id[:8]}…, which is not in your trust list; check "
            "the inspector's fingerprint with them and add their identity with 'fieldwork trust add'.",
            detail=f"key {key_id}",
        )
    envelope.check_signature(trusted.identity.signing_public, PAYLOAD_TYPE, manifest_bytes, signature, BundleError)
    manifest = parse_manifest(manifest_bytes)
    if manifest.signer_key_id != key_id:
        raise _bad_signature("the manifest names another signer than the signature")
    _check_signer(trusted, manifest)
    container.check_recipients(opened, manifest.recipients, BundleError)
    if inspection_id is not None and manifest.inspection_id != inspection_id:
        raise BundleError(
            "wrong-inspection",
            f"This bundle is for inspection {manifest.inspection_id}, not {inspection_id}; merge it "
            "into that inspection.",
            detail=manifest.inspection_id,
        )
    if framework is not None:
        check_framework(manifest, framework)
    members = ziparchive.read_signed(opened.archive, entries, manifest.members)
    records = parse_records(members[manifest.members[0].name], manifest, limits)
    if framework is not None:
        check_records_fit(records, framework)
    return VerifiedBundle(
        manifest=manifest,
        manifest_bytes=manifest_bytes,
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        records=records,
        signer=trusted,
        encrypted=opened.encrypted,
        opened_with=opened.opened_with,
        size=len(data),
    )
