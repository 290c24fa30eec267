"""Key rotation statements (`.fwrotation`): a person's old key vouching for their new key.

Specified in docs/rotation-format.md. The file is a DSSE-style envelope in canonical JSON (and a
line feed) whose payload is the statement — the person id, both identities (key ids, public
keys, fingerprints), when the new key takes over, and the last sequence number the old key used
per inspection — with exactly two signatures over PAE(ROTATION_PAYLOAD_TYPE, statement bytes):
the old key's first, then the new key's. The payload type is the domain separation: no
identity's self-signature, bundle or pack manifest or receipt is signed over those bytes.

This module makes and reads statements; what a lead or inspector does with one is in
rotation_accept.py. Nothing here touches a store or a file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fieldwork.identity.encoding import (
    EncodingError,
    b64decode,
    b64encode,
    canonical_json,
    pae,
    parse_canonical_json,
)
from fieldwork.identity.errors import IdentityError
from fieldwork.identity.public import (
    IDENTITY_TYPE,
    KEY_ID_PATTERN,
    ROTATION_PAYLOAD_TYPE,
    PublicIdentity,
    identity_from_json,
)
from fieldwork.identity.unlocked import UnlockedIdentity
from fieldwork.regular_files import read_regular_file

__all__ = ["ROTATION_PAYLOAD_TYPE", "RotationStatement", "make_statement", "read_statement", "read_statement_file"]

ROTATION_TYPE = "fieldwork-key-rotation"
ROTATION_VERSION = 1
FILE_SUFFIX = ".fwrotation"
MAX_FILE_BYTES = 256 * 1024
MAX_INSPECTIONS = 1000
MAX_SEQUENCE = 2**53 - 1
INSPECTION_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
_STATEMENT_FIELDS = {
    "type", "version", "person_id", "effective_at", "old_key", "new_key", "old_key_last_sequences",
}
_AGAIN = "ask its owner to make it again with 'fieldwork keys rotate'"


@dataclass(frozen=True)
class RotationStatement:
    """A checked statement: `old` hands over to `new`; `last_sequences` are (inspection, number)."""

    person_id: str
    old: PublicIdentity
    new: PublicIdentity
    effective_at: str
    last_sequences: tuple[tuple[str, int], ...]  # sorted by inspection id

    def to_json(self) -> dict:
        return {
            "type": ROTATION_TYPE,
            "version": ROTATION_VERSION,
            "person_id": self.person_id,
            "effective_at": self.effective_at,
            "old_key": self.old.to_json(),
            "new_key": self.new.to_json(),
            "old_key_last_sequences": [{"inspection_id": i, "sequence": n} for i, n in self.last_sequences],
        }

    def to_bytes(self) -> bytes:
        """The statement bytes: canonical JSON (the payload of the envelope)."""
        return canonical_json(self.to_json())

    def signed_bytes(self) -> bytes:
        """What both keys sign: PAE(ROTATION_PAYLOAD_TYPE, statement bytes)."""
        return pae(ROTATION_PAYLOAD_TYPE, self.to_bytes())

    def last_sequence(self, inspection_id: str) -> int | None:
        return dict(self.last_sequences).get(inspection_id)

    def summary(self) -> dict:
        """Plain JSON for the fronts: who, both keys with their fingerprints, the numbers."""
        return {
            "person_id": self.person_id,
            "effective_at": self.effective_at,
            "old": {"key_id": self.old.key_id, "name": self.old.name, "fingerprint": self.old.fingerprint},
            "new": {"key_id": self.new.key_id, "name": self.new.name, "fingerprint": self.new.fingerprint},
            "old_key_last_sequences": {i: n for i, n in self.last_sequences},
        }


def make_statement(
    old: UnlockedIdentity, new: UnlockedIdentity, *, effective_at: str, last_sequences: Mapping[str, int]
) -> tuple[bytes, RotationStatement]:
    """The `.fwrotation` file bytes (and the statement) signed by both keys."""
    statement = RotationStatement(
        person_id=old.person_id,
        old=old.public,
        new=new.public,
        effective_at=effective_at,
        last_sequences=tuple(sorted(last_sequences.items())),
    )
    _check_statement(statement)
    message = statement.signed_bytes()
    envelope = {
        "payload": b64encode(statement.to_bytes()),
        "payloadType": ROTATION_PAYLOAD_TYPE,
        "signatures": [
            {"keyid": old.key_id, "sig": b64encode(old.sign(message))},
            {"keyid": new.key_id, "sig": b64encode(new.sign(message))},
        ],
    }
    return canonical_json(envelope) + b"\n", statement


# --- reading ------------------------------------------------------------------------------------


def _invalid(why: str) -> IdentityError:
    return IdentityError(
        f"This key rotation statement cannot be used ({why}); nothing was changed; check you chose the "
        f".fwrotation file, or {_AGAIN}.",
        code="invalid-rotation",
    )


def _check_statement(statement: RotationStatement) -> None:
    if statement.old.person_id != statement.person_id or statement.new.person_id != statement.person_id:
        raise _invalid("its two keys belong to different people")
    if statement.old.key_id == statement.new.key_id:
        raise _invalid("its old and new key are the same key")
    if not _TIMESTAMP.fullmatch(statement.effective_at):
        raise _invalid("its time is not a timestamp")
    if len(statement.last_sequences) > MAX_INSPECTIONS:
        raise _invalid("it lists too many inspections")
    for inspection_id, sequence in statement.last_sequences:
        if not isinstance(inspection_id, str) or not INSPECTION_ID_PATTERN.fullmatch(inspection_id):
            raise _invalid("an inspection id is not valid")
        if type(sequence) is not int or not 1 <= sequence <= MAX_SEQUENCE:
            raise _invalid("a last sequence number is not valid")
    names = [i for i, _ in statement.last_sequences]
    if names != sorted(set(names)):
        raise _invalid("its inspections are not sorted or are repeated")


def _envelope(data: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    if len(data) > MAX_FILE_BYTES:
        raise _invalid("it is far too large")
    try:
        value = parse_canonical_json(data[:-1] if data.endswith(b"\n") else data)
    except EncodingError as exc:
        raise _invalid(f"it is not canonical JSON: {exc}") from None
    if isinstance(value, dict) and value.get("type") == IDENTITY_TYPE:
        raise IdentityError(
            "This is an identity file, not a key rotation statement; add it with 'fieldwork trust add FILE' "
            "after checking its fingerprint with its owner.",
            code="invalid-rotation",
        )
    if not isinstance(value, dict) or set(value) != {"payload", "payloadType", "signatures"}:
        raise _invalid("its fields are not those of a rotation statement")
    if value["payloadType"] != ROTATION_PAYLOAD_TYPE:
        raise _invalid("it is not a rotation statement")
    signatures = value["signatures"]
    if not isinstance(signatures, list) or len(signatures) != 2:
        raise _invalid("it does not carry exactly two signatures")
    pairs = []
    for entry in signatures:
        if not isinstance(entry, dict) or set(entry) != {"keyid", "sig"}:
            raise _invalid("a signature entry is not valid")
        if not isinstance(entry["keyid"], str) or not KEY_ID_PATTERN.fullmatch(entry["keyid"]):
            raise _invalid("a signature names no valid key id")
        try:
            pairs.append((entry["keyid"], b64decode(entry["sig"], length=64)))
        except EncodingError as exc:
            raise _invalid(f"a signature is not readable: {exc}") from None
    try:
        payload = b64decode(value["payload"])
    except EncodingError as exc:
        raise _invalid(f"its payload is not readable: {exc}") from None
    return payload, pairs


def _statement(payload: bytes) -> RotationStatement:
    try:
        value = parse_canonical_json(payload)
    except EncodingError as exc:
        raise _invalid(f"its statement is not canonical JSON: {exc}") from None
    if not isinstance(value, dict) or set(value) != _STATEMENT_FIELDS:
        raise _invalid("its statement's fields are not those of a rotation")
    if value["type"] != ROTATION_TYPE or type(value["version"]) is not int or value["version"] < 1:
        raise _invalid("its statement is not a fieldwork key rotation")
    if value["version"] != ROTATION_VERSION:
        raise IdentityError(
            f"This key rotation statement uses format {value['version']}, newer than this fieldwork reads; "
            "install the newer fieldwork to accept it.",
            code="unsupported-version",
        )
    old = identity_from_json(value["old_key"], source="The rotation statement's old key", advice=_AGAIN)
    new = identity_from_json(value["new_key"], source="The rotation statement's new key", advice=_AGAIN)
    entries = value["old_key_last_sequences"]
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and set(e) == {"inspection_id", "sequence"} for e in entries
    ):
        raise _invalid("its last sequence numbers are not a list of inspections and numbers")
    if not isinstance(value["person_id"], str) or not isinstance(value["effective_at"], str):
        raise _invalid("its person id or time is not text")
    statement = RotationStatement(
        person_id=value["person_id"],
        old=old,
        new=new,
        effective_at=value["effective_at"],
        last_sequences=tuple((e["inspection_id"], e["sequence"]) for e in entries),
    )
    _check_statement(statement)
    return statement


def _verify(public: PublicIdentity, signature: bytes, message: bytes, which: str) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(public.signing_public).verify(signature, message)
    except InvalidSignature:
        raise IdentityError(
            f"The {which} key's signature on this key rotation statement does not verify, so the statement "
            f"was changed or forged, and nothing was changed; do not use it: {_AGAIN} and send it again.",
            code="bad-signature",
        ) from None


def read_statement(data: bytes) -> RotationStatement:
    """Parse a `.fwrotation` file strictly and check both signatures (no trust decision yet).

    Raises IdentityError: invalid-rotation, invalid-identity, unsupported-version or bad-signature.
    """
    payload, signatures = _envelope(data)
    statement = _statement(payload)
    (old_key_id, old_signature), (new_key_id, new_signature) = signatures
    if (old_key_id, new_key_id) != (statement.old.key_id, statement.new.key_id):
        raise _invalid("its signatures are not by its old and new key, in that order")
    # The exact payload bytes received are what was signed; being canonical, they equal
    # statement.to_bytes(), but the check never relies on re-serialising.
    message = pae(ROTATION_PAYLOAD_TYPE, payload)
    _verify(statement.old, old_signature, message, "old")
    _verify(statement.new, new_signature, message, "new")
    return statement


def read_statement_file(path: str | os.PathLike) -> RotationStatement:
    """Read and check a `.fwrotation` file (both signatures; no trust decision yet)."""
    path = Path(path)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise IdentityError(
            f"The rotation statement {path} cannot be read ({exc.strerror}); check the path.", code="not-found"
        ) from None
    return read_statement(data)
