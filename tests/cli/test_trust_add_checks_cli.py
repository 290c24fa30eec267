"""`trust add` with identity files edited by hand: refused, the trust list unchanged, and the
fingerprint of the keys in the file still shown so that the lead can compare it aloud."""

from __future__ import annotations

import json

import pytest
from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
    cli_json,
)

from fieldwork.cli import EXIT_OK, EXIT_REFUSED
from fieldwork.identity.keys import generate_identity


@pytest.fixture
def lead_and_ann(tmp_path, capsys):
    lead, ann = tmp_path / "lee", tmp_path / "ann"
    assert cli(capsys, "keys", "init", "--name", "Lee Lead", "--id", "lee", "--data-dir", lead)[0] == EXIT_OK
    assert cli(capsys, "keys", "init", "--name", "Ann Inspector", "--id", "ann", "--data-dir", ann)[0] == EXIT_OK
    assert cli(capsys, "keys", "export", "--out", tmp_path / "ann.json", "--data-dir", ann)[0] == EXIT_OK
    fingerprint = cli_json(capsys, "keys", "show", "--data-dir", ann)[1]["fingerprint"]
    return lead, tmp_path / "ann.json", fingerprint


def edited(path, change) -> None:
    value = json.loads(path.read_text())
    change(value)
    path.write_text(json.dumps(value))


def assert_trust_list_empty(capsys, lead) -> None:
    assert cli_json(capsys, "trust", "list", "--data-dir", lead)[1] == []


def test_a_changed_name_is_refused_with_the_fingerprint_to_read_aloud(lead_and_ann, capsys):
    lead, ann_file, fingerprint = lead_and_ann
    edited(ann_file, lambda v: v.update(name="Ann Lead-Inspector"))
    code, out, err = cli(capsys, "trust", "add", ann_file, "--data-dir", lead)
    assert code == EXIT_REFUSED and out == ""
    assert fingerprint in err and "read it to the owner" in err and "keys export" in err
    code, error = cli_json(capsys, "trust", "add", ann_file, "--data-dir", lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "invalid-identity"
    assert error["error"]["fingerprint"] == fingerprint
    assert_trust_list_empty(capsys, lead)


def test_the_key_id_must_match_the_public_key(lead_and_ann, capsys):
    lead, ann_file, fingerprint = lead_and_ann
    edited(ann_file, lambda v: v.update(key_id="0123456789abcdef0123456789abcdef"))
    code, error = cli_json(capsys, "trust", "add", ann_file, "--data-dir", lead)
    assert code == EXIT_REFUSED and "key id does not match its signing key" in error["error"]["message"]
    assert error["error"]["fingerprint"] == fingerprint
    assert_trust_list_empty(capsys, lead)


def test_a_key_swapped_in_with_the_fingerprint_kept(lead_and_ann, capsys):
    lead, ann_file, fingerprint = lead_and_ann
    mallory = generate_identity("Mallory", "mallory").public.to_json()
    edited(ann_file, lambda v: v.update(signing_key=mallory["signing_key"], encryption_key=mallory["encryption_key"],
                                        key_id=mallory["key_id"]))
    code, error = cli_json(capsys, "trust", "add", ann_file, "--data-dir", lead)
    assert code == EXIT_REFUSED and error["error"]["fingerprint"] == mallory["fingerprint"] != fingerprint
    assert_trust_list_empty(capsys, lead)


@pytest.mark.parametrize(
    "change",
    [
        lambda v: v["signing_key"].update(public="@@@@"),
        lambda v: v["encryption_key"].update(public="QUJD"),  # 3 bytes: a wrong key length
        lambda v: v.pop("self_signature"),
        lambda v: v.update(person_id="ann/../lee"),
    ],
    ids=["invalid base64", "wrong key length", "missing field", "person id not allowed"],
)
def test_other_hand_edits_are_refused(lead_and_ann, capsys, change):
    lead, ann_file, _ = lead_and_ann
    edited(ann_file, change)
    code, error = cli_json(capsys, "trust", "add", ann_file, "--data-dir", lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "invalid-identity"
    assert error["error"]["message"].endswith(".")
    assert_trust_list_empty(capsys, lead)


def test_the_unchanged_file_is_accepted(lead_and_ann, capsys):
    lead, ann_file, fingerprint = lead_and_ann
    code, added = cli_json(capsys, "trust", "add", ann_file, "--data-dir", lead)
    assert code == EXIT_OK and added["fingerprint"] == fingerprint


def test_trust_for_an_unknown_inspection_is_refused(lead_and_ann, capsys):
    # A mistyped id trusted the key for an inspection no bundle names; the real one refused them.
    lead, ann_file, _ = lead_and_ann
    assert cli(capsys, "inspection", "demo", "--data-dir", lead)[0] == EXIT_OK
    demo = cli_json(capsys, "inspection", "list", "--data-dir", lead)[1][0]["id"]
    code, out, err = cli(capsys, "trust", "add", ann_file, "--inspections", f"{demo},insp-typo", "--data-dir", lead)
    assert code == EXIT_REFUSED and "insp-typo" in err and demo in err and "Traceback" not in err
    assert_trust_list_empty(capsys, lead)
    assert cli(capsys, "trust", "add", ann_file, "--inspections", demo, "--data-dir", lead)[0] == EXIT_OK
    [entry] = cli_json(capsys, "trust", "list", "--data-dir", lead)[1]
    assert entry["inspections"] == [demo]
