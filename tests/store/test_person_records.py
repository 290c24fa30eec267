"""Moving the records of the id acting so far to the profile's person id (docs/decisions/0023).

The end-to-end orders are in tests/gui/test_one_identity.py and tests/cli/test_one_identity_cli.py;
these check the move itself: which columns, which rows, all or nothing, and when it is refused.
"""

from __future__ import annotations

import re

import pytest
from helpers.keyrings import no_os_keyring

from fieldwork.errors import FieldworkError
from fieldwork.identity import keys_exist
from fieldwork.identity.keys import ScryptParams
from fieldwork.identity.profile_keys import create_profile_keys
from fieldwork.profile import name_profile, open_profile_store, read_profile
from fieldwork.store.assessments import set_answer
from fieldwork.store.changelog import case_history
from fieldwork.store.inspections import add_case, create_inspection, get_inspection
from fieldwork.store.person_records import KEPT_COLUMNS, MOVED_COLUMNS

CHEAP = ScryptParams(log2_n=10)
LOGIN = "jlaptop"
# A column naming a person, by the schema's naming rules (who did it, or whose it is).
_PERSON_COLUMN = re.compile(r"(_by|^actor|^author|^lead_id|^inspector_id|^person_id|^lead_person_id|^allocated_to)$")


@pytest.fixture(autouse=True)
def login_name(monkeypatch):
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, LOGIN)
    with no_os_keyring():
        yield


@pytest.fixture
def standin_store(tmp_path, mini_framework):
    """A store with no profile: an inspection the login name leads, a case it reads and answered,
    and a case allocated to a colleague, sam."""
    store = open_profile_store(tmp_path / "data")
    inspection = create_inspection(
        store, inspection_id="T1", provider="Test CRC", provider_type="CRC", framework=mini_framework,
        lead_id=store.actor,
    )
    mine = add_case(store, inspection, "C001", inspector_id=store.actor, details={"ldu": "North"})
    set_answer(store, mine.id, "2.1.1", value="yes", note="Good.")
    theirs = add_case(store, inspection, "C002", inspector_id="sam")
    yield store, mine, theirs
    store.close()


def person_columns(store) -> set[tuple[str, str]]:
    tables = [row[0] for row in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {
        (table, column[1])
        for table in tables
        for column in store.db.execute(f"PRAGMA table_info({table})").fetchall()
        if _PERSON_COLUMN.search(column[1])
    }


def test_every_person_column_of_the_schema_is_either_moved_or_kept_for_a_reason(standin_store):
    store, _, _ = standin_store
    moved = {(table, column) for table, column, _ in MOVED_COLUMNS}
    assert not moved & set(KEPT_COLUMNS)
    assert person_columns(store) == moved | set(KEPT_COLUMNS)


def test_the_move_takes_what_the_stand_in_did_and_leaves_a_colleagues_case_alone(standin_store):
    store, mine, theirs = standin_store
    moved = name_profile(store, "jlead", "Jo Lead")
    assert moved.old == LOGIN and moved.new == "jlead" and moved.inspections == ["T1"] and moved.cases == [mine.id]
    assert get_inspection(store, "T1").lead_id == "jlead"
    rows = dict(store.db.execute("SELECT case_ref, inspector_id FROM cases").fetchall())
    assert rows == {"C001": "jlead", "C002": "sam"}
    authors = store.db.execute("SELECT updated_by FROM answers UNION SELECT updated_by FROM case_details").fetchall()
    assert {row[0] for row in authors} == {"jlead"}
    # History is append-only: earlier entries keep the name they were made under; the move's own
    # entry, made by the new id, says which name became which id.
    history = case_history(store, mine.id)
    assert history[0].actor == LOGIN
    assert [(e.actor, e.target, e.old, e.new) for e in history if e.field == "profile_person_id"] == [
        ("jlead", "case", LOGIN, "jlead")
    ]
    assert not [e for e in case_history(store, theirs.id) if e.field == "profile_person_id"]
    assert read_profile(store).person_id == "jlead" and store.actor == "jlead"


def test_versions_a_bundle_brought_keep_their_author(standin_store):
    """The lead's own edits move; what a colleague's signed bundle carried is theirs, whatever the id."""
    store, mine, _ = standin_store
    with store.transaction() as db:
        for origin, bundle in (("local", None), ("bundle", "b-1")):
            db.execute(
                "INSERT INTO merge_versions (kind, case_id, key, value, note, revision, author, updated_at, digest, "
                "origin, bundle_id) VALUES ('answer', ?, '2.1.1', 'yes', '', 1, ?, ?, 'd', ?, ?)",
                [mine.id, LOGIN, f"2026-11-0{1 if origin == 'local' else 2}T09:00:00.000Z", origin, bundle],
            )
    name_profile(store, "jlead", "Jo Lead")
    authors = dict(store.db.execute("SELECT origin, author FROM merge_versions").fetchall())
    assert authors == {"local": "jlead", "bundle": LOGIN}


def test_a_move_that_fails_midway_changes_nothing(standin_store, monkeypatch):
    store, mine, _ = standin_store
    import fieldwork.profile as profile_module

    def broken(*args, **kwargs):
        raise FieldworkError("the disk is full")

    monkeypatch.setattr(profile_module, "set_profile", broken)
    with pytest.raises(FieldworkError):
        name_profile(store, "jlead", "Jo Lead")
    assert get_inspection(store, "T1").lead_id == LOGIN and store.actor == LOGIN
    assert not read_profile(store).is_set
    assert not store.db.execute("SELECT 1 FROM change_log WHERE field = 'profile_person_id'").fetchall()


def test_keys_refused_before_anything_is_written(standin_store):
    store, _, _ = standin_store
    with pytest.raises(FieldworkError, match="too short"):
        create_profile_keys(store, name="Jo Lead", person_id="jlead", passphrase="short", scrypt=CHEAP)
    with pytest.raises(FieldworkError, match="not a usable person id"):
        create_profile_keys(store, name="Jo Lead", person_id="Jo Lead", passphrase="long enough one", scrypt=CHEAP)
    assert not keys_exist(store.path.parent) and not read_profile(store).is_set
    assert get_inspection(store, "T1").lead_id == LOGIN


def test_once_keys_exist_the_person_id_is_fixed(standin_store):
    store, _, _ = standin_store
    identity, moved = create_profile_keys(
        store, name="Jo Lead", person_id="jlead", passphrase="long enough one", scrypt=CHEAP
    )
    assert identity.person_id == "jlead" and moved.total > 0
    with pytest.raises(FieldworkError, match="keys are made for jlead"):
        name_profile(store, "someone", "Some One")
    with pytest.raises(FieldworkError, match="already has keys"):
        create_profile_keys(store, name="Jo Lead", person_id="jlead", passphrase="long enough one", scrypt=CHEAP)
    assert get_inspection(store, "T1").lead_id == "jlead"



def test_the_offer_to_claim_login_work_needs_work_done_here_not_just_an_allocation(tmp_path, mini_framework):
    """A case allocated to a person id that happens to be the login name is no sign the work is
    this person's: only what the login name created or answered here is offered."""
    from fieldwork.profile import login_work, set_profile

    with open_profile_store(tmp_path / "data") as store:
        set_profile(store, "jlead", "Jo Lead")
        inspection = create_inspection(
            store, inspection_id="T1", provider="Test CRC", provider_type="CRC", framework=mini_framework,
            lead_id="jlead",
        )
        add_case(store, inspection, "C001", inspector_id=LOGIN)  # a colleague whose id is this login name
        assert login_work(store) is None
        store.actor = LOGIN  # as before the profile was named
        case = add_case(store, inspection, "C002")
        set_answer(store, case.id, "2.1.1", value="yes", note="Good.")
        assert login_work(store) == (LOGIN, ["T1"])
