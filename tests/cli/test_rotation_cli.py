"""Key rotation on the command line, end to end (issue 7 item 6, docs/decisions/0014-key-rotation.md).

An inspector rotates: `keys rotate`, the lead's `trust rotate`, then bundles from both keys,
merges, gaps, a late bundle from the old key, and packs still sent to the old key. A lead
rotates: the inspector's `trust rotate` re-pins the lead, packs from the new key open, bundles
go to the new key, and bundles still on their way to the old key open with the retired key.
"""

from __future__ import annotations

import shutil

import pytest
from helpers.cli import (
    PASSPHRASE,
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
    cli_json,
)
from helpers.teams import INSPECTION, export_bundle, key_id, make_team

from fieldwork.cli import EXIT_OK, EXIT_REFUSED
from fieldwork.identity.rotation import read_statement_file

NEW_PASSPHRASE = "staple orbit lantern"


@pytest.fixture
def team(tmp_path, capsys, mini_path):
    return make_team(tmp_path, capsys, mini_path)


def rotate(capsys, monkeypatch, folder, out, *extra) -> dict:
    monkeypatch.setenv("FIELDWORK_NEW_PASSPHRASE", NEW_PASSPHRASE)
    code, result = cli_json(capsys, "keys", "rotate", "--out", out, *extra, "--data-dir", folder)
    assert code == EXIT_OK, result
    return result


def test_an_inspector_rotates_and_the_lead_accepts(team, capsys, monkeypatch, tmp_path):
    lead, ann = team.lead, team.folders["ann"]
    team.answer("ann", "CRN001", "yes", "first")
    old_1 = export_bundle(capsys, team, "ann", "old-1")
    team.answer("ann", "CRN001", "no", "second")
    old_2 = export_bundle(capsys, team, "ann", "old-2")
    assert cli_json(capsys, "merge", old_1["path"], "--data-dir", lead)[0] == EXIT_OK
    # A pack the lead sends before hearing of the rotation is encrypted to ann's old key.
    late_pack = tmp_path / "ann-2.fwpack"
    assert cli(capsys, "allocation", "export", "--inspection", INSPECTION, "--inspector", "ann", "--out", late_pack,
               "--data-dir", lead)[0] == EXIT_OK

    old_key = key_id(capsys, ann)
    result = rotate(capsys, monkeypatch, ann, tmp_path)
    assert result["old"]["key_id"] == old_key and result["old_key_last_sequences"] == {INSPECTION: 2}
    statement = result["path"]
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", NEW_PASSPHRASE)  # ann's keys now unlock with the new one
    code, out, err = cli(capsys, "keys", "rotate", "--out", statement, "--data-dir", ann)
    assert code == EXIT_REFUSED and "already exists" in err and out == ""  # never over a statement
    code, shown = cli_json(capsys, "keys", "show", "--data-dir", ann)
    assert shown["key_id"] == result["new"]["key_id"] and [k["key_id"] for k in shown["retired_keys"]] == [old_key]
    code, out, _ = cli(capsys, "keys", "show", "--data-dir", ann)
    assert f"Retired key:  {old_key}" in out

    # The pack sent to the old key still opens; ann's new key starts again at bundle number 1.
    code, opened = cli_json(capsys, "allocation", "import", late_pack, "--data-dir", ann)
    assert code == EXIT_OK, opened
    team.answer("ann", "CRN002", "yes", "with the new key")
    new_1 = export_bundle(capsys, team, "ann", "new-1")
    assert new_1["sequence"] == 1 and new_1["signer_key_id"] == result["new"]["key_id"]

    # The lead: before accepting the statement the new key is unknown; after, both merge.
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", PASSPHRASE)
    code, report = cli_json(capsys, "merge", new_1["path"], "--data-dir", lead)
    assert code == EXIT_REFUSED and report["refused"][0]["code"] == "unknown-signer"
    code, accepted = cli_json(capsys, "trust", "rotate", statement, "--data-dir", lead)
    assert code == EXIT_OK, accepted
    assert accepted["revoked_after_sequence"] == 2 and accepted["new_entry"]["inspections"] == [INSPECTION]
    assert accepted["new_entry"]["person_id"] == "ann" and accepted["send_again"] == []
    code, report = cli_json(capsys, "merge", old_2["path"], new_1["path"], "--data-dir", lead)
    assert code == EXIT_OK and len(report["imported"]) == 2, report

    # No false gaps: numbers count per key (decision 0009), the new key from 1.
    code, gaps = cli_json(capsys, "merge", "gaps", "--inspection", INSPECTION, "--data-dir", lead)
    assert code == EXIT_OK and gaps["gaps"] == []

    # A bundle the old key signs after its stated last number (say, from a copy of the old laptop).
    copy = tmp_path / "old-laptop"
    shutil.copytree(ann, copy)
    retired = copy / "keys" / "retired" / old_key
    for name in ("identity.json", "private.json"):
        shutil.copy(retired / name, copy / "keys" / name)
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", PASSPHRASE)  # the old keys' passphrase
    code, late = cli_json(capsys, "bundle", "export", "--inspection", INSPECTION, "--out", tmp_path / "old-3.fwbundle",
                          "--data-dir", copy)
    assert code == EXIT_OK and late["sequence"] == 3 and late["signer_key_id"] == old_key
    code, report = cli_json(capsys, "merge", late["path"], "--data-dir", lead)
    assert code == EXIT_REFUSED and report["refused"][0]["code"] == "revoked-signer"
    assert "(ann)" in report["refused"][0]["message"]

    # trust list: both keys; the old one revoked after 2.
    code, out, _ = cli(capsys, "trust", "list", "--data-dir", lead)
    assert f"{old_key}  Ann Inspector (ann)" in out and "revoked after sequence 2" in out
    assert result["new"]["key_id"] in out
    # The lead's next pack goes to the new key; a replayed statement is refused.
    new_pack = tmp_path / "ann-3.fwpack"
    code, pack = cli_json(capsys, "allocation", "export", "--inspection", INSPECTION, "--inspector", "ann",
                          "--out", new_pack, "--data-dir", lead)
    assert code == EXIT_OK and pack["recipients"] == [result["new"]["key_id"]]
    code, error = cli_json(capsys, "trust", "rotate", statement, "--data-dir", lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "already-rotated"


def test_trust_rotate_text_and_refusals(team, capsys, monkeypatch, tmp_path):
    lead, ann = team.lead, team.folders["ann"]
    statement = rotate(capsys, monkeypatch, ann, tmp_path / "ann.fwrotation")["path"]
    code, out, _ = cli(capsys, "trust", "rotate", statement, "--data-dir", lead)
    assert code == EXIT_OK
    assert "Accepted the key rotation of Ann Inspector (ann)" in out and "revoked after sequence 0" in out
    # A statement for a key this store never trusted.
    stranger = tmp_path / "stranger"
    code, error = cli_json(capsys, "trust", "rotate", statement, "--data-dir", stranger)
    assert code == EXIT_REFUSED and error["error"]["code"] == "untrusted-key"
    # Files of the wrong kind, both ways round.
    code, error = cli_json(capsys, "trust", "rotate", team.identity_file("ann"), "--data-dir", lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "invalid-rotation"
    assert "trust add" in error["error"]["message"]
    code, error = cli_json(capsys, "trust", "add", statement, "--data-dir", lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "is-rotation-statement"
    # One signature changed by a byte.
    data = bytearray(open(statement, "rb").read())
    signature_start = data.rindex(b'"sig":"') + len(b'"sig":"')
    data[signature_start] = ord("A") if data[signature_start] != ord("A") else ord("B")
    bad = tmp_path / "bad.fwrotation"
    bad.write_bytes(bytes(data))
    code, error = cli_json(capsys, "trust", "rotate", bad, "--data-dir", stranger)
    assert code == EXIT_REFUSED and error["error"]["code"] == "bad-signature"
    assert "new key's signature" in error["error"]["message"]


def test_the_lead_rotates_and_the_inspector_follows(team, capsys, monkeypatch, tmp_path):
    lead, ann = team.lead, team.folders["ann"]
    team.answer("ann", "CRN001", "yes")
    in_transit = export_bundle(capsys, team, "ann", "to-old-lead")  # encrypted to lee's old key
    old_lead_key = key_id(capsys, lead)
    result = rotate(capsys, monkeypatch, lead, tmp_path / "lee.fwrotation")
    assert result["old_key_last_sequences"] == {INSPECTION: 1}  # the pack lee signed
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", NEW_PASSPHRASE)  # lee's new passphrase
    new_pack = tmp_path / "ann-2.fwpack"
    assert cli(capsys, "allocation", "export", "--inspection", INSPECTION, "--inspector", "ann", "--out", new_pack,
               "--data-dir", lead)[0] == EXIT_OK
    # lee still opens the bundle that was on its way to the old key.
    code, report = cli_json(capsys, "merge", in_transit["path"], "--data-dir", lead)
    assert code == EXIT_OK and len(report["imported"]) == 1, report

    monkeypatch.setenv("FIELDWORK_PASSPHRASE", PASSPHRASE)  # ann's
    code, error = cli_json(capsys, "allocation", "import", new_pack, "--data-dir", ann)
    assert code == EXIT_REFUSED and error["error"]["code"] == "unknown-signer"  # not without the statement
    code, accepted = cli_json(capsys, "trust", "rotate", result["path"], "--data-dir", ann)
    assert code == EXIT_OK and accepted["repinned"] == [INSPECTION] and accepted["revoked_after_sequence"] == 1
    code, opened = cli_json(capsys, "allocation", "import", new_pack, "--data-dir", ann)
    assert code == EXIT_OK and opened["pack"]["lead"]["key_id"] == result["new"]["key_id"], opened
    assert opened["applied"]["lead_trusted"] is False  # trusted through the statement, no fingerprint needed
    team.answer("ann", "CRN001", "no")
    after = export_bundle(capsys, team, "ann", "to-new-lead")
    assert after["recipients"] == [result["new"]["key_id"]] and old_lead_key not in after["recipients"]
    code, out, _ = cli(capsys, "trust", "list", "--data-dir", ann)
    assert "revoked after sequence 1" in out
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", NEW_PASSPHRASE)
    code, report = cli_json(capsys, "merge", after["path"], "--data-dir", lead)
    assert code == EXIT_OK and len(report["imported"]) == 1
    read_statement_file(result["path"])  # the file on disk is the one accepted


def test_keys_rotate_asks_for_the_new_passphrase_twice_without_the_environment(team, capsys, monkeypatch, tmp_path):
    ann = team.folders["ann"]
    monkeypatch.delenv("FIELDWORK_NEW_PASSPHRASE", raising=False)
    before = {p: p.read_bytes() for p in (ann / "keys").rglob("*") if p.is_file()}
    answers = iter([NEW_PASSPHRASE, "something else entirely"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("fieldwork.cli.keys.stdin_is_terminal", lambda: True)  # the prompt is for a terminal
    code, out, err = cli(capsys, "keys", "rotate", "--out", tmp_path, "--data-dir", ann)
    assert code == EXIT_REFUSED and "differ" in err
    assert {p: p.read_bytes() for p in (ann / "keys").rglob("*") if p.is_file()} == before
    assert list(tmp_path.glob("*.fwrotation")) == []
    answers = iter([NEW_PASSPHRASE, NEW_PASSPHRASE])
    code, out, err = cli(capsys, "keys", "rotate", "--out", tmp_path, "--name", "Ann Newname", "--data-dir", ann)
    assert code == EXIT_OK, err
    assert "Made your new keys." in out and "trust rotate" in out and "Last numbers it signed: none" in out
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", NEW_PASSPHRASE)
    shown = cli_json(capsys, "keys", "show", "--data-dir", ann)[1]
    assert shown["name"] == "Ann Newname" and shown["person_id"] == "ann"


def test_trust_rotate_lists_the_inspections_to_export_again(tmp_path, capsys, monkeypatch, mini_path):
    """Ann signed two inspections; the lead trusts her key for both: the lower number counts."""
    team = make_team(tmp_path, capsys, mini_path)
    lead, ann = team.lead, team.folders["ann"]
    code, _ = cli_json(capsys, "trust", "add", team.identity_file("ann"), "--data-dir", lead)  # every inspection
    assert code == EXIT_OK
    from fieldwork.store import open_store

    with open_store(ann, actor="ann") as store, store.transaction() as db:  # as if ann had exported elsewhere
        old_key = key_id(capsys, ann)
        for sequence in (1, 2, 3):
            db.execute(
                "INSERT INTO bundle_exports (signer_key_id, inspection_id, sequence, bundle_id, manifest_sha256, "
                "recipients, created_at) VALUES (?, 'insp-other', ?, ?, ?, '[]', '2026-11-02T09:00:00.000Z')",
                [old_key, sequence, f"other-{sequence}", "0" * 64],
            )
    team.answer("ann", "CRN001", "yes")
    export_bundle(capsys, team, "ann", "only")
    statement = rotate(capsys, monkeypatch, ann, tmp_path / "ann.fwrotation")["path"]
    code, out, _ = cli(capsys, "trust", "rotate", statement, "--data-dir", lead)
    assert code == EXIT_OK and "revoked after sequence 1" in out
    assert "insp-other: its last number was 3; ask ann to export insp-other again" in out
