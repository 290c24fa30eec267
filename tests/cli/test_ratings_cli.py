"""`fieldwork ratings`, `fieldwork rate` and `fieldwork export research`: shapes and refusals."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from fieldwork.cli import run
from fieldwork.profile import open_profile_store
from fieldwork.reports.lead_ratings import lead_rating_history
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import add_case, get_inspection

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks" / "mini.toml"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(data_dir, capsys) -> Path:
    """A data folder with mini.toml installed and inspection NS-1 holding a few judged cases."""
    folder = data_dir / "frameworks"
    folder.mkdir()
    shutil.copy(MINI, folder / "mini.toml")
    code, _, err = cli(
        capsys, "--data-dir", str(data_dir), "inspection", "create", "--framework", "test-mini",
        "--provider", "Northshire CRC", "--id", "NS-1",
    )  # fmt: skip
    assert code == 0, err
    with open_profile_store(data_dir) as store:
        inspection = get_inspection(store, "NS-1")
        for i, (a, b) in enumerate([("yes", "yes"), ("yes", "no"), ("no", "na"), ("yes", "yes")]):
            case = add_case(store, inspection, f"C{i}", details={"ldu": "North" if i % 2 else "South"})
            set_answer(store, case.id, "2.1.1", value=a)
            set_answer(store, case.id, "2.1.2", value=b, note="Evidence." if b == "na" else "")
        case = add_case(store, inspection, "U1", sample_id="unpaid_work")
        set_answer(store, case.id, "3.1.1", value="yes")
    return data_dir


def ratings(capsys, data: Path, *extra: str) -> tuple[int, str, str]:
    return cli(capsys, "--data-dir", str(data), "ratings", "--inspection", "NS-1", *extra)


def rate(capsys, data: Path, *extra: str) -> tuple[int, str, str]:
    return cli(capsys, "--data-dir", str(data), "rate", "--inspection", "NS-1", *extra)


def test_ratings_json_shape(capsys, data):
    code, out, err = ratings(capsys, data)
    assert code == 0, err
    result = json.loads(out)
    assert {"inspection", "framework", "standards", "overall"} <= set(result)
    assert (result["inspection"], result["framework"]) == ("NS-1", "test-mini")
    assert [s["id"] for s in result["standards"]] == ["1.1", "2.1", "3.1"]
    for standard in result["standards"]:
        assert {"id", "title", "basis", "rating", "score", "deciding_key_question", "override", "key_questions"} <= set(
            standard
        )
    by_id = {s["id"]: s for s in result["standards"]}
    assert by_id["2.1"]["key_questions"] == [
        {"id": "2.1.1", "yes": 3, "no": 1, "na": 0, "percent": 75},
        {"id": "2.1.2", "yes": 2, "no": 1, "na": 1, "percent": 67},
    ]
    assessment = by_id["2.1"]
    assert (assessment["rating"], assessment["score"], assessment["deciding_key_question"]) == ("Good", 2, "2.1.2")
    judged = by_id["1.1"]
    assert (judged["basis"], judged["rating"], judged["score"], judged["override"]) == (
        "judgement", "Not rated", None, None,
    )  # fmt: skip
    overall = {k: result["overall"][k] for k in ("score", "max", "rating", "provisional", "unrated")}
    assert overall == {"score": 5, "max": 9, "rating": "Good", "provisional": True, "unrated": ["1.1"]}
    assert result["overall"]["rule"] == {
        "id": "provisional",
        "provenance": "recalled",
        "text": "while a standard is not rated, the overall rating is provisional",
    }
    assert assessment["rule"]["id"] == "lowest_key_question" and assessment["rule"]["provenance"] == "recalled"
    assert result["cases"] == {"total": 5, "complete": 0, "in_progress": 5, "not_started": 0}
    assert [g["label"] for g in result["breakdowns"][0]["groups"]] == ["North", "South", "Not recorded"]


def test_rate_a_judgement_then_an_override_then_withdraw(capsys, data):
    code, out, err = rate(capsys, data, "--standard", "1.1", "--rating", "Outstanding", "--evidence", "Board papers.")
    assert code == 0, err
    assert "Recorded Outstanding for standard 1.1 Leadership" in out and "Overall: Outstanding, 8 of 9." in out

    code, out, err = rate(
        capsys, data, "--standard", "2.1", "--override", "--rating", "requires improvement",
        "--reason", "Two cases were misjudged at moderation.", "--json",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert (result["kind"], result["rating"], result["withdrawn"]) == ("override", "Requires improvement", False)
    assert result["standard_rating"] == {"rating": "Requires improvement", "computed_rating": "Good", "score": 1}
    assert result["overall"]["score"] == 7 and result["overall"]["provisional"] is False

    code, out, _ = ratings(capsys, data)
    standard = next(s for s in json.loads(out)["standards"] if s["id"] == "2.1")
    assert standard["override"]["reason"] == "Two cases were misjudged at moderation."
    assert standard["rating"] == "Requires improvement" and standard["computed_rating"] == "Good"

    code, out, err = rate(capsys, data, "--standard", "2.1", "--withdraw", "--reason", "Resolved.")
    assert code == 0, err
    assert "Withdrew the override of standard 2.1 Assessment; its rating is now Good." in out
    code, out, err = rate(capsys, data, "--standard", "1.1", "--withdraw", "--json")
    assert code == 0 and json.loads(out)["withdrawn"] is True

    with open_profile_store(data) as store:
        history = [(h.standard_id, h.kind, h.rating) for h in lead_rating_history(store, "NS-1")]
    assert history == [
        ("1.1", "judgement", "Outstanding"),
        ("2.1", "override", "Requires improvement"),
        ("2.1", "override", None),
        ("1.1", "judgement", None),
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--standard", "2.1", "--override", "--rating", "Good"), "needs a reason"),
        (("--standard", "2.1", "--override", "--rating", "Brilliant", "--reason", "x"), "'Brilliant' is not a rating"),
        (("--standard", "1.1", "--rating", "Brilliant", "--evidence", "x"), "'Brilliant' is not a rating"),
        (("--standard", "2.1", "--rating", "Good", "--evidence", "x"), "rated from cases"),
        (("--standard", "1.1", "--override", "--rating", "Good", "--reason", "x"), "nothing to override"),
        (("--standard", "1.1", "--rating", "Good"), "needs its evidence"),
        (("--standard", "9.9", "--rating", "Good", "--evidence", "x"), "'9.9' is not a standard"),
        (("--standard", "2.1", "--withdraw"), "no override in force"),
    ],
)
def test_rate_refusals(capsys, data, argv, message):
    code, out, err = rate(capsys, data, *argv)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fieldwork: ") and message in lines[0]
    assert lines[0].endswith(".")
    with open_profile_store(data) as store:
        assert lead_rating_history(store, "NS-1") == []


def test_rate_refusal_as_json(capsys, data):
    code, out, _ = rate(capsys, data, "--standard", "2.1", "--override", "--rating", "Good", "--json")
    assert code == 1
    assert json.loads(out)["error"]["code"] == "invalid-value"


def test_usage_errors(capsys, data):
    assert rate(capsys, data, "--standard", "1.1")[0] == 2
    assert rate(capsys, data, "--standard", "1.1", "--withdraw", "--rating", "Good")[0] == 2
    code, _, err = ratings(capsys, data, "--format", "csv")
    assert code == 2 and "--out" in err


def test_unknown_inspection(capsys, data):
    code, out, err = cli(capsys, "--data-dir", str(data), "ratings", "--inspection", "NOPE")
    assert code == 1 and "No inspection 'NOPE'" in err


def test_every_format_is_written(capsys, data, tmp_path, qapp):
    outputs = {}
    for fmt in ("json", "csv", "xlsx", "html", "pdf"):
        target = tmp_path / f"ratings.{fmt}"
        code, out, err = ratings(capsys, data, "--format", fmt, "--out", str(target))
        assert code == 0, err
        assert out.startswith(f"Wrote the ratings of NS-1 as {fmt.upper()} to ")
        outputs[fmt] = target
    assert json.loads(outputs["json"].read_text(encoding="utf-8"))["overall"]["score"] == 5
    with open(outputs["csv"], encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert next(r for r in rows if r["section"] == "overall")["rating"] == "Good"
    book = openpyxl.load_workbook(outputs["xlsx"])
    assert "Ratings by standard" in book.sheetnames
    assert '<table class="ratings"' in outputs["html"].read_text(encoding="utf-8")
    assert outputs["pdf"].read_bytes().startswith(b"%PDF")
    # The format follows the file name when --format is not given.
    code, _, err = ratings(capsys, data, "--out", str(tmp_path / "by-name.html"))
    assert code == 0, err
    assert (tmp_path / "by-name.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_export_research(capsys, data, tmp_path):
    target = tmp_path / "research.csv"
    code, out, err = cli(
        capsys, "--data-dir", str(data), "export", "research", "--inspection", "NS-1", "--out", str(target)
    )
    assert code == 0, err
    assert out.strip() == f"Wrote 17 rows for 5 cases to {target}."
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:5] == ["inspection", "case_ref", "sample", "inspector", "status"]
    assert list(rows[0])[-8:] == [
        "question_id", "kind", "standard", "answer", "note", "answered_by", "answered_at", "export_notes",
    ]  # fmt: skip
    assert len(rows) == 17  # 4 supervision cases x 4 questions + 1 unpaid work case x 1

    target = tmp_path / "research.xlsx"
    code, out, err = cli(
        capsys, "--data-dir", str(data), "export", "research", "--inspection", "NS-1", "--out", str(target), "--json"
    )
    assert code == 0, err
    assert json.loads(out) == {"file": str(target), "format": "xlsx", "cases": 5, "rows": 17}
    assert openpyxl.load_workbook(target)["Case data"].max_row == 18

    code, _, err = cli(
        capsys, "--data-dir", str(data), "export", "research", "--inspection", "NS-1", "--out", str(tmp_path / "r.txt")
    )
    assert code == 1 and ".csv or .xlsx" in err


@pytest.mark.parametrize("what", ["ratings", "research"])
def test_an_existing_file_is_not_replaced_without_overwrite(what, capsys, data, tmp_path):
    # Both wrote over any existing file without a word (a sample, another report); every other
    # writer of the command line refuses unless --overwrite.
    precious = tmp_path / "sample.csv"
    precious.write_text("case_ref,sample\nCRN001,\n")
    if what == "ratings":
        argv = ("ratings", "--inspection", "NS-1", "--out", str(precious))
    else:
        argv = ("export", "research", "--inspection", "NS-1", "--out", str(precious))
    code, out, err = cli(capsys, "--data-dir", str(data), *argv)
    assert code == 1 and "already exists" in err and "--overwrite" in err and "Traceback" not in err
    assert precious.read_text() == "case_ref,sample\nCRN001,\n"
    code, out, err = cli(capsys, "--data-dir", str(data), *argv, "--overwrite")
    assert code == 0, err
    assert precious.read_text(encoding="utf-8-sig").startswith('"inspection",' if what == "research" else "")
    assert precious.read_text() != "case_ref,sample\nCRN001,\n"
