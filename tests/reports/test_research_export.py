"""All case data for the research team: one row per case and question, CSV and XLSX."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from fieldwork.errors import ValidationError
from fieldwork.reports.research_export import export_research, research_columns
from fieldwork.store.assessments import set_answer


def _read_csv(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def filled(store, inspection, cases):
    first = cases.case(
        {"2.1.1": "yes", "2.1.1.a": "no", "2.1.2": "na"},
        details={"ldu": "Beló", "rosh": "high", "start_date": "2026-01-05"},
        notes={"2.1.1": 'Evidence with "quotes", commas\nand a new line; =SUM(A1)'},
        ref="B2",
    )
    cases.case({"3.1.1": "no"}, sample="unpaid_work", ref="A1")
    cases.case(ref="C3")  # nothing recorded yet
    return first


def test_csv_has_a_row_per_case_and_question(store, inspection, filled, tmp_path):
    result = export_research(store, inspection.id, tmp_path / "research.csv")
    rows = _read_csv(result.path)
    assert list(rows[0]) == [
        "inspection", "case_ref", "sample", "inspector", "status", "ldu", "rosh", "start_date",
        "question_id", "kind", "standard", "answer", "note", "answered_by", "answered_at", "export_notes",
    ]  # fmt: skip
    # Supervision asks 2.1.1, its two prompts and 2.1.2: 4 rows per case; unpaid work asks 3.1.1.
    assert [(r["case_ref"], r["question_id"]) for r in rows] == [
        ("A1", "3.1.1"),
        ("B2", "2.1.1"), ("B2", "2.1.1.a"), ("B2", "2.1.1.b"), ("B2", "2.1.2"),
        ("C3", "2.1.1"), ("C3", "2.1.1.a"), ("C3", "2.1.1.b"), ("C3", "2.1.2"),
    ]  # fmt: skip
    assert (result.rows, result.cases) == (9, 3)
    b2 = {r["question_id"]: r for r in rows if r["case_ref"] == "B2"}
    assert b2["2.1.1"]["kind"] == "key_question" and b2["2.1.1.a"]["kind"] == "prompt"
    assert b2["2.1.1"]["standard"] == "2.1" and b2["2.1.1.a"]["standard"] == "2.1"
    assert b2["2.1.1"]["answer"] == "yes" and b2["2.1.1.a"]["answer"] == "no" and b2["2.1.1.b"]["answer"] == ""
    # After a separator, a formula start gets an apostrophe, and the row says so.
    assert b2["2.1.1"]["note"] == 'Evidence with "quotes", commas\nand a new line;\' =SUM(A1)'
    assert b2["2.1.1"]["export_notes"] == "note: apostrophe added before 1 place a spreadsheet would read as a formula"
    assert {r["export_notes"] for r in rows if r is not b2["2.1.1"]} == {""}
    assert b2["2.1.2"]["answer"] == "na" and b2["2.1.2"]["note"].startswith("Not applicable")
    assert (b2["2.1.1"]["ldu"], b2["2.1.1"]["rosh"], b2["2.1.1"]["start_date"]) == ("Beló", "high", "2026-01-05")
    assert b2["2.1.1"]["status"] == "in_progress" and b2["2.1.1"]["answered_by"] == "insp-1"
    assert {r["status"] for r in rows if r["case_ref"] == "C3"} == {"not_started"}
    assert {r["inspection"] for r in rows} == {"insp-test"}


def test_xlsx_matches_the_csv(store, inspection, filled, tmp_path):
    csv_rows = _read_csv(export_research(store, inspection.id, tmp_path / "research.csv").path)
    result = export_research(store, inspection.id, tmp_path / "research.xlsx")
    sheet = openpyxl.load_workbook(result.path)["Case data"]
    values = list(sheet.iter_rows(values_only=True))
    header, body = values[0], values[1:]
    assert list(header) == list(csv_rows[0])
    # The same values, except where the CSV had to add an apostrophe (a workbook cell is text).
    expected = [dict(r, export_notes="") for r in csv_rows]
    for row in expected:
        row["note"] = row["note"].replace(";' =SUM", "; =SUM")
    assert [{k: ("" if v is None else v) for k, v in zip(header, row, strict=True)} for row in body] == expected
    note_col = header.index("note") + 1
    cell = next(c for (c,) in sheet.iter_rows(min_col=note_col, max_col=note_col, min_row=2) if c.value)
    assert cell.data_type == "s"


def test_a_stored_answer_outside_the_sample_is_kept(store, inspection, filled):
    # e.g. merged from a bundle: the research file keeps all case data, flagged by its kind.
    with store.transaction() as db:
        db.execute(
            "INSERT INTO answers (case_id, question_id, value, note, revision, updated_at, updated_by) "
            "VALUES (?, '3.1.1', 'yes', '', 1, '2026-11-02T09:00:00.000Z', 'merge')",
            [filled],
        )
    from fieldwork.reports.research_export import research_rows

    rows = [r for r in research_rows(store, inspection.id) if r[1] == "B2"]
    assert [r[-7] for r in rows] == ["2.1.1", "2.1.1.a", "2.1.1.b", "2.1.2", "3.1.1"]
    assert rows[-1][-6:-3] == ["key_question", "3.1", "yes"]


def test_personal_details_can_be_left_out(store, crc_inspection, crc_cases, tmp_path, crc_framework):
    crc_cases.case({"2.1.1": "yes"}, details={"gender": "female", "age": "34", "ldu": "East"})
    full = research_columns(crc_framework)
    assert {"gender", "age", "ethnicity"} <= set(full)
    result = export_research(store, crc_inspection.id, tmp_path / "r.csv", omit_personal=True)
    rows = _read_csv(result.path)
    assert not {"gender", "age", "ethnicity"} & set(rows[0])
    assert rows[0]["ldu"] == "East"


def test_other_file_types_are_refused(store, inspection, tmp_path):
    with pytest.raises(ValidationError, match=r"\.csv or \.xlsx"):
        export_research(store, inspection.id, tmp_path / "research.json")
    assert not (tmp_path / "research.json").exists()


def test_a_cleared_answer_keeps_its_evidence(store, inspection, filled, tmp_path):
    set_answer(store, filled, "2.1.1", value=None)
    rows = _read_csv(export_research(store, inspection.id, tmp_path / "r.csv").path)
    row = next(r for r in rows if r["case_ref"] == "B2" and r["question_id"] == "2.1.1")
    assert row["answer"] == "" and row["note"].startswith("Evidence with")


def test_an_answer_kept_from_an_earlier_framework_version_says_so(store, inspection, cases):
    # Decision 0042: a corrected framework (mini 1.1) removes prompt 2.1.1.b; its answer is kept in
    # the store under its old id and listed after the asked questions, with the standard it had.
    from helpers.moved_framework import mini_1_1

    from fieldwork.reports.research_export import research_rows
    from fieldwork.store.framework_move import move_inspection

    cases.case({"2.1.1": "yes", "2.1.1.a": "no", "2.1.1.b": "na"}, ref="K1")
    assert move_inspection(store, inspection.id, mini_1_1()).removed == {"2.1.1.b": 1}
    rows = [r for r in research_rows(store, inspection.id) if r[1] == "K1"]
    kept = [r for r in rows if r[-7] == "2.1.1.b"]
    assert len(kept) == 1 and kept[0][-6:-3] == ["kept_from_earlier_version", "2.1", "na"]
    assert "unknown" not in {r[-6] for r in rows}
    assert rows[-1][-7] == "2.1.1.b"  # after every question the case's sample asks today
