"""Fuzzed case samples and answers files (CSV and XLSX): every hostile file is either imported or
refused with an ImportProblem naming its problems, within the deadline; what is imported is
stored as the text the file held (a formula is text, never evaluated).

Beyond tests/imports (a CSV round trip of well-formed tables): wrong encodings, byte-order marks,
NUL bytes, ragged rows, huge fields, unbalanced quotes, odd separators and line ends, formula
injection strings, blind byte mutations; and workbooks whose XML parts are truncated, of the
wrong cell types, nested deep or expanding entities, or whose members are dropped or renamed.
"""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldwork.imports.answers import import_answers
from fieldwork.imports.case_sample import import_case_sample
from fieldwork.imports.tables import ImportProblem, read_table
from fieldwork.profile import set_profile
from fieldwork.store import open_store
from fieldwork.store.inspections import add_case, create_inspection

from .conftest import fuzz_settings
from .mutations import FORMULAS, byte_mutations, mutated_seeds
from .readers import mini, read_or_refuse
from .spreadsheets import csv_files, xlsx_part_edits, xlsx_workbook

SAMPLE_HEADER = ("case_ref", "sample", "inspector_id", "ldu", "rosh", "start_date")
SAMPLE_ROWS = (
    ("N1001", "", "jsmith", "Northshire Central", "High", "2026-05-14"),
    ("N1002", "Unpaid work", "akhan", "Wolds Coast", "low", "2026-06-02"),
    ("N1003", "supervision", "", "Beló", "very_high", ""),
)
ANSWERS_HEADER = ("case_ref", "question_id", "answer", "note")
ANSWERS_ROWS = (
    ("A001", "2.1.1", "no", "Domestic abuse call-outs were requested but never followed up."),
    ("A001", "2.1.1.a", "yes", ""),
    ("A001", "2.1.1.b", "n/a", ""),
    ("A001", "rosh", "High", ""),
    ("U001", "3.1.1", "Sufficient", "Placement seen."),
)
XLSX_ROWS = (
    SAMPLE_HEADER,
    ("X1", "", "jsmith", "=1+1", "High", "2026-05-14"),
    ("X2", "Unpaid work", "", 12, "low", None),
    ("X3", True, 3.5, "+cmd", "medium", "2026-01-01"),
)


WORKBOOKS = (xlsx_workbook(XLSX_ROWS), xlsx_workbook(XLSX_ROWS, extra_sheet=True))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A lead's store with an inspection under the test framework and two cases to answer."""
    folder = tmp_path_factory.mktemp("fuzz-imports")
    store = open_store(folder / "store", actor="lead-1", backups=None)
    set_profile(store, "lead-1", "Lee Lead")
    inspection = create_inspection(
        store, inspection_id="fuzz-insp", provider="Northshire CRC", provider_type="CRC", framework=mini(),
    )
    add_case(store, inspection, "A001")
    add_case(store, inspection, "U001", sample_id="unpaid_work")
    yield store, inspection, folder
    store.close()


def imported(reader, store, inspection, path, code: str, **kwargs):
    """The importer's result, or its ImportProblem (with `code`, every problem with a message)."""
    outcome = read_or_refuse(reader, store, inspection, path, **kwargs)
    if isinstance(outcome, Exception):
        assert isinstance(outcome, ImportProblem), repr(outcome)
        assert outcome.code == code, outcome.code
    return outcome


def stored_refs(store) -> dict[str, str]:
    """Every stored case reference with SQLite's type for it."""
    return dict(store.db.execute("SELECT case_ref, typeof(case_ref) FROM cases").fetchall())


def check_sample_result(store, result) -> None:
    """Each case added is stored under exactly the reference the file gave, as text."""
    refs = stored_refs(store)
    for ref in result.added:
        assert refs.get(ref) == "text", (ref, refs.get(ref))


def test_the_unmutated_inputs_are_imported(workspace):
    store, inspection, folder = workspace
    path = folder / "clean.csv"
    path.write_text("\n".join(",".join(row) for row in (SAMPLE_HEADER, *SAMPLE_ROWS)) + "\n", encoding="utf-8")
    assert import_case_sample(store, inspection, path).added == ("N1001", "N1002", "N1003")
    path.write_text("\n".join(",".join(row) for row in (ANSWERS_HEADER, *ANSWERS_ROWS)) + "\n", encoding="utf-8")
    assert import_answers(store, inspection, path).answers_set == 4
    path = folder / "clean.xlsx"
    path.write_bytes(xlsx_workbook(XLSX_ROWS))
    assert read_table(path).rows[0].values["ldu"] == ""  # a formula with no value calculated: blank


@fuzz_settings(120)
@given(data=csv_files(SAMPLE_HEADER, SAMPLE_ROWS), clean_rows_only=st.booleans())
def test_case_sample_csv_fuzzed(workspace, data, clean_rows_only):
    store, inspection, folder = workspace
    path = folder / "sample.csv"
    path.write_bytes(data)
    result = imported(import_case_sample, store, inspection, path, "invalid-sample", clean_rows_only=clean_rows_only)
    if not isinstance(result, Exception):
        check_sample_result(store, result)


@fuzz_settings(120)
@given(data=csv_files(ANSWERS_HEADER, ANSWERS_ROWS))
def test_answers_csv_fuzzed(workspace, data):
    store, inspection, folder = workspace
    path = folder / "answers.csv"
    path.write_bytes(data)
    imported(import_answers, store, inspection, path, "invalid-answers")


@fuzz_settings(80)
@given(data=st.data())
def test_case_sample_xlsx_fuzzed(workspace, data):
    """Workbooks with edited XML parts or members, or blindly mutated."""
    store, inspection, folder = workspace
    workbook = data.draw(st.sampled_from(WORKBOOKS), label="workbook seed")
    if data.draw(st.booleans(), label="structural"):
        hostile = data.draw(xlsx_part_edits(workbook), label="workbook")
    else:
        hostile = data.draw(byte_mutations(workbook), label="workbook bytes")
    path = folder / "sample.xlsx"
    path.write_bytes(hostile)
    result = imported(import_case_sample, store, inspection, path, "invalid-sample")
    if not isinstance(result, Exception):
        check_sample_result(store, result)


TABLE_SEEDS = (
    "\r\n".join(",".join(row) for row in (SAMPLE_HEADER, *SAMPLE_ROWS)).encode("utf-8-sig"),
    "\n".join(";".join(row) for row in (ANSWERS_HEADER, *ANSWERS_ROWS)).encode("cp1252"),
    "\r\n".join("\t".join(row) for row in (SAMPLE_HEADER, *SAMPLE_ROWS)).encode("utf-16"),
    WORKBOOKS[0],
)


@fuzz_settings(200)
@given(data=mutated_seeds(TABLE_SEEDS), suffix=st.sampled_from((".csv", ".txt", ".xlsx", ".xlsm", "")))
def test_tables_mutated_blindly(tmp_path, data, suffix):
    """The table reader alone, on blind mutations (and splices) of CSV files in three encodings
    and separators and of a workbook, under any file name ending."""
    path = tmp_path / f"table{suffix}"
    path.write_bytes(data)
    outcome = read_or_refuse(read_table, path)
    assert not isinstance(outcome, Exception) or isinstance(outcome, ImportProblem), repr(outcome)


@fuzz_settings(40)
@given(formula=st.sampled_from(FORMULAS), detail=st.sampled_from(FORMULAS))
def test_formulas_are_stored_as_the_text_given(workspace, formula, detail):
    """A case reference or case detail that looks like a spreadsheet formula is stored as its
    text, never evaluated (exports neutralise it: tests/fuzz/test_fuzz_exports.py)."""
    store, inspection, folder = workspace
    path = folder / "formula.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("case_ref", "ldu"), (formula, detail)])
    result = imported(import_case_sample, store, inspection, path, "invalid-sample")
    assert not isinstance(result, Exception), result.lines()
    check_sample_result(store, result)
    (case_id,) = store.db.execute("SELECT id FROM cases WHERE case_ref = ?", [formula.strip()]).fetchone()
    (value,) = store.db.execute(
        "SELECT value FROM case_details WHERE case_id = ? AND field_id = 'ldu'", [case_id]
    ).fetchone()
    assert value == detail.strip()
