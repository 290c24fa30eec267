"""HPKE (RFC 9180) suites for encryption keys: names, registry ids, key bytes, wrap and unwrap.

Two suites, both with HKDF-SHA256 and ChaCha20-Poly1305 (fast and constant-time without AES
hardware):
- "x25519": DHKEM(X25519, HKDF-SHA256), KEM id 0x0020, the default.
- "mlkem768-x25519": the ML-KEM-768 + X25519 hybrid (X-Wing), KEM id 0x647A, for protection
  against later decryption by a quantum computer.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.hpke import (
    AEAD,
    KDF,
    KEM,
    MLKEM768X25519PrivateKey,
    MLKEM768X25519PublicKey,
    Suite,
)

DEFAULT_SUITE = "x25519"
KDF_HKDF_SHA256 = 0x0001
AEAD_CHACHA20_POLY1305 = 0x0003

_X25519_BYTES = 32
_MLKEM768_PUBLIC_BYTES = 1184
_MLKEM768_SEED_BYTES = 64


@dataclass(frozen=True)
class SuiteInfo:
    """One supported suite: its name in files, its RFC 9180 ids and the sizes of its keys."""

    name: str
    kem_id: int
    kdf_id: int
    aead_id: int
    public_key_bytes: int
    private_key_bytes: int
    hpke: Suite


SUITES: dict[str, SuiteInfo] = {
    "x25519": SuiteInfo(
        "x25519", 0x0020, KDF_HKDF_SHA256, AEAD_CHACHA20_POLY1305, _X25519_BYTES, _X25519_BYTES,
        Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305),
    ),
    # Public key: ML-KEM-768 encapsulation key (1184 bytes) || X25519 public key (32 bytes),
    # the X-Wing order. Private key (local files only): ML-KEM seed (64) || X25519 secret (32).
    "mlkem768-x25519": SuiteInfo(
        "mlkem768-x25519", 0x647A, KDF_HKDF_SHA256, AEAD_CHACHA20_POLY1305,
        _MLKEM768_PUBLIC_BYTES + _X25519_BYTES, _MLKEM768_SEED_BYTES + _X25519_BYTES,
        Suite(KEM.MLKEM768_X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305),
    ),
}


def suite_info(name: str) -> SuiteInfo:
    try:
        return SUITES[name]
    except KeyError:
        raise ValueError(f"unknown encryption suite {name!r}") from None


def suite_by_ids(kem_id: int, kdf_id: int, aead_id: int) -> SuiteInfo | None:
    return next(
        (s for s in SUITES.values() if (s.kem_id, s.kdf_id, s.aead_id) == (kem_id, kdf_id, aead_id)),
        None,
    )


def generate_private_key(suite: str) -> bytes:
    """Fresh private key bytes for `suite`, in the local private-key encoding."""
    info = suite_info(suite)
    if info.name == "x25519":
        return x25519.X25519PrivateKey.generate().private_bytes_raw()
    return mlkem.MLKEM768PrivateKey.generate().private_bytes_raw() + (
        x25519.X25519PrivateKey.generate().private_bytes_raw()
    )


def _private_key(suite: str, private: bytes):
    info = suite_info(suite)
    if len(private) != info.private_key_bytes:
        raise ValueError(f"a {suite} private key has {info.private_key_bytes} bytes")
    if info.name == "x25519":
        return x25519.X25519PrivateKey.from_private_bytes(private)
    seed, classic = private[:_MLKEM768_SEED_BYTES], private[_MLKEM768_SEED_BYTES:]
    return MLKEM768X25519PrivateKey(
        mlkem.MLKEM768PrivateKey.from_seed_bytes(seed),
        x25519.X25519PrivateKey.from_private_bytes(classic),
    )


def public_key_bytes(suite: str, private: bytes) -> bytes:
    """The public key, in the encoding published in identity files, for a private key."""
    info = suite_info(suite)
    if len(private) != info.private_key_bytes:
        raise ValueError(f"a {suite} private key has {info.private_key_bytes} bytes")
    if info.name == "x25519":
        return x25519.X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()
    seed, classic = private[:_MLKEM768_SEED_BYTES], private[_MLKEM768_SEED_BYTES:]
    return (
        mlkem.MLKEM768PrivateKey.from_seed_bytes(seed).public_key().public_bytes_raw()
        + x25519.X25519PrivateKey.from_private_bytes(classic).public_key().public_bytes_raw()
    )


def _public_key(suite: str, public: bytes):
    info = suite_info(suite)
    if len(public) != info.public_key_bytes:
        raise ValueError(f"a {suite} public key has {info.public_key_bytes} bytes")
    if info.name == "x25519":
        return x25519.X25519PublicKey.from_public_bytes(public)
    encaps, classic = public[:_MLKEM768_PUBLIC_BYTES], public[_MLKEM768_PUBLIC_BYTES:]
    return MLKEM768X25519PublicKey(
        mlkem.MLKEM768PublicKey.from_public_bytes(encaps),
        x25519.X25519PublicKey.from_public_bytes(classic),
    )


def check_public_key(suite: str, public: bytes) -> None:
    """Raise ValueError unless `public` is a usable public key of `suite`.

    Parsing accepts any 32 bytes as an X25519 key, including the few low-order points that no
    one can encrypt to; one trial key agreement refuses those here, when an identity file is
    read, rather than as a crash at the first export to it.
    """
    _public_key(suite, public)
    classic = public[-_X25519_BYTES:]  # the X25519 key, alone or last in the hybrid (X-Wing order)
    try:
        x25519.X25519PrivateKey.generate().exchange(x25519.X25519PublicKey.from_public_bytes(classic))
    except ValueError:
        raise ValueError(f"the {suite} public key is a weak (low-order) key") from None


def seal(suite: str, public: bytes, plaintext: bytes, info: bytes) -> bytes:
    """HPKE base-mode single-shot seal: returns enc || ciphertext (RFC 9180 section 6.1)."""
    return suite_info(suite).hpke.encrypt(plaintext, _public_key(suite, public), info=info)


def open_sealed(suite: str, private: bytes, sealed: bytes, info: bytes) -> bytes:
    """Inverse of `seal`; raises ValueError when the ciphertext is not for this key or altered."""
    try:
        return suite_info(suite).hpke.decrypt(sealed, _private_key(suite, private), info=info)
    except ValueError:
        raise
    except Exception as exc:  # cryptography raises InvalidTag and friends
        raise ValueError("HPKE decryption failed") from exc
