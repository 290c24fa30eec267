"""`fieldwork merge | conflicts | moderation`: the stable commands a lead's scripts rely on."""

from __future__ import annotations

import json

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, run
from fieldwork.identity import keys as keys_module
from fieldwork.identity.keys import ScryptParams
from fieldwork.store import open_store
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import add_case, create_inspection

PASSPHRASE = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_and_contained(monkeypatch):
    """Cheap scrypt, the passphrase from the environment, and never the real OS keyring."""
    monkeypatch.setattr(keys_module, "DEFAULT_SCRYPT", ScryptParams(log2_n=10))
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", PASSPHRASE)
    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(previous)


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = run([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys, *argv):
    code, out, _ = cli(capsys, *argv, "--json")
    return code, json.loads(out) if out.strip() else None


@pytest.fixture
def team(tmp_path, capsys, mini_framework):
    """A lead (who set up insp-test with case CRN001 read by ann and bob) and two inspectors,
    each with keys; the lead trusts both; both inspectors judged CRN001 2.1.1 differently."""
    folders = {p: tmp_path / p for p in ("lee", "ann", "bob")}
    for person, folder in folders.items():
        assert cli(capsys, "keys", "init", "--name", person.title(), "--id", person, "--data-dir", folder)[0] == 0
        assert cli(capsys, "keys", "export", "--out", tmp_path / f"{person}.json", "--data-dir", folder)[0] == 0
    with open_store(folders["lee"], actor="lee") as store:
        inspection = create_inspection(
            store, inspection_id="insp-test", provider="Test CRC", provider_type="CRC", framework=mini_framework
        )
        case = add_case(store, inspection, "CRN001", inspector_id="ann")
        rows = store.db.execute("SELECT id, inspection_id, case_ref, sample_id, created_at FROM cases").fetchall()
    for person in ("ann", "bob"):
        assert cli(capsys, "trust", "add", tmp_path / f"{person}.json", "--inspections", "insp-test",
                   "--data-dir", folders["lee"])[0] == EXIT_OK
        with open_store(folders[person], actor=person) as store:
            create_inspection(
                store, inspection_id="insp-test", provider="Test CRC", provider_type="CRC", framework=mini_framework
            )
            with store.transaction() as db:  # what the allocation pack does: the lead's case UUID
                db.execute(
                    "INSERT INTO cases (id, inspection_id, case_ref, sample_id, inspector_id, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", [*rows[0][:4], person, rows[0][4], rows[0][4]],
                )
            set_answer(store, case.id, "2.1.1", value="yes" if person == "ann" else "no", note=f"{person} says")
    bundles = {}
    for person in ("ann", "bob"):
        code, made = cli_json(capsys, "bundle", "export", "--inspection", "insp-test", "--out", tmp_path,
                              "--to", tmp_path / "lee.json", "--data-dir", folders[person])
        assert code == EXIT_OK, made
        bundles[person] = made["path"]
    return folders, bundles


def test_merge_prints_the_stable_json_and_exits_1_when_any_file_was_refused(team, capsys, tmp_path):
    folders, bundles = team
    junk = tmp_path / "junk.fwbundle"
    junk.write_bytes(b"nothing")
    code, report = cli_json(capsys, "merge", bundles["ann"], junk, bundles["bob"], "--data-dir", folders["lee"])
    assert code == EXIT_REFUSED
    assert set(report) == {"imported", "already_imported", "refused", "conflicts", "awaiting_acceptance"}
    assert [r["file"] for r in report["imported"]] == [bundles["ann"], bundles["bob"]]
    assert report["imported"][0]["cases"] == 1 and report["imported"][0]["answers"] == 1
    [refused] = report["refused"]
    assert refused["file"] == str(junk) and refused["code"] == "not-a-bundle" and refused["message"]
    # bob read ann's case: his answer waits for the lead, so nothing disagrees yet.
    held = {"cases_added": 0, "cases_not_allocated": 1, "answers_on_others_cases": 1}
    assert report["imported"][1]["held"] == held and report["awaiting_acceptance"] == held
    assert report["conflicts"] == 0
    assert _accept(capsys, folders["lee"]) == {"inspection_id": "insp-test", "accepted": 1, **held}
    code, again = cli_json(capsys, "merge", bundles["ann"], bundles["bob"], "--data-dir", folders["lee"])
    assert code == EXIT_OK and again["imported"] == [] and len(again["already_imported"]) == 2
    assert again["conflicts"] == 1


def _accept(capsys, lead_dir) -> dict:
    code, accepted = cli_json(capsys, "merge", "accept", "--inspection", "insp-test", "--data-dir", lead_dir)
    assert code == EXIT_OK
    return accepted


def test_held_work_is_listed_then_accepted_in_one_action_with_a_record(team, capsys):
    """Issue 16: what a bundle does beyond its signer's allocated cases waits for the lead."""
    folders, bundles = team
    lee = folders["lee"]
    code, out, _ = cli(capsys, "merge", bundles["ann"], bundles["bob"], "--data-dir", lee)
    assert "Waiting for you: 1 case not allocated to the inspector who sent it and 1 answer on another " \
        "inspector's case" in out
    assert "held out of the ratings until you accept them" in out
    code, listed = cli_json(capsys, "merge", "held", "--inspection", "insp-test", "--data-dir", lee)
    assert code == EXIT_OK and listed["totals"]["answers_on_others_cases"] == 1
    [item] = listed["held"]
    assert (item["case_ref"], item["inspector_id"], item["reason"], item["allocated_to"], item["answers"]) == (
        "CRN001", "bob", "other", "ann", 1)
    code, out, _ = cli(capsys, "merge", "held", "--inspection", "insp-test", "--data-dir", lee)
    assert "CRN001" in out and "bob: 1 answer, case allocated to ann" in out
    code, out, _ = cli(capsys, "merge", "accept", "--inspection", "insp-test", "--data-dir", lee)
    assert code == EXIT_OK and "Accepted" in out
    code, out, _ = cli(capsys, "merge", "accept", "--inspection", "insp-test", "--data-dir", lee)
    assert "Nothing was waiting" in out
    assert cli(capsys, "merge", "accept", "--data-dir", lee)[0] == EXIT_USAGE
    with open_store(lee, actor="lee") as store:
        assert store.db.execute(
            "SELECT actor, old, new FROM change_log WHERE source = 'merge-acceptance'"
        ).fetchall() == [("lee", "other", "bob")]


def test_merge_text_output_and_the_passphrase_from_a_named_variable(team, capsys, monkeypatch):
    folders, bundles = team
    monkeypatch.delenv("FIELDWORK_PASSPHRASE")
    monkeypatch.setenv("LEAD_PASS", PASSPHRASE)
    code, out, _ = cli(capsys, "merge", bundles["ann"], "--passphrase-env", "LEAD_PASS", "--data-dir", folders["lee"])
    assert code == EXIT_OK and "Merged" in out and "from ann" in out
    code, out, err = cli(capsys, "merge", bundles["bob"], "--passphrase-env", "NOT_SET", "--data-dir", folders["lee"])
    assert code == EXIT_REFUSED and "NOT_SET" in err


def test_conflicts_list_and_resolve_by_author_or_value(team, capsys):
    folders, bundles = team
    lee = folders["lee"]
    cli(capsys, "merge", bundles["ann"], bundles["bob"], "--data-dir", lee)
    _accept(capsys, lee)  # bob's second read of ann's case
    code, listed = cli_json(capsys, "conflicts", "list", "--inspection", "insp-test", "--data-dir", lee)
    assert code == EXIT_OK and listed["open"] == 1 and listed["case_conflicts"] == []
    [conflict] = listed["conflicts"]
    assert conflict["case_ref"] == "CRN001" and conflict["key"] == "2.1.1" and conflict["reason"] == "parallel"
    assert {v["author"] for v in conflict["versions"]} == {"ann", "bob"}
    code, out, _ = cli(capsys, "conflicts", "list", "--inspection", "insp-test", "--data-dir", lee)
    assert "different judgements" in out and "ann says" in out

    code, _, err = cli(capsys, "conflicts", "resolve", "--inspection", "insp-test", "--case", "CRN001", "--question",
                       "2.1.1", "--choose", "maybe", "--reason", "x", "--data-dir", lee)
    assert code == EXIT_REFUSED and "neither" in err
    code, decided = cli_json(capsys, "conflicts", "resolve", "--inspection", "insp-test", "--case", "CRN001",
                             "--question", "2.1.1", "--choose", "bob", "--reason", "Bob read the OASys", "--data-dir",
                             lee)
    assert code == EXIT_OK and decided["author"] == "bob" and decided["value"] == "no"
    code, listed = cli_json(capsys, "conflicts", "list", "--inspection", "insp-test", "--data-dir", lee)
    assert listed["open"] == 0
    code, _, err = cli(capsys, "conflicts", "resolve", "--inspection", "insp-test", "--case", "CRN001", "--question",
                       "2.1.1", "--choose", "yes", "--reason", "again", "--data-dir", lee)
    assert code == EXIT_REFUSED and "not in conflict" in err


def test_merge_gaps_alerts_and_moderation(team, capsys, tmp_path):
    folders, bundles = team
    lee, ann = folders["lee"], folders["ann"]
    later = []
    for _ in range(2):
        code, made = cli_json(capsys, "bundle", "export", "--inspection", "insp-test", "--out", tmp_path,
                              "--to", tmp_path / "lee.json", "--data-dir", ann)
        later.append(made["path"])
    cli(capsys, "merge", bundles["ann"], later[1], "--data-dir", lee)
    code, gaps = cli_json(capsys, "merge", "gaps", "--inspection", "insp-test", "--data-dir", lee)
    [gap] = gaps["gaps"]
    assert code == EXIT_OK and (gap["inspector_id"], gap["missing"], gap["highest_imported"]) == (
        "ann", [{"first": 2, "last": 2}], 3
    )
    assert gap["missing_count"] == 1
    code, out, _ = cli(capsys, "merge", "gaps", "--inspection", "insp-test", "--data-dir", lee)
    assert "missing bundle 2" in out
    code, alerts = cli_json(capsys, "merge", "alerts", "--inspection", "insp-test", "--data-dir", lee)
    assert code == EXIT_OK and alerts["alerts"] == []
    assert cli(capsys, "merge", "gaps", "--data-dir", lee)[0] == EXIT_USAGE

    code, query = cli_json(capsys, "moderation", "query", "--inspection", "insp-test", "--case", "CRN001",
                           "--question", "2.1.1", "--text", "Which document?", "--data-dir", lee)
    assert code == EXIT_OK and query["inspector_id"] == "ann" and query["status"] == "open"
    code, listed = cli_json(capsys, "moderation", "queries", "--inspection", "insp-test", "--status", "open",
                            "--data-dir", lee)
    assert [q["id"] for q in listed] == [query["id"]]
    code, state = cli_json(capsys, "moderation", "set", "--inspection", "insp-test", "--case", "CRN001", "--state",
                           "agreed", "--data-dir", lee)
    assert code == EXIT_OK and state["state"] == "agreed"
    code, cleared = cli_json(capsys, "moderation", "clear", "--inspection", "insp-test", "--case", "CRN001",
                             "--data-dir", lee)
    assert code == EXIT_OK and cleared["cleared"]["state"] == "agreed"
    code, out, _ = cli(capsys, "moderation", "clear", "--inspection", "insp-test", "--case", "CRN001",
                       "--data-dir", lee)
    assert code == EXIT_OK and "had no moderation mark; nothing changed" in out
    code, closed = cli_json(capsys, "moderation", "close", query["id"], "--data-dir", lee)
    assert closed["status"] == "closed"
    cli(capsys, "merge", bundles["bob"], "--data-dir", lee)
    _accept(capsys, lee)  # bob's second read of ann's case
    code, report = cli_json(capsys, "moderation", "agreement", "--inspection", "insp-test", "--data-dir", lee)
    first = next(q for q in report["questions"] if q["question_id"] == "2.1.1")
    assert first["double_read"] == 1 and first["agreed"] == 0 and first["percent"] == 0.0
    code, out, _ = cli(capsys, "moderation", "agreement", "--inspection", "insp-test", "--data-dir", lee)
    assert code == EXIT_OK and "2.1.1" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["merge"],
        ["conflicts", "resolve", "--inspection", "x", "--case", "C"],
        ["conflicts", "resolve-case", "--inspection", "x", "--id", "1", "--reason", "r"],
        ["moderation", "set", "--inspection", "x", "--case", "C", "--state", "done"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        run(argv)
    assert exited.value.code == EXIT_USAGE


def test_evidence_with_terminal_escapes_is_shown_escaped_in_plain_text_and_intact_in_json(team, capsys, tmp_path):
    """Hostile evidence (escape sequences, bell, carriage return, right-to-left override) reaches
    the lead's terminal as visible escapes; the JSON carries it exactly (issue 16 §4)."""
    folders, bundles = team
    hostile = "\x1b]0;owned\x07\x1b[2J\rNo concerns \u202eevil"
    case_id = None
    with open_store(folders["ann"], actor="ann") as store:
        case_id = store.db.execute("SELECT id FROM cases").fetchone()[0]
        set_answer(store, case_id, "2.1.1", note=hostile)
    code, made = cli_json(capsys, "bundle", "export", "--inspection", "insp-test", "--out", tmp_path,
                          "--to", tmp_path / "lee.json", "--data-dir", folders["ann"])
    assert code == EXIT_OK, made
    cli(capsys, "merge", made["path"], bundles["bob"], "--data-dir", folders["lee"])
    # bob's read of ann's case waits for the lead (decision 0019); accepted, the two versions conflict.
    assert cli(capsys, "merge", "accept", "--inspection", "insp-test", "--data-dir", folders["lee"])[0] == EXIT_OK
    code, out, err = cli(capsys, "conflicts", "list", "--inspection", "insp-test", "--data-dir", folders["lee"])
    assert code == EXIT_OK and "\\u001b]0;owned\\u0007\\u001b[2J\\u000dNo concerns \\u202eevil" in out
    assert not any(c in out + err for c in "\x1b\x07\r\u202e")
    code, out, _ = cli(capsys, "conflicts", "list", "--inspection", "insp-test", "--json", "--data-dir", folders["lee"])
    assert "\u202e" not in out and "\x1b" not in out
    notes = {v["note"] for c in json.loads(out)["conflicts"] for v in c["versions"]}
    assert hostile in notes
