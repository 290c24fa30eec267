"""The command line for case samples and answers: inspection create --sample, import-sample, answers import."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from fieldwork.cli import run
from fieldwork.paths import STORE_FILENAME
from fieldwork.store import open_store

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks" / "mini.toml"

CLEAN = (
    "\ufeffcase_ref;sample;inspector_id;ldu;rosh;start_date\r\n"
    "C1;;insp-1;Beló;High;2026-01-05\r\n"
    "\r\n"
    "C2 ; Case supervision ;insp-2;South;low;\r\n"
    "U1;Unpaid work;;North;;\r\n"
)
DIRTY = (
    "case_ref,sample,ldu,rosh,start_date,colour\n"
    "C1,,North,high,2026-01-05,\n"
    "C1,,North,huge,,\n"
    "C2,nope,North,,2026-02-30,\n"
    "C3,,North,,,\n"
)


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(data_dir) -> Path:
    """A data folder whose own frameworks folder holds mini.toml (id test-mini)."""
    folder = data_dir / "frameworks"
    folder.mkdir()
    shutil.copy(MINI, folder / "mini.toml")
    return data_dir


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def create(capsys, data: Path, *extra: str) -> tuple[int, str, str]:
    return cli(
        capsys, "--data-dir", str(data), "inspection", "create", "--framework", "test-mini",
        "--provider", "Northshire CRC", "--id", "NS-1", *extra,
    )  # fmt: skip


def store_counts(data: Path) -> dict[str, int]:
    if not (data / STORE_FILENAME).exists():
        return {}
    with open_store(data) as store:
        return {
            table: store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("inspections", "cases", "case_details", "answers", "change_log")
        }


def test_create_with_a_clean_sample(capsys, data, tmp_path):
    code, out, err = create(capsys, data, "--sample", str(write(tmp_path, "sample.csv", CLEAN)), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["id"] == "NS-1" and result["cases"] == 3
    assert result["sample"]["added"] == ["C1", "C2", "U1"]
    assert result["sample"]["problems"] == [] and result["sample"]["skipped_rows"] == []
    code, out, _ = cli(capsys, "--data-dir", str(data), "inspection", "list", "--json")
    assert json.loads(out)[0]["cases"] == 3


def test_create_with_an_xlsx_sample_in_text_mode(capsys, data, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["case_ref", "start_date", "ldu"])
    workbook.active.append(["C1", dt.date(2026, 1, 5), 7])
    path = tmp_path / "sample.xlsx"
    workbook.save(path)
    code, out, err = create(capsys, data, "--sample", str(path))
    assert code == 0, err
    assert "Created inspection NS-1." in out and "1 case added" in out


def test_create_with_a_dirty_sample_creates_nothing(capsys, data, tmp_path):
    path = write(tmp_path, "dirty.csv", DIRTY)
    code, out, err = create(capsys, data, "--sample", str(path), "--json")
    assert code == 1
    error = json.loads(out)["error"]
    assert error["code"] == "invalid-sample"
    assert error["file"] == "dirty.csv"
    assert [(p["row"], p["column"]) for p in error["problems"]] == [
        (1, "colour"),
        (2, "case_ref"),
        (3, "case_ref"),
        (3, "rosh"),
        (4, "sample"),
        (4, "start_date"),
    ]
    assert all(set(p) == {"row", "column", "message"} for p in error["problems"])
    assert store_counts(data).get("inspections", 0) == 0

    code, out, err = create(capsys, data, "--sample", str(path))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith("dirty.csv: row 1, column colour: 'colour' is not a column")
    assert len(lines) == 7
    assert lines[-1] == "fieldwork: 6 problems in dirty.csv; no inspection was created."
    code, out, _ = cli(capsys, "--data-dir", str(data), "inspection", "list", "--json")
    assert json.loads(out) == []


def test_create_with_clean_rows_only(capsys, data, tmp_path):
    path = write(tmp_path, "dirty.csv", DIRTY.replace(",colour", "").replace(",\n", "\n"))
    code, out, err = create(capsys, data, "--sample", str(path), "--clean-rows-only", "--json")
    assert code == 0, err
    sample = json.loads(out)["sample"]
    assert sample["added"] == ["C3"]
    assert sample["skipped_rows"] == [2, 3, 4]
    with open_store(data) as store:
        skipped = store.db.execute(
            "SELECT key FROM change_log WHERE field = 'sample-import-skipped' AND source = 'sample-import:dirty.csv'"
        ).fetchall()
    assert [k for (k,) in skipped] == ["row 2", "row 3", "row 4"]


def test_clean_rows_only_needs_a_sample(capsys, data):
    code, _, err = create(capsys, data, "--clean-rows-only")
    assert code == 2 and "--sample" in err


def test_unreadable_sample_is_refused_with_the_sample_code(capsys, data, tmp_path):
    code, out, _ = create(capsys, data, "--sample", str(write(tmp_path, "empty.csv", "case_ref\n")), "--json")
    assert code == 1
    error = json.loads(out)["error"]
    assert error["code"] == "invalid-sample" and "no rows of data" in error["message"]
    assert len(error["problems"]) == 1


def test_import_sample_reimport_reports_changes(capsys, data, tmp_path):
    assert create(capsys, data, "--sample", str(write(tmp_path, "v1.csv", CLEAN)))[0] == 0
    code, out, _ = cli(capsys, "--data-dir", str(data), "inspection", "import-sample", "NS-1",
                       str(write(tmp_path, "v1.csv", CLEAN)), "--json")  # fmt: skip
    assert code == 0
    assert json.loads(out)["unchanged"] == ["C1", "C2", "U1"]

    updated = "case_ref,rosh,inspector_id\nC1,medium,insp-1\nC4,low,insp-2\n"
    code, out, err = cli(capsys, "--data-dir", str(data), "inspection", "import-sample", "NS-1",
                         str(write(tmp_path, "v2.csv", updated)))  # fmt: skip
    assert code == 0, err
    assert "1 case added" in out
    assert "changed C1 rosh: high → medium (row 2)" in out
    assert "2 cases in the inspection but not in the file (kept)" in out


def test_import_sample_dirty_and_unknown_inspection(capsys, data, tmp_path):
    assert create(capsys, data)[0] == 0
    before = store_counts(data)
    code, out, _ = cli(capsys, "--data-dir", str(data), "inspection", "import-sample", "NS-1",
                       str(write(tmp_path, "dirty.csv", DIRTY)), "--json")  # fmt: skip
    assert code == 1 and json.loads(out)["error"]["code"] == "invalid-sample"
    assert store_counts(data) == before
    code, out, _ = cli(capsys, "--data-dir", str(data), "inspection", "import-sample", "NOPE",
                       str(write(tmp_path, "v1.csv", CLEAN)), "--json")  # fmt: skip
    assert code == 1 and json.loads(out)["error"]["code"] == "not-found"


def test_answers_import(capsys, data, tmp_path):
    assert create(capsys, data, "--sample", str(write(tmp_path, "sample.csv", CLEAN)))[0] == 0
    answers = write(
        tmp_path,
        "typed-up.csv",
        "case_ref,question_id,answer,note\nC1,2.1.1,Yes,Good analysis.\nC1,2.1.1.b,n/a,\nC1,rosh,Low,\n",
    )
    code, out, err = cli(capsys, "answers", "import", str(answers), "--inspection", "NS-1",
                         "--data-dir", str(data), "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == {
        "file": "typed-up.csv",
        "inspection": "NS-1",
        "answers_set": 2,
        "details_set": 1,
        "unchanged": 0,
        "cases": ["C1"],
        "warnings": [],
    }
    with open_store(data) as store:
        sources = {s for (s,) in store.db.execute("SELECT source FROM change_log WHERE target IN ('answer', 'detail')")}
    assert sources == {"answers-import:typed-up.csv"}

    code, out, _ = cli(capsys, "--data-dir", str(data), "answers", "import", str(answers), "--inspection", "NS-1")
    assert code == 0 and "0 answers and 0 case details" in out and "3 rows already as stored" in out


def test_answers_import_refused_lists_every_problem(capsys, data, tmp_path):
    assert create(capsys, data, "--sample", str(write(tmp_path, "sample.csv", CLEAN)))[0] == 0
    before = store_counts(data)
    answers = write(
        tmp_path,
        "bad.csv",
        "case_ref,question_id,answer,note\nC1,2.1.1,na,\nC9,2.1.1,yes,\nU1,2.1.2,yes,\nC1,2.1.1.a,yes,note\n",
    )
    code, out, _ = cli(capsys, "--data-dir", str(data), "answers", "import", str(answers), "--inspection", "NS-1",
                       "--json")  # fmt: skip
    assert code == 1
    error = json.loads(out)["error"]
    assert error["code"] == "invalid-answers"
    assert [(p["row"], p["column"]) for p in error["problems"]] == [
        (2, "answer"),
        (3, "case_ref"),
        (4, "question_id"),
        (5, "note"),
    ]
    code, _, err = cli(capsys, "--data-dir", str(data), "answers", "import", str(answers), "--inspection", "NS-1")
    assert code == 1
    assert "bad.csv: row 3, column case_ref: there is no case C9" in err
    assert err.strip().endswith("fieldwork: 4 problems in bad.csv; nothing was recorded.")
    assert store_counts(data) == before
