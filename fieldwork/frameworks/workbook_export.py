"""Write a framework as a workbook a methodology officer edits in Excel (decision 0032).

Every value is written explicitly (inherited provenance resolved, defaults filled in), so the
workbook read back gives the same framework whatever the TOML left implicit. The file is
written whole or not at all, readable by the user only (fieldwork.reports.files).
"""

from __future__ import annotations

import os
from pathlib import Path

from fieldwork.errors import FieldworkError
from fieldwork.frameworks.model import RULES, Framework
from fieldwork.frameworks.workbook_layout import (
    BANDS,
    CASE_DETAILS,
    CHOICES,
    DOMAINS,
    OVERALL_BANDS,
    QUESTIONS,
    RATING_RULES,
    README_SHEET,
    SAMPLE_RULES,
    SAMPLES,
    SETTING_ROWS,
    SETTINGS,
    SHEETS,
    STANDARDS,
)
from fieldwork.reports.files import atomic_write

EXCEL_CELL_LIMIT = 32_767  # characters in one cell; Excel cuts or refuses more
VALIDATED_ROWS = 2000  # data validation reaches this far down each sheet: room to add rows
HEADER_FILL = "DDE4EE"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def setting_values(fw: Framework) -> list[tuple[str, str]]:
    """(setting, value) rows for the Settings sheet, in the order of SETTING_ROWS."""
    rating = fw.rating
    single = {
        "id": fw.id, "version": fw.version, "title": fw.title, "person_term": fw.person_term,
        "status": fw.status, "applies_from": fw.applies_from, "applies_to": fw.applies_to,
        "status_note": fw.status_note, "source": fw.source, "attribution": fw.attribution,
        "licence": fw.licence, "provenance": fw.provenance, "provenance_note": fw.provenance_note,
        **{f"answer_label_{k}": fw.answer_labels[k] for k in ("yes", "no", "na")},
        **{f"judgement_label_{k}": fw.judgement_labels[k] for k in ("yes", "no", "na")},
        "rating_scheme": rating.scheme, "not_rated": rating.not_rated,
        "unrated_standards": rating.unrated_standards, "written_judgement": rating.written_judgement,
    }
    rows = []
    for name, *_ in SETTING_ROWS:
        if name == "provider_type":
            rows.extend(("provider_type", p) for p in fw.provider_types)
        else:
            rows.append((name, single[name]))
    return rows


def sheet_rows(fw: Framework) -> dict[str, list[list]]:
    """The data rows of every sheet (headings apart), values as they will be written."""
    questions = []
    for standard in fw.standards:
        for kq in standard.key_questions:
            questions.append(["key question", kq.id, standard.id, kq.text, kq.lens or "", yes_no(kq.allow_na),
                              yes_no(kq.na_reason_required), yes_no(kq.rated), kq.provenance, kq.guidance,
                              kq.from_question, " ".join(kq.renamed_from)])
            questions.extend(
                ["prompt", p.id, kq.id, p.text, "", yes_no(p.allow_na), "", "", p.provenance, p.guidance, "",
                 " ".join(p.renamed_from)]
                for p in kq.prompts
            )
    rating = fw.rating
    overall = [["", b.rating, b.min_score, b.max_score] for b in rating.overall_bands]
    overall += [[t.max_score, b.rating, b.min_score, b.max_score] for t in rating.reduced_bands for b in t.bands]
    return {
        SETTINGS.name: [list(row) for row in setting_values(fw)],
        SAMPLES.name: [[s.id, s.title, yes_no(s.default), s.description] for s in fw.samples],
        SAMPLE_RULES.name: _sample_rule_rows(fw),
        DOMAINS.name: [[d.id, d.title, d.provenance] for d in fw.domains],
        STANDARDS.name: [
            [s.id, s.domain_id, s.number, s.title, s.statement, s.basis, s.sample_id or "", yes_no(s.rated),
             yes_no(s.counts_in_overall), s.provenance, s.statement_provenance if s.statement else "",
             s.from_framework, s.from_version, s.from_sample]
            for s in fw.standards
        ],
        QUESTIONS.name: questions,
        CASE_DETAILS.name: [
            [f.id, f.label, f.type, yes_no(f.required), yes_no(f.personal), yes_no(f.breakdown), f.help]
            for f in fw.case_details
        ],
        CHOICES.name: [[f.id, c.value, c.label] for f in fw.case_details for c in f.choices],
        RATING_RULES.name: [[rule, rating.provenance_of(rule), meaning] for rule, meaning in RULES.items()],
        BANDS.name: [[b.rating, _number(b.min_percent), b.score] for b in rating.bands],
        OVERALL_BANDS.name: overall,
    }


def _sample_rule_rows(fw: Framework) -> list[list]:
    """One row per condition value (or range); the description on each rule's first row."""
    rows: list[list] = []
    for number, rule in enumerate(fw.sample_rules, start=1):
        first = len(rows)
        for condition in rule.conditions:
            if condition.values:
                rows += [[number, rule.sample_id, condition.field_id, value, "", "", ""] for value in condition.values]
            else:
                at_least = "" if condition.at_least is None else condition.at_least
                at_most = "" if condition.at_most is None else condition.at_most
                rows.append([number, rule.sample_id, condition.field_id, "", at_least, at_most, ""])
        if rows[first:]:
            rows[first][6] = rule.description
    return rows


def _number(fraction):
    value = float(fraction)
    return int(value) if value.is_integer() else value


def _cell_value(value, sheet: str, row: int, column: str):
    """Text as text (never a formula), or a FieldworkError for characters a workbook cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        if value == "":
            return None
        if len(value) > EXCEL_CELL_LIMIT:
            raise FieldworkError(
                f"Sheet '{sheet}', row {row}, column '{column}' would hold {len(value):,} characters; Excel keeps at "
                f"most {EXCEL_CELL_LIMIT:,} in a cell. Shorten that text in the framework file and export again."
            )
        if ILLEGAL_CHARACTERS_RE.search(value) or "\r" in value:
            raise FieldworkError(
                f"Sheet '{sheet}', row {row}, column '{column}' would hold a control character a workbook cannot "
                "keep; remove it from the framework file (fieldwork frameworks check shows the item) and export again."
            )
    return value


def build_workbook(fw: Framework):
    """The openpyxl Workbook for `fw`: a "Read me" sheet, then one sheet per part of the framework."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    readme = book.active
    readme.title = README_SHEET
    _write_readme(readme, fw)
    rows = sheet_rows(fw)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    for layout in SHEETS:
        sheet = book.create_sheet(layout.name)
        for index, column in enumerate(layout.columns, start=1):
            cell = sheet.cell(row=1, column=index, value=column.heading)
            cell.font, cell.fill = bold, fill
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = column.width
            if column.choices and layout is not SETTINGS:
                listed = ",".join(column.choices)
                check = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=not column.required,
                                       showErrorMessage=True, errorTitle=column.heading,
                                       error=f"Choose one of: {', '.join(column.choices)}")
                sheet.add_data_validation(check)
                check.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
        wrap = Alignment(wrap_text=True, vertical="top")
        for row_number, values in enumerate(rows[layout.name], start=2):
            for index, value in enumerate(values, start=1):
                heading = layout.columns[index - 1].heading
                cell = sheet.cell(row=row_number, column=index)
                cell.value = _cell_value(value, layout.name, row_number, heading)
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # a text starting with "=" stays text, never a formula
                    cell.alignment = wrap
        sheet.freeze_panes = "A2"
    _validate_settings(book[SETTINGS.name], rows[SETTINGS.name])
    return book


def _validate_settings(sheet, rows: list[list]) -> None:
    """A drop-down on each Settings value that has a fixed list of choices."""
    from openpyxl.worksheet.datavalidation import DataValidation

    choices = {name: options for name, _kind, options, _req, _m in SETTING_ROWS if options}
    for row_number, (name, _value) in enumerate(rows, start=2):
        if name in choices:
            check = DataValidation(type="list", formula1=f'"{",".join(choices[name])}"', showErrorMessage=True,
                                   error=f"Choose one of: {', '.join(choices[name])}")
            sheet.add_data_validation(check)
            check.add(f"B{row_number}")


def _write_readme(sheet, fw: Framework) -> None:
    from openpyxl.styles import Alignment, Font

    lines = [
        (f"{fw.title} ({fw.version}): framework workbook", ""),
        ("How to use it", "Correct wording, guidance and provenance, add or remove rows, then run "
         "'fieldwork frameworks import FILE.xlsx'. Change the version on the Settings sheet whenever the content "
         "changes. Nothing is imported unless the whole workbook is valid; each problem names its sheet, row and "
         "column. Type values, never formulas. Answers are kept by question id: change an id only for a new "
         "question."),
        ("", ""),
        ("Sheet and column", "What it holds"),
    ]
    for layout in SHEETS:
        lines.append((layout.name, layout.purpose))
        for column in layout.columns:
            allowed = f" Allowed: {', '.join(column.choices)}." if column.choices else ""
            needed = " Required." if column.required else ""
            lines.append((f"  {column.heading}", f"{column.meaning}{allowed}{needed}"))
        if layout is SETTINGS:
            for name, _kind, options, required, meaning in SETTING_ROWS:
                allowed = f" Allowed: {', '.join(options)}." if options else ""
                needed = " Required." if required else " Optional."
                lines.append((f"    {name}", f"{meaning}{allowed}{needed}"))
    for row_number, (first, second) in enumerate(lines, start=1):
        sheet.cell(row=row_number, column=1, value=first).data_type = "s"
        cell = sheet.cell(row=row_number, column=2, value=second or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if not first.startswith(" "):
            sheet.cell(row=row_number, column=1).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 110
    sheet.freeze_panes = "A2"


def export_workbook(fw: Framework, target: str | os.PathLike) -> Path:
    """Write `fw` to `target` (.xlsx), atomically, mode 0600."""
    book = build_workbook(fw)
    return atomic_write(target, lambda temp: book.save(temp))


__all__ = ["build_workbook", "export_workbook", "sheet_rows"]
