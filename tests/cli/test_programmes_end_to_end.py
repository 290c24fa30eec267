"""Every shipped framework, end to end through the real command line (issue 17): the lead creates
an inspection with its case sample, hands an inspector a pack; the inspector records answers from a
file and exports a signed bundle; the lead merges it, records the judgement standards (or answers
the premises' questions), and gets the ratings and every report format. Each rating names its rule
and whether the rule is confirmed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
)
from helpers.teams import INSPECTION, export_bundle

from fieldwork.cli import EXIT_OK
from fieldwork.frameworks.catalogue import list_frameworks
from fieldwork.frameworks.model import Framework

SHIPPED = sorted((e.framework for e in list_frameworks() if e.origin == "shipped" and e.framework), key=lambda f: f.id)


def test_every_shipped_framework_file_loads_and_checks_clean(capsys):
    entries = [e for e in list_frameworks() if e.origin == "shipped"]
    assert len(entries) == 9 and all(e.usable for e in entries), [e.problems for e in entries]
    for entry in entries:
        code, out, err = cli(capsys, "frameworks", "check", entry.path)
        assert code == EXIT_OK and "valid" in out, err


class Team:
    """lee (lead) and ann (inspector), set up through the command line."""

    def __init__(self, root: Path, capsys):
        self.root, self.capsys = root, capsys
        self.folders = {"lee": root / "lee", "ann": root / "ann"}

    @property
    def lead(self) -> Path:
        return self.folders["lee"]

    def run(self, person: str, *argv):
        code, out, err = cli(self.capsys, *argv, "--data-dir", self.folders[person])
        assert code == EXIT_OK, f"{argv}: {err or out}"
        return out

    def run_json(self, person: str, *argv):
        return json.loads(self.run(person, *argv, "--json"))


def case_ref(sample_id: str) -> str:
    return f"CASE-{sample_id.upper()}"


def set_up(root: Path, capsys, framework: Framework) -> Team:
    team = Team(root, capsys)
    for person, name in (("lee", "Lee Lead"), ("ann", "Ann Inspector")):
        team.run(person, "keys", "init", "--name", name, "--id", person)
        team.run(person, "keys", "export", "--out", root / f"{person}.json")
    # One case per sample, all read by ann.
    sample = root / "sample.csv"
    rows = "".join(f"{case_ref(s.id)},{s.id},ann\n" for s in framework.samples)
    sample.write_text("case_ref,sample,inspector_id\n" + rows)
    created = team.run_json(
        "lee", "inspection", "create", "--framework", framework.id, "--provider", "Test provider",
        "--id", INSPECTION, "--sample", sample,
    )  # fmt: skip
    assert (created["framework_hash"], created["cases"]) == (framework.content_hash, len(framework.samples))
    assert created["provider_type"] == framework.provider_types[0]
    fingerprint = team.run_json("lee", "keys", "show")["fingerprint"]
    team.run("lee", "trust", "add", root / "ann.json", "--inspections", INSPECTION)
    pack = root / "ann-1.fwpack"
    team.run("lee", "allocation", "export", "--inspection", INSPECTION, "--inspector", "ann", "--out", pack)
    team.run("ann", "allocation", "import", pack, "--accept-lead", fingerprint)
    return team


def answer_everything(team: Team, framework: Framework) -> Path:
    """ann answers every key question of every case from a file: Yes, except the first key question
    of each standard, which is No with evidence."""
    first = {s.key_questions[0].id for s in framework.standards}
    answers = team.root / "answers.csv"
    with open(answers, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case_ref", "question_id", "answer", "note"])
        for sample in framework.samples:
            for kq in framework.key_questions_for_sample(sample.id):
                value, note = ("no", "Not done in time.") if kq.id in first else ("yes", "")
                writer.writerow([case_ref(sample.id), kq.id, value, note])
        if not any(framework.key_questions_for_sample(s.id) for s in framework.samples):
            # Judged for the premises, not from cases (approved premises): the file records what
            # was read of a resident's file instead.
            detail = next(f for f in framework.case_details if f.type == "boolean")
            writer.writerow([case_ref(framework.default_sample.id), detail.id, "yes", ""])
    team.run("ann", "answers", "import", answers, "--inspection", INSPECTION)
    return answers


@pytest.mark.parametrize("framework", SHIPPED, ids=[f.id for f in SHIPPED])
def test_a_shipped_framework_end_to_end(tmp_path, capsys, framework):
    team = set_up(tmp_path, capsys, framework)
    answer_everything(team, framework)
    bundle = export_bundle(capsys, team, "ann", "ann-1")["path"]
    merged = team.run_json("lee", "merge", bundle)
    assert len(merged["imported"]) == 1

    # The lead rates the judgement standards with evidence (or, with no four-point rating, writes
    # the judgement under the framework's label).
    four_point = framework.rating.four_point
    rating = "Good" if four_point else framework.rating.written_judgement
    evidence = "Met the leaders; read the plans."
    for standard in framework.standards:
        if standard.rated_for_premises:
            # Answered once for the premises (decision 0037): every question Yes, with evidence.
            for question in standard.premises_questions:
                team.run("lee", "premises", "answer", "--inspection", INSPECTION, "--question", question.id,
                         "--answer", "yes", "--evidence", evidence)  # fmt: skip
        elif standard.rated and not standard.rated_from_cases:
            team.run("lee", "rate", "--inspection", INSPECTION, "--standard", standard.id, "--rating", rating,
                     "--evidence", evidence)  # fmt: skip

    result = json.loads(team.run("lee", "ratings", "--inspection", INSPECTION))
    assert (result["framework"], result["framework_status"], result["person_term"]) == (
        framework.id, framework.status, framework.person_term,
    )  # fmt: skip
    for standard in result["standards"]:
        assert standard["rule"]["provenance"] in ("confirmed", "recalled"), standard
        definition = framework.standard(standard["id"])
        if not definition.rated:
            assert (standard["rating"], standard["rule"]["id"]) == ("Not rated", "reported_not_rated")
            assert sum(kq["yes"] + kq["no"] for kq in standard["key_questions"]) >= 1  # still reported
        elif definition.combined:
            # A region's PDU-data standard: no PDU results taken in here, so no cases (see tests/region).
            assert (standard["rating"], standard["rule"]["id"]) == ("Not rated", "no_cases_not_rated")
        elif definition.rated_from_cases and not four_point:
            # No four-point rating: the sufficiency percentages only (the first question No: 0 %).
            assert (standard["rating"], standard["rule"]["id"]) == ("Not rated", "sufficiency_only")
            assert standard["key_questions"][0]["percent"] == 0
        elif definition.rated_from_cases:
            # One case: the first key question, No (0 %), decides: Inadequate, from the lowest key question.
            assert (standard["rating"], standard["rule"]["id"]) == ("Inadequate", "lowest_key_question")
        elif definition.rated_for_premises:
            # Every premises answer Yes: 100 % on each key question, the top band.
            assert (standard["rating"], standard["rule"]["id"]) == ("Outstanding", "premises_answers")
            assert {a["answer"] for a in standard["premises_answers"]} == {"yes"}
        else:
            assert (standard["rating"], standard["rule"]["id"]) == (rating, "lead_judgement")
    overall = result["overall"]
    if four_point:
        assert overall["rating"] != "Not rated" and not overall["provisional"] and overall["final"]
        # A region with no PDU results taken in: its combined standards leave the maximum.
        expected_rule = "reduced_maximum" if framework.combined_standards else "overall_score_bands"
        assert overall["rule"]["id"] == expected_rule and overall["rule"]["provenance"] == "recalled"
        assert overall["max"] == 3 * len([s for s in framework.rated_standards if not s.combined])
    else:
        assert (overall["rating"], overall["rule"]["id"]) == ("Not rated", "sufficiency_only")

    # Every report format, whole.
    for fmt in ("csv", "xlsx", "html", "pdf"):
        out = tmp_path / f"ratings.{fmt}"
        team.run("lee", "ratings", "--inspection", INSPECTION, "--out", out)
        assert out.stat().st_size > 0
    html = (tmp_path / "ratings.html").read_text(encoding="utf-8")
    assert "not confirmed from a published HMI Probation document" in html
    assert ("No four-point rating." in html) == (not four_point)
    for standard in framework.standards:
        assert standard.name.replace("&", "&amp;").replace("'", "&#x27;") in html
    book = openpyxl.load_workbook(tmp_path / "ratings.xlsx")
    header = [c.value for c in book["Ratings by standard"][1]]
    assert "Rule" in header and "Rule confirmed or recalled" in header
    assert (tmp_path / "ratings.pdf").read_bytes().startswith(b"%PDF-")
