"""The answers given once for the premises (decision 0037), as report rows and JSON.

One source for the premises command of the CLI, the ratings JSON, the CSV/XLSX sheet and the HTML
section, so they all list the same questions in framework order, answered or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fieldwork.frameworks.model import Framework, KeyQuestion, Standard
from fieldwork.reports.tables import Table, _columns
from fieldwork.store.records import StoredAnswer

ANSWER_WORDS = {"yes": "Yes", "no": "No", "na": "Not applicable"}


@dataclass(frozen=True)
class PremisesRow:
    """One question answered for the premises, with its answer (None: not answered yet)."""

    standard: Standard
    key_question: KeyQuestion
    id: str
    text: str
    provenance: str
    answer: StoredAnswer | None

    @property
    def value(self) -> str | None:
        return self.answer.value if self.answer else None

    @property
    def evidence(self) -> str:
        return self.answer.note if self.answer else ""


def premises_rows(
    framework: Framework | None, answers: Mapping[str, StoredAnswer], standard: Standard | None = None
) -> list[PremisesRow]:
    """Every question answered for the premises (of `standard` alone when given), in framework order."""
    standards = (standard,) if standard is not None else framework.premises_standards
    return [
        PremisesRow(std, kq, item.id, item.text, item.provenance, answers.get(item.id))
        for std in standards
        if std.rated_for_premises
        for kq in std.key_questions
        for item in (kq.prompts or (kq,))
    ]


def row_json(row: PremisesRow) -> dict:
    answer = row.answer
    return {
        "id": row.id,
        "key_question": row.key_question.id,
        "text": row.text,
        "provenance": row.provenance,
        "answer": row.value,
        "evidence": row.evidence,
        "revision": answer.revision if answer else 0,
        "by": answer.updated_by if answer else None,
        "at": answer.updated_at if answer else None,
    }


def premises_answers_json(standard: Standard, answers: Mapping[str, StoredAnswer]) -> list[dict]:
    """The premises' answers to one standard, for the ratings JSON."""
    return [row_json(row) for row in premises_rows(None, answers, standard)]


def premises_table(framework: Framework, answers: Mapping[str, StoredAnswer]) -> Table:
    """The premises' answers as a report table (CSV section `premises_answer`, an XLSX sheet)."""
    rows = tuple(
        (
            row.standard.shown_number,
            row.key_question.id,
            row.id,
            row.text,
            ANSWER_WORDS.get(row.value or "", ""),
            row.evidence,
            row.answer.updated_by if row.answer else None,
            row.answer.updated_at if row.answer else None,
        )
        for row in premises_rows(framework, answers)
    )
    columns = _columns(
        ("standard", "Standard"),
        ("key_question", "Key question"),
        ("premises_question", "Question"),
        ("premises_question_text", "Asked"),
        ("premises_answer", "Answer for the premises"),
        ("premises_evidence", "Evidence"),
        ("premises_answered_by", "Answered by"),
        ("premises_answered_at", "Answered at"),
    )
    return Table("premises_answers", "Answers for the premises", columns, rows)
