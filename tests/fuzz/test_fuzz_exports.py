"""Spreadsheet formula injection ("CSV injection"): case references, case details, evidence notes
and the lead's evidence come from providers' files and from people, so they may start with = + -
@, a tab or a carriage return. Every CSV fieldwork writes shows such text as text (a leading
apostrophe), and every XLSX stores it as a text cell, never a formula; the imports store it as the
text given (tests/fuzz/test_fuzz_imports.py::test_formulas_are_stored_as_the_text_given).
"""

from __future__ import annotations

import csv

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from fieldwork.reports.exports import FORMULA_START, csv_text, export_ratings
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.reports.lead_ratings import JUDGEMENT, set_lead_rating
from fieldwork.reports.research_export import export_research
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import add_case

from .conftest import fuzz_settings
from .mutations import FORMULAS


def runs_as_formula(cell: str) -> bool:
    """Whether a spreadsheet opening the CSV would treat the cell as a formula."""
    if not cell.startswith(FORMULA_START):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False  # a plain number such as -5


@fuzz_settings(300)
@given(text=st.one_of(st.text(), st.tuples(st.sampled_from(FORMULA_START), st.text()).map("".join)))
def test_csv_text_never_runs_as_a_formula(text):
    cell = csv_text(text)
    assert not runs_as_formula(cell)
    assert cell in (text, "'" + text)  # nothing else is changed, so the value can be read back


def test_plain_numbers_and_ordinary_text_are_left_alone():
    assert [csv_text(v) for v in ("-5", "+3", "-1.25", "12", "North", "", None, 7, True)] == [
        "-5", "+3", "-1.25", "12", "North", "", "", "7", "true",
    ]
    assert [csv_text(v) for v in ("=1+1", "-2+3", "+cmd", "@SUM(A1)", "\t=1", "\r=1")] == [
        "'=1+1", "'-2+3", "'+cmd", "'@SUM(A1)", "'\t=1", "'\r=1",
    ]


def read_csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_exports_never_write_a_formula(store, inspection, tmp_path):
    """A case per formula (as its reference, its LDU and its evidence note) and the lead's
    evidence: the research and ratings CSVs show every one as text, the workbooks as text cells."""
    for number, formula in enumerate(FORMULAS):
        case = add_case(store, inspection, f"{formula} #{number}", details={"ldu": formula})
        set_answer(store, case.id, "2.1.1", value="yes", note=formula)
    set_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "Good", FORMULAS[0])
    report = inspection_ratings(store, inspection.id, include_breakdowns=True)
    files = [
        export_research(store, inspection.id, tmp_path / "research.csv").path,
        export_ratings(report, "csv", tmp_path / "ratings.csv"),
    ]
    seen = set()
    for path in files:
        for row in read_csv(path):
            for cell in row:
                assert not runs_as_formula(cell), (path.name, cell)
                if cell.startswith("'"):
                    seen.add(cell[1:])
    assert {f for f in FORMULAS if f.strip() == f} <= seen  # every formula was there, neutralised
    for path in (
        export_research(store, inspection.id, tmp_path / "research.xlsx").path,
        export_ratings(report, "xlsx", tmp_path / "ratings.xlsx"),
    ):
        for sheet in openpyxl.load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        assert cell.data_type == "s", (path.name, sheet.title, cell.coordinate, cell.value)
