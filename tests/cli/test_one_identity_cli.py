"""One identity from the first run on the command line (issue 20 §2, docs/decisions/0023).

The same two orders as tests/gui/test_one_identity.py: `inspection create` and `inspection demo`
before `keys init`, and after it. Either way the inspections are led by the person id, and the
practice inspection's bundle is signed by that person and carries its twelve cases.
"""

from __future__ import annotations

import pytest
from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
    cli_json,
)

from fieldwork.cli import EXIT_OK
from fieldwork.demo import DEMO_FRAMEWORK_ID
from fieldwork.profile import open_profile_store
from fieldwork.store.changelog import case_history

LOGIN = "jlaptop"
PERSON = "jlead"


@pytest.fixture(autouse=True)
def login_name(monkeypatch):
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, LOGIN)


def create_inspections(capsys, data) -> str:
    code, made = cli_json(
        capsys, "inspection", "create", "--framework", DEMO_FRAMEWORK_ID, "--provider", "Northshire Test CRC",
        "--id", "NTC-2026-11", "--data-dir", data,
    )
    assert code == EXIT_OK, made
    code, practice = cli_json(capsys, "inspection", "demo", "--data-dir", data)
    assert code == EXIT_OK and practice["cases"] == 12
    return practice["id"]


def keys_init(capsys, data) -> dict:
    code, info = cli_json(capsys, "keys", "init", "--name", "Jo Lead", "--id", PERSON, "--data-dir", data)
    assert code == EXIT_OK, info
    return info


def check_led_and_exported(capsys, data, practice_id, tmp_path) -> None:
    own = tmp_path / "own.fwid.json"
    assert cli(capsys, "keys", "export", "--out", own, "--data-dir", data)[0] == EXIT_OK
    bundle = tmp_path / "practice.fwbundle"
    code, exported = cli_json(
        capsys, "bundle", "export", "--inspection", practice_id, "--to", own, "--out", bundle, "--data-dir", data
    )
    assert code == EXIT_OK, exported
    assert exported["record_counts"]["case"] == 12 and exported["record_counts"]["answer"] > 0
    # In practice the person is their own lead: they trust their own key to read the bundle back.
    assert cli(capsys, "trust", "add", own, "--inspections", practice_id, "--data-dir", data)[0] == EXIT_OK
    code, verified = cli_json(capsys, "bundle", "verify", bundle, "--data-dir", data)
    assert code == EXIT_OK, verified
    assert verified["signer"]["person_id"] == PERSON and verified["record_counts"]["case"] == 12
    code, listed = cli_json(capsys, "inspection", "list", "--data-dir", data)
    assert code == EXIT_OK
    assert {row["id"]: row["lead_id"] for row in listed} == {"NTC-2026-11": PERSON, practice_id: PERSON}


def test_inspection_first_then_keys_init(capsys, tmp_path):
    data = tmp_path / "data"
    practice_id = create_inspections(capsys, data)
    with open_profile_store(data) as store:  # the login name stands in until keys exist
        assert {row[0] for row in store.db.execute("SELECT lead_id FROM inspections")} == {LOGIN}

    info = keys_init(capsys, data)
    check_led_and_exported(capsys, data, practice_id, tmp_path)
    moved = info["moved_records"]
    assert moved["from"] == LOGIN and moved["records"] > 0
    assert sorted(moved["inspections"]) == sorted(["NTC-2026-11", practice_id])
    with open_profile_store(data) as store:
        case_id = store.db.execute("SELECT id FROM cases WHERE inspection_id = ? LIMIT 1", [practice_id]).fetchone()[0]
        entries = [(e.actor, e.old, e.new, e.source) for e in case_history(store, case_id)
                   if e.field == "profile_person_id"]
        assert entries == [(PERSON, LOGIN, PERSON, "keys")]


def test_inspection_first_then_keys_init_says_what_moved(capsys, tmp_path):
    data = tmp_path / "data"
    create_inspections(capsys, data)
    code, out, err = cli(capsys, "keys", "init", "--name", "Jo Lead", "--id", PERSON, "--data-dir", data)
    assert code == EXIT_OK, err
    assert f"What was recorded here under {LOGIN} is now {PERSON}'s" in out and "2 inspections" in out


def test_keys_init_first_then_inspection(capsys, tmp_path):
    data = tmp_path / "data"
    info = keys_init(capsys, data)
    practice_id = create_inspections(capsys, data)
    check_led_and_exported(capsys, data, practice_id, tmp_path)
    assert info["moved_records"] is None
    with open_profile_store(data) as store:
        assert not store.db.execute("SELECT 1 FROM change_log WHERE field = 'profile_person_id'").fetchall()


def test_keys_claim_puts_right_a_store_left_by_the_old_order(capsys, tmp_path):
    """Keys and profile made the old way (the login name's work left behind): `keys claim` moves it."""
    from fieldwork.identity import create_keys
    from fieldwork.identity.keys import ScryptParams
    from fieldwork.profile import set_profile

    data = tmp_path / "data"
    practice_id = create_inspections(capsys, data)
    create_keys(data, name="Jo Lead", person_id=PERSON, passphrase="long enough one", scrypt=ScryptParams(log2_n=10))
    with open_profile_store(data) as store:
        set_profile(store, PERSON, "Jo Lead")
    code, claimed = cli_json(capsys, "keys", "claim", "--data-dir", data)
    assert code == EXIT_OK, claimed
    assert claimed["from"] == LOGIN and claimed["to"] == PERSON
    assert sorted(claimed["inspections"]) == sorted(["NTC-2026-11", practice_id])
    code, listed = cli_json(capsys, "inspection", "list", "--data-dir", data)
    assert {row["lead_id"] for row in listed} == {PERSON}
    code, again = cli_json(capsys, "keys", "claim", "--data-dir", data)
    assert code != EXIT_OK and again["error"]["code"] == "nothing-recorded"


def test_keys_claim_refuses_a_colleagues_id_and_a_folder_without_a_profile(capsys, tmp_path):
    data = tmp_path / "data"
    create_inspections(capsys, data)
    code, refused = cli_json(capsys, "keys", "claim", "--data-dir", data)
    assert code != EXIT_OK and refused["error"]["code"] == "no-profile"
    assert keys_init(capsys, data)["moved_records"]["from"] == LOGIN
    colleague = tmp_path / "sam"
    assert cli(capsys, "keys", "init", "--name", "Sam Reader", "--id", "sam", "--data-dir", colleague)[0] == EXIT_OK
    assert cli(capsys, "keys", "export", "--out", tmp_path / "sam.json", "--data-dir", colleague)[0] == EXIT_OK
    assert cli(capsys, "trust", "add", tmp_path / "sam.json", "--data-dir", data)[0] == EXIT_OK
    code, refused = cli_json(capsys, "keys", "claim", "--from", "sam", "--data-dir", data)
    assert code != EXIT_OK and refused["error"]["code"] == "colleague-id"
    assert "Sam Reader" in refused["error"]["message"]
