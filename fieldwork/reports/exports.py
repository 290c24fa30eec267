"""The ratings report as JSON, CSV, XLSX and HTML files, each written whole or not at all.

(The PDF needs Qt and lives in fieldwork.gui.report_pdf; the core never imports Qt.)
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from fieldwork.errors import ValidationError
from fieldwork.ratings import KeyQuestionTally, StandardRating
from fieldwork.reports.cells import NOTES_COLUMN, NOTES_HEADING, csv_text, notes_text, plain_text, xlsx_text
from fieldwork.reports.contributions import contributions_json, contributions_table
from fieldwork.reports.files import atomic_write
from fieldwork.reports.html_report import render_html
from fieldwork.reports.inspection_ratings import RatingsReport
from fieldwork.reports.premises_rows import premises_answers_json, premises_table
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


def tally_json(tally: KeyQuestionTally, rated: bool = True, number: str = "") -> dict:
    """`number`: the key question's number as published, where it differs from its id."""
    row = {"id": tally.id, "yes": tally.yes, "no": tally.no, "na": tally.na, "percent": tally.percent}
    if number and number != tally.id:
        row["number"] = number
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
        "combined_from": {"framework": std.from_framework, "version": std.from_version, "sample": std.from_sample}
        if std.combined else None,
        "key_questions": [
            tally_json(t, kq.rated, report.framework.question_number(t.id))
            for t, kq in zip(rated.key_questions, std.key_questions, strict=True)
        ],
        **({"premises_answers": premises_answers_json(std, report.premises)} if std.rated_for_premises else {}),
    }


def ratings_json(report: RatingsReport) -> dict:
    """The stable JSON of `fieldwork ratings` (extra keys may be added, none taken away)."""
    insp, fw, ov = report.inspection, report.framework, report.overall
    return {
        "inspection": insp.id,
        "provider": insp.provider,
        "framework": fw.id,
        "framework_version": fw.version,
        "framework_hash": fw.content_hash,  # the exact text the ratings were computed under (decision 0042)
        "framework_title": fw.title,
        "generated_at": report.generated_at,
        "cases": report.cases.to_json(),
        "framework_status": fw.status,
        "scheme": fw.rating.scheme,
        "person_term": fw.person_term,
        "standards": [standard_json(report, rated) for rated in report.standards],
        "overall": overall_json(ov),
        "contributions": contributions_json(report),
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
    if report.framework.premises_standards:
        tables.append(("premises_answer", premises_table(report.framework, report.premises)))
    if report.breakdowns:
        tables.append(("breakdown", breakdowns_table(report)))
    tables.append(("cases", cases_table(report)))
    if report.framework.combined_standards:
        tables.append(("contribution", contributions_table(report)))
    return tables


def combined_rows(tables: Sequence[tuple[str, Table]]) -> tuple[list[str], list[list]]:
    """One long table: a `section` column, then every table's columns (first appearance order)."""
    keys: list[str] = ["section"]
    for _, table in tables:
        keys.extend(k for k in table.keys if k not in keys)
    rows = []
    for section, table in tables:
        for record in table.dicts():
            rows.append([section if k == "section" else record.get(k) for k in keys])
    return keys, rows


def csv_records(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[list[str]]:
    """The header and rows as CSV fields (see fieldwork.reports.cells), each row ending in its
    export notes: what was changed to keep the file safe, column by column."""
    yield [csv_text(h) for h in (*header, NOTES_COLUMN)]
    for row in rows:
        notes: list[str] = []
        fields = [csv_text(value, column, notes) for column, value in zip(header, row, strict=True)]
        fields.append(csv_text(notes_text(notes)))
        yield fields


def write_csv_records(temp: Path, records: Iterable[list[str]]) -> None:
    """UTF-8 with a byte-order mark (so Excel reads accented names right), CRLF line ends,
    every field quoted (so no reader splits a field at a separator inside it)."""
    with open(temp, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows(records)


def write_csv_rows(path: str | os.PathLike, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    return atomic_write(path, lambda temp: write_csv_records(temp, csv_records(header, rows)))


def write_csv(report: RatingsReport, path: str | os.PathLike) -> Path:
    header, rows = combined_rows(report_tables(report))
    return write_csv_rows(path, header, rows)


# The ratings report's long text (evidence, reasons) is whole in these when a cell is cut.
RATINGS_WHOLE_TEXT = "the CSV and JSON exports"


def _sheet_title(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31]


def _append_text_safe(sheet, values: Sequence) -> None:
    """Append a row in which every text cell is stored as text, never as a formula."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl stores text starting with '=' as a formula


def _sheet_rows(headings: Sequence[str], rows: Iterable[Sequence]) -> tuple[list, list[list], bool]:
    """Header and rows made safe for a workbook, each row ending in its export notes; and
    whether any row has a note."""
    noted = False
    body = []
    for row in rows:
        notes: list[str] = []
        cells = [xlsx_text(v, h, notes, whole_text_in=RATINGS_WHOLE_TEXT) for h, v in zip(headings, row, strict=True)]
        noted = noted or bool(notes)
        body.append([*cells, notes_text(notes) or None])
    header = [xlsx_text(h, whole_text_in=RATINGS_WHOLE_TEXT) for h in headings]
    return [*header, NOTES_HEADING], body, noted


def write_xlsx(report: RatingsReport, path: str | os.PathLike) -> Path:
    """A workbook with one sheet per table and an About sheet naming the framework's source.

    A sheet in which something had to be changed (see fieldwork.reports.cells) ends in an
    "Export notes" column saying what, row by row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def write(temp: Path) -> None:
        book = Workbook()
        book.remove(book.active)
        for _, table in report_tables(report):
            header, body, noted = _sheet_rows(table.headings, table.rows)
            if not noted:
                header, body = header[:-1], [row[:-1] for row in body]
            sheet = book.create_sheet(_sheet_title(table.title))
            _append_text_safe(sheet, header)
            for cell in sheet[1]:
                cell.font = bold
            for row in body:
                _append_text_safe(sheet, row)
            sheet.freeze_panes = "A2"
            for index, heading in enumerate(header, start=1):
                longest = max([len(plain_text(heading)), *(len(plain_text(r[index - 1])) for r in body)])
                letter = sheet.cell(row=1, column=index).column_letter
                sheet.column_dimensions[letter].width = min(60, max(8, longest + 2))
                if longest > 60:
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                        cell.alignment = wrap
        about = book.create_sheet("About")
        for label, value in about_rows(report):
            notes: list[str] = []
            text = xlsx_text(value, label, notes, whole_text_in=RATINGS_WHOLE_TEXT)
            # About is label / value; a value that had to be changed gets its note beside it.
            _append_text_safe(about, [label, text, *([notes_text(notes)] if notes else [])])
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
