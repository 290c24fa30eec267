"""An approved premises inspection end to end through the command line (decision 0037): the lead
answers the premises' questions once, the rating is computed from them, the lead overrides one
with a reason, and every report format carries the answers, the rule and the override."""

from __future__ import annotations

import csv
import json
from html import escape

import openpyxl
import pytest
from helpers.cli import cli

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from fieldwork.frameworks.model import RULES

AP = "hmip-approved-premises-2025"


class Lead:
    def __init__(self, folder, capsys):
        self.folder, self.capsys = folder, capsys

    def run(self, *argv, expect=EXIT_OK):
        code, out, err = cli(self.capsys, *argv, "--data-dir", self.folder)
        assert code == expect, f"{argv}: {err or out}"
        return out, err

    def json(self, *argv):
        return json.loads(self.run(*argv, "--json")[0])

    def answer(self, question, value, evidence=None, expect=EXIT_OK):
        argv = ["premises", "answer", "--inspection", "AP-1", "--question", question, "--answer", value]
        if evidence is not None:
            argv += ["--evidence", evidence]
        return self.run(*argv, expect=expect)


@pytest.fixture
def lead(tmp_path, capsys):
    lead = Lead(tmp_path / "lee", capsys)
    sample = tmp_path / "sample.csv"
    sample.write_text("case_ref,sample\nR-1,residents\n")
    lead.run("inspection", "create", "--framework", AP, "--provider", "Hill House AP", "--id", "AP-1",
             "--sample", sample)  # fmt: skip
    return lead


def test_an_approved_premises_inspection_end_to_end(lead, tmp_path):
    # Standard 1: 1.1 four of five prompts Yes (80 %), 1.2 two of three Yes, one Not applicable (100 %).
    for prompt in ("1.1.a", "1.1.b", "1.1.c", "1.1.d"):
        lead.answer(prompt, "yes", "Seen in the governance minutes.")
    lead.answer("1.1.e", "no", "No risk register for the night shift.")
    lead.answer("1.2.a", "yes")
    lead.answer("1.2.b", "y")
    lead.answer("1.2.c", "na", "No EDI data kept yet.")
    # Standard 2: 2.1 one of three Yes (33 %), 2.2 (no prompts) Yes.
    lead.answer("2.1.a", "no", "Two nights with one member of staff.")
    lead.answer("2.1.b", "yes")
    lead.answer("2.1.c", "no")
    lead.answer("2.2", "yes")
    shown = lead.json("premises", "show", "--inspection", "AP-1")
    by_id = {s["id"]: s for s in shown["standards"]}
    assert (by_id["1"]["rating"], by_id["1"]["deciding_key_question"]) == ("Outstanding", "1.1")
    assert (by_id["2"]["rating"], by_id["2"]["deciding_key_question"]) == ("Inadequate", "2.1")
    assert by_id["2"]["rule"] == {
        "id": "premises_answers", "provenance": "recalled", "text": by_id["2"]["rule"]["text"],
    }  # fmt: skip
    assert (by_id["3"]["rating"], by_id["3"]["rule"]["id"]) == ("Not rated", "premises_not_answered")
    answer = next(a for a in by_id["1"]["premises_answers"] if a["id"] == "1.1.e")
    assert (answer["answer"], answer["evidence"], answer["revision"], answer["key_question"]) == (
        "no", "No risk register for the night shift.", 1, "1.1",
    )  # fmt: skip

    # Evidence changed alone keeps the answer; the history has every change, old → new.
    lead.run("premises", "answer", "--inspection", "AP-1", "--question", "1.1.e", "--evidence", "Register seen late.")
    history = lead.json("premises", "history", "--inspection", "AP-1", "--question", "1.1.e")
    assert [(h["field"], h["old"], h["new"]) for h in history] == [
        ("value", None, "no"),
        ("note", "", "No risk register for the night shift."),
        ("note", "No risk register for the night shift.", "Register seen late."),
    ]

    # The override needs a reason; a judgement is refused; then the override is in force.
    _, err = lead.run("rate", "--inspection", "AP-1", "--standard", "2", "--override", "--rating",
                      "Requires improvement", expect=EXIT_REFUSED)  # fmt: skip
    assert "needs a reason" in err
    _, err = lead.run("rate", "--inspection", "AP-1", "--standard", "2", "--rating", "Good", "--evidence", "x",
                      expect=EXIT_REFUSED)  # fmt: skip
    assert "rated from the answers for the premises, so it takes no judgement" in err
    lead.run("rate", "--inspection", "AP-1", "--standard", "2", "--override", "--rating", "Requires improvement",
             "--reason", "Rota fixed during the fieldwork week.")  # fmt: skip

    ratings = json.loads(lead.run("ratings", "--inspection", "AP-1")[0])
    staffing = next(s for s in ratings["standards"] if s["id"] == "2")
    assert (staffing["computed_rating"], staffing["rating"], staffing["rule"]["id"]) == (
        "Inadequate", "Requires improvement", "lead_override",
    )  # fmt: skip
    assert staffing["computed_rule"]["id"] == "premises_answers"
    assert staffing["override"]["reason"] == "Rota fixed during the fieldwork week."
    # 3 (Outstanding) + 1 (Requires improvement) out of the reduced maximum 6: three standards not answered.
    assert (ratings["overall"]["score"], ratings["overall"]["max"], ratings["overall"]["unrated"]) == (
        4, 6, ["3", "4", "5"],
    )  # fmt: skip

    for fmt in ("csv", "xlsx", "html", "pdf"):
        lead.run("ratings", "--inspection", "AP-1", "--out", tmp_path / f"ratings.{fmt}")
    with open(tmp_path / "ratings.csv", encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["section"] == "premises_answer"]
    assert len(rows) == 15  # every question answered for the premises, answered or not
    row = next(r for r in rows if r["premises_question"] == "2.1.a")
    assert (row["premises_answer"], row["premises_evidence"]) == ("No", "Two nights with one member of staff.")
    sheet = openpyxl.load_workbook(tmp_path / "ratings.xlsx")["Answers for the premises"]
    assert [c.value for c in sheet[1]][:5] == ["Standard", "Key question", "Question", "Asked",
                                               "Answer for the premises"]  # fmt: skip
    html = (tmp_path / "ratings.html").read_text(encoding="utf-8")
    assert "Rated from the lead inspector&#x27;s answers for the premises" in html
    assert "Rota fixed during the fieldwork week." in html and "Register seen late." in html
    assert escape(RULES["premises_answers"]) in html  # standard 1's rule, named with its provenance
    assert (tmp_path / "ratings.pdf").read_bytes().startswith(b"%PDF-")


def test_refusals_name_what_is_wrong_and_change_nothing(lead, tmp_path, capsys):
    _, err = lead.answer("1.1", "yes", expect=EXIT_REFUSED)  # a key question with prompts: answer the prompts
    assert "'1.1' is not answered for the premises" in err and "1.1.a" in err
    _, err = lead.answer("1.1.a", "maybe", expect=EXIT_USAGE)
    assert "use yes, no, na or clear" in err
    _, err = lead.run("premises", "answer", "--inspection", "AP-1", "--question", "1.1.a", expect=EXIT_USAGE)
    assert "give --answer" in err
    _, err = lead.run("premises", "show", "--inspection", "AP-1", "--standard", "9", expect=EXIT_REFUSED)
    assert "'9' is not a standard answered for the premises" in err
    assert lead.json("premises", "history", "--inspection", "AP-1") == []
    # An inspection of a case-rated programme has nothing to answer for the premises.
    sample = tmp_path / "pdu.csv"
    sample.write_text("case_ref,sample\nC-1,community\n")
    code, _, err = cli(capsys, "inspection", "create", "--framework", "hmip-probation-pdu-2023", "--provider", "PDU",
                       "--id", "PDU-1", "--data-dir", lead.folder)  # fmt: skip
    assert code == EXIT_OK, err
    code, _, err = cli(capsys, "premises", "answer", "--inspection", "PDU-1", "--question", "1.1.a", "--answer",
                       "yes", "--data-dir", lead.folder)  # fmt: skip
    assert code == EXIT_REFUSED and "has no standard answered for the premises" in err
