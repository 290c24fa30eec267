"""Public identities: the file an inspector hands over, its key id, fingerprint and self-signature.

The key id names a signing key in bundles and trust lists; the fingerprint covers both public
keys and is what two people compare in person before trusting an identity file.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fieldwork.identity import suites
from fieldwork.identity.encoding import (
    EncodingError,
    b64decode,
    b64encode,
    canonical_json,
    pae,
    parse_strict_json,
)
from fieldwork.identity.errors import IdentityError
from fieldwork.regular_files import read_regular_file

IDENTITY_TYPE = "fieldwork-identity"
IDENTITY_VERSION = 1
IDENTITY_PAYLOAD_TYPE = "application/vnd.fieldwork.identity+json"
ROTATION_PAYLOAD_TYPE = "application/vnd.fieldwork.key-rotation+json"  # rotation.py; named here to refuse it
MAX_IDENTITY_FILE_BYTES = 64 * 1024
KEY_ID_BYTES = 16
FINGERPRINT_BYTES = 20
_FINGERPRINT_DOMAIN = b"fieldwork identity v1\x00"
PERSON_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
KEY_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
EXPORT_AGAIN = "ask its owner to export it again with 'fieldwork keys export'"
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def key_id_for(signing_public: bytes) -> str:
    """Lowercase hex of the first 16 bytes of SHA-256 of the raw Ed25519 public key."""
    return hashlib.sha256(signing_public).digest()[:KEY_ID_BYTES].hex()


def fingerprint_for(signing_public: bytes, suite: str, encryption_public: bytes) -> str:
    """First 20 bytes of SHA-256 over both public keys, as ten groups of four hex digits."""
    kem_id = suites.suite_info(suite).kem_id
    digest = hashlib.sha256(
        _FINGERPRINT_DOMAIN + signing_public + kem_id.to_bytes(2, "big") + encryption_public
    ).digest()
    text = digest[:FINGERPRINT_BYTES].hex().upper()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def check_person_id(person_id: str) -> str:
    if not isinstance(person_id, str) or not PERSON_ID_PATTERN.fullmatch(person_id):
        raise IdentityError(
            f"'{person_id}' is not a usable person id; use up to 64 letters, digits, '.', '_', "
            "'@' or '-', starting with a letter or digit.",
            code="invalid-identity",
        )
    return person_id


def check_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 200 or _CONTROL.search(name):
        raise IdentityError(
            "The name is empty, too long or has control characters; give the person's name.",
            code="invalid-identity",
        )
    return name.strip()


@dataclass(frozen=True)
class PublicIdentity:
    """Who someone is and their two public keys, as published in an identity file."""

    name: str
    person_id: str
    signing_public: bytes
    encryption_suite: str
    encryption_public: bytes
    created_at: str
    self_signature: bytes = b""

    @property
    def key_id(self) -> str:
        return key_id_for(self.signing_public)

    @property
    def fingerprint(self) -> str:
        return fingerprint_for(self.signing_public, self.encryption_suite, self.encryption_public)

    def body(self) -> dict:
        """Every field of the identity file except the self-signature."""
        info = suites.suite_info(self.encryption_suite)
        return {
            "type": IDENTITY_TYPE,
            "version": IDENTITY_VERSION,
            "name": self.name,
            "person_id": self.person_id,
            "key_id": self.key_id,
            "fingerprint": self.fingerprint,
            "signing_key": {"algorithm": "ed25519", "public": b64encode(self.signing_public)},
            "encryption_key": {
                "suite": info.name,
                "kem_id": info.kem_id,
                "kdf_id": info.kdf_id,
                "aead_id": info.aead_id,
                "public": b64encode(self.encryption_public),
            },
            "created_at": self.created_at,
        }

    def signed_bytes(self) -> bytes:
        """What the self-signature covers: PAE of the identity type and the canonical body."""
        return pae(IDENTITY_PAYLOAD_TYPE, canonical_json(self.body()))

    def to_json(self) -> dict:
        return {**self.body(), "self_signature": b64encode(self.self_signature)}

    def to_bytes(self) -> bytes:
        return canonical_json(self.to_json()) + b"\n"

    def verify_self_signature(self, *, source: str = "The identity file", advice: str = EXPORT_AGAIN) -> None:
        try:
            Ed25519PublicKey.from_public_bytes(self.signing_public).verify(
                self.self_signature, self.signed_bytes()
            )
        except (InvalidSignature, ValueError):
            raise _invalid(
                "its self-signature does not match its content, so it was changed after it was made",
                source, advice, self.fingerprint,
            ) from None




def _invalid(
    why: str, source: str = "The identity file", advice: str = EXPORT_AGAIN, fingerprint: str | None = None
) -> IdentityError:
    if fingerprint is None:
        return IdentityError(f"{source} cannot be used ({why}); {advice}.", code="invalid-identity")
    # The keys are readable, so their fingerprint still identifies them: two people can compare
    # it aloud and tell a changed name (same keys) from someone else's keys.
    return IdentityError(
        f"{source} cannot be used ({why}); the keys in it have the fingerprint {fingerprint}: read it to "
        f"the owner, and if it is theirs, {advice}; if it is not, do not use the file.",
        code="invalid-identity",
        fingerprint=fingerprint,
    )


def _is_int(value: object) -> bool:
    return type(value) is int  # JSON true/false are not numbers here, though Python says True == 1


_BODY_KEYS = {
    "type", "version", "name", "person_id", "key_id", "fingerprint", "signing_key",
    "encryption_key", "created_at", "self_signature",
}


def identity_from_json(
    value: object, *, source: str = "The identity file", advice: str = EXPORT_AGAIN
) -> PublicIdentity:
    """Parse and fully check an identity (fields, key sizes, key id, fingerprint, signature).

    `advice` ends the refusal's sentence: how to get a good copy of this file.
    """
    if isinstance(value, dict) and value.get("payloadType") == ROTATION_PAYLOAD_TYPE:
        raise IdentityError(
            f"{source} is a key rotation statement, not an identity file; accept it with "
            "'fieldwork trust rotate FILE'.",
            code="is-rotation-statement",
        )
    if not isinstance(value, dict) or set(value) != _BODY_KEYS:
        raise _invalid("its fields are not those of a fieldwork identity", source, advice)
    if value["type"] != IDENTITY_TYPE:
        raise _invalid("it is not a fieldwork identity", source, advice)
    if not _is_int(value["version"]) or value["version"] < 1:
        raise _invalid("its version is not valid", source, advice)
    if value["version"] != IDENTITY_VERSION:
        raise IdentityError(
            f"{source} uses identity format version {value['version']!r}, which this version "
            "of fieldwork cannot read; install the newer fieldwork.",
            code="unsupported-version",
        )
    signing, encryption = value["signing_key"], value["encryption_key"]
    try:
        if not isinstance(signing, dict) or set(signing) != {"algorithm", "public"}:
            raise ValueError("signing key fields")
        if signing["algorithm"] != "ed25519":
            raise ValueError("signing algorithm")
        if not isinstance(encryption, dict) or set(encryption) != {
            "suite", "kem_id", "kdf_id", "aead_id", "public"
        }:
            raise ValueError("encryption key fields")
        info = suites.suite_info(encryption["suite"]) if isinstance(encryption["suite"], str) else None
        ids = (encryption["kem_id"], encryption["kdf_id"], encryption["aead_id"])
        if info is None or not all(_is_int(i) for i in ids) or ids != (info.kem_id, info.kdf_id, info.aead_id):
            raise ValueError("encryption suite")
        signing_public = b64decode(signing["public"], length=32)
        Ed25519PublicKey.from_public_bytes(signing_public)
        encryption_public = b64decode(encryption["public"], length=info.public_key_bytes)
        suites.check_public_key(info.name, encryption_public)
        self_signature = b64decode(value["self_signature"], length=64)
        if not isinstance(value["created_at"], str) or not _TIMESTAMP.fullmatch(value["created_at"]):
            raise ValueError("created_at is not a timestamp")
    except (ValueError, EncodingError, TypeError) as exc:
        raise _invalid(f"its keys are not readable: {exc}", source, advice) from None
    fingerprint = fingerprint_for(signing_public, info.name, encryption_public)
    try:
        name, person_id = check_name(value["name"]), check_person_id(value["person_id"])
    except IdentityError as exc:
        raise _invalid(exc.message.rstrip("."), source, advice, fingerprint) from None
    identity = PublicIdentity(
        name=name,
        person_id=person_id,
        signing_public=signing_public,
        encryption_suite=info.name,
        encryption_public=encryption_public,
        created_at=value["created_at"],
        self_signature=self_signature,
    )
    if value["name"] != identity.name:
        raise _invalid("its name has surrounding spaces", source, advice, fingerprint)
    if value["key_id"] != identity.key_id:
        raise _invalid("its key id does not match its signing key", source, advice, fingerprint)
    if value["fingerprint"] != identity.fingerprint:
        raise _invalid("the fingerprint written in it is not the one of its keys", source, advice, fingerprint)
    identity.verify_self_signature(source=source, advice=advice)
    return identity


def identity_from_bytes(
    data: bytes, *, source: str = "The identity file", advice: str = EXPORT_AGAIN
) -> PublicIdentity:
    if len(data) > MAX_IDENTITY_FILE_BYTES:
        raise _invalid("it is far too large for an identity file", source, advice)
    try:
        value = parse_strict_json(data)
    except EncodingError as exc:
        raise _invalid(f"it is not valid JSON: {exc}", source, advice) from None
    return identity_from_json(value, source=source, advice=advice)


def read_identity_file(path: str | os.PathLike) -> PublicIdentity:
    """Read and check a public identity file (as written by `fieldwork keys export`)."""
    path = Path(path)
    try:
        data = read_regular_file(path, MAX_IDENTITY_FILE_BYTES)
    except OSError as exc:
        raise IdentityError(
            f"The identity file {path} cannot be read ({exc.strerror}); check the path.",
            code="not-found",
        ) from None
    return identity_from_bytes(data, source=f"The identity file {path.name}")
