"""The report written as JSON, CSV, XLSX and HTML, read back; files written whole or not at all."""

from __future__ import annotations

import csv
import json
import re

import openpyxl
import pytest

from fieldwork.errors import ValidationError
from fieldwork.reports import exports
from fieldwork.reports.exports import export_ratings, format_for, ratings_json
from fieldwork.reports.files import ExportError
from fieldwork.reports.html_report import render_html
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.reports.lead_ratings import JUDGEMENT, OVERRIDE, set_lead_rating

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'
FORMULA = '=HYPERLINK("http://example.invalid","click")'


@pytest.fixture
def report(store, inspection, cases):
    cases.case({"2.1.1": "yes", "2.1.2": "no"}, details={"ldu": "North <East>", "rosh": "high"})
    cases.case({"2.1.1": "yes", "2.1.2": "yes"}, details={"ldu": "South"})
    cases.judged("3.1.1", yes=13, no=7, sample="unpaid_work")
    set_lead_rating(store, inspection.id, "2.1", OVERRIDE, "Good", f"Moderated: {HOSTILE}\nSecond line.")
    set_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "Good", f"{FORMULA}\x0b with a control character")
    return inspection_ratings(store, inspection.id, include_breakdowns=True)


def test_json_shape(report):
    data = ratings_json(report)
    assert {"inspection", "framework", "standards", "overall"} <= set(data)
    assert data["inspection"] == "insp-test" and data["framework"] == "test-mini"
    assert data["cases"] == {"total": 22, "complete": 0, "in_progress": 22, "not_started": 0}
    for standard in data["standards"]:
        assert {"id", "title", "basis", "rating", "score", "deciding_key_question", "override", "key_questions"} <= set(
            standard
        )
        assert standard["basis"] in ("cases", "judgement")
        for kq in standard["key_questions"]:
            assert set(kq) == {"id", "yes", "no", "na", "percent"}
    by_id = {s["id"]: s for s in data["standards"]}
    assert by_id["2.1"]["rating"] == "Good" and by_id["2.1"]["computed_rating"] == "Requires improvement"
    assert by_id["2.1"]["override"]["reason"].startswith("Moderated: <script>")
    assert by_id["2.1"]["override"]["by"] == "insp-1"
    assert by_id["2.1"]["deciding_key_question"] == "2.1.2"
    assert by_id["3.1"]["key_questions"] == [{"id": "3.1.1", "yes": 13, "no": 7, "na": 0, "percent": 65}]
    assert by_id["3.1"]["rating"] == "Good" and by_id["3.1"]["score"] == 2
    assert by_id["1.1"]["judgement"]["rating"] == "Good" and by_id["1.1"]["override"] is None
    overall = {k: data["overall"][k] for k in ("score", "max", "rating", "provisional", "unrated")}
    assert overall == {"score": 6, "max": 9, "rating": "Good", "provisional": False, "unrated": []}
    # Every rating names the rule behind it and whether the framework says it is published.
    assert data["overall"]["rule"]["id"] == "overall_score_bands"
    assert data["overall"]["rule"]["provenance"] == "recalled"
    assert by_id["2.1"]["rule"]["id"] == "lead_override"
    assert by_id["2.1"]["computed_rule"]["id"] == "lowest_key_question"
    assert by_id["1.1"]["rule"]["id"] == "lead_judgement"
    assert [b["field"] for b in data["breakdowns"]] == ["ldu", "rosh"]
    json.dumps(data)  # plain JSON all the way down


def test_json_file(report, tmp_path):
    path = export_ratings(report, "json", tmp_path / "ratings.json")
    assert json.loads(path.read_text(encoding="utf-8")) == ratings_json(report)


def test_csv_read_back(report, tmp_path):
    path = export_ratings(report, "csv", tmp_path / "ratings.csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    sections = {r["section"] for r in rows}
    assert sections == {"standard", "overall", "key_question", "breakdown", "cases"}
    standards = {r["standard"]: r for r in rows if r["section"] == "standard"}
    assert list(standards) == ["1.1", "2.1", "3.1"]
    assert standards["2.1"]["rating"] == "Good" and standards["2.1"]["computed_rating"] == "Requires improvement"
    assert standards["2.1"]["override_reason"] == f"Moderated: {HOSTILE}\nSecond line."
    kq = next(r for r in rows if r["section"] == "key_question" and r["key_question"] == "3.1.1")
    assert (kq["yes"], kq["no"], kq["na"], kq["percent"], kq["band"]) == ("13", "7", "0", "65", "Good")
    overall = next(r for r in rows if r["section"] == "overall")
    assert (overall["rating"], overall["score"], overall["max"], overall["provisional"]) == ("Good", "6", "9", "false")
    north = [r for r in rows if r["section"] == "breakdown" and r["group"] == "North <East>"]
    assert {r["key_question"] for r in north} == {"2.1.1", "2.1.2", "3.1.1"}


def test_xlsx_read_back(report, tmp_path):
    path = export_ratings(report, "xlsx", tmp_path / "ratings.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Ratings by standard", "Overall rating", "Key questions", "Breakdowns", "Cases", "About"]
    sheet = book["Ratings by standard"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["Domain", "Standard", "Title", "Rated from", "Rating", "Score"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["2.1"][4] == "Good" and rows["2.1"][5] == 2
    evidence_col = header.index("Lead inspector's evidence")
    cell = sheet.cell(row=2, column=evidence_col + 1)
    assert cell.data_type == "s"  # evidence that looks like a formula stays text
    assert cell.value == f"{FORMULA}\u240b with a control character"  # shown, not dropped
    notes = [c.value for c in sheet[2]][header.index("Export notes")]
    assert notes == "Lead inspector's evidence: 1 control character shown as symbols (␀–␟, ␡)"
    kq_sheet = book["Key questions"]
    kq_rows = list(kq_sheet.iter_rows(min_row=2, values_only=True))
    assert ("3.1", "3.1.1") in {(r[0], r[1]) for r in kq_rows}
    assert next(r for r in kq_rows if r[1] == "3.1.1")[3:7] == (13, 7, 0, 65)
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert about["Attribution"] == "fieldwork developers" and about["Inspection"] == "insp-test"


def test_html_is_escaped_and_shows_the_report(report, tmp_path):
    path = export_ratings(report, "html", tmp_path / "ratings.html")
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in html
    assert "<script" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "North &lt;East&gt;" in html
    assert '<table class="ratings"' in html and '<table class="key-questions"' in html
    assert "Rating changed by the lead inspector" in html and "Second line." in html
    assert html.count("<svg") == 2  # one chart per case-rated standard
    assert re.search(r"stroke-dasharray=\"4,3\"", html)  # band thresholds drawn
    assert ">80%</text>" in html and ">65%</text>" in html and ">50%</text>" in html
    assert "fieldwork developers" in html and "Test data." in html  # attribution and licence
    assert "Provisional" not in html  # every standard is rated


def test_html_marks_a_provisional_overall(store, inspection, cases):
    cases.judged("3.1.1", yes=1, sample="unpaid_work")
    html = render_html(inspection_ratings(store, inspection.id))
    assert "<strong>Provisional.</strong>" in html
    assert "(provisional)" in html and "1.1 Leadership; 2.1 Assessment" in html


def test_names_in_the_html_are_escaped(store, crc_inspection, crc_cases):
    crc_cases.case({"2.1.1": "yes"})
    html = render_html(inspection_ratings(store, crc_inspection.id, include_breakdowns=True))
    assert "Westshire &lt;CRC&gt; &amp; Partners" in html and "<CRC>" not in html
    assert html.count('<tr class="domain">') == 3 and html.count("<svg") == 6


def test_format_from_the_file_name():
    assert format_for("out/report.HTML") == "html"
    assert format_for("report.pdf") == "pdf"
    assert format_for("report.txt") == "json"
    assert format_for("report.csv", "xlsx") == "xlsx"


def test_unknown_format_is_refused(report, tmp_path):
    with pytest.raises(ValidationError, match="not a report format"):
        export_ratings(report, "docx", tmp_path / "r.docx")


def test_a_failed_write_leaves_the_old_file_and_no_partial(report, tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    folder.mkdir()
    target = folder / "ratings.html"
    target.write_text("the old report", encoding="utf-8")

    def broken(report):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(exports, "render_html", broken)
    with pytest.raises(RuntimeError):
        export_ratings(report, "html", target)
    assert target.read_text(encoding="utf-8") == "the old report"

    def half_written(temp):
        temp.write_text("<html>half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    from fieldwork.reports.files import atomic_write

    with pytest.raises(ExportError, match="could not be written"):
        atomic_write(target, half_written)
    assert target.read_text(encoding="utf-8") == "the old report"
    assert sorted(p.name for p in folder.iterdir()) == ["ratings.html"]


def test_a_missing_folder_is_refused(report, tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        export_ratings(report, "csv", tmp_path / "nowhere" / "ratings.csv")
