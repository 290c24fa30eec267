"""This profile's own keys: create them, keep the private parts encrypted, unlock them to use.

Files in DATA_DIR/keys/ (folder 0700):
- identity.json: the public identity (see public.py), safe to hand to anyone.
- private.json (0600): the Ed25519 signing key and the HPKE private key, encrypted with
  ChaCha20-Poly1305 under a random data key. The data key is wrapped once per unlock method:
  under a key derived from the passphrase with scrypt, and/or under a random secret kept in the
  OS keyring. Every parameter is bound into the AEAD associated data, so a tampered file fails
  to unlock rather than being weakened.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from fieldwork.identity import keyring_secret, suites
from fieldwork.identity.encoding import (
    EncodingError,
    b64decode,
    b64encode,
    canonical_json,
    parse_strict_json,
)
from fieldwork.identity.errors import IdentityError
from fieldwork.identity.files import atomic_write, remove_stale_partials
from fieldwork.identity.public import (
    PublicIdentity,
    check_name,
    check_person_id,
    identity_from_bytes,
)
from fieldwork.store.db import timestamp, utc_now

KEYS_DIRNAME = "keys"
IDENTITY_FILENAME = "identity.json"
PRIVATE_FILENAME = "private.json"
PRIVATE_TYPE = "fieldwork-private-keys"
PRIVATE_VERSION = 1
MIN_PASSPHRASE_LENGTH = 8
_MAX_PRIVATE_FILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost: N = 2**log2_n, block size r, parallelism p; memory is 128 * r * N bytes."""

    log2_n: int = 17
    r: int = 8
    p: int = 1

    def check(self) -> None:
        # Bounds also protect unlock from a key file that asks for absurd memory or time.
        memory = 128 * self.r * (1 << self.log2_n) if isinstance(self.log2_n, int) else 0
        if not (
            isinstance(self.log2_n, int) and isinstance(self.r, int) and isinstance(self.p, int)
            and 10 <= self.log2_n <= 22 and 1 <= self.r <= 32 and 1 <= self.p <= 16
            and memory <= 1 << 30
        ):
            raise ValueError("scrypt parameters out of range")


# N = 2**17, r = 8, p = 1: 128 MiB and about half a second, the OWASP recommendation for scrypt.
# Tests pass a cheap ScryptParams (or patch this) explicitly; the cost is stored per key file.
DEFAULT_SCRYPT = ScryptParams()


def keys_dir(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / KEYS_DIRNAME


def identity_path(data_dir: str | os.PathLike) -> Path:
    return keys_dir(data_dir) / IDENTITY_FILENAME


def private_path(data_dir: str | os.PathLike) -> Path:
    return keys_dir(data_dir) / PRIVATE_FILENAME


def keys_exist(data_dir: str | os.PathLike) -> bool:
    return private_path(data_dir).is_file() and identity_path(data_dir).is_file()


class UnlockedIdentity:
    """This profile's identity with its private keys in memory: can sign and decrypt."""

    def __init__(self, public: PublicIdentity, signing_seed: bytes, encryption_private: bytes):
        self.public = public
        self._signing = Ed25519PrivateKey.from_private_bytes(signing_seed)
        self._encryption_private = encryption_private

    @property
    def key_id(self) -> str:
        return self.public.key_id

    @property
    def person_id(self) -> str:
        return self.public.person_id

    @property
    def name(self) -> str:
        return self.public.name

    def sign(self, message: bytes) -> bytes:
        return self._signing.sign(message)

    def open_sealed(self, sealed: bytes, info: bytes) -> bytes:
        """HPKE-open something sealed to this identity's encryption key (ValueError if not)."""
        return suites.open_sealed(self.public.encryption_suite, self._encryption_private, sealed, info)

    def __repr__(self) -> str:  # never show key material
        return f"UnlockedIdentity({self.public.person_id!r}, key {self.public.key_id})"


# --- creating ---------------------------------------------------------------------------


def check_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise IdentityError(
            f"The passphrase is too short; use at least {MIN_PASSPHRASE_LENGTH} characters "
            "(a few unrelated words is easy to remember).",
            code="weak-passphrase",
        )
    return passphrase


def generate_identity(
    name: str,
    person_id: str,
    *,
    suite: str = suites.DEFAULT_SUITE,
    created_at: str | None = None,
    signing_seed: bytes | None = None,
    encryption_private: bytes | None = None,
) -> UnlockedIdentity:
    """A new identity in memory (fresh random keys unless given, e.g. for golden test data)."""
    name, person_id = check_name(name), check_person_id(person_id)
    suites.suite_info(suite)
    signing_seed = signing_seed or secrets.token_bytes(32)
    encryption_private = encryption_private or suites.generate_private_key(suite)
    signing = Ed25519PrivateKey.from_private_bytes(signing_seed)
    unsigned = PublicIdentity(
        name=name,
        person_id=person_id,
        signing_public=signing.public_key().public_bytes_raw(),
        encryption_suite=suite,
        encryption_public=suites.public_key_bytes(suite, encryption_private),
        created_at=created_at or timestamp(utc_now()),
    )
    public = PublicIdentity(**{**unsigned.__dict__, "self_signature": signing.sign(unsigned.signed_bytes())})
    return UnlockedIdentity(public, signing_seed, encryption_private)


def create_keys(
    data_dir: str | os.PathLike,
    *,
    name: str,
    person_id: str,
    passphrase: str | None,
    use_keyring: bool = False,
    suite: str = suites.DEFAULT_SUITE,
    scrypt: ScryptParams | None = None,
) -> UnlockedIdentity:
    """Create this profile's keys in DATA_DIR/keys; refuses if they already exist.

    With `use_keyring`, a random secret in the OS keyring unlocks the keys as well; when no
    keyring works, the passphrase alone is used (check `unlock_methods` afterwards).
    """
    if keys_exist(data_dir):
        raise IdentityError(
            f"This data folder already has keys ({identity_path(data_dir)}); use them, or choose "
            "another folder with --data-dir.",
            code="keys-exist",
        )
    if passphrase is None and not use_keyring:
        raise IdentityError("A passphrase is needed to protect the private keys.", code="passphrase-needed")
    if passphrase is not None:
        check_passphrase(passphrase)
    identity = generate_identity(name, person_id, suite=suite)
    store_private_keys(data_dir, identity, passphrase=passphrase, use_keyring=use_keyring, scrypt=scrypt)
    return identity


def store_private_keys(
    data_dir: str | os.PathLike,
    identity: UnlockedIdentity,
    *,
    passphrase: str | None,
    use_keyring: bool = False,
    scrypt: ScryptParams | None = None,
) -> None:
    """Write identity.json and the encrypted private.json for an identity held in memory."""
    folder = keys_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(folder, 0o700)
    remove_stale_partials(folder)
    data_key = secrets.token_bytes(32)
    slots = []
    if use_keyring:
        secret = secrets.token_bytes(32)
        username = keyring_secret.username_for(identity.key_id)
        if keyring_secret.store_secret(username, secret):
            slot = {"method": "keyring", "service": keyring_secret.SERVICE, "username": username}
            slots.append(_wrap(slot, secret, data_key, identity.key_id))
        elif passphrase is None:
            raise IdentityError(
                "No working keyring was found on this computer; set a passphrase instead.",
                code="keyring-unavailable",
            )
    if passphrase is not None:
        params = scrypt or DEFAULT_SCRYPT
        params.check()
        salt = secrets.token_bytes(16)
        slot = {"method": "scrypt", "salt": b64encode(salt), "log2_n": params.log2_n, "r": params.r, "p": params.p}
        slots.append(_wrap(slot, _scrypt_key(passphrase, salt, params), data_key, identity.key_id))
    header = _private_header(identity.key_id, identity.public.encryption_suite)
    nonce = secrets.token_bytes(12)
    plaintext = canonical_json(
        {
            "signing_seed": b64encode(identity._signing.private_bytes_raw()),
            "encryption_private": b64encode(identity._encryption_private),
        }
    )
    document = {
        **header,
        "nonce": b64encode(nonce),
        "ciphertext": b64encode(ChaCha20Poly1305(data_key).encrypt(nonce, plaintext, canonical_json(header))),
        "unlock": slots,
    }
    # Public part first: private.json appearing is what marks the keys as complete.
    atomic_write(identity_path(data_dir), identity.public.to_bytes(), mode=0o644)
    atomic_write(private_path(data_dir), canonical_json(document) + b"\n", mode=0o600)


def _private_header(key_id: str, suite: str) -> dict:
    return {"type": PRIVATE_TYPE, "version": PRIVATE_VERSION, "key_id": key_id, "encryption_suite": suite}


def _scrypt_key(passphrase: str, salt: bytes, params: ScryptParams) -> bytes:
    return Scrypt(salt=salt, length=32, n=1 << params.log2_n, r=params.r, p=params.p).derive(
        passphrase.encode("utf-8")
    )


def _slot_aad(slot: dict, key_id: str) -> bytes:
    parameters = {k: v for k, v in slot.items() if k not in ("nonce", "wrapped_key")}
    return canonical_json({"key_id": key_id, "slot": parameters})


def _wrap(slot: dict, wrapping_key: bytes, data_key: bytes, key_id: str) -> dict:
    nonce = secrets.token_bytes(12)
    wrapped = ChaCha20Poly1305(wrapping_key).encrypt(nonce, data_key, _slot_aad(slot, key_id))
    return {**slot, "nonce": b64encode(nonce), "wrapped_key": b64encode(wrapped)}


def _unwrap(slot: dict, wrapping_key: bytes, key_id: str) -> bytes | None:
    try:
        nonce = b64decode(slot["nonce"], length=12)
        wrapped = b64decode(slot["wrapped_key"], length=48)
        return ChaCha20Poly1305(wrapping_key).decrypt(nonce, wrapped, _slot_aad(slot, key_id))
    except (InvalidTag, EncodingError, KeyError):
        return None


# --- reading and unlocking ----------------------------------------------------------------


def read_public_identity(data_dir: str | os.PathLike) -> PublicIdentity:
    """This profile's public identity; IdentityError(no-keys) before `fieldwork keys init`."""
    path = identity_path(data_dir)
    if not keys_exist(data_dir):
        raise IdentityError(
            "This data folder has no keys yet; create them with 'fieldwork keys init' "
            "(or on the app's Keys page).",
            code="no-keys",
        )
    return identity_from_bytes(path.read_bytes(), source=f"This profile's identity file {path}")


def _damaged(why: str) -> IdentityError:
    return IdentityError(
        f"The private key file cannot be read ({why}); restore it from a backup or create new "
        "keys in a new data folder and send the lead your new identity.",
        code="damaged-keys",
    )


def _read_private_document(data_dir: str | os.PathLike, public: PublicIdentity) -> dict:
    path = private_path(data_dir)
    data = path.read_bytes()
    if len(data) > _MAX_PRIVATE_FILE_BYTES:
        raise _damaged("it is far too large")
    try:
        document = parse_strict_json(data)
    except EncodingError as exc:
        raise _damaged(str(exc)) from None
    if not isinstance(document, dict) or set(document) != {
        "type", "version", "key_id", "encryption_suite", "nonce", "ciphertext", "unlock"
    }:
        raise _damaged("unexpected fields")
    if document["type"] != PRIVATE_TYPE or document["version"] != PRIVATE_VERSION:
        raise _damaged("not a fieldwork private key file of a version this app reads")
    if document["key_id"] != public.key_id or document["encryption_suite"] != public.encryption_suite:
        raise _damaged("it does not belong to identity.json")
    if not isinstance(document["unlock"], list) or not all(isinstance(s, dict) for s in document["unlock"]):
        raise _damaged("no unlock methods")
    return document


def unlock_methods(data_dir: str | os.PathLike) -> list[str]:
    """How this profile's keys can be unlocked: 'keyring' and/or 'passphrase'."""
    public = read_public_identity(data_dir)
    document = _read_private_document(data_dir, public)
    names = {"keyring": "keyring", "scrypt": "passphrase"}
    return [names[s.get("method")] for s in document["unlock"] if s.get("method") in names]


def unlock_keys(data_dir: str | os.PathLike, passphrase: str | None = None) -> UnlockedIdentity:
    """Decrypt this profile's private keys: with the OS keyring secret if there is one and it
    works, else with `passphrase`. Raises IdentityError: no-keys, passphrase-needed,
    wrong-passphrase or damaged-keys.
    """
    public = read_public_identity(data_dir)
    document = _read_private_document(data_dir, public)
    data_key = None
    for slot in document["unlock"]:
        if slot.get("method") == "keyring" and isinstance(slot.get("username"), str):
            secret = keyring_secret.load_secret(slot["username"])
            if secret is not None and len(secret) == 32:
                data_key = _unwrap(slot, secret, public.key_id)
                if data_key:
                    break
    has_passphrase_slot = any(s.get("method") == "scrypt" for s in document["unlock"])
    if data_key is None and passphrase is None:
        raise IdentityError(
            "Your passphrase is needed to unlock your keys." if has_passphrase_slot
            else "Your keys are kept in this computer's keyring, which cannot be reached now; "
            "unlock the keyring (log in again) and retry.",
            code="passphrase-needed" if has_passphrase_slot else "keyring-unavailable",
        )
    if data_key is None:
        for slot in document["unlock"]:
            if slot.get("method") != "scrypt":
                continue
            try:
                params = ScryptParams(slot["log2_n"], slot["r"], slot["p"])
                params.check()
                salt = b64decode(slot["salt"], length=16)
            except (KeyError, ValueError, EncodingError, TypeError):
                raise _damaged("bad passphrase parameters") from None
            data_key = _unwrap(slot, _scrypt_key(passphrase, salt, params), public.key_id)
            if data_key:
                break
    if data_key is None:
        raise IdentityError(
            "The passphrase is not the one these keys were saved with; try again.",
            code="wrong-passphrase",
        )
    header = _private_header(public.key_id, public.encryption_suite)
    try:
        plaintext = ChaCha20Poly1305(data_key).decrypt(
            b64decode(document["nonce"], length=12),
            b64decode(document["ciphertext"]),
            canonical_json(header),
        )
        secrets_doc = parse_strict_json(plaintext)
        seed = b64decode(secrets_doc["signing_seed"], length=32)
        encryption_private = b64decode(
            secrets_doc["encryption_private"],
            length=suites.suite_info(public.encryption_suite).private_key_bytes,
        )
    except (InvalidTag, EncodingError, KeyError, TypeError):
        raise _damaged("it has been altered") from None
    unlocked = UnlockedIdentity(public, seed, encryption_private)
    if (
        unlocked._signing.public_key().public_bytes_raw() != public.signing_public
        or suites.public_key_bytes(public.encryption_suite, encryption_private) != public.encryption_public
    ):
        raise _damaged("its keys do not match identity.json")
    return unlocked


def export_identity(data_dir: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Write this profile's public identity file to `out` (safe to share)."""
    public = read_public_identity(data_dir)
    return atomic_write(Path(out), public.to_bytes(), mode=0o644)

