"""docs/recovery-drill.md, run as written: every `fieldwork` command of the page, in order.

Each code block of the page follows a `<!-- drill: WHO -->` comment naming whose computer it runs
on; the test gives each of them a data folder (FIELDWORK_DATA_DIR) and a shared desk (the working
folder) where files change hands. The words the page asks the reader to fill in (a key id, a
fingerprint) are filled in from what the earlier steps printed. What the page says in prose
(handing a file over) is done between the blocks.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
from pathlib import Path

import pytest
from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
    cli_json,
)
from helpers.teams import INSPECTION, export_bundle, make_team

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, run
from fieldwork.identity import read_identity_file
from fieldwork.store import open_store
from fieldwork.store.assessments import find_case

DRILL = Path(__file__).resolve().parents[2] / "docs" / "recovery-drill.md"
BLOCK = re.compile(r"<!-- drill: (?P<who>[a-z-]+) -->\s*```sh\n(?P<body>.*?)```", re.S)
RECOVERY_PASSPHRASE = "sealed envelope in the safe"


def drill_steps() -> list[tuple[str, list[str]]]:
    """(who, [command, ...]) for each block of the page, in order."""
    steps = []
    for match in BLOCK.finditer(DRILL.read_text(encoding="utf-8")):
        commands = [line.strip() for line in match["body"].splitlines() if line.strip()]
        assert all(c.startswith("fieldwork ") for c in commands), commands
        steps.append((match["who"], commands))
    return steps


def test_the_page_has_the_steps_the_drill_needs():
    commands = [c for _, block in drill_steps() for c in block]
    for needed in ("keys recovery init", "--recovery", "trust revoke", "keys init", "keys recovery restore",
                   "trust add", "inspection create", "merge ann-2", "keys recovery forget", "allocation export",
                   "allocation import"):
        assert any(needed in c for c in commands), needed


@pytest.fixture
def world(tmp_path, capsys, mini_path, monkeypatch):
    """Lee led insp-2026 on the laptop now lost; ann has her pack, an answer, and bundle 1 merged
    there (encrypted to lee alone, so it is gone with the laptop)."""
    team = make_team(tmp_path / "before", capsys, mini_path)
    team.answer("ann", "CRN001", "yes", "Plan seen.")
    first = export_bundle(capsys, team, "ann", "ann-1")
    assert cli_json(capsys, "merge", first["path"], "--data-dir", team.lead)[0] == EXIT_OK
    desk = tmp_path / "desk"
    desk.mkdir()
    shutil.copy(team.identity_file("ann"), desk / "ann.json")
    folders = {"officer": tmp_path / "officer", "ann": team.folders["ann"], "lee-new": tmp_path / "lee-new"}
    (folders["lee-new"] / "frameworks").mkdir(parents=True)  # the shipped framework, in real use
    shutil.copy(mini_path, folders["lee-new"] / "frameworks" / "mini.toml")
    monkeypatch.setenv("FIELDWORK_RECOVERY_PASSPHRASE", RECOVERY_PASSPHRASE)
    monkeypatch.chdir(desk)
    return team, folders, desk, tmp_path / "usb"


def _fill(command: str, values: dict, usb: Path) -> list[str]:
    command = command.replace("/media/usb", str(usb)).replace("insp-2026", INSPECTION)
    command = command.replace("hmip-adult-2018-crc", "test-mini")  # the test's framework
    for word, value in values.items():
        if word in command:
            command = command.replace(word, value())
    return shlex.split(command)[1:]


def test_the_drill_as_written(world, capsys, monkeypatch):
    team, folders, desk, usb = world
    old_lead_key = cli_json(capsys, "keys", "show", "--data-dir", team.lead)[1]["key_id"]
    values = {
        "OLD_LEAD_KEY_ID": lambda: old_lead_key,
        "RECOVERY_KEY_ID": lambda: read_identity_file(usb / "hmip-recovery" / "identity.json").key_id[:8],
        "NEW_LEAD_FINGERPRINT": lambda: cli_json(capsys, "keys", "show", "--data-dir", folders["lee-new"])[1][
            "fingerprint"
        ],
    }
    shutil.rmtree(team.lead)  # the laptop is lost: its keys and its database with it
    for who, commands in drill_steps():
        monkeypatch.setenv("FIELDWORK_DATA_DIR", str(folders[who]))
        for command in commands:
            argv = _fill(command, values, usb)
            code = run(argv)
            out, err = capsys.readouterr()
            assert code == EXIT_OK, (who, command, out, err)
        if who == "officer":  # "give a copy, named hmip-recovery.json, to every lead and inspector"
            shutil.copy(usb / "hmip-recovery" / "identity.json", desk / "hmip-recovery.json")

    new_lead = folders["lee-new"]
    # Both of ann's bundles since the recovery key merged on the new laptop, with her answers.
    monkeypatch.setenv("FIELDWORK_DATA_DIR", str(new_lead))
    with open_store(new_lead) as store:
        case = find_case(store, INSPECTION, "CRN001")
        imports = store.db.execute("SELECT sequence FROM merge_imports ORDER BY sequence").fetchall()
        answer = store.db.execute(
            "SELECT value, note FROM answers WHERE case_id = ? AND question_id = '2.1.1'", [case.id]
        ).fetchone()
    assert [row[0] for row in imports] == [2, 3] and tuple(answer) == ("yes", "Plan seen.")
    # The recovery key is forgotten again: keys show no longer lists it.
    assert cli_json(capsys, "keys", "show", "--data-dir", new_lead)[1]["recovery_keys"] == []
    # ann: the lost key is revoked; the new lead is pinned.
    trust = {k["key_id"]: k for k in cli_json(capsys, "trust", "list", "--data-dir", folders["ann"])[1]}
    assert trust[old_lead_key]["revoked_after_sequence"] == 0
    new_key = cli_json(capsys, "keys", "show", "--data-dir", new_lead)[1]["key_id"]
    assert trust[new_key]["inspections"] == [INSPECTION]


def test_without_the_recovery_key_the_new_laptop_cannot_open_what_was_sent(world, capsys, monkeypatch):
    """The point of step 5: a fresh lead data folder alone opens nothing sent to the old laptop."""
    team, folders, desk, usb = world
    new_lead = folders["lee-new"]
    assert cli(capsys, "keys", "recovery", "init", "--out", usb / "rk", "--name", "Recovery", "--id", "rk")[0] == 0
    bundle = export_bundle(capsys, team, "ann", "ann-2", "--recovery", usb / "rk" / "identity.json")
    assert cli(capsys, "keys", "init", "--name", "Lee Lead", "--id", "lee", "--data-dir", new_lead)[0] == EXIT_OK
    assert cli(capsys, "trust", "add", desk / "ann.json", "--data-dir", new_lead)[0] == EXIT_OK
    code, error = cli_json(capsys, "bundle", "verify", bundle["path"], "--data-dir", new_lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "not-encrypted-for-you"
    # A wrong recovery passphrase restores nothing.
    monkeypatch.setenv("FIELDWORK_RECOVERY_PASSPHRASE", "not the one in the envelope")
    before = (new_lead / "keys" / "private.json").read_bytes()
    code, error = cli_json(capsys, "keys", "recovery", "restore", usb / "rk", "--data-dir", new_lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "wrong-passphrase"
    assert "recovery key" in error["error"]["message"]
    assert (new_lead / "keys" / "private.json").read_bytes() == before
    monkeypatch.setenv("FIELDWORK_RECOVERY_PASSPHRASE", RECOVERY_PASSPHRASE)
    code, restored = cli_json(capsys, "keys", "recovery", "restore", usb / "rk", "--data-dir", new_lead)
    assert code == EXIT_OK and restored["added"]
    code, again = cli_json(capsys, "keys", "recovery", "restore", usb / "rk", "--data-dir", new_lead)
    assert code == EXIT_OK and not again["added"]
    code, verified = cli_json(capsys, "bundle", "verify", bundle["path"], "--data-dir", new_lead)
    assert code == EXIT_OK and verified["sequence"] == 2
    code, forgotten = cli_json(capsys, "keys", "recovery", "forget", restored["key_id"], "--data-dir", new_lead)
    assert code == EXIT_OK and forgotten["forgotten"]
    code, error = cli_json(capsys, "bundle", "verify", bundle["path"], "--data-dir", new_lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "not-encrypted-for-you"
    code, error = cli_json(capsys, "keys", "recovery", "forget", restored["key_id"], "--data-dir", new_lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "not-found"


def test_recovery_init_refuses_a_folder_with_keys_and_a_weak_passphrase(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FIELDWORK_RECOVERY_PASSPHRASE", RECOVERY_PASSPHRASE)
    assert cli(capsys, "keys", "recovery", "init", "--out", tmp_path / "rk", "--name", "R", "--id", "r")[0] == 0
    code, error = cli_json(capsys, "keys", "recovery", "init", "--out", tmp_path / "rk", "--name", "R", "--id", "r")
    assert code == EXIT_REFUSED and error["error"]["code"] == "keys-exist"
    monkeypatch.setenv("FIELDWORK_RECOVERY_PASSPHRASE", "short")
    code, error = cli_json(capsys, "keys", "recovery", "init", "--out", tmp_path / "r2", "--name", "R", "--id", "r")
    assert code == EXIT_REFUSED and error["error"]["code"] == "weak-passphrase"
    assert not (tmp_path / "r2" / "private.json").exists()
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "rk" / "private.json").stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "rk").stat().st_mode) == 0o700
