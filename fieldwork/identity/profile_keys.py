"""Creating this data folder's keys: one person id from the first run (docs/decisions/0023).

The person id is fixed in the profile before the key files are written, in the same transaction
that moves whatever the login-name stand-in recorded so far (store/person_records.py). So:
- a lead who created an inspection before making keys is still its lead afterwards;
- the practice cases are the person's, and export;
- a crash between the two steps leaves the profile named and no keys, and making keys again
  uses that same person id (it is the profile's, and key creation refuses any other).
Everything that can refuse (name, person id, passphrase, suite, existing keys) is checked
before anything is written.
"""

from __future__ import annotations

import os

from fieldwork.identity import suites
from fieldwork.identity.errors import IdentityError
from fieldwork.identity.keys import (
    UnlockedIdentity,
    ScryptParams,
    check_passphrase,
    create_keys,
    identity_path,
    keys_exist,
)
from fieldwork.identity.public import check_name, check_person_id
from fieldwork.profile import Profile, read_profile, set_profile
from fieldwork.store.db import Store
from fieldwork.store.person_records import MovedRecords, move_person_records


def profile_mismatch(profile: Profile, person_id: str) -> IdentityError:
    return IdentityError(
        f"This data folder's profile is {profile.person_id}, not {person_id}; make the keys for "
        f"{profile.person_id}, or use another folder with --data-dir for another person.",
        code="profile-mismatch",
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
    """Set the profile to `person_id`, move the stand-in's records to it, then create the keys.

    Returns the new identity and what was moved (nothing when the profile was already set).
    """
    data_dir = data_dir if data_dir is not None else store.path.parent
    name, person_id = check_name(name), check_person_id(person_id.strip() if isinstance(person_id, str) else person_id)
    profile = read_profile(store)
    if profile.is_set and profile.person_id != person_id:
        raise profile_mismatch(profile, person_id)
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
    suites.suite_info(suite)
    # The profile first: from this commit on, everything here is recorded as `person_id`.
    acting = store.actor
    try:
        with store.transaction():
            moved = MovedRecords(person_id, person_id)
            if not profile.is_set:
                moved = move_person_records(store, profile.person_id, person_id)
                store.set_meta("profile.named_from", profile.person_id)  # the stand-in the old records were under
            set_profile(store, person_id, name)
    except BaseException:
        store.actor = acting  # nothing was recorded: still acting as before
        raise
    identity = create_keys(
        data_dir, name=name, person_id=person_id, passphrase=passphrase, use_keyring=use_keyring,
        suite=suite, scrypt=scrypt,
    )
    return identity, moved
