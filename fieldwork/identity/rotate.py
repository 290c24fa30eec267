"""Rotate this profile's keys: a new identity for the same person, and a statement for the others.

`rotate_keys` (docs/decisions/0014-key-rotation.md):
1. unlocks the current keys and makes a new identity (same person id; the same name and suite
   unless asked otherwise), whose private.json also keeps the old encryption key as a
   decryption-only key, so packs (or, for a lead, bundles) on their way to the old key still
   open with the new passphrase; the old key never signs again;
2. writes the rotation statement (rotation.py), signed by the old and the new key, with the last
   sequence number the old key used in each inspection (bundles and packs it signed);
3. copies the old key files, unchanged and still encrypted under the old passphrase, to
   keys/retired/<old key id>/ with the statement beside them;
4. writes the statement file the user asked for to a temp file beside it, and only once that is
   durable puts the new keys in place (keyfile.replace_keys: crash-safe) and renames the
   statement into place.
Nothing changes when a step before 4 is refused, nor when the statement cannot be written (a
read-only or full USB stick).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fieldwork.durable_files import atomic_write
from fieldwork.identity import keyfile, keys
from fieldwork.identity.errors import IdentityError
from fieldwork.identity.keys import check_passphrase, generate_identity, keys_dir, unlock_keys
from fieldwork.identity.public import PublicIdentity
from fieldwork.identity.rotation import FILE_SUFFIX, RotationStatement, make_statement
from fieldwork.identity.unlocked import DecryptionKey
from fieldwork.store.db import Store

RETIRED_DIRNAME = "retired"
STATEMENT_FILENAME = "rotation" + FILE_SUFFIX


@dataclass(frozen=True)
class RotationResult:
    """What a rotation made: the statement file, both identities and where the old keys went."""

    path: Path
    statement: RotationStatement
    retired_folder: Path

    @property
    def old(self) -> PublicIdentity:
        return self.statement.old

    @property
    def new(self) -> PublicIdentity:
        return self.statement.new

    def summary(self) -> dict:
        return {**self.statement.summary(), "path": str(self.path), "retired_folder": str(self.retired_folder)}


def retired_dir(data_dir: str | os.PathLike) -> Path:
    return keys_dir(data_dir) / RETIRED_DIRNAME


def last_sequences(store: Store, key_id: str) -> dict[str, int]:
    """Per inspection, the highest sequence number `key_id` signed: bundles and, for a lead, packs."""
    found: dict[str, int] = {}
    queries = (
        "SELECT inspection_id, MAX(sequence) FROM bundle_exports WHERE signer_key_id = ? GROUP BY inspection_id",
        "SELECT inspection_id, MAX(sequence) FROM allocation_pack_exports WHERE lead_key_id = ? GROUP BY inspection_id",
    )
    for sql in queries:
        for inspection_id, sequence in store.db.execute(sql, [key_id]):
            found[inspection_id] = max(sequence, found.get(inspection_id, 0))
    return found


def statement_filename(person_id: str, old_key_id: str, new_key_id: str) -> str:
    """A name for people: ids only."""
    return f"{person_id}_{old_key_id[:8]}-to-{new_key_id[:8]}{FILE_SUFFIX}"


def _target(out: str | os.PathLike, name: str, overwrite: bool) -> Path:
    out = Path(out)
    final = out / name if out.is_dir() else out
    if not final.parent.is_dir():
        raise IdentityError(f"The folder {final.parent} does not exist; choose another place.", code="no-folder")
    if final.exists() and not overwrite:
        raise IdentityError(f"{final} already exists; choose another name or folder.", code="file-exists")
    return final


def _check_writable(folder: Path) -> None:
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise IdentityError(
            f"The statement cannot be written to {folder} ({exc.strerror}); choose a folder you can write to. "
            "Your keys were not changed.",
            code="no-folder",
        ) from None


def rotate_keys(
    data_dir: str | os.PathLike,
    store: Store,
    out: str | os.PathLike,
    *,
    passphrase: str | None,
    new_passphrase: str,
    name: str | None = None,
    suite: str | None = None,
    use_keyring: bool = False,
    overwrite: bool = False,
) -> RotationResult:
    """Replace this profile's keys with new ones and write the rotation statement to `out` (a
    file, or a folder to name it in). `passphrase` unlocks the current keys (None: the keyring);
    `new_passphrase` protects the new ones. Refuses (changing nothing) a weak new passphrase, keys
    that do not unlock, keys of another person than the profile's, or an existing `out`.
    """
    check_passphrase(new_passphrase)
    if not Path(out).is_dir():
        _target(out, "", overwrite)  # a file named by the user: refuse before any passphrase work
    old = unlock_keys(data_dir, passphrase)
    profile_id = store.meta("profile.person_id")
    if profile_id and profile_id != old.person_id:
        raise IdentityError(
            f"These keys belong to {old.person_id}, but this data folder's profile is {profile_id}; rotate the "
            "keys in their own data folder.",
            code="wrong-keys",
        )
    folder = keys_dir(data_dir)
    had_keyring = "keyring" in keyfile.unlock_methods(folder, old.public)
    retired = (*old.decryption_keys, DecryptionKey(old.public, old._encryption_private, "retired"))
    new = generate_identity(
        name if name is not None else old.name, old.person_id, suite=suite or old.public.encryption_suite,
        created_at=store.now(), decryption_keys=retired,
    )
    final = _target(out, statement_filename(old.person_id, old.key_id, new.key_id), overwrite)
    _check_writable(final.parent)  # before the keys change: never new keys with no statement to hand over
    data, statement = make_statement(
        old, new, effective_at=new.public.created_at, last_sequences=last_sequences(store, old.key_id)
    )
    document = keyfile.private_document(
        new, passphrase=new_passphrase, use_keyring=use_keyring or had_keyring, scrypt=keys.DEFAULT_SCRYPT
    )
    aside = retired_dir(data_dir) / old.key_id

    def install_new_keys() -> None:
        # Runs once the statement is durable in its temp file beside `final`, before it is renamed
        # into place: a stick that refuses the write refuses it before the keys change.
        # The old files go aside first, byte for byte: until the new private.json is in place the
        # old keys are still the profile's, and afterwards nothing of them is lost.
        keyfile.prepare_folder(retired_dir(data_dir))
        keyfile.prepare_folder(aside)
        atomic_write(keyfile.identity_file(aside), keyfile.identity_file(folder).read_bytes(), mode=0o644)
        atomic_write(keyfile.private_file(aside), keyfile.private_file(folder).read_bytes(), mode=0o600)
        atomic_write(aside / STATEMENT_FILENAME, data, mode=0o644)
        keyfile.replace_keys(folder, new, document)
        installed.append(True)

    installed: list[bool] = []
    try:
        atomic_write(final, data, mode=0o644, before_replace=install_new_keys)
    except OSError as exc:
        if not installed:
            raise IdentityError(
                f"The statement cannot be written to {final} ({exc.strerror}); choose a place you can write to. "
                "Your keys were not changed.",
                code="no-folder",
            ) from None
        # The keys changed and only the last rename failed: the statement is kept with the old keys.
        raise IdentityError(
            f"Your keys were replaced, but the statement could not be put at {final} ({exc.strerror}); a copy is "
            f"in {aside / STATEMENT_FILENAME}: give that file to your lead.",
            code="statement-not-written",
        ) from None
    if new.name != old.name and profile_id:
        store.set_meta("profile.name", new.name)
    return RotationResult(final, statement, aside)


def retired_identities(data_dir: str | os.PathLike) -> list[PublicIdentity]:
    """The earlier identities of this profile (keys/retired/*), oldest first; unreadable ones skipped."""
    found = []
    folder = retired_dir(data_dir)
    for entry in sorted(folder.iterdir()) if folder.is_dir() else ():
        try:
            found.append(keyfile.read_identity(entry, source="A retired identity file", advice="ignore it"))
        except (IdentityError, OSError):
            continue
    return sorted(found, key=lambda identity: (identity.created_at, identity.key_id))
