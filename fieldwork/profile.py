"""Who is using this data folder: the profile's person id and name, kept in the store.

Until a profile is set (on the app's welcome page, by `fieldwork keys init` or the app's keys
page), the operating system's login name stands in, so a newcomer can try the app at once. The
person id can still change until keys are made (they carry it from then on); each change moves
what was recorded under the previous id to the new one (docs/decisions/0023).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path

from fieldwork.errors import StoreError
from fieldwork.paths import STORE_FILENAME
from fieldwork.store import Store, open_store
from fieldwork.store.person_records import MovedRecords, move_person_records


@dataclass(frozen=True)
class Profile:
    person_id: str
    name: str
    is_set: bool


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and services
        return "inspector"


def read_profile(store: Store) -> Profile:
    person_id = store.meta("profile.person_id")
    if person_id:
        return Profile(person_id, store.meta("profile.name") or person_id, True)
    login = login_name()
    return Profile(login, login, False)


def set_profile(store: Store, person_id: str, name: str) -> Profile:
    store.set_meta("profile.person_id", person_id)
    store.set_meta("profile.name", name)
    store.actor = person_id
    return Profile(person_id, name, True)


def name_profile(store: Store, person_id: str, name: str, *, source: str = "profile") -> MovedRecords:
    """Give the profile its person id and name; what was recorded under the id acting until now
    (the login name, or an id chosen earlier) moves to it, with change-log entries, all in one
    transaction. Refused once keys exist: they carry the person id (rotation keeps it).
    """
    from fieldwork.identity.errors import IdentityError
    from fieldwork.identity.keys import keys_exist
    from fieldwork.identity.public import check_name, check_person_id

    person_id, name = check_person_id(person_id.strip()), check_name(name)
    current = read_profile(store)
    if keys_exist(store.path.parent) and current.is_set and person_id != current.person_id:
        raise IdentityError(
            f"This data folder's keys are made for {current.person_id}, so its person id stays {current.person_id}; "
            "another person uses another data folder.",
            code="profile-mismatch",
        )
    acting = store.actor
    try:
        with store.transaction():
            moved = move_person_records(store, current.person_id, person_id, source=source)
            set_profile(store, person_id, name)
    except BaseException:
        store.actor = acting  # nothing was recorded: still acting as before
        raise
    return moved


def login_work(store: Store) -> tuple[str, list[str]] | None:
    """(login name, inspections) when the profile is set and this computer's login name still
    created or answered in inspections here: work made before the profile had its person id, in a
    store whose keys came before decision 0023. None when there is none."""
    from fieldwork.store.person_records import inspections_acted_in_by

    profile, login = read_profile(store), login_name()
    if not profile.is_set or login == profile.person_id:
        return None
    inspections = inspections_acted_in_by(store, login)
    return (login, inspections) if inspections else None


def claim_records(store: Store, from_id: str) -> MovedRecords:
    """Make what was recorded here under `from_id` (this computer's login name, in a store named
    before decision 0023) the profile's: the person says it was theirs. Refused without a profile."""
    from fieldwork.identity.errors import IdentityError

    profile = read_profile(store)
    if not profile.is_set:
        raise IdentityError(
            "This data folder has no profile yet; make your keys ('fieldwork keys init'), which carries "
            "over what the login name recorded.",
            code="no-profile",
        )
    from_id = from_id.strip()
    if from_id == profile.person_id:
        raise IdentityError(f"{from_id} is already this profile's person id; nothing to carry over.", code="same-id")
    colleague = store.conn.execute("SELECT name FROM trusted_keys WHERE person_id = ? LIMIT 1", [from_id]).fetchone()
    if colleague is not None:
        raise IdentityError(
            f"{from_id} is {colleague[0]}, a colleague in your trust list: their work is not yours to take over; "
            "nothing was changed.",
            code="colleague-id",
        )
    moved = move_person_records(store, from_id, profile.person_id, source="claim")
    if not moved.total:
        raise IdentityError(f"Nothing here is recorded under {from_id}; nothing was changed.", code="nothing-recorded")
    return moved


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
