"""Bad input on the command line: a clear refusal (exit 1, or 2 for usage), no traceback, no change.

Each test reproduces one defect found by probing the CLI (December 2026) and failed before its fix.
An exception escaping `run()` is what a user sees as a Python traceback.
"""

from __future__ import annotations

import errno
import getpass
import sqlite3

import pytest
from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
    cli_json,
)
from helpers.teams import INSPECTION, key_id, make_team

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE

TOO_LONG = "n" * 300  # one path component longer than NAME_MAX (255) on every common file system


@pytest.fixture
def ann(tmp_path, capsys):
    folder = tmp_path / "ann"
    assert cli(capsys, "keys", "init", "--name", "Ann Inspector", "--id", "ann", "--data-dir", folder)[0] == EXIT_OK
    return folder


@pytest.fixture
def team(tmp_path, capsys, mini_path):
    return make_team(tmp_path, capsys, mini_path)


def refused(code: int, err: str) -> bool:
    return code == EXIT_REFUSED and err.startswith("fieldwork: ") and "Traceback" not in err


# --- output paths ------------------------------------------------------------------------------


def test_keys_export_into_a_missing_folder_is_refused(ann, capsys, tmp_path):
    # OSError from identity/files.py atomic_write escapes cli/keys.py export_command.
    code, out, err = cli(capsys, "keys", "export", "--out", tmp_path / "no-such-folder" / "ann.json", "--data-dir", ann)
    assert refused(code, err) and "no-such-folder" in err


def test_keys_export_onto_a_folder_is_refused(ann, capsys, tmp_path):
    # IsADirectoryError from os.replace in atomic_write (bundle/pack export name a file in the folder).
    (tmp_path / "usb").mkdir()
    code, out, err = cli(capsys, "keys", "export", "--out", tmp_path / "usb", "--data-dir", ann)
    assert code in (EXIT_OK, EXIT_REFUSED) and "Traceback" not in err
    if code == EXIT_REFUSED:
        assert refused(code, err)


def test_keys_export_does_not_overwrite_an_existing_file(ann, capsys, tmp_path):
    # Every other writer (bundle, pack, rotation, receipt) refuses an existing file without --overwrite.
    precious = tmp_path / "sample.csv"
    precious.write_text("case_ref,sample\nCRN001,\n")
    code, out, err = cli(capsys, "keys", "export", "--out", precious, "--data-dir", ann)
    assert refused(code, err) and "already exists" in err
    assert precious.read_text() == "case_ref,sample\nCRN001,\n"


def test_keys_rotate_to_read_only_media_changes_nothing(ann, capsys, tmp_path, monkeypatch):
    # identity/rotate.py rotate_keys replaces the keys, then writes the statement to --out; when that
    # write fails (a read-only USB stick) the OSError escapes and the keys are already rotated.
    from fieldwork.identity import rotate as rotate_module

    monkeypatch.setenv("FIELDWORK_NEW_PASSPHRASE", "staple orbit lantern")
    stick = tmp_path / "stick"
    stick.mkdir()
    real_write = rotate_module.atomic_write

    def read_only_stick(path, *args, **kwargs):
        if stick in path.parents:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_write(path, *args, **kwargs)

    monkeypatch.setattr(rotate_module, "atomic_write", read_only_stick)
    before = cli_json(capsys, "keys", "show", "--data-dir", ann)[1]["key_id"]
    code, out, err = cli(capsys, "keys", "rotate", "--out", stick, "--data-dir", ann)
    assert refused(code, err)
    assert cli_json(capsys, "keys", "show", "--data-dir", ann)[1]["key_id"] == before  # still the old keys
    assert not (ann / "keys" / "retired").exists()


def test_keys_recovery_init_under_a_file_is_refused(capsys, tmp_path, monkeypatch):
    # NotADirectoryError from keyfile.prepare_folder escapes cli/keys_recovery.py init_command.
    monkeypatch.setenv("FIELDWORK_RECOVERY_PASSPHRASE", "recovery long test passphrase")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    code, out, err = cli(capsys, "keys", "recovery", "init", "--out", a_file / "rk", "--name", "R", "--id", "r")
    assert refused(code, err)


def test_keys_recovery_init_onto_a_file_is_refused(capsys, tmp_path, monkeypatch):
    # FileExistsError from folder.mkdir in keyfile.prepare_folder.
    monkeypatch.setenv("FIELDWORK_RECOVERY_PASSPHRASE", "recovery long test passphrase")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    code, out, err = cli(capsys, "keys", "recovery", "init", "--out", a_file, "--name", "R", "--id", "r")
    assert refused(code, err)
    assert a_file.read_text() == "x"


# --- over-long paths (pathlib's is_dir/exists raise ENAMETOOLONG instead of returning False) ---


def test_a_too_long_data_dir_is_refused(capsys, tmp_path):
    # store/db.py _check_is_sqlite (path.exists()) via profile.open_profile_store.
    code, out, err = cli(capsys, "inspection", "list", "--data-dir", tmp_path / TOO_LONG)
    assert refused(code, err)


@pytest.mark.parametrize(
    "argv",
    [
        ("keys", "export", "--out", "{long}.json"),  # identity/files.py atomic_write
        ("keys", "rotate", "--out", "{long}.fwrotation"),  # identity/rotate.py rotate_keys, Path(out).is_dir()
        ("store", "restore", "{long}.sqlite"),  # cli/store.py _choose, path.is_file()
        ("keys", "recovery", "restore", "{long}"),  # identity/keyfile.py folder_has_keys
    ],
    ids=["keys-export", "keys-rotate", "store-restore", "recovery-restore"],
)
def test_a_too_long_file_name_is_refused(argv, ann, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDWORK_NEW_PASSPHRASE", "staple orbit lantern")
    monkeypatch.setenv("FIELDWORK_RECOVERY_PASSPHRASE", "recovery long test passphrase")
    long = str(tmp_path / TOO_LONG)
    code, out, err = cli(capsys, *[a.format(long=long) for a in argv], "--data-dir", ann)
    assert refused(code, err)


def test_bundle_export_to_a_too_long_name_is_refused(team, capsys, tmp_path):
    # bundles target_path: out.is_dir() raises ENAMETOOLONG.
    code, out, err = cli(capsys, "bundle", "export", "--inspection", INSPECTION, "--out",
                         tmp_path / f"{TOO_LONG}.fwbundle", "--data-dir", team.folders["ann"])
    assert refused(code, err)


def test_receipt_issue_into_a_too_long_folder_is_refused(team, capsys, tmp_path):
    # handover/issue.py issue_receipts: folder.is_dir() raises ENAMETOOLONG.
    code, out, err = cli(capsys, "receipt", "issue", "--inspection", INSPECTION, "--all", "--out",
                         tmp_path / TOO_LONG, "--data-dir", team.lead)
    assert refused(code, err)


# --- arguments -----------------------------------------------------------------------------------


def test_a_non_utf8_argument_is_refused(team, capsys):
    # A non-UTF-8 byte in argv arrives as a lone surrogate; sqlite raises UnicodeEncodeError
    # (here from store/inspections.py get_inspection via cli/merge.py conflicts_list_command).
    code, out, err = cli(capsys, "conflicts", "list", "--inspection", "insp\udcff", "--data-dir", team.lead)
    assert code in (EXIT_REFUSED, EXIT_USAGE) and "Traceback" not in err and err


def test_a_non_utf8_name_for_keys_init_is_refused_and_creates_nothing(capsys, tmp_path):
    # The profile (and its name) is written before the key files since decision 0023, so the refusal
    # comes before any key file. (That keys init opens the data folder first is issue 20 §3.)
    folder = tmp_path / "new"
    code, out, err = cli(capsys, "keys", "init", "--name", "Ann \udcff", "--id", "ann", "--data-dir", folder)
    assert code in (EXIT_REFUSED, EXIT_USAGE) and "Traceback" not in err
    assert not (folder / "keys").exists()


def test_trust_revoke_with_a_huge_sequence_number_is_refused(team, capsys):
    # OverflowError from sqlite in identity/trust.py revoke_key; cli/trust.py uses an unbounded type=int.
    ann_key = key_id(capsys, team.folders["ann"])
    code, out, err = cli(capsys, "trust", "revoke", ann_key, "--after-sequence", "9" * 30, "--data-dir", team.lead)
    assert code in (EXIT_REFUSED, EXIT_USAGE) and "Traceback" not in err and err


def test_end_of_input_at_the_passphrase_prompt_is_refused(ann, capsys, monkeypatch):
    # getpass raises EOFError when stdin is closed (a script, `< /dev/null`); cli/keys.py read_passphrase.
    monkeypatch.delenv("FIELDWORK_PASSPHRASE")

    def closed_stdin(prompt=""):
        raise EOFError

    monkeypatch.setattr(getpass, "getpass", closed_stdin)
    monkeypatch.setattr("fieldwork.cli.keys.stdin_is_terminal", lambda: True)  # the prompt is for a terminal
    code, out, err = cli(capsys, "keys", "rotate", "--out", ann.parent, "--data-dir", ann)
    assert refused(code, err)


# --- refusals that change something ----------------------------------------------------------------


def test_keys_init_with_a_bad_id_creates_no_data_folder(capsys, tmp_path):
    # cli/keys.py init_command opens (creates) the store before create_keys checks the id.
    folder = tmp_path / "new"
    code, out, err = cli(capsys, "keys", "init", "--name", "Ann", "--id", "../etc", "--data-dir", folder)
    assert refused(code, err)
    assert not folder.exists()


def test_store_restore_refuses_a_database_that_is_not_a_fieldwork_store(team, capsys, tmp_path):
    # store/recovery.py _check_backup accepts any healthy SQLite file with user_version <= SCHEMA_VERSION.
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    code, out, err = cli(capsys, "store", "restore", other, "--data-dir", team.lead)
    assert refused(code, err)
    listed = cli_json(capsys, "inspection", "list", "--data-dir", team.lead)[1]
    assert [i["id"] for i in listed] == [INSPECTION]


def test_store_restore_refuses_another_profiles_backup(team, capsys):
    # Restoring ann's backup into lee's folder leaves lee's keys with a store whose profile is ann.
    code, taken = cli_json(capsys, "store", "backup", "--data-dir", team.folders["ann"])
    assert code == EXIT_OK
    code, out, err = cli(capsys, "store", "restore", taken["path"], "--data-dir", team.lead)
    assert refused(code, err)
    listed = cli_json(capsys, "inspection", "list", "--data-dir", team.lead)[1]
    assert [i["id"] for i in listed] == [INSPECTION]


# --- unknown ids and values that are accepted ------------------------------------------------------


def test_receipt_list_of_an_unknown_inspection_is_refused(team, capsys):
    # cli/handover.py list_command never calls get_inspection (every other --inspection does).
    code, out, err = cli(capsys, "receipt", "list", "--inspection", "nope", "--data-dir", team.lead)
    assert refused(code, err) and "No inspection 'nope'" in err


def test_moderation_query_to_an_unknown_person_is_refused(team, capsys):
    # cli/merge.py moderation_query_command → merge add_query records a query for anyone.
    code, out, err = cli(capsys, "moderation", "query", "--inspection", INSPECTION, "--case", "CRN001",
                         "--question", "2.1.1", "--text", "Why?", "--to", "nobody", "--data-dir", team.lead)
    assert refused(code, err)
    assert cli_json(capsys, "moderation", "queries", "--inspection", INSPECTION, "--data-dir", team.lead)[1] == []


def test_inspection_create_with_an_unknown_provider_type_is_refused(team, capsys):
    # cli/inspections.py create_command passes --provider-type through unchecked (the app offers
    # only the framework's provider_types).
    code, out, err = cli(capsys, "inspection", "create", "--framework", "test-mini", "--provider", "P",
                         "--id", "insp-2", "--provider-type", "nonsense", "--data-dir", team.lead)
    assert refused(code, err)
    listed = cli_json(capsys, "inspection", "list", "--data-dir", team.lead)[1]
    assert [i["id"] for i in listed] == [INSPECTION]


def test_settings_set_retention_days_to_an_empty_value_is_refused(ann, capsys):
    # store/settings.py _retention maps "" to "off": an unset shell variable switches retention off.
    code, out, err = cli(capsys, "settings", "set", "retention_days", "", "--data-dir", ann)
    assert refused(code, err)
    settings = cli_json(capsys, "settings", "list", "--data-dir", ann)[1]["settings"]
    assert {s["name"]: s["set"] for s in settings}["retention_days"] is False


@pytest.mark.parametrize("value", ["٣", "+3", "3_0", "３", "9" * 50])
def test_settings_set_retention_days_takes_ascii_digits_only(value, ann, capsys):
    # int() read "٣" (Arabic-Indic three) as 3, "3_0" as 30 and "+3" as 3.
    code, out, err = cli(capsys, "settings", "set", "retention_days", value, "--data-dir", ann)
    assert refused(code, err) and ("0-9" in err or "1 to" in err), err
    settings = cli_json(capsys, "settings", "list", "--data-dir", ann)[1]["settings"]
    assert {s["name"]: s["set"] for s in settings}["retention_days"] is False
