"""Moving a running inspection to a corrected framework, end to end on the command line
(issue 18 §4, decision 0042): the lead's central database, the next allocation pack to an
inspector's workspace, and a bundle made under the old version merging after the move."""

from __future__ import annotations

import hashlib
import json

import pytest
from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
    cli_json,
)
from helpers.moved_framework import version_text
from helpers.teams import INSPECTION, export_bundle, make_team
from packs.helpers import dump

from fieldwork.cli import EXIT_OK, EXIT_REFUSED
from fieldwork.store import open_store
from fieldwork.store.assessments import find_case, load_assessment, set_answer
from fieldwork.store.changelog import case_history
from fieldwork.store.framework_move import moves_of
from fieldwork.store.inspections import framework_for, get_inspection


@pytest.fixture
def team(tmp_path, capsys, mini_path):
    return make_team(tmp_path, capsys, mini_path)


def _answer(team, person, case_ref, question, value, note=""):
    with open_store(team.folders[person], actor=person) as store:
        set_answer(store, find_case(store, INSPECTION, case_ref).id, question, value=value, note=note)


def _answers(folder, actor, case_ref) -> dict:
    with open_store(folder, actor=actor) as store:
        answers = load_assessment(store, find_case(store, INSPECTION, case_ref).id).answers
        return {q: a.value for q, a in answers.items()}


def test_the_lead_moves_the_inspection_and_the_inspector_and_an_old_bundle_follow(team, capsys, tmp_path):
    lead = team.lead
    _answer(team, "ann", "CRN001", "2.1.1", "yes", "Clear evidence.")
    _answer(team, "ann", "CRN001", "2.1.1.a", "no")
    _answer(team, "ann", "CRN001", "2.1.1.b", "na")
    first = export_bundle(capsys, team, "ann", "ann-1")["path"]
    assert cli_json(capsys, "merge", first, "--data-dir", lead)[0] == EXIT_OK
    _answer(team, "ann", "CRN002", "2.1.1.a", "yes")
    made_before_the_move = export_bundle(capsys, team, "ann", "ann-2")["path"]

    corrected = tmp_path / "mini-1.1.toml"
    corrected.write_text(version_text(), encoding="utf-8")
    code, out, _ = cli(capsys, "inspection", "move-framework", INSPECTION, "--to", corrected, "--dry-run",
                       "--data-dir", lead)
    assert code == EXIT_OK
    assert "The prompt 2.1.1.a is now the prompt 2.1.1.m" in out and "Dry run: nothing was changed." in out
    assert "1 answer(s) to 1 question(s) no longer in version 1.1 are kept" in out
    with open_store(lead, actor="lee") as store:
        assert framework_for(store, get_inspection(store, INSPECTION)).version == "1.0"

    code, out, _ = cli(capsys, "inspection", "move-framework", INSPECTION, "--to", corrected, "--data-dir", lead)
    assert code == EXIT_OK and "Moved insp-cli to test-mini version 1.1" in out
    assert _answers(lead, "lee", "CRN001") == {"2.1.1": "yes", "2.1.1.m": "no", "2.1.1.b": "na"}
    new_hash = hashlib.sha256(corrected.read_bytes()).hexdigest()

    # A bundle made under version 1.0 still merges: its answer to 2.1.1.a lands on 2.1.1.m.
    code, merged = cli_json(capsys, "merge", made_before_the_move, "--data-dir", lead)
    assert code == EXIT_OK and len(merged["imported"]) == 1, merged
    assert _answers(lead, "lee", "CRN002") == {"2.1.1.m": "yes"}

    # The next pack moves ann's laptop, with lee as the mover.
    pack = tmp_path / "ann-2.fwpack"
    assert cli(capsys, "allocation", "export", "--inspection", INSPECTION, "--inspector", "ann", "--out", pack,
               "--data-dir", lead)[0] == EXIT_OK
    code, opened = cli_json(capsys, "allocation", "import", pack, "--data-dir", team.folders["ann"])
    assert code == EXIT_OK and opened["applied"]["framework_moved_to"].startswith("test-mini version 1.1"), opened
    assert _answers(team.folders["ann"], "ann", "CRN001") == {"2.1.1": "yes", "2.1.1.m": "no", "2.1.1.b": "na"}
    with open_store(team.folders["ann"], actor="ann") as store:
        [move] = moves_of(store, INSPECTION)
        assert move.moved_by == "lee" and move.renamed == {"2.1.1.a": "2.1.1.m"}
        history = case_history(store, find_case(store, INSPECTION, "CRN001").id)
        [entry] = [e for e in history if e.field == "framework"]
        assert entry.new == "test-mini version 1.1 (moved by lee, the lead)" and entry.source.startswith("pack:")

    # ann's next bundle, made under 1.1, merges without a conflict: the renamed answers are the same versions.
    after = export_bundle(capsys, team, "ann", "ann-3")["path"]
    code, merged = cli_json(capsys, "merge", after, "--data-dir", lead)
    assert code == EXIT_OK and len(merged["imported"]) == 1 and merged["conflicts"] == 0, merged
    assert _answers(lead, "lee", "CRN001") == {"2.1.1": "yes", "2.1.1.m": "no", "2.1.1.b": "na"}
    code, out, _ = cli(capsys, "ratings", "--inspection", INSPECTION, "--data-dir", lead)
    ratings = json.loads(out)
    assert code == EXIT_OK and (ratings["framework_version"], ratings["framework_hash"]) == ("1.1", new_hash)


@pytest.mark.parametrize(
    ("replace", "words"),
    [
        ({'version = "1.0"': 'version = "0.9"'}, "older than version 1.0"),
        ({'id = "test-mini"': 'id = "other-mini"'}, "an inspection moves only to a newer version of its own"),
        ({'renamed_from = ["2.1.1.a"]': 'renamed_from = ["2.1.2"]'}, "is a question of this framework"),
    ],
)
def test_refusals_say_what_to_do_and_change_nothing(team, capsys, tmp_path, replace, words):
    corrected = tmp_path / "corrected.toml"
    corrected.write_text(version_text(**replace), encoding="utf-8")
    with open_store(team.lead, actor="lee") as store:
        before = dump(store)
    code, _, err = cli(capsys, "inspection", "move-framework", INSPECTION, "--to", corrected, "--data-dir", team.lead)
    assert code == EXIT_REFUSED and words in err and "Traceback" not in err
    with open_store(team.lead, actor="lee") as store:
        assert dump(store) == before


def test_an_inspector_cannot_move_the_lead_s_inspection(team, capsys, tmp_path):
    corrected = tmp_path / "mini-1.1.toml"
    corrected.write_text(version_text(), encoding="utf-8")
    code, _, err = cli(capsys, "inspection", "move-framework", INSPECTION, "--to", corrected,
                       "--data-dir", team.folders["ann"])
    assert code == EXIT_REFUSED and "only the lead moves it" in err
