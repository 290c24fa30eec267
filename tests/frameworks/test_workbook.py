"""Frameworks as workbooks: export → import is lossless, and a bad workbook changes nothing."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import openpyxl
import pytest
from framework_strategies import framework_documents, toml_bytes
from hypothesis import HealthCheck, given, settings

from fieldwork.cli import run
from fieldwork.frameworks.describe import framework_to_dict
from fieldwork.frameworks.loader import load_framework, parse_framework
from fieldwork.frameworks.workbook_export import build_workbook, export_workbook
from fieldwork.frameworks.workbook_import import WorkbookError, read_workbook, read_workbook_file
from fieldwork.paths import shipped_frameworks_dir

SHIPPED = sorted(shipped_frameworks_dir().glob("*.toml"))


def shown(framework) -> dict:
    """`frameworks show --json` without the content hash (the file's bytes differ by design)."""
    described = framework_to_dict(framework)
    described.pop("hash")
    return described


def workbook_bytes(framework) -> bytes:
    buffer = io.BytesIO()
    build_workbook(framework).save(buffer)
    return buffer.getvalue()


def edited(framework, edit) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(framework)))
    edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems_of(data: bytes) -> list[tuple]:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(data, "edited.xlsx")
    return [(p.sheet, p.row, p.column, p.message) for p in caught.value.problems]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_framework_comes_back_the_same(path, tmp_path):
    framework = load_framework(path)
    target = export_workbook(framework, tmp_path / "framework.xlsx")
    imported = read_workbook_file(target)
    assert shown(imported.framework) == shown(framework)
    # the stored file is an ordinary framework file: the loader reads it again the same way
    assert shown(parse_framework(imported.toml)) == shown(framework)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=framework_documents())
def test_export_then_import_is_lossless_for_generated_frameworks(document):
    framework = parse_framework(toml_bytes(document))
    imported = read_workbook(workbook_bytes(framework))
    assert shown(imported.framework) == shown(framework)


def test_the_workbook_is_laid_out_for_editing(tmp_path):
    framework = load_framework(shipped_frameworks_dir() / "hmip-youth-2025.toml")
    target = export_workbook(framework, tmp_path / "youth.xlsx")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[0] == "Read me"
    assert {"Settings", "Samples", "Domains", "Standards", "Questions", "Case details", "Choices", "Rating rules",
            "Bands", "Overall bands"} <= set(book.sheetnames)
    questions = book["Questions"]
    assert questions.freeze_panes == "A2"
    assert [c.value for c in questions[1]][:4] == ["type", "id", "belongs_to", "text"]
    assert questions.column_dimensions["D"].width == 60
    validations = questions.data_validations.dataValidation
    lists = {next(iter(dv.sqref.ranges)).coord[0]: dv.formula1 for dv in validations}
    assert lists["A"] == '"key question,prompt"' and lists["F"] == '"yes,no"' and lists["I"] == '"confirmed,recalled"'
    readme = [row[0] for row in book["Read me"].iter_rows(values_only=True)]
    assert "  guidance" in readme and "    person_term" in readme


def test_a_text_starting_with_equals_stays_text_and_a_formula_is_refused():
    framework = load_framework(shipped_frameworks_dir() / "hmip-youth-2025.toml")

    def reword(book):
        book["Questions"]["D2"].value = "=SUM(A1:A9) is text here"
        book["Questions"]["D2"].data_type = "s"

    imported = read_workbook(edited(framework, reword))
    assert imported.framework.standards[0].key_questions[0].text == "=SUM(A1:A9) is text here"

    def formula(book):
        book["Questions"]["D2"].value = "=1+1"

    assert problems_of(edited(framework, formula)) == [
        ("Questions", 2, "text", "holds a formula; type the value itself (a framework's text is never computed).")
    ]


def test_every_problem_is_named_by_sheet_row_and_column():
    framework = load_framework(shipped_frameworks_dir() / "hmip-youth-2025.toml")

    def break_it(book):
        book["Questions"]["F3"].value = "maybe"
        book["Questions"]["C4"].value = "no-such-standard"
        book["Standards"]["F2"].value = "vibes"
        book["Samples"].cell(row=1, column=9).value = "colour"

    found = problems_of(edited(framework, break_it))
    assert ("Questions", 3, "allow_na", "'maybe' is not yes or no; type yes or no.") in found
    assert any(p[:3] == ("Questions", 4, "belongs_to") and "not the id of a standard" in p[3] for p in found)
    basis_refusal = "choose one of: cases, premises, judgement"
    assert any(p[:3] == ("Standards", 2, "basis") and basis_refusal in p[3] for p in found)
    assert any(p[:3] == ("Samples", 1, "colour") for p in found)


def test_a_problem_the_loader_finds_is_named_by_its_workbook_row():
    framework = load_framework(shipped_frameworks_dir() / "hmip-youth-2025.toml")

    def unordered(book):
        book["Bands"]["B2"].value = 10  # the top band now starts below the next one

    found = problems_of(edited(framework, unordered))
    assert any(sheet == "Bands" and "highest min_percent down" in message for sheet, _r, _c, message in found), found


def test_a_date_excel_made_is_refused_with_what_to_type():
    framework = load_framework(shipped_frameworks_dir() / "hmip-youth-2025.toml")

    def dated(book):
        import datetime as dt

        for row in book["Settings"].iter_rows(min_row=2):
            if row[0].value == "applies_from":
                row[1].value = dt.datetime(2025, 10, 1)

    [(sheet, _row, column, message)] = problems_of(edited(framework, dated))
    assert (sheet, column) == ("Settings", "applies_from") and "apostrophe" in message


def cli(capsys, *argv):
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_stores_a_valid_workbook_and_refuses_a_bad_one_writing_nothing(tmp_path, capsys):
    data_dir = tmp_path / "data"
    book_path = tmp_path / "youth.xlsx"
    code, out, _ = cli(capsys, "frameworks", "export", "hmip-youth-2025", "--xlsx", str(book_path),
                       "--data-dir", str(data_dir))
    assert code == 0 and book_path.is_file()
    framework = load_framework(shipped_frameworks_dir() / "hmip-youth-2025.toml")

    def new_version_with_a_bad_cell(book):
        for row in book["Settings"].iter_rows(min_row=2):
            if row[0].value == "version":
                row[1].value = "2025.9"
        book["Questions"]["F3"].value = "maybe"

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(edited(framework, new_version_with_a_bad_cell))
    code, out, err = cli(capsys, "frameworks", "import", str(bad), "--data-dir", str(data_dir))
    assert code == 1 and "sheet 'Questions', row 3, column 'allow_na'" in err and "nothing was imported" in err
    assert not (data_dir / "frameworks").exists() or not any((data_dir / "frameworks").iterdir())

    def new_version(book):
        for row in book["Settings"].iter_rows(min_row=2):
            if row[0].value == "version":
                row[1].value = "2025.9"

    good = tmp_path / "good.xlsx"
    good.write_bytes(edited(framework, new_version))
    code, out, err = cli(capsys, "frameworks", "import", str(good), "--data-dir", str(data_dir))
    assert code == 0, err
    stored = data_dir / "frameworks" / "hmip-youth-2025-2025.9.toml"
    assert stored.is_file() and stat.S_IMODE(stored.stat().st_mode) == 0o600
    code, out, _ = cli(capsys, "frameworks", "show", "hmip-youth-2025", "--version", "2025.9", "--data-dir",
                       str(data_dir))
    expected = shown(framework) | {"version": "2025.9"}
    assert {k: v for k, v in json.loads(out).items() if k != "hash"} == expected

    # the same version again with other content is refused: a version names one text
    def other_text(book):
        new_version(book)
        book["Questions"]["D2"].value = "Reworded"

    other = tmp_path / "other.xlsx"
    other.write_bytes(edited(framework, other_text))
    code, _, err = cli(capsys, "frameworks", "import", str(other), "--data-dir", str(data_dir))
    assert code == 1 and "new version" in err
    assert "Reworded" not in stored.read_text(encoding="utf-8")


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path, capsys):
    path = tmp_path / "notes.xlsx"
    path.write_text("hello", encoding="utf-8")
    code, _, err = cli(capsys, "frameworks", "import", str(path), "--data-dir", str(tmp_path / "d"))
    assert code == 1 and "not a readable .xlsx workbook" in err and "Traceback" not in err
    assert not Path(tmp_path / "d" / "frameworks").exists()


def test_sheets_missing_added_or_too_long_are_refused(monkeypatch):
    framework = load_framework(shipped_frameworks_dir() / "hmip-youth-2025.toml")

    def reshape(book):
        del book["Choices"]
        book.create_sheet("My notes")["A1"] = "remember to check 2.1"

    found = problems_of(edited(framework, reshape))
    assert ("Choices", None, None, "this sheet is missing; add it back (export the framework again to see its "
            "columns).") in found
    assert any(sheet == "My notes" and "is not a sheet of a framework workbook" in m for sheet, _r, _c, m in found)

    import fieldwork.frameworks.workbook_import as reader

    monkeypatch.setattr(reader, "MAX_ROWS", 5)  # the youth framework has more questions than that
    found = problems_of(workbook_bytes(framework))
    assert any(sheet == "Questions" and row == 7 and "more than 5 rows" in m for sheet, row, _c, m in found), found


def test_a_number_excel_made_of_an_id_or_version_is_refused_a_whole_number_is_text():
    framework = load_framework(shipped_frameworks_dir() / "hmip-youth-2025.toml")

    def typed(book):
        for row in book["Settings"].iter_rows(min_row=2):
            if row[0].value == "version":
                row[1].value = 2025.1  # what Excel keeps when 2025.10 is typed
        book["Domains"]["A2"].value = 7  # a whole number loses nothing: read as "7"

    found = problems_of(edited(framework, typed))
    assert [(s, c) for s, _r, c, _m in found] == [("Settings", "version")], found
    assert "type it with an apostrophe first" in found[0][3]


def test_text_too_long_for_a_cell_is_refused_before_anything_is_written(tmp_path):
    import tomllib

    from fieldwork.errors import FieldworkError
    from fieldwork.frameworks.toml_writer import dumps

    document = tomllib.loads((shipped_frameworks_dir() / "hmip-youth-2025.toml").read_text(encoding="utf-8"))
    document["standards"][0]["key_questions"][0]["guidance"] = "g" * 40_000
    framework = parse_framework(dumps(document).encode("utf-8"))
    with pytest.raises(FieldworkError, match="Sheet 'Questions', row 2, column 'guidance' would hold 40,000"):
        export_workbook(framework, tmp_path / "long.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_sample_rules_come_back_and_their_problems_are_named():
    """The dynamic inspection's core/adjusted rules travel as the Sample rules sheet (decision 0034)."""
    framework = load_framework(shipped_frameworks_dir() / "hmip-dynamic-public-protection-2025.toml")
    assert framework.sample_rules

    def broken(book):
        sheet = book["Sample rules"]
        sheet["B3"].value = "core"  # rule 2's row now names another sample than rule 2's first row…
        sheet["A3"].value = 1  # …once it is part of rule 1
        sheet["E2"].value = 3  # a value and a range on one row

    found = problems_of(edited(framework, broken))
    assert any(p[:3] == ("Sample rules", 3, "sample") and "one sample" in p[3] for p in found), found
    assert any(p[:3] == ("Sample rules", 2, "value") and "either a value" in p[3] for p in found), found
