"""Spreadsheet formula injection ("CSV injection") and other text that changes on its way into a
spreadsheet. Case references, case details, evidence notes and the lead's evidence come from
providers' files and from people, so they may hold = + - @ anywhere, separators, control
characters, and more than a cell can hold. Every CSV fieldwork writes quotes every field and
puts an apostrophe wherever a spreadsheet could start a formula, even one that splits fields at
; or a line break; every XLSX stores text as text cells; whatever had to be changed is named in
the row's export notes (docs/decisions/0027-safe-export-files.md). The imports store such text
as given (tests/fuzz/test_fuzz_imports.py::test_formulas_are_stored_as_the_text_given).
"""

from __future__ import annotations

import csv
import io
import itertools
import re

import openpyxl
from hypothesis import assume, given
from hypothesis import strategies as st

from fieldwork.errors import ValidationError
from fieldwork.reports.cells import CONTROL, EXCEL_CELL_LIMIT, csv_text, plain_text, visible_controls
from fieldwork.reports.exports import export_ratings
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.reports.lead_ratings import JUDGEMENT, set_lead_rating
from fieldwork.reports.research_export import export_research, research_rows
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import add_case, create_inspection

from .conftest import fuzz_settings
from .mutations import FORMULAS

SEPARATORS = re.compile(r"[,;\t\r\n]")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def formula_pieces(raw: str) -> list[str]:
    """Every piece of raw CSV text a spreadsheet could take for a cell that runs as a formula,
    whatever it splits at (comma, semicolon, tab, line break), honouring quotes or not, and
    skipping the spaces and quotes a reader may drop."""
    found = []
    for piece in SEPARATORS.split(raw.lstrip("\ufeff")):
        visible = piece.lstrip(' "')
        if visible[:1] in ("=", "+", "-", "@") and not PLAIN_NUMBER.fullmatch(piece.strip(' "')):
            found.append(piece)
    return found


def runs_as_formula(cell: str) -> bool:
    """Whether one CSV cell, read back, could run as a formula in a spreadsheet."""
    return cell.startswith(("\t", "\r")) or bool(formula_pieces(cell))


def read_csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


# --- the cell rule -------------------------------------------------------------------------------

TRICKY = st.lists(
    st.sampled_from([",", ";", "\t", "\r", "\n", "=", "+", "-", "@", '"', " ", "'", "\x00", "\x1b", "\x7f", "x",
                     "5", ".", "cmd|' /C calc'!A0", "é", "\U0001d54f", "\u202e"]),
    max_size=30,
).map("".join)


@fuzz_settings(300)
@given(text=st.one_of(st.text(), TRICKY))
def test_csv_text_never_runs_as_a_formula_and_says_what_it_changed(text):
    notes: list[str] = []
    cell = csv_text(text, "note", notes)
    assert not runs_as_formula(cell)
    assert not CONTROL.search(cell)
    # Only apostrophes were added and control characters shown as symbols; a change is named.
    assert cell.replace("'", "") == visible_controls(text)[0].replace("'", "")
    assert (cell == text) == (notes == [])
    assert all(note.startswith("note: ") for note in notes)


def test_the_rule_on_examples():
    assert [csv_text(v) for v in ("-5", "+3", "-1.25", "12", "North", "", None, 7, True, "3;-5", "a, -5")] == [
        "-5", "+3", "-1.25", "12", "North", "", "", "7", "true", "3;-5", "a, -5",
    ]  # fmt: skip
    assert [csv_text(v) for v in ("=1+1", "-2+3", "+cmd", "@SUM(A1)", "\t=1", "\r=1", ' "=1"')] == [
        "'=1+1", "'-2+3", "'+cmd", "'@SUM(A1)", "'\t'=1", "'\r'=1", '\' "=1"',
    ]  # fmt: skip
    # After a separator a semicolon-list locale splits at, or a line break: the example.
    assert csv_text("x;=cmd|' /C calc'!A0") == "x;'=cmd|' /C calc'!A0"
    assert csv_text("Actions:\n- refer\n- review") == "Actions:\n'- refer\n'- review"
    notes: list[str] = []
    assert csv_text("a\x00b\x1b[31m", "note", notes) == "a\u2400b\u241b[31m"
    assert notes == ["note: 2 control characters shown as symbols (␀–␟, ␡)"]


# --- the files -----------------------------------------------------------------------------------


def test_a_semicolon_locale_never_sees_a_formula(store, inspection, tmp_path):
    """The issue's finding: neutralised at the start only, `x;=cmd` became a formula where the
    list separator is ';'. Read as such a spreadsheet may: split at ; and line breaks, honouring
    quotes (Python's csv) or not (a plain split)."""
    case = add_case(store, inspection, "R1;=cmd|' /C calc'!A0", details={"ldu": "North;+SUM(1)"})
    set_answer(store, case.id, "2.1.1", value="yes", note="Seen;@SUM(1+1)\n=HYPERLINK(\"x\")")
    set_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "Good", "Fine; -cmd|' /C calc'!A0")
    report = inspection_ratings(store, inspection.id, include_breakdowns=True)
    for path in (export_research(store, inspection.id, tmp_path / "research.csv").path,
                 export_ratings(report, "csv", tmp_path / "ratings.csv")):
        raw = path.read_text(encoding="utf-8-sig")
        assert formula_pieces(raw) == [], path.name
        for delimiter in (";", "\t", ","):
            for row in csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter):
                assert not [cell for cell in row if runs_as_formula(cell)], (path.name, delimiter)
        assert all(line.startswith('"') for line in raw.split("\r\n") if line)  # every field quoted


def test_exports_never_write_a_formula(store, mini_framework, tmp_path):
    """A case per formula (as its reference, its LDU and its evidence note), the lead's evidence
    and the provider's name: the CSVs show every one as text, and in every sheet of both
    workbooks every text cell, headings and the About sheet included, is a text cell."""
    inspection = create_inspection(
        store, inspection_id="insp-formula", provider=FORMULAS[1], provider_type="CRC",
        framework=mini_framework,
    )
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
        book = openpyxl.load_workbook(path)
        texts = 0
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        texts += 1
                        assert cell.data_type == "s", (path.name, sheet.title, cell.coordinate, cell.value)
        assert texts
    about = {r[0]: r[1] for r in openpyxl.load_workbook(tmp_path / "ratings.xlsx")["About"].iter_rows(values_only=True)}
    assert about["Provider"].startswith(FORMULAS[1])  # the finding: it was a live formula


def test_control_characters_are_shown_and_named(store, inspection, tmp_path):
    """The research CSV carried NUL and ESC raw, and the XLSX dropped them without a word."""
    case = add_case(store, inspection, "C1")
    set_answer(store, case.id, "2.1.1", value="yes", note="before\x00after \x1b]0;title\x07 done\x7f")
    csv_rows = read_csv(export_research(store, inspection.id, tmp_path / "r.csv").path)
    book = openpyxl.load_workbook(export_research(store, inspection.id, tmp_path / "r.xlsx").path)
    xlsx_rows = [["" if v is None else v for v in row] for row in book["Case data"].iter_rows(values_only=True)]
    shown = "before\u2400after \u241b]0;title\u2407 done\u2421"
    for rows in (csv_rows, xlsx_rows):
        header = rows[0]
        [row] = [r for r in rows[1:] if r[header.index("question_id")] == "2.1.1"]
        assert row[header.index("note")] == shown
        assert row[header.index("export_notes")] == "note: 4 control characters shown as symbols (␀–␟, ␡)"
        assert "\x00" not in str(rows) and "\x1b" not in str(rows)


def test_evidence_longer_than_a_cell_is_cut_with_a_word_and_kept_whole_in_the_csv(store, inspection, tmp_path):
    long = "".join(f"Sentence {n} of the evidence. " for n in range(2_000))  # about 55,000 characters
    assert len(long) > EXCEL_CELL_LIMIT
    case = add_case(store, inspection, "C1")
    set_answer(store, case.id, "2.1.1", value="yes", note=long)
    set_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "Good", long)

    book = openpyxl.load_workbook(export_research(store, inspection.id, tmp_path / "r.xlsx").path)
    rows = list(book["Case data"].iter_rows(values_only=True))
    header = rows[0]
    [row] = [r for r in rows[1:] if r[header.index("question_id")] == "2.1.1"]
    cell = row[header.index("note")]
    assert len(cell) <= EXCEL_CELL_LIMIT and long.startswith(cell[: EXCEL_CELL_LIMIT - 100])
    assert cell.endswith(f"[…cut: {len(long):,} characters in all; the rest is in the CSV export]")
    assert row[header.index("export_notes")] == (
        f"note: cut at Excel's limit of 32,767 characters ({len(long):,} in full; the CSV export holds all of it)"
    )
    csv_rows = read_csv(export_research(store, inspection.id, tmp_path / "r.csv").path)
    assert long in [r[csv_rows[0].index("note")] for r in csv_rows]

    report = inspection_ratings(store, inspection.id)
    sheet = openpyxl.load_workbook(export_ratings(report, "xlsx", tmp_path / "ratings.xlsx"))["Ratings by standard"]
    header = [c.value for c in sheet[1]]
    first = [c.value for c in sheet[2]]
    evidence = first[header.index("Lead inspector's evidence")]
    assert len(evidence) <= EXCEL_CELL_LIMIT and "cut" in evidence[-80:]
    assert first[header.index("Export notes")].startswith("Lead inspector's evidence: cut at Excel's limit")


# --- the property: any text the store accepts ----------------------------------------------------

_numbers = itertools.count()


@fuzz_settings(60)
@given(text=st.one_of(st.text(), TRICKY, st.sampled_from(FORMULAS)))
def test_any_stored_text_round_trips_through_the_exports_or_is_reported(store, inspection, tmp_path, text):
    """Whatever the store accepts as case reference, LDU or evidence comes back from the CSV as
    stored, or the row's export notes name the column; no piece of the file runs as a formula;
    the XLSX holds it as a text cell, as stored or named in the notes."""
    number = next(_numbers)
    try:
        case = add_case(store, inspection, text, details={"ldu": text})
    except ValidationError:
        try:
            case = add_case(store, inspection, f"case {number}", details={"ldu": text})
        except ValidationError:
            case = add_case(store, inspection, f"case {number}")
    try:
        set_answer(store, case.id, "2.1.1", value="yes", note=text)
    except ValidationError:
        assume(False)
    expected = [[plain_text(v) for v in row] for row in research_rows(store, inspection.id)]

    path = export_research(store, inspection.id, tmp_path / "r.csv").path
    assert formula_pieces(path.read_text(encoding="utf-8-sig")) == []
    header, *rows = read_csv(path)
    assert len(rows) == len(expected)
    for want, got in zip(expected, rows, strict=True):
        notes = got[-1]
        for column, stored, written in zip(header, want, got, strict=False):
            assert written == stored or f"{column}: " in notes, (column, stored, written)

    book = openpyxl.load_workbook(export_research(store, inspection.id, tmp_path / "r.xlsx").path)
    sheet = book["Case data"]
    for want, cells in zip(expected, sheet.iter_rows(min_row=2), strict=True):
        notes = cells[-1].value or ""
        for column, stored, cell in zip(header, want, cells, strict=False):
            value = "" if cell.value is None else cell.value
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
            assert value == stored or f"{column}: " in notes, (column, stored, value)


@fuzz_settings(40)
@given(text=st.one_of(st.text(), TRICKY, st.sampled_from(FORMULAS)))
def test_the_leads_evidence_round_trips_through_the_ratings_csv_or_is_reported(store, inspection, tmp_path, text):
    try:
        set_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "Good", text)
    except ValidationError:
        assume(False)
    report = inspection_ratings(store, inspection.id)
    stored = report.standard("1.1").judgement.evidence
    path = export_ratings(report, "csv", tmp_path / "ratings.csv")
    assert formula_pieces(path.read_text(encoding="utf-8-sig")) == []
    header, *rows = read_csv(path)
    [row] = [r for r in rows if r[header.index("section")] == "standard" and r[header.index("standard")] == "1.1"]
    written, notes = row[header.index("judgement_evidence")], row[header.index("export_notes")]
    assert written == stored or "judgement_evidence: " in notes, (stored, written)
