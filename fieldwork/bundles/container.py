"""The outer layer: magic, a JSON header, and the inner ZIP encrypted to each recipient.

Layout: MAGIC (8 bytes) || header length (uint32, big-endian) || header (canonical JSON) || body.
Encrypted: a random 32-byte content key encrypts the body with ChaCha20-Poly1305 (random 12-byte
nonce; associated data = every byte before the body, so the header cannot be changed either);
the content key is sealed to each recipient with HPKE base mode (RFC 9180).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from fieldwork.bundles.errors import BundleError, Refusal
from fieldwork.bundles.format import (
    CONTENT_AEAD,
    DEFAULT_LIMITS,
    FORMAT_VERSION,
    HPKE_INFO,
    KEY_ID_PATTERN,
    MAGIC,
    Limits,
)
from fieldwork.identity import suites
from fieldwork.identity.encoding import (
    EncodingError,
    b64decode,
    b64encode,
    canonical_json,
    parse_canonical_json,
)
from fieldwork.identity.keys import UnlockedIdentity
from fieldwork.identity.public import PublicIdentity

_PREAMBLE = len(MAGIC) + 4
_NONCE_BYTES = 12
_TAG_BYTES = 16


@dataclass(frozen=True)
class Opened:
    """The inner ZIP and what the outer layer said about it."""

    archive: bytes
    encrypted: bool
    header_recipients: tuple[str, ...]  # key ids, sorted
    opened_with: str | None  # our key id when it was decrypted


def _frame(header: dict) -> bytes:
    header_bytes = canonical_json(header)
    return MAGIC + len(header_bytes).to_bytes(4, "big") + header_bytes


def seal(archive: bytes, recipients: Sequence[PublicIdentity]) -> bytes:
    """Encrypt the inner ZIP to every recipient (at least one, distinct keys)."""
    if not recipients:
        raise ValueError("an encrypted bundle needs at least one recipient")
    if len({r.key_id for r in recipients}) != len(recipients):
        raise ValueError("the same recipient key is listed twice")
    content_key = ChaCha20Poly1305.generate_key()
    nonce = secrets.token_bytes(_NONCE_BYTES)
    entries = []
    for recipient in sorted(recipients, key=lambda r: r.key_id):
        info = suites.suite_info(recipient.encryption_suite)
        entries.append(
            {
                "key_id": recipient.key_id,
                "kem_id": info.kem_id,
                "kdf_id": info.kdf_id,
                "aead_id": info.aead_id,
                "sealed_key": b64encode(
                    suites.seal(info.name, recipient.encryption_public, content_key, HPKE_INFO)
                ),
            }
        )
    preamble = _frame(
        {
            "format_version": FORMAT_VERSION,
            "encryption": "hpke",
            "content_aead": CONTENT_AEAD,
            "nonce": b64encode(nonce),
            "recipients": entries,
        }
    )
    return preamble + ChaCha20Poly1305(content_key).encrypt(nonce, archive, preamble)


def wrap_unencrypted(archive: bytes) -> bytes:
    """The same framing without encryption (only behind an explicit option)."""
    return _frame({"format_version": FORMAT_VERSION, "encryption": "none"}) + archive


def _not_a_bundle(detail: str) -> BundleError:
    return BundleError("not-a-bundle", detail=detail)


def _damaged(detail: str) -> BundleError:
    return BundleError("damaged", detail=detail)


def _read_header(data: bytes, limits: Limits) -> tuple[dict, int]:
    if data[: len(MAGIC)] != MAGIC:
        raise _not_a_bundle("wrong magic bytes")
    if len(data) < _PREAMBLE:
        raise _damaged("truncated before the header length")
    length = int.from_bytes(data[len(MAGIC) : _PREAMBLE], "big")
    if length > limits.max_header_bytes:
        raise _not_a_bundle(f"header of {length} bytes")
    if len(data) < _PREAMBLE + length:
        raise _damaged("truncated inside the header")
    try:
        header = parse_canonical_json(data[_PREAMBLE : _PREAMBLE + length])
    except EncodingError as exc:
        raise _not_a_bundle(f"header: {exc}") from None
    if not isinstance(header, dict):
        raise _not_a_bundle("header is not an object")
    version = header.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:  # JSON true is not the integer 1
        if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
            raise BundleError(
                "unsupported-version",
                f"This bundle uses format {version}, newer than this fieldwork reads "
                f"({FORMAT_VERSION}); install the newer fieldwork to read it.",
                detail=f"header format {version}",
            )
        raise _not_a_bundle("header format_version is not valid")
    return header, _PREAMBLE + length


def _recipient_entries(header: dict, limits: Limits) -> list[dict]:
    if set(header) != {"format_version", "encryption", "content_aead", "nonce", "recipients"}:
        raise _not_a_bundle("header fields")
    if header["content_aead"] != CONTENT_AEAD:
        raise BundleError("unsupported-version", detail=f"content AEAD {header['content_aead']!r}")
    entries = header["recipients"]
    if not isinstance(entries, list) or not 1 <= len(entries) <= limits.max_recipients:
        raise _not_a_bundle("recipient list")
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"key_id", "kem_id", "kdf_id", "aead_id", "sealed_key"}:
            raise _not_a_bundle("recipient entry fields")
        if not isinstance(entry["key_id"], str) or not KEY_ID_PATTERN.fullmatch(entry["key_id"]):
            raise _not_a_bundle("recipient key id")
        if not all(type(entry[k]) is int for k in ("kem_id", "kdf_id", "aead_id")):
            raise _not_a_bundle("recipient suite ids")
        if suites.suite_by_ids(entry["kem_id"], entry["kdf_id"], entry["aead_id"]) is None:
            raise BundleError("unsupported-version", detail="unknown HPKE suite")
    key_ids = [e["key_id"] for e in entries]
    if key_ids != sorted(set(key_ids)):
        raise _not_a_bundle("recipient key ids not sorted and unique")
    return entries


def open_container(
    data: bytes,
    identity: UnlockedIdentity | None,
    *,
    allow_unencrypted: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Opened:
    """Check the framing and decrypt the inner ZIP with `identity`'s key."""
    header, body_start = _read_header(data, limits)
    encryption = header.get("encryption")
    if encryption == "none":
        if set(header) != {"format_version", "encryption"}:
            raise _not_a_bundle("header fields")
        if not allow_unencrypted:
            raise BundleError("unencrypted")
        return Opened(data[body_start:], False, (), None)
    if encryption != "hpke":
        raise BundleError("unsupported-version", detail=f"encryption {encryption!r}")
    entries = _recipient_entries(header, limits)
    try:
        nonce = b64decode(header["nonce"], length=_NONCE_BYTES)
    except EncodingError:
        raise _not_a_bundle("header nonce") from None
    key_ids = tuple(e["key_id"] for e in entries)
    mine = None if identity is None else _entry_for(entries, identity)
    if mine is None:
        raise BundleError(
            "not-encrypted-for-you",
            "This bundle is encrypted, but this data folder has no keys to open it; create them with "
            "'fieldwork keys init' and ask the inspector to export again to your identity file."
            if identity is None
            else f"This bundle is not encrypted to your key ({identity.key_id[:8]}…); ask the inspector "
            "to export it again to your identity file.",
            detail=f"recipients {', '.join(key_ids)}",
        )
    suite = suites.suite_info(identity.encryption_suite_of(mine["key_id"]))
    if (mine["kem_id"], mine["kdf_id"], mine["aead_id"]) != (suite.kem_id, suite.kdf_id, suite.aead_id):
        raise _damaged("recipient entry names another suite than our key's")
    try:
        content_key = identity.open_sealed(b64decode(mine["sealed_key"]), HPKE_INFO, key_id=mine["key_id"])
    except (ValueError, EncodingError):
        raise _damaged("the content key could not be unsealed") from None
    if len(content_key) != 32:
        raise _damaged("content key length")
    body = data[body_start:]
    if len(body) < _TAG_BYTES:
        raise _damaged("truncated body")
    try:
        archive = ChaCha20Poly1305(content_key).decrypt(nonce, body, data[:body_start])
    except InvalidTag:
        raise _damaged("body failed authentication") from None
    return Opened(archive, True, key_ids, mine["key_id"])


def _entry_for(entries: list[dict], identity: UnlockedIdentity) -> dict | None:
    """The recipient entry our keys open: our own key's, else one of our decryption-only keys'
    (an earlier key of ours after a rotation, or a restored recovery key)."""
    own = next((e for e in entries if e["key_id"] == identity.key_id), None)
    return own or next((e for e in entries if identity.opens(e["key_id"])), None)


def check_recipients(opened: Opened, signed_for: Sequence[str], error: Refusal) -> None:
    """Refuse (recipient-mismatch) a file re-encrypted to others than its signed recipients."""
    if set(signed_for) != set(opened.header_recipients):
        raise error(
            "recipient-mismatch",
            detail=f"signed for {list(signed_for)}, encrypted to {list(opened.header_recipients)}",
        )
