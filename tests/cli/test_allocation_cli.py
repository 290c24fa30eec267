"""`fieldwork allocation export | import`: the stable commands, end to end with real key folders."""

from __future__ import annotations

import shutil

import pytest
from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
    cli_json,
)

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, run
from fieldwork.store import open_store
from fieldwork.store.assessments import find_case, set_answer

INSPECTION = "insp-cli"


@pytest.fixture
def team(tmp_path, capsys, mini_path):
    """Lee (lead) with inspection insp-cli and a sample allocated to ann and bob; ann and bob with
    keys; the lead trusts both identity files. Returns the three data folders."""
    lead, ann, bob = tmp_path / "lee", tmp_path / "ann", tmp_path / "bob"
    for folder, name, person in ((lead, "Lee Lead", "lee"), (ann, "Ann Inspector", "ann"), (bob, "Bob B", "bob")):
        assert cli(capsys, "keys", "init", "--name", name, "--id", person, "--data-dir", folder)[0] == EXIT_OK
        assert cli(capsys, "keys", "export", "--out", tmp_path / f"{person}.json", "--data-dir", folder)[0] == EXIT_OK
    (lead / "frameworks").mkdir()
    shutil.copy(mini_path, lead / "frameworks" / "mini.toml")
    sample = tmp_path / "sample.csv"
    sample.write_text(
        "case_ref,sample,inspector_id,ldu,rosh\nCRN001,,ann,North,high\nCRN002,,ann,,\nUPW001,unpaid_work,ann,,\n"
        "CRN003,,bob,South,low\n",
        encoding="utf-8",
    )
    code, created = cli_json(
        capsys, "inspection", "create", "--framework", "test-mini", "--provider", "Test CRC", "--id", INSPECTION,
        "--sample", sample, "--data-dir", lead,
    )
    assert code == EXIT_OK, created
    for person in ("ann", "bob"):
        assert cli(capsys, "trust", "add", tmp_path / f"{person}.json", "--data-dir", lead)[0] == EXIT_OK
    return lead, ann, bob


def lead_fingerprint(capsys, lead) -> str:
    return cli_json(capsys, "keys", "show", "--data-dir", lead)[1]["fingerprint"]


def test_export_import_answer_and_bundle_back(team, capsys, tmp_path):
    lead, ann, _ = team
    pack = tmp_path / "ann.fwpack"
    code, exported = cli_json(
        capsys, "allocation", "export", "--inspection", INSPECTION, "--inspector", "ann", "--out", pack,
        "--data-dir", lead,
    )
    assert code == EXIT_OK and exported["cases"] == 3 and exported["sequence"] == 1 and pack.exists()

    # Ann does not know the lead yet: refused, with the fingerprint to compare.
    code, error = cli_json(capsys, "allocation", "import", pack, "--data-dir", ann)
    assert code == EXIT_REFUSED and error["error"]["code"] == "unknown-signer"
    fingerprint = lead_fingerprint(capsys, lead)
    assert error["error"]["lead"]["fingerprint"] == fingerprint
    code, out, err = cli(capsys, "allocation", "import", pack, "--data-dir", ann)
    assert code == EXIT_REFUSED and fingerprint in err and "--accept-lead" in err and out == ""
    code, error = cli_json(capsys, "allocation", "import", pack, "--accept-lead", "1234 " * 10, "--data-dir", ann)
    assert code == EXIT_REFUSED and error["error"]["code"] == "unknown-signer"

    code, preview = cli_json(
        capsys, "allocation", "import", pack, "--accept-lead", fingerprint, "--dry-run", "--data-dir", ann
    )
    assert code == EXIT_OK and sorted(preview["would"]["add"]) == ["CRN001", "CRN002", "UPW001"]
    assert cli_json(capsys, "inspection", "list", "--data-dir", ann)[1] == []  # a dry run writes nothing

    code, opened = cli_json(capsys, "allocation", "import", pack, "--accept-lead", fingerprint, "--data-dir", ann)
    assert code == EXIT_OK, opened
    assert opened["applied"]["created_inspection"] and opened["applied"]["lead_trusted"]
    assert opened["pack"]["lead"]["person_id"] == "lee" and opened["pack"]["cases"] == 3
    [listed] = cli_json(capsys, "inspection", "list", "--data-dir", ann)[1]
    assert (listed["id"], listed["cases"]) == (INSPECTION, 3)

    code, out, _ = cli(capsys, "allocation", "import", pack, "--data-dir", ann)  # the lead is trusted now
    assert code == EXIT_OK and "nothing changed" in out

    with open_store(ann, actor="ann") as store:
        case = find_case(store, INSPECTION, "CRN001")
        set_answer(store, case.id, "2.1.1", value="yes", note="Good plan.")
    code, bundle = cli_json(capsys, "bundle", "export", "--inspection", INSPECTION, "--out", tmp_path,
                            "--data-dir", ann)
    assert code == EXIT_OK, bundle
    code, verified = cli_json(capsys, "bundle", "verify", bundle["path"], "--data-dir", lead)
    assert code == EXIT_OK, verified
    assert verified["checked_against_framework"] and verified["record_counts"]["answer"] == 1


def test_text_output_of_export_and_import(team, capsys, tmp_path):
    lead, ann, _ = team
    code, out, _ = cli(capsys, "allocation", "export", "--inspection", INSPECTION, "--inspector", "ann",
                       "--out", tmp_path, "--data-dir", lead)
    assert code == EXIT_OK and "pack number 1 for ann" in out and "3 cases" in out
    [pack] = tmp_path.glob("*.fwpack")
    code, out, _ = cli(capsys, "allocation", "import", pack, "--accept-lead", lead_fingerprint(capsys, lead),
                       "--data-dir", ann)
    assert code == EXIT_OK and "3 cases allocated to you" in out and "Added Lee Lead" in out


def test_refusals_exit_1_with_a_json_error(team, capsys, tmp_path):
    lead, ann, bob = team
    code, error = cli_json(capsys, "allocation", "export", "--inspection", INSPECTION, "--inspector", "carol",
                           "--out", tmp_path, "--data-dir", lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "no-recipient"
    assert "fieldwork trust add" in error["error"]["message"]
    code, error = cli_json(capsys, "allocation", "export", "--inspection", "nope", "--inspector", "ann",
                           "--out", tmp_path, "--data-dir", lead)
    assert code == EXIT_REFUSED and error["error"]["code"] == "not-found"

    bobs = tmp_path / "bob.fwpack"
    assert cli(capsys, "allocation", "export", "--inspection", INSPECTION, "--inspector", "bob", "--out", bobs,
               "--data-dir", lead)[0] == EXIT_OK
    code, error = cli_json(capsys, "allocation", "import", bobs, "--data-dir", ann)
    assert code == EXIT_REFUSED and error["error"]["code"] == "not-encrypted-for-you"
    code, error = cli_json(capsys, "allocation", "import", tmp_path / "missing.fwpack", "--data-dir", ann)
    assert code == EXIT_REFUSED and error["error"]["code"] == "not-found"
    junk = tmp_path / "junk.fwpack"
    junk.write_bytes(b"not a pack at all")
    code, error = cli_json(capsys, "allocation", "import", junk, "--data-dir", ann)
    assert code == EXIT_REFUSED and error["error"]["code"] == "not-a-pack"
    assert cli_json(capsys, "inspection", "list", "--data-dir", ann)[1] == []

    code, out, err = cli(capsys, "allocation", "import", junk, "--data-dir", ann)
    assert code == EXIT_REFUSED and err.startswith("fieldwork: ") and out == ""


def test_usage_errors_exit_2(team, capsys, tmp_path):
    lead, _, _ = team
    with pytest.raises(SystemExit) as caught:
        run(["allocation", "export", "--inspection", INSPECTION, "--out", str(tmp_path), "--data-dir", str(lead)])
    assert caught.value.code == EXIT_USAGE
    with pytest.raises(SystemExit) as caught:
        run(["allocation", "import"])
    assert caught.value.code == EXIT_USAGE
    capsys.readouterr()


def test_the_leads_change_of_question_set_reaches_the_inspector_through_the_commands(team, capsys, tmp_path):
    """Decision 0036: `case set-sample` at the lead, the next pack moves the case at the inspector."""
    lead, ann, _ = team
    first = tmp_path / "first"
    first.mkdir()
    assert cli(capsys, "allocation", "export", "--inspection", INSPECTION, "--inspector", "ann", "--out", first,
               "--data-dir", lead)[0] == EXIT_OK
    [pack] = first.glob("*.fwpack")
    assert cli(capsys, "allocation", "import", pack, "--accept-lead", lead_fingerprint(capsys, lead),
               "--data-dir", ann)[0] == EXIT_OK
    with open_store(ann, actor="ann") as store:
        set_answer(store, find_case(store, INSPECTION, "CRN002").id, "2.1.1", value="no", note="No plan.")

    code, changed = cli_json(capsys, "case", "set-sample", INSPECTION, "CRN002", "unpaid_work",
                             "--reason", "Unpaid work requirement only", "--data-dir", lead)
    assert code == EXIT_OK, changed
    second = tmp_path / "second"
    second.mkdir()
    assert cli(capsys, "allocation", "export", "--inspection", INSPECTION, "--inspector", "ann", "--out", second,
               "--data-dir", lead)[0] == EXIT_OK
    [pack] = second.glob("*.fwpack")
    code, out, _ = cli(capsys, "allocation", "import", pack, "--data-dir", ann)
    assert code == EXIT_OK
    assert "question set of CRN002: supervision → unpaid_work, by lee: Unpaid work requirement only" in out
    assert "your answers kept but no longer counted: 2.1.1" in out
    with open_store(ann, actor="ann") as store:
        assert find_case(store, INSPECTION, "CRN002").sample_id == "unpaid_work"
