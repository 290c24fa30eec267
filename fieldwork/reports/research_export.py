"""All case data of an inspection for the research team: one row per case and question.

Every question asked of the case's sample appears, answered or not (the answer is blank when
nothing is recorded), key questions each followed by their prompts in framework order, then any
stored answer to a question outside the case's sample (kind `kept_from_earlier_version`, with
the standard it had there, when a corrected framework removed it: decision 0042). A case whose
sample asks nothing still gets one row. Values are the stored codes (yes / no / na; case details as stored: choice
values, true / false, YYYY-MM-DD), so the file is stable for analysis software.

Streamed from three queries (cases, case details, answers ordered by case), so 10,000 cases
are written without holding the whole table in memory.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fieldwork.errors import ValidationError
from fieldwork.faults import crash_point
from fieldwork.frameworks.model import Framework
from fieldwork.merge.held import waiting_case
from fieldwork.reports.cells import NOTES_COLUMN
from fieldwork.reports.exports import csv_records, write_csv_records
from fieldwork.reports.files import atomic_spooled_write, atomic_write
from fieldwork.reports.workbooks import write_workbook
from fieldwork.store.db import Store
from fieldwork.store.framework_move import moves_of
from fieldwork.store.inspections import framework_for, get_inspection
from fieldwork.store.records import Inspection

FIXED_BEFORE = ("inspection", "case_ref", "sample", "inspector", "status")
FIXED_AFTER = ("question_id", "kind", "standard", "answer", "note", "answered_by", "answered_at")
RESEARCH_FORMATS = ("csv", "xlsx")
CRASH_POINT_EVERY = 100  # rows between two visits of the crash point "research.mid_write"


@dataclass(frozen=True)
class ResearchExport:
    path: Path
    format: str
    cases: int
    rows: int
    columns: tuple[str, ...]

    def to_json(self) -> dict:
        return {"file": str(self.path), "format": self.format, "cases": self.cases, "rows": self.rows}


def _detail_columns(framework: Framework, omit_personal: bool) -> list[tuple[str, str]]:
    """(field id, column name); a field id that clashes with a fixed column gets a prefix."""
    fixed = set(FIXED_BEFORE) | set(FIXED_AFTER)
    return [
        (f.id, f"detail_{f.id}" if f.id in fixed else f.id)
        for f in framework.case_details
        if not (omit_personal and f.personal)
    ]


def _questions_by_sample(framework: Framework) -> dict[str, list[tuple[str, str, str]]]:
    """Sample id → (question id, kind, standard id) in the order the assessment asks them."""
    return {
        sample.id: [
            (qid, kind, std.id)
            for std in framework.standards_for_sample(sample.id)
            for kq in std.key_questions
            for qid, kind in [(kq.id, "key_question"), *((p.id, "prompt") for p in kq.prompts)]
        ]
        for sample in framework.samples
    }


KEPT_KIND = "kept_from_earlier_version"  # an answer to a question a corrected framework removed (decision 0042)


def _earlier_standards(store: Store, inspection: Inspection) -> dict[str, str]:
    """Question id → its standard in the texts the inspection was moved on from (decision 0042);
    where several had it, the most recent. Answers to questions a move removed stay in the store."""
    standards: dict[str, str] = {}
    for move in reversed(moves_of(store, inspection.id)):
        # framework_for parses a pinned text by hash (checked, cached): the earlier text is pinned too.
        earlier = framework_for(store, dataclasses.replace(inspection, framework_hash=move.from_hash))
        for standard in earlier.standards:
            for kq in standard.key_questions:
                for qid in (kq.id, *(p.id for p in kq.prompts)):
                    standards.setdefault(qid, standard.id)
    return standards


def research_columns(framework: Framework, *, omit_personal: bool = False) -> tuple[str, ...]:
    return (*FIXED_BEFORE, *(name for _, name in _detail_columns(framework, omit_personal)), *FIXED_AFTER)


def research_rows(store: Store, inspection_id: str, *, omit_personal: bool = False) -> Iterator[list]:
    """The rows (after the header), one per case and question, cases in case-reference order."""
    inspection = get_inspection(store, inspection_id)
    framework = framework_for(store, inspection)
    detail_ids = [field_id for field_id, _ in _detail_columns(framework, omit_personal)]
    questions = _questions_by_sample(framework)
    earlier: dict[str, str] | None = None  # read once, at the first answer the framework does not have

    details: dict[str, dict[str, str]] = {}
    for case_id, field_id, value in store.db.execute(
        "SELECT d.case_id, d.field_id, d.value FROM case_details d JOIN cases c ON c.id = d.case_id "
        "WHERE c.inspection_id = ?",
        [inspection_id],
    ):
        details.setdefault(case_id, {})[field_id] = value

    cases = store.db.execute(
        "SELECT id, case_ref, sample_id, inspector_id, status FROM cases c WHERE inspection_id = ? "
        f"AND NOT {waiting_case('c')} ORDER BY case_ref, id",  # hand-added: once accepted (decision 0019)
        [inspection_id],
    ).fetchall()
    answers = store.db.execute(
        "SELECT c.case_ref, c.id, a.question_id, a.value, a.note, a.updated_by, a.updated_at "
        "FROM answers a JOIN cases c ON c.id = a.case_id WHERE c.inspection_id = ? ORDER BY c.case_ref, c.id",
        [inspection_id],
    )
    by_case = itertools.groupby(answers, key=lambda row: row[1])
    pending = next(by_case, None)

    for case_id, case_ref, sample_id, inspector_id, status in cases:
        stored: dict[str, tuple] = {}
        # Both queries run in the same (case_ref, id) order, so the answers arrive case by case.
        if pending is not None and pending[0] == case_id:
            stored = {row[2]: row[3:] for row in pending[1]}
            pending = next(by_case, None)
        case_details = details.get(case_id, {})
        front = [inspection_id, case_ref, sample_id, inspector_id or "", status]
        front.extend(case_details.get(f, "") for f in detail_ids)
        asked = questions.get(sample_id, [])
        asked_ids = {qid for qid, _, _ in asked}
        extra = []
        for qid in sorted(set(stored) - asked_ids):
            kind = framework.question_kind(qid) or "unknown"
            standard = ""
            if kind == "key_question":
                standard = framework.key_question(qid).standard_id
            elif kind == "prompt":
                standard = framework.parent_key_question(qid).standard_id
            else:
                earlier = _earlier_standards(store, inspection) if earlier is None else earlier
                if qid in earlier:
                    kind, standard = KEPT_KIND, earlier[qid]
            extra.append((qid, kind, standard))
        emitted = False
        for qid, kind, standard in [*asked, *extra]:
            value, note, by, at = stored.get(qid, (None, "", "", ""))
            yield [*front, qid, kind, standard, value or "", note or "", by or "", at or ""]
            emitted = True
        if not emitted:
            yield [*front, "", "", "", "", "", "", ""]


def export_research(
    store: Store, inspection_id: str, path: str | os.PathLike, *, fmt: str | None = None, omit_personal: bool = False
) -> ResearchExport:
    """Write the research export as CSV or XLSX (chosen by `fmt` or the file name's ending).

    The file ends in an `export_notes` column: what had to be changed in that row to keep the
    file safe in a spreadsheet (fieldwork.reports.cells). It is written beside the target,
    owner-only, and nothing goes to the system temp folder (fieldwork.reports.files).

    :param omit_personal: leave out the case details the framework marks personal (age, gender, ...).
    """
    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".")
    if fmt not in RESEARCH_FORMATS:
        raise ValidationError(f"The research export is written as .csv or .xlsx; '{path.name}' is neither.")
    framework = framework_for(store, get_inspection(store, inspection_id))
    columns = research_columns(framework, omit_personal=omit_personal)
    counts = {"rows": 0, "cases": set()}

    def counted() -> Iterator[list]:
        for row in research_rows(store, inspection_id, omit_personal=omit_personal):
            counts["rows"] += 1
            counts["cases"].add(row[1])
            if counts["rows"] % CRASH_POINT_EVERY == 0:
                crash_point("research.mid_write")
            yield row

    if fmt == "csv":
        atomic_write(path, lambda temp: write_csv_records(temp, csv_records(columns, counted())))
    else:
        atomic_spooled_write(path, lambda temp, spool: write_workbook(temp, spool(), columns, counted()))
    return ResearchExport(path, fmt, len(counts["cases"]), counts["rows"], (*columns, NOTES_COLUMN))
