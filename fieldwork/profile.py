"""Who is using this data folder: the profile's person id and name, kept in the store.

Until a profile is set (by `fieldwork keys init` or the app's Profile page), the operating
system's login name stands in, so a newcomer can try the app at once.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path

from fieldwork.errors import StoreError
from fieldwork.paths import STORE_FILENAME
from fieldwork.store import Store, open_store


@dataclass(frozen=True)
class Profile:
    person_id: str
    name: str
    is_set: bool


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and services
        return "inspector"


def read_profile(store: Store) -> Profile:
    person_id = store.meta("profile.person_id")
    if person_id:
        return Profile(person_id, store.meta("profile.name") or person_id, True)
    login = _login_name()
    return Profile(login, login, False)


def set_profile(store: Store, person_id: str, name: str) -> Profile:
    store.set_meta("profile.person_id", person_id)
    store.set_meta("profile.name", name)
    store.actor = person_id
    return Profile(person_id, name, True)


def open_profile_store(data_dir: Path, *, create: bool = True) -> Store:
    """Open the data folder's store acting as its profile.

    create=False (commands that only read): a folder without a store is refused, and nothing is
    created; a mistyped --data-dir must not leave new folders and an empty store behind."""
    if not create and not (Path(data_dir) / STORE_FILENAME).exists():
        raise StoreError(
            f"There is no fieldwork store in {data_dir}; check --data-dir (or FIELDWORK_DATA_DIR). This command only "
            "reads, so it created nothing; the app, 'fieldwork keys init' or a command that records something makes "
            "the store."
        )
    store = open_store(data_dir, create=create)
    store.actor = read_profile(store).person_id
    return store
