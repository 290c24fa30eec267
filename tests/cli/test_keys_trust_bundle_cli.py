"""`fieldwork keys | trust | bundle`: the stable commands scripts depend on, end to end."""

from __future__ import annotations

import pytest
from helpers.cli import (
    PASSPHRASE,
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
    cli_json,
)

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, run
from fieldwork.store import open_store
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import add_case, create_inspection


@pytest.fixture
def people(tmp_path, capsys, mini_framework):
    """A lead and an inspector, each with keys and an exported identity file; the inspector's
    store holds inspection insp-test with one answered case."""
    lead, ann = tmp_path / "lead", tmp_path / "ann"
    assert cli(capsys, "keys", "init", "--name", "Lee Lead", "--id", "lee", "--data-dir", lead)[0] == EXIT_OK
    assert cli(capsys, "keys", "init", "--name", "Ann Inspector", "--id", "ann", "--data-dir", ann)[0] == EXIT_OK
    assert cli(capsys, "keys", "export", "--out", tmp_path / "lee.json", "--data-dir", lead)[0] == EXIT_OK
    assert cli(capsys, "keys", "export", "--out", tmp_path / "ann.json", "--data-dir", ann)[0] == EXIT_OK
    with open_store(ann, actor="ann") as store:
        inspection = create_inspection(
            store, inspection_id="insp-test", provider="Test CRC", provider_type="CRC", framework=mini_framework
        )
        case = add_case(store, inspection, "CRN001", details={"ldu": "North"})
        set_answer(store, case.id, "2.1.1", value="yes", note="Good.")
    return lead, ann


def test_keys_init_sets_the_profile_and_show_reports_it(people, capsys):
    lead, ann = people
    code, shown = cli_json(capsys, "keys", "show", "--data-dir", ann)
    assert code == EXIT_OK
    assert shown["name"] == "Ann Inspector" and shown["person_id"] == "ann"
    assert len(shown["fingerprint"].split(" ")) == 10 and shown["unlock_methods"] == ["passphrase"]
    with open_store(ann) as store:
        assert store.meta("profile.person_id") == "ann"
    code, out, _ = cli(capsys, "keys", "show", "--data-dir", ann)
    assert code == EXIT_OK and shown["fingerprint"] in out


def test_keys_init_refusals(people, capsys, tmp_path, monkeypatch):
    lead, ann = people
    code, out, err = cli(capsys, "keys", "init", "--name", "Ann", "--id", "ann", "--data-dir", ann)
    assert code == EXIT_REFUSED and "already has keys" in err
    code, out, err = cli(capsys, "keys", "init", "--name", "Zed", "--id", "zed", "--data-dir", ann)
    assert code == EXIT_REFUSED and "profile is ann" in err
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", "short")
    code, error = cli_json(capsys, "keys", "init", "--name", "New", "--id", "new", "--data-dir", tmp_path / "new")
    assert code == EXIT_REFUSED and error["error"]["code"] == "weak-passphrase"


def test_keys_init_prompts_twice_without_the_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FIELDWORK_PASSPHRASE")
    answers = iter(["first passphrase", "second passphrase"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("fieldwork.cli.keys.stdin_is_terminal", lambda: True)  # the prompt is for a terminal
    code, out, err = cli(capsys, "keys", "init", "--name", "Pat", "--id", "pat", "--data-dir", tmp_path / "p")
    assert code == EXIT_REFUSED and "differ" in err
    answers = iter([PASSPHRASE, PASSPHRASE])
    code, out, err = cli(capsys, "keys", "init", "--name", "Pat", "--id", "pat", "--data-dir", tmp_path / "p")
    assert code == EXIT_OK and "Fingerprint" in out


def test_keyring_request_without_a_keyring_falls_back(tmp_path, capsys):
    argv = ["keys", "init", "--name", "Kim", "--id", "kim", "--keyring", "--data-dir", tmp_path / "k"]
    code, out, _ = cli(capsys, *argv)
    assert code == EXIT_OK and "passphrase only" in out


def test_export_needs_a_recipient_and_says_so(people, capsys, tmp_path):
    lead, ann = people
    code, out, err = cli(capsys, "bundle", "export", "--inspection", "insp-test", "--out", tmp_path, "--data-dir", ann)
    assert code == EXIT_USAGE and "--to" in err
    assert list(tmp_path.glob("*.fwbundle")) == []


def test_full_hand_over(people, capsys, tmp_path, mini_framework):
    lead, ann = people
    code, first = cli_json(
        capsys, "bundle", "export", "--inspection", "insp-test", "--out", tmp_path, "--to", tmp_path / "lee.json",
        "--pin-lead", "--data-dir", ann,
    )
    assert code == EXIT_OK and first["sequence"] == 1 and first["encrypted"]
    code, second = cli_json(
        capsys, "bundle", "export", "--inspection", "insp-test", "--out", tmp_path, "--data-dir", ann
    )
    assert code == EXIT_OK and second["sequence"] == 2  # the pinned lead is the default now
    assert second["recipients"] == first["recipients"]

    # The lead does not trust Ann yet.
    code, refused = cli_json(capsys, "bundle", "verify", first["path"], "--data-dir", lead)
    assert code == EXIT_REFUSED and refused["error"]["code"] == "unknown-signer"
    assert set(refused) == {"error"} and set(refused["error"]) == {"code", "message"}

    with open_store(lead, actor="lee") as store:  # trust for an inspection needs the inspection here
        create_inspection(
            store, inspection_id="insp-test", provider="Test CRC", provider_type="CRC", framework=mini_framework
        )
    code, added = cli_json(
        capsys, "trust", "add", tmp_path / "ann.json", "--inspections", "insp-test", "--data-dir", lead
    )
    assert code == EXIT_OK and added["inspections"] == ["insp-test"] and added["person_id"] == "ann"
    code, listed = cli_json(capsys, "trust", "list", "--data-dir", lead)
    assert [k["key_id"] for k in listed] == [added["key_id"]]

    code, verified = cli_json(capsys, "bundle", "verify", first["path"], "--data-dir", lead)
    assert code == EXIT_OK
    assert verified["bundle_id"] == first["bundle_id"] and verified["signer"]["name"] == "Ann Inspector"
    assert verified["record_counts"]["answer"] == 1 and verified["sequence"] == 1
    code, out, _ = cli(capsys, "bundle", "verify", first["path"], "--data-dir", lead)
    assert code == EXIT_OK and "Verified bundle" in out and "Ann Inspector" in out

    code, revoked = cli_json(
        capsys, "trust", "revoke", added["key_id"][:12], "--after-sequence", "1", "--data-dir", lead
    )
    assert code == EXIT_OK and revoked["revoked_after_sequence"] == 1
    code, refused = cli_json(capsys, "bundle", "verify", second["path"], "--data-dir", lead)
    assert code == EXIT_REFUSED and refused["error"]["code"] == "revoked-signer"
    assert cli(capsys, "bundle", "verify", first["path"], "--data-dir", lead)[0] == EXIT_OK


def test_inspector_cannot_read_the_leads_bundle(people, capsys, tmp_path):
    lead, ann = people
    out = tmp_path / "b.fwbundle"
    cli(capsys, "bundle", "export", "--inspection", "insp-test", "--out", out, "--to", tmp_path / "lee.json",
        "--data-dir", ann)
    code, refused = cli_json(capsys, "bundle", "verify", out, "--data-dir", ann)
    assert code == EXIT_REFUSED and refused["error"]["code"] == "not-encrypted-for-you"


def test_verify_checks_the_framework_when_the_store_has_the_inspection(people, capsys, tmp_path):
    lead, ann = people
    out = tmp_path / "self.fwbundle"
    cli(capsys, "bundle", "export", "--inspection", "insp-test", "--out", out, "--to", tmp_path / "ann.json",
        "--data-dir", ann)
    cli(capsys, "trust", "add", tmp_path / "ann.json", "--data-dir", ann)
    code, verified = cli_json(capsys, "bundle", "verify", out, "--data-dir", ann)
    assert code == EXIT_OK and verified["checked_against_framework"] is True


def test_unencrypted_only_with_explicit_options(people, capsys, tmp_path):
    lead, ann = people
    out = tmp_path / "plain.fwbundle"
    code, out_text, _ = cli(capsys, "bundle", "export", "--inspection", "insp-test", "--out", out, "--unencrypted",
                            "--data-dir", ann)
    assert code == EXIT_OK and "NOT encrypted" in out_text
    cli(capsys, "trust", "add", tmp_path / "ann.json", "--data-dir", lead)
    code, refused = cli_json(capsys, "bundle", "verify", out, "--data-dir", lead)
    assert code == EXIT_REFUSED and refused["error"]["code"] == "unencrypted"
    code, verified = cli_json(capsys, "bundle", "verify", out, "--allow-unencrypted", "--data-dir", lead)
    assert code == EXIT_OK and verified["encrypted"] is False
    code, _, err = cli(capsys, "bundle", "export", "--inspection", "insp-test", "--out", out, "--unencrypted",
                       "--to", tmp_path / "lee.json", "--data-dir", ann)
    assert code == EXIT_USAGE


def test_wrong_passphrase_is_refused(people, capsys, tmp_path, monkeypatch):
    lead, ann = people
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", "not the right one")
    code, refused = cli_json(capsys, "bundle", "export", "--inspection", "insp-test", "--out", tmp_path,
                             "--to", tmp_path / "lee.json", "--data-dir", ann)
    assert code == EXIT_REFUSED and refused["error"]["code"] == "wrong-passphrase"


def test_not_a_bundle_and_missing_file(people, capsys, tmp_path):
    lead, ann = people
    junk = tmp_path / "junk.fwbundle"
    junk.write_bytes(b"this is not a bundle at all")
    code, refused = cli_json(capsys, "bundle", "verify", junk, "--data-dir", lead)
    assert code == EXIT_REFUSED and refused["error"]["code"] == "not-a-bundle"
    code, refused = cli_json(capsys, "bundle", "verify", tmp_path / "missing.fwbundle", "--data-dir", lead)
    assert code == EXIT_REFUSED and refused["error"]["code"] == "not-found"


@pytest.mark.parametrize(
    "argv",
    [
        ["keys", "init", "--name", "X"],
        ["trust", "revoke", "abc", "--after-sequence", "many"],
        ["trust", "add"],
        ["bundle", "export", "--inspection", "x"],
        ["bundle", "verify"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        run(argv)
    assert exited.value.code == EXIT_USAGE


def test_trust_list_empty_and_revoke_unknown(people, capsys):
    lead, ann = people
    code, out, _ = cli(capsys, "trust", "list", "--data-dir", lead)
    assert code == EXIT_OK and "No trusted keys" in out
    code, refused = cli_json(capsys, "trust", "revoke", "0123456789abcdef", "--after-sequence", "0", "--data-dir", lead)
    assert code == EXIT_REFUSED and refused["error"]["code"] == "not-found"
