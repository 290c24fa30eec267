"""This profile's own keys: create them, keep the private parts encrypted, unlock them to use.

Files in DATA_DIR/keys/ (folder 0700), in the format of keyfile.py:
- identity.json: the public identity (see public.py), safe to hand to anyone.
- private.json (0600): the private keys, encrypted under a passphrase and/or an OS keyring
  secret, with any decryption-only keys (earlier keys of this profile, a restored recovery key).
- retired/<key id>/: an earlier identity's files after `fieldwork keys rotate` (rotate.py).
- recovery/<key id>.json: the public identity of a restored recovery key (recovery.py).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldwork.durable_files import atomic_write
from fieldwork.identity import keyfile, suites
from fieldwork.identity.errors import IdentityError
from fieldwork.identity.keyfile import PRIVATE_TYPE, PRIVATE_VERSION, ScryptParams
from fieldwork.identity.public import PublicIdentity, check_name, check_person_id
from fieldwork.identity.unlocked import DecryptionKey, UnlockedIdentity
from fieldwork.store.db import timestamp, utc_now

__all__ = [
    "DEFAULT_SCRYPT", "PRIVATE_TYPE", "PRIVATE_VERSION", "DecryptionKey", "ScryptParams", "UnlockedIdentity",
    "check_passphrase", "create_keys", "export_identity", "generate_identity", "identity_path", "keys_dir",
    "keys_exist", "private_path", "read_public_identity", "store_private_keys", "unlock_keys", "unlock_methods",
]

KEYS_DIRNAME = "keys"
IDENTITY_FILENAME = keyfile.IDENTITY_FILENAME
PRIVATE_FILENAME = keyfile.PRIVATE_FILENAME
MIN_PASSPHRASE_LENGTH = 8

# N = 2**17, r = 8, p = 1: 128 MiB and about half a second, the OWASP recommendation for scrypt.
# Tests pass a cheap ScryptParams (or patch this) explicitly; the cost is stored per key file.
DEFAULT_SCRYPT = ScryptParams()

# How to put the profile's own identity.json right: the file exported for the lead is a copy.
_OWN_IDENTITY_ADVICE = (
    "put back an unchanged copy: the identity file you exported for your lead with 'fieldwork keys export' "
    "is one (copy it to keys/identity.json)"
)


def keys_dir(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / KEYS_DIRNAME


def identity_path(data_dir: str | os.PathLike) -> Path:
    return keys_dir(data_dir) / IDENTITY_FILENAME


def private_path(data_dir: str | os.PathLike) -> Path:
    return keys_dir(data_dir) / PRIVATE_FILENAME


def keys_exist(data_dir: str | os.PathLike) -> bool:
    keyfile.settle_pending(keys_dir(data_dir))
    return keyfile.folder_has_keys(keys_dir(data_dir))


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
    decryption_keys: tuple[DecryptionKey, ...] = (),
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
    return UnlockedIdentity(public, signing_seed, encryption_private, decryption_keys)


def _refuse_existing(data_dir: str | os.PathLike) -> None:
    if keys_exist(data_dir):
        raise IdentityError(
            f"This data folder already has keys ({identity_path(data_dir)}); use them, or choose "
            "another folder with --data-dir.",
            code="keys-exist",
        )


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
    _refuse_existing(data_dir)
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
    keyfile.write_keys(
        keys_dir(data_dir), identity, passphrase=passphrase, use_keyring=use_keyring, scrypt=scrypt or DEFAULT_SCRYPT
    )


# --- reading and unlocking ----------------------------------------------------------------


def _no_keys() -> IdentityError:
    return IdentityError(
        "This data folder has no keys yet; create them with 'fieldwork keys init' (or on the app's Keys page).",
        code="no-keys",
    )


def read_public_identity(data_dir: str | os.PathLike) -> PublicIdentity:
    """This profile's public identity; IdentityError(no-keys) before `fieldwork keys init`."""
    if not keys_exist(data_dir):
        raise _no_keys()
    return keyfile.read_identity(keys_dir(data_dir), source="This profile's identity file", advice=_OWN_IDENTITY_ADVICE)


def unlock_methods(data_dir: str | os.PathLike) -> list[str]:
    """How this profile's keys can be unlocked: 'keyring' and/or 'passphrase'."""
    return keyfile.unlock_methods(keys_dir(data_dir), read_public_identity(data_dir))


def unlock_keys(data_dir: str | os.PathLike, passphrase: str | None = None) -> UnlockedIdentity:
    """Decrypt this profile's private keys: with the OS keyring secret if there is one and it
    works, else with `passphrase`. Raises IdentityError: no-keys, passphrase-needed,
    keyring-unavailable, wrong-passphrase, damaged-keys, invalid-identity or unsupported-version.
    Every field of the key files is checked before any passphrase work; nothing is written.
    """
    return keyfile.open_private(keys_dir(data_dir), read_public_identity(data_dir), passphrase)[0]


def export_identity(data_dir: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Write this profile's public identity file to `out` (safe to share)."""
    public = read_public_identity(data_dir)
    out = Path(out)
    if not out.parent.is_dir():  # a clear refusal, not an OSError from the temporary file
        raise IdentityError(f"The folder {out.parent} does not exist; choose another place.", code="no-folder")
    try:
        return atomic_write(out, public.to_bytes(), mode=0o644)
    except OSError as error:
        raise IdentityError(
            f"Your identity file could not be written to {out} ({error.strerror or error}); choose another place.",
            code="write-failed",
        ) from None
