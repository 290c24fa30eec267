"""A revoked inspector, end to end on the command line (issue 7 item 6).

`trust revoke KEY --after-sequence N`: bundles up to N still verify and merge, later ones are
refused `revoked-signer` with a sentence naming the inspector and what to do; `trust list`
shows the revocation; a revocation only ever tightens.
"""

from __future__ import annotations

import pytest
from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
    cli_json,
)
from helpers.teams import INSPECTION, export_bundle, key_id, make_team

from fieldwork.cli import EXIT_OK, EXIT_REFUSED


@pytest.fixture
def team(tmp_path, capsys, mini_path):
    return make_team(tmp_path, capsys, mini_path)


def test_a_revoked_inspector_end_to_end(team, capsys):
    lead = team.lead
    bundles = []
    for number, value in enumerate(("yes", "no", "yes"), start=1):
        team.answer("ann", "CRN001", value, note=f"version {number}")
        bundles.append(export_bundle(capsys, team, "ann", f"ann-{number}")["path"])
    ann_key = key_id(capsys, team.folders["ann"])
    code, report = cli_json(capsys, "merge", bundles[0], "--data-dir", lead)
    assert code == EXIT_OK and len(report["imported"]) == 1

    code, revoked = cli_json(capsys, "trust", "revoke", ann_key[:10], "--after-sequence", "2", "--data-dir", lead)
    assert code == EXIT_OK and revoked["revoked_after_sequence"] == 2 and revoked["revoked_at"]
    code, out, _ = cli(capsys, "trust", "revoke", ann_key, "--after-sequence", "2", "--data-dir", lead)
    assert code == EXIT_OK and "above 2 will be refused" in out

    # trust list shows it, in words and in JSON.
    code, out, _ = cli(capsys, "trust", "list", "--data-dir", lead)
    assert code == EXIT_OK and ann_key in out and "revoked after sequence 2" in out
    [entry] = cli_json(capsys, "trust", "list", "--data-dir", lead)[1]
    assert entry["key_id"] == ann_key and entry["revoked_after_sequence"] == 2

    # Bundle 2 (up to N) still merges; bundle 3 (after N) is refused, the others still merge.
    code, report = cli_json(capsys, "merge", bundles[1], bundles[2], "--data-dir", lead)
    assert code == EXIT_REFUSED
    assert [r["file"] for r in report["imported"]] == [bundles[1]]
    [refused] = report["refused"]
    assert refused["file"] == bundles[2] and refused["code"] == "revoked-signer"
    message = refused["message"]
    assert "(ann)" in message and "number 3" in message and "revoked after number 2" in message
    assert "ask ann to export again with their new key" in message and "fieldwork keys rotate" in message

    code, out, _ = cli(capsys, "merge", bundles[2], "--data-dir", lead)  # the same sentence for people
    assert code == EXIT_REFUSED and "Refused" in out and "ask ann to export again" in out
    code, error = cli_json(capsys, "bundle", "verify", bundles[2], "--data-dir", lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "revoked-signer"
    assert cli_json(capsys, "bundle", "verify", bundles[1], "--data-dir", lead)[0] == EXIT_OK

    # What was merged is what bundle 2 said; nothing of bundle 3 landed; no gap is shown.
    code, gaps = cli_json(capsys, "merge", "gaps", "--inspection", INSPECTION, "--data-dir", lead)
    assert code == EXIT_OK and gaps["gaps"] == []
    code, again = cli_json(capsys, "merge", bundles[0], bundles[1], "--data-dir", lead)
    assert code == EXIT_OK and len(again["already_imported"]) == 2


def test_a_revocation_tightens_but_never_loosens(team, capsys):
    lead = team.lead
    first = export_bundle(capsys, team, "ann", "ann-1")["path"]
    ann_key = key_id(capsys, team.folders["ann"])
    assert cli_json(capsys, "merge", first, "--data-dir", lead)[0] == EXIT_OK
    assert cli_json(capsys, "trust", "revoke", ann_key, "--after-sequence", "1", "--data-dir", lead)[0] == EXIT_OK
    code, error = cli_json(capsys, "trust", "revoke", ann_key, "--after-sequence", "5", "--data-dir", lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "revocation-loosened"
    # Revoked after 0: nothing from the key verifies any more. (Merging the very file merged before
    # stays a no-op: the merge recognises its bytes before decrypting; nothing new lands.)
    assert cli_json(capsys, "trust", "revoke", ann_key, "--after-sequence", "0", "--data-dir", lead)[0] == EXIT_OK
    code, error = cli_json(capsys, "bundle", "verify", first, "--data-dir", lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "revoked-signer"
    code, report = cli_json(capsys, "merge", first, "--data-dir", lead)
    assert code == EXIT_OK and report["imported"] == [] and len(report["already_imported"]) == 1
    team.answer("ann", "CRN001", "no")
    later = export_bundle(capsys, team, "ann", "ann-2")["path"]
    code, report = cli_json(capsys, "merge", later, "--data-dir", lead)
    assert code == EXIT_REFUSED and report["refused"][0]["code"] == "revoked-signer"
    # Adding the identity file again does not lift it.
    code, added = cli_json(capsys, "trust", "add", team.identity_file("ann"), "--data-dir", lead)
    assert code == EXIT_OK and added["revoked_after_sequence"] == 0
    code, out, _ = cli(capsys, "trust", "add", team.identity_file("ann"), "--data-dir", lead)
    assert "stays revoked after sequence 0" in out
