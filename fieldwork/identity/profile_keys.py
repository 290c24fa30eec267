"""Creating this data folder's keys: one person id from the first run (docs/decisions/0023).

The profile gets its person id before the key files are written, in the same transaction that
moves whatever was recorded under the id acting until then (the login-name stand-in, or an id
chosen on the welcome page) to it (store/person_records.py). So:
- a lead who created an inspection before making keys is still its lead afterwards;
- the practice cases are the person's, and export;
- a crash between the two steps leaves the profile named and no keys; making keys again
  offers that same person id.
Everything that can refuse (name, person id, passphrase, suite, existing keys) is checked
before anything is written. Once keys exist the person id is fixed: the keys carry it.
"""

from __future__ import annotations

import os

from fieldwork.identity import suites
from fieldwork.identity.errors import IdentityError
from fieldwork.identity.keys import (
    ScryptParams,
    UnlockedIdentity,
    check_passphrase,
    create_keys,
    identity_path,
    keys_exist,
)
from fieldwork.identity.public import check_name, check_person_id
from fieldwork.profile import Profile, name_profile, read_profile
from fieldwork.store.db import Store
from fieldwork.store.person_records import MovedRecords


def profile_mismatch(profile: Profile, person_id: str) -> IdentityError:
    return IdentityError(
        f"This data folder's profile is {profile.person_id}, not {person_id}, and its keys are made for "
        f"{profile.person_id}; use another folder with --data-dir for another person.",
        code="profile-mismatch",
    )


def refuse_existing_keys(store: Store, person_id: str, data_dir: str | os.PathLike) -> None:
    """Keys exist: refuse, saying whose they are when another person id was asked for."""
    if not keys_exist(data_dir):
        return
    profile = read_profile(store)
    if profile.is_set and profile.person_id != person_id:
        raise profile_mismatch(profile, person_id)
    raise IdentityError(
        f"This data folder already has keys ({identity_path(data_dir)}); see them with 'fieldwork keys show' "
        "(or Profile → Your identity and keys in the app).",
        code="keys-exist",
    )


def create_profile_keys(
    store: Store,
    *,
    name: str,
    person_id: str,
    passphrase: str | None,
    use_keyring: bool = False,
    suite: str = suites.DEFAULT_SUITE,
    scrypt: ScryptParams | None = None,
    data_dir: str | os.PathLike | None = None,
) -> tuple[UnlockedIdentity, MovedRecords]:
    """Name the profile `person_id` (moving the records of the id acting until now), then create
    the keys. Returns the new identity and what was moved (nothing when the id is unchanged)."""
    data_dir = data_dir if data_dir is not None else store.path.parent
    name = check_name(name)
    person_id = check_person_id(person_id.strip() if isinstance(person_id, str) else person_id)
    refuse_existing_keys(store, person_id, data_dir)
    if passphrase is None and not use_keyring:
        raise IdentityError("A passphrase is needed to protect the private keys.", code="passphrase-needed")
    if passphrase is not None:
        check_passphrase(passphrase)
    suites.suite_info(suite)
    # The profile first: from this commit on, everything here is recorded as `person_id`.
    moved = name_profile(store, person_id, name, source="keys")
    identity = create_keys(
        data_dir, name=name, person_id=person_id, passphrase=passphrase, use_keyring=use_keyring,
        suite=suite, scrypt=scrypt,
    )
    return identity, moved
