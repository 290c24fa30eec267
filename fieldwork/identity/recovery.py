"""The organisation's recovery key: made once, kept offline, restored when a lead loses their keys.

A recovery key is an ordinary identity (keyfile.py format) in a folder of its own — on a USB
stick in a safe, say — protected by its own passphrase. Inspectors encrypt bundles to it as
well as to their lead (`bundle export --recovery DIR/identity.json`). When a lead's laptop is
lost, the lead's new data folder gets the recovery key as a decryption-only key
(`restore_recovery_key`): bundles already sent to the old laptop open there, under the lead's
own passphrase. It never signs anything. `forget_recovery_key` removes it again once the
bundles are merged. The drill, step by step: docs/recovery-drill.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from fieldwork.durable_files import atomic_write
from fieldwork.identity import keyfile, keys, suites
from fieldwork.identity.errors import IdentityError
from fieldwork.identity.keys import check_passphrase, generate_identity, keys_dir, read_public_identity
from fieldwork.identity.public import PublicIdentity, identity_from_bytes
from fieldwork.identity.unlocked import DecryptionKey, UnlockedIdentity

RECOVERY_DIRNAME = "recovery"  # in DATA_DIR/keys: public copies of restored recovery keys, for display
_RECOVERY_IDENTITY_ADVICE = (
    "put back the recovery key's identity file: inspectors and leads hold copies of it (the file they "
    "pass to --recovery)"
)


def recovery_copies_dir(data_dir: str | os.PathLike) -> Path:
    return keys_dir(data_dir) / RECOVERY_DIRNAME


def create_recovery_keys(
    folder: str | os.PathLike,
    *,
    name: str,
    person_id: str,
    passphrase: str,
    suite: str = suites.DEFAULT_SUITE,
    scrypt: keyfile.ScryptParams | None = None,
) -> UnlockedIdentity:
    """Make a recovery key pair in `folder` (identity.json to hand out, private.json to lock away)."""
    folder = Path(folder)
    if keyfile.folder_has_keys(folder):
        raise IdentityError(
            f"{folder} already holds keys; choose an empty folder for a new recovery key.", code="keys-exist"
        )
    check_passphrase(passphrase)
    identity = generate_identity(name, person_id, suite=suite)
    keyfile.write_keys(folder, identity, passphrase=passphrase, use_keyring=False, scrypt=scrypt or keys.DEFAULT_SCRYPT)
    return identity


def read_recovery_identity(folder: str | os.PathLike) -> PublicIdentity:
    folder = Path(folder)
    if not keyfile.folder_has_keys(folder):
        raise IdentityError(
            f"{folder} holds no recovery key (identity.json and private.json); choose the folder made by "
            "'fieldwork keys recovery init'.",
            code="no-keys",
        )
    return keyfile.read_identity(folder, source="The recovery key's identity file", advice=_RECOVERY_IDENTITY_ADVICE)


def unlock_recovery_keys(folder: str | os.PathLike, passphrase: str | None) -> UnlockedIdentity:
    """The recovery key, unlocked with its own passphrase."""
    try:
        return keyfile.open_private(Path(folder), read_recovery_identity(folder), passphrase)[0]
    except IdentityError as error:
        if error.code in ("wrong-passphrase", "passphrase-needed"):
            raise IdentityError(
                f"The recovery key's passphrase is {'wrong' if error.code == 'wrong-passphrase' else 'needed'}: "
                "it is the one chosen when the recovery key was made (kept with it, not your own); try again.",
                code=error.code,
            ) from None
        raise


def restore_recovery_key(
    data_dir: str | os.PathLike, folder: str | os.PathLike, *, recovery_passphrase: str | None, passphrase: str | None
) -> tuple[DecryptionKey, bool]:
    """Let this profile's keys open what was encrypted to the recovery key in `folder`.

    Returns (the key, whether it was added now). The recovery key goes, encrypted, into this
    profile's private.json; its passphrase and keyring unlocking stay as they were. Refuses
    before changing anything when either passphrase is wrong.
    """
    recovery = unlock_recovery_keys(folder, recovery_passphrase)
    own_folder = keys_dir(data_dir)
    public = read_public_identity(data_dir)
    unlocked, data_key, private = keyfile.open_private(own_folder, public, passphrase)
    if recovery.key_id == unlocked.key_id:
        raise IdentityError(
            "That folder holds this profile's own keys, not a recovery key; choose the recovery key's folder.",
            code="invalid-value",
        )
    existing = next((k for k in unlocked.decryption_keys if k.key_id == recovery.key_id), None)
    if existing is not None:
        return existing, False
    key = DecryptionKey(recovery.public, recovery._encryption_private, "recovery")
    keyfile.rewrite_secrets(
        private, data_key,
        UnlockedIdentity(public, unlocked._signing.private_bytes_raw(), unlocked._encryption_private,
                         (*unlocked.decryption_keys, key)),
    )
    copies = keyfile.prepare_folder(recovery_copies_dir(data_dir))
    atomic_write(copies / f"{recovery.key_id}.json", recovery.public.to_bytes(), mode=0o644)
    return key, True


def forget_recovery_key(data_dir: str | os.PathLike, key_id: str, *, passphrase: str | None) -> DecryptionKey:
    """Remove a restored recovery key from this profile's keys (after the drill)."""
    own_folder = keys_dir(data_dir)
    public = read_public_identity(data_dir)
    unlocked, data_key, private = keyfile.open_private(own_folder, public, passphrase)
    wanted = key_id.strip().lower()
    matches = [k for k in unlocked.decryption_keys if k.kind == "recovery" and len(wanted) >= 8
               and k.key_id.startswith(wanted)]
    if len(matches) != 1:
        raise IdentityError(
            f"This profile has no restored recovery key with id '{key_id}'; see 'fieldwork keys show'.",
            code="not-found",
        )
    [key] = matches
    kept = tuple(k for k in unlocked.decryption_keys if k.key_id != key.key_id)
    keyfile.rewrite_secrets(
        private, data_key,
        UnlockedIdentity(public, unlocked._signing.private_bytes_raw(), unlocked._encryption_private, kept),
    )
    copy = recovery_copies_dir(data_dir) / f"{key.key_id}.json"
    if copy.exists():
        copy.unlink()
    return key


def restored_recovery_identities(data_dir: str | os.PathLike) -> list[PublicIdentity]:
    """Public copies of the recovery keys restored here (for display; the keys are in private.json)."""
    folder = recovery_copies_dir(data_dir)
    found = []
    for entry in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            found.append(identity_from_bytes(entry.read_bytes(), source=f"The recovery key copy {entry}"))
        except (IdentityError, OSError):
            continue
    return found
