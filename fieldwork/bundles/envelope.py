"""The DSSE envelope bundles and packs share: Ed25519 over PAE(payload type, manifest bytes).

Each format has its own payload type and wording; a refusal is raised as the caller's `error`
(BundleError or PackError) with the same reason codes in both (docs/bundle-format.md §6.1).
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fieldwork.bundles.errors import Refusal
from fieldwork.bundles.format import KEY_ID_PATTERN
from fieldwork.identity.encoding import EncodingError, b64decode, b64encode, canonical_json, pae, parse_canonical_json
from fieldwork.identity.keys import UnlockedIdentity


def sign(payload_type: str, manifest_bytes: bytes, signer: UnlockedIdentity) -> bytes:
    """The envelope.json bytes: `signer`'s one signature over the manifest."""
    signature = signer.sign(pae(payload_type, manifest_bytes))
    return canonical_json(
        {
            "payloadType": payload_type,
            "payload": b64encode(manifest_bytes),
            "signatures": [{"keyid": signer.key_id, "sig": b64encode(signature)}],
        }
    )


def read(data: bytes, payload_type: str, error: Refusal, *, other_type: str) -> tuple[str, bytes, bytes]:
    """(key id, manifest bytes, signature) from envelope.json, strictly; `other_type` words a foreign payload."""
    try:
        envelope = parse_canonical_json(data)
    except EncodingError as exc:
        raise error("bad-signature", detail=f"envelope: {exc}") from None
    if not isinstance(envelope, dict) or set(envelope) != {"payloadType", "payload", "signatures"}:
        raise error("bad-signature", detail="envelope fields")
    if envelope["payloadType"] != payload_type:
        raise error("unsupported-version", other_type, detail=f"payload type {envelope['payloadType']!r}")
    signatures = envelope["signatures"]
    # Format 1 has exactly one signature: the signer's. More would need a policy for which counts.
    if not isinstance(signatures, list) or len(signatures) != 1:
        raise error("bad-signature", detail="signature count")
    entry = signatures[0]
    if not isinstance(entry, dict) or set(entry) != {"keyid", "sig"}:
        raise error("bad-signature", detail="signature fields")
    if not isinstance(entry["keyid"], str) or not KEY_ID_PATTERN.fullmatch(entry["keyid"]):
        raise error("bad-signature", detail="signature key id")
    try:
        payload = b64decode(envelope["payload"])
        signature = b64decode(entry["sig"], length=64)
    except EncodingError as exc:
        raise error("bad-signature", detail=f"envelope encoding: {exc}") from None
    return entry["keyid"], payload, signature


def check_signature(
    signing_public: bytes, payload_type: str, manifest_bytes: bytes, signature: bytes, error: Refusal
) -> None:
    """Refuse (bad-signature) unless `signature` is the key's over PAE(payload type, manifest)."""
    try:
        Ed25519PublicKey.from_public_bytes(signing_public).verify(signature, pae(payload_type, manifest_bytes))
    except InvalidSignature:
        raise error("bad-signature", detail="Ed25519 verification failed") from None
