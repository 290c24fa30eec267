"""Arguments every command shares (fieldwork.cli.arguments): empty values, lengths, text from a
file or standard input, and read commands on a data folder that has no store."""

from __future__ import annotations

import io
import sys

import pytest
from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
    cli_json,
)
from helpers.teams import INSPECTION, make_team

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from fieldwork.cli.arguments import MAX_ARGUMENT_CHARS, MAX_TEXT_CHARS


@pytest.fixture
def team(tmp_path, capsys, mini_path):
    return make_team(tmp_path, capsys, mini_path)


def usage(code: int, err: str, option: str) -> bool:
    return code == EXIT_USAGE and f"{option} is empty" in err and "Traceback" not in err


# --- empty values are refused, never taken as "not given" -----------------------------------------


def test_an_empty_data_dir_is_refused_not_taken_as_the_default(capsys, tmp_path, monkeypatch):
    # "" used the default data folder: a script with an unset variable worked on the real store.
    monkeypatch.setenv("FIELDWORK_DATA_DIR", str(tmp_path / "default"))
    code, out, err = cli(capsys, "inspection", "demo", "--data-dir", "")
    assert usage(code, err, "--data-dir")
    code, out, err = cli(capsys, "--data-dir", "", "inspection", "demo")
    assert usage(code, err, "--data-dir")
    assert not (tmp_path / "default").exists()


def test_keys_recovery_init_with_an_empty_out_writes_nothing_here(capsys, tmp_path, monkeypatch):
    # "" wrote the recovery key pair, private key included, into the current folder.
    monkeypatch.setenv("FIELDWORK_RECOVERY_PASSPHRASE", "recovery long test passphrase")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "keys", "recovery", "init", "--out", "", "--name", "R", "--id", "r")
    assert usage(code, err, "--out")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["--sample", "--start", "--end", "--provider-type", "--id"])
def test_inspection_create_refuses_an_empty_value(option, team, capsys):
    # --sample "" created the inspection without its sample; empty dates and ids counted as absent.
    code, out, err = cli(capsys, "inspection", "create", "--framework", "test-mini", "--provider", "P",
                         option, "", "--data-dir", team.lead)
    assert code == EXIT_USAGE and "is empty" in err and "Traceback" not in err
    assert [i["id"] for i in cli_json(capsys, "inspection", "list", "--data-dir", team.lead)[1]] == [INSPECTION]


def test_an_empty_query_recipient_is_refused(team, capsys):
    # --to "" fell back to the allocated inspector.
    code, out, err = cli(capsys, "moderation", "query", "--inspection", INSPECTION, "--case", "CRN001",
                         "--question", "2.1.1", "--text", "Why?", "--to", "", "--data-dir", team.lead)
    assert usage(code, err, "--to")


# --- lengths ---------------------------------------------------------------------------------------


def test_free_text_has_a_length_limit(team, capsys):
    code, out, err = cli(capsys, "moderation", "query", "--inspection", INSPECTION, "--case", "CRN001",
                         "--question", "2.1.1", "--text", "x" * (MAX_TEXT_CHARS + 1), "--data-dir", team.lead)
    assert code == EXIT_REFUSED and f"at most {MAX_TEXT_CHARS:,}" in err
    assert cli_json(capsys, "moderation", "queries", "--inspection", INSPECTION, "--data-dir", team.lead)[1] == []
    code, out, err = cli(capsys, "moderation", "query", "--inspection", INSPECTION, "--case", "CRN001",
                         "--question", "2.1.1", "--text", "x" * MAX_TEXT_CHARS, "--data-dir", team.lead)
    assert code == EXIT_OK, err


def test_any_other_argument_has_a_length_limit(team, capsys):
    code, out, err = cli(capsys, "inspection", "create", "--framework", "test-mini", "--provider",
                         "P" * (MAX_ARGUMENT_CHARS + 1), "--data-dir", team.lead)
    assert code == EXIT_REFUSED and f"at most {MAX_ARGUMENT_CHARS:,}" in err


# --- text from a file or standard input (not visible in `ps`) ---------------------------------------


def test_query_text_and_case_from_files(team, capsys, tmp_path):
    text = tmp_path / "query.txt"
    text.write_text("Where is the evidence?\nSee the plan of 3 Nov.\n", encoding="utf-8")
    case = tmp_path / "case.txt"
    case.write_text("CRN001  \r\n")
    code, made = cli_json(capsys, "moderation", "query", "--inspection", INSPECTION, "--case-file", case,
                          "--question", "2.1.1", "--text-file", text, "--data-dir", team.lead)
    assert code == EXIT_OK, made
    assert made["text"] == "Where is the evidence?\nSee the plan of 3 Nov." and made["case_ref"] == "CRN001"


def test_reason_from_standard_input(team, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("Two cases, one person — checked.\n".encode())))
    cli(capsys, "moderation", "set", "--inspection", INSPECTION, "--case", "CRN001", "--state", "moderated",
        "--note-file", "-", "--data-dir", team.lead)
    code, listed = cli_json(capsys, "inspection", "list", "--data-dir", team.lead)
    assert code == EXIT_OK
    from fieldwork.merge import case_moderation
    from fieldwork.store import open_store
    from fieldwork.store.assessments import find_case

    with open_store(team.lead) as store:
        mark = case_moderation(store, find_case(store, INSPECTION, "CRN001").id)
    assert mark.note == "Two cases, one person — checked."


def test_text_options_refuse_both_forms_two_stdins_and_bad_files(team, capsys, tmp_path):
    base = ("conflicts", "resolve", "--inspection", INSPECTION, "--question", "2.1.1", "--choose", "yes",
            "--data-dir", team.lead)
    with pytest.raises(SystemExit) as both:  # argparse refuses it (exit 2) before any command runs
        cli(capsys, *base, "--case", "CRN001", "--reason", "r", "--reason-file", tmp_path / "r")
    assert both.value.code == EXIT_USAGE and "not allowed with" in capsys.readouterr().err
    code, out, err = cli(capsys, *base, "--case-file", "-", "--reason-file", "-")
    assert code == EXIT_USAGE and "standard input" in err
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    code, out, err = cli(capsys, *base, "--case", "CRN001", "--reason-file", tmp_path / "latin1.txt")
    assert code == EXIT_REFUSED and "not UTF-8" in err
    code, out, err = cli(capsys, *base, "--case", "CRN001", "--reason-file", "/dev/zero")
    assert code == EXIT_REFUSED and "a device" in err and "Traceback" not in err


# --- read commands on a data folder without a store -------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("inspection", "list"),
        ("trust", "list"),
        ("settings", "list"),
        ("retention", "status"),
        ("ratings", "--inspection", INSPECTION),
        ("conflicts", "list", "--inspection", INSPECTION),
        ("moderation", "queries", "--inspection", INSPECTION),
        ("moderation", "agreement", "--inspection", INSPECTION),
        ("merge", "gaps", "--inspection", INSPECTION),
        ("receipt", "list", "--inspection", INSPECTION),
    ],
    ids=lambda argv: "-".join(a for a in argv if a != INSPECTION and not a.startswith("--")),
)
def test_a_read_command_on_a_mistyped_data_dir_creates_nothing(argv, capsys, tmp_path):
    # A mistyped --data-dir got new folders and an empty store, and the command showed "nothing".
    typo = tmp_path / "fieldwrok"
    code, out, err = cli(capsys, *argv, "--data-dir", typo)
    assert code == EXIT_REFUSED and "no fieldwork store" in err and str(typo) in err, (out, err)
    assert not typo.exists()
