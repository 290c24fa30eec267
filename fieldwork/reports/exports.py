"""The ratings report as JSON, CSV, XLSX and HTML files, each written whole or not at all.

(The PDF needs Qt and lives in fieldwork.gui.report_pdf; the core never imports Qt.)
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from fieldwork.errors import ValidationError
from fieldwork.ratings import KeyQuestionTally, StandardRating
from fieldwork.reports.files import atomic_write
from fieldwork.reports.html_report import render_html
from fieldwork.reports.inspection_ratings import RatingsReport
from fieldwork.reports.tables import (
    Table,
    about_rows,
    breakdowns_table,
    cases_table,
    key_questions_table,
    overall_table,
    ratings_table,
)

FORMATS = ("json", "csv", "xlsx", "html", "pdf")
CORE_FORMATS = ("json", "csv", "xlsx", "html")


# --- JSON --------------------------------------------------------------------------------------


def tally_json(tally: KeyQuestionTally, rated: bool = True) -> dict:
    row = {"id": tally.id, "yes": tally.yes, "no": tally.no, "na": tally.na, "percent": tally.percent}
    if not rated:
        row["rated"] = False  # reported only: never part of a rating
    return row


def overall_json(overall) -> dict:
    """The overall rating, with the rule that produced it (shared with `fieldwork rate --json`)."""
    return {
        "score": overall.score,
        "max": overall.max,
        "rating": overall.rating,
        "provisional": overall.provisional,
        "unrated": list(overall.unrated),
        "full_max": overall.full_max,
        "reduced_maximum": overall.reduced,
        "bands_scaled": overall.scaled,
        "final": overall.final,
        "rule": overall.rule.to_json() if overall.rule else None,
    }


def standard_json(report: RatingsReport, rated: StandardRating) -> dict:
    std, ov, jd = rated.standard, rated.override, rated.judgement
    counts = report.samples.get(std.sample_id) if std.sample_id else None
    return {
        "id": std.id,
        "number": std.shown_number,
        "title": std.title,
        "domain": std.domain_id,
        "basis": std.basis,
        "sample": std.sample_id,
        "rating": rated.rating,
        "computed_rating": rated.computed,
        "score": report.score_for(rated.rating),
        "rated": std.rated,
        "rule": rated.rule.to_json() if rated.rule else None,
        "computed_rule": rated.computed_rule.to_json() if rated.computed_rule else None,
        "deciding_key_question": rated.deciding_key_question,
        "override": {"rating": ov.rating, "reason": ov.reason, "by": ov.by, "at": ov.at} if ov else None,
        "judgement": {"rating": jd.rating, "evidence": jd.evidence, "by": jd.by, "at": jd.at} if jd else None,
        "cases": counts.to_json() if counts else None,
        "key_questions": [
            tally_json(t, kq.rated) for t, kq in zip(rated.key_questions, std.key_questions, strict=True)
        ],
    }


def ratings_json(report: RatingsReport) -> dict:
    """The stable JSON of `fieldwork ratings` (extra keys may be added, none taken away)."""
    insp, fw, ov = report.inspection, report.framework, report.overall
    return {
        "inspection": insp.id,
        "provider": insp.provider,
        "framework": fw.id,
        "framework_version": fw.version,
        "framework_title": fw.title,
        "generated_at": report.generated_at,
        "cases": report.cases.to_json(),
        "framework_status": fw.status,
        "scheme": fw.rating.scheme,
        "person_term": fw.person_term,
        "standards": [standard_json(report, rated) for rated in report.standards],
        "overall": overall_json(ov),
        "breakdowns": [
            {
                "field": b.field.id,
                "label": b.field.label,
                "groups": [
                    {
                        "value": g.value,
                        "label": g.label,
                        "cases": g.cases,
                        "key_questions": [tally_json(t) for t in g.key_questions],
                    }
                    for g in b.groups
                ],
            }
            for b in report.breakdowns
        ],
    }


def write_json(report: RatingsReport, path: str | os.PathLike) -> Path:
    text = json.dumps(ratings_json(report), indent=2, ensure_ascii=False) + "\n"
    return atomic_write(path, lambda temp: temp.write_text(text, encoding="utf-8"))


# --- tables: CSV and XLSX ----------------------------------------------------------------------


def report_tables(report: RatingsReport) -> list[tuple[str, Table]]:
    """(section, table) in the order the CSV and the workbook give them."""
    tables = [
        ("standard", ratings_table(report)),
        ("overall", overall_table(report)),
        ("key_question", key_questions_table(report)),
    ]
    if report.breakdowns:
        tables.append(("breakdown", breakdowns_table(report)))
    tables.append(("cases", cases_table(report)))
    return tables


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# What a spreadsheet runs as a formula when it opens a CSV file ("CSV injection"): a cell that
# starts with = + - @, a tab or a carriage return. Evidence, case references and case details come
# from inspectors and providers' files, so any of them can.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def csv_text(value) -> str:
    """A CSV cell's text that a spreadsheet shows as text, never runs: formula-looking text gets a
    leading apostrophe (as Excel itself marks text); a plain number such as -5 stays as it is."""
    text = _csv_cell(value)
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def combined_rows(tables: Sequence[tuple[str, Table]]) -> tuple[list[str], list[list[str]]]:
    """One long table: a `section` column, then every table's columns (first appearance order)."""
    keys: list[str] = ["section"]
    for _, table in tables:
        keys.extend(k for k in table.keys if k not in keys)
    rows = []
    for section, table in tables:
        for record in table.dicts():
            rows.append([section if k == "section" else _csv_cell(record.get(k)) for k in keys])
    return keys, rows


def write_csv_rows(path: str | os.PathLike, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """UTF-8 with a byte-order mark (so Excel reads accented names right), CRLF line ends; no
    cell is a formula (see `csv_text`)."""

    def write(temp: Path) -> None:
        with open(temp, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([csv_text(h) for h in header])
            writer.writerows([csv_text(v) for v in row] for row in rows)

    return atomic_write(path, write)


def write_csv(report: RatingsReport, path: str | os.PathLike) -> Path:
    header, rows = combined_rows(report_tables(report))
    return write_csv_rows(path, header, rows)


def xlsx_value(value):
    """A cell value openpyxl stores as given: no control characters; text is never a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def xlsx_cell(sheet, value):
    """A value for a write-only sheet: text that starts with '=' stays text, never a formula.

    Only such text needs a cell object of its own (slow); everything else goes in as it is.
    """
    if not isinstance(value, str):
        return value
    if not value:
        return None
    value = xlsx_value(value)
    if value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _sheet_title(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31]


def write_xlsx(report: RatingsReport, path: str | os.PathLike) -> Path:
    """A workbook with one sheet per table and an About sheet naming the framework's source."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def write(temp: Path) -> None:
        book = Workbook()
        book.remove(book.active)
        for _, table in report_tables(report):
            sheet = book.create_sheet(_sheet_title(table.title))
            sheet.append([xlsx_value(h) for h in table.headings])
            for cell in sheet[1]:
                cell.font = bold
            for row in table.rows:
                sheet.append([xlsx_value(v) for v in row])
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"  # evidence starting with '=' is text, not a formula
            sheet.freeze_panes = "A2"
            for index, column in enumerate(table.columns, start=1):
                longest = max([len(column.heading), *(len(_csv_cell(r[index - 1])) for r in table.rows)])
                letter = sheet.cell(row=1, column=index).column_letter
                sheet.column_dimensions[letter].width = min(60, max(8, longest + 2))
                if longest > 60:
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                        cell.alignment = wrap
        about = book.create_sheet("About")
        for label, value in about_rows(report):
            about.append([label, xlsx_value(value)])
        for (cell,) in about.iter_rows(min_col=1, max_col=1):
            cell.font = bold
        about.column_dimensions["A"].width = 14
        about.column_dimensions["B"].width = 100
        for (cell,) in about.iter_rows(min_col=2, max_col=2):
            cell.alignment = wrap
        book.save(temp)

    return atomic_write(path, write)


# --- HTML and the dispatcher -------------------------------------------------------------------


def write_html(report: RatingsReport, path: str | os.PathLike) -> Path:
    html = render_html(report)
    return atomic_write(path, lambda temp: temp.write_text(html, encoding="utf-8"))


def format_for(path: str | os.PathLike, requested: str | None = None) -> str:
    """The requested format, else the one the file name ends with, else JSON."""
    if requested:
        return requested
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "json"


def export_ratings(report: RatingsReport, fmt: str, path: str | os.PathLike) -> Path:
    """Write the report in one of json, csv, xlsx, html (PDF: fieldwork.gui.report_pdf.write_pdf)."""
    writers = {"json": write_json, "csv": write_csv, "xlsx": write_xlsx, "html": write_html}
    if fmt not in writers:
        raise ValidationError(f"'{fmt}' is not a report format here; use one of: {', '.join(CORE_FORMATS)}.")
    return writers[fmt](report, path)
