"""Rules about one case assessment that need no database: progress and the completion check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fieldwork.frameworks.model import Answer, Framework


@dataclass(frozen=True)
class AnswerValue:
    """What the inspector recorded for one prompt or key question."""

    value: str | None  # "yes", "no", "na" or None (not answered yet)
    note: str = ""


@dataclass(frozen=True)
class Missing:
    """One thing that stops a case from being marked complete (a lead_query only advises: decision 0016)."""

    question_id: str
    kind: str  # unanswered | na_without_reason | no_without_evidence | required_detail | lead_query (advisory)
    message: str


def progress(framework: Framework, sample_id: str, answers: Mapping[str, AnswerValue]) -> tuple[int, int]:
    """(key questions judged, key questions this case must judge)."""
    required = framework.key_questions_for_sample(sample_id)
    judged = sum(1 for kq in required if (a := answers.get(kq.id)) and a.value)
    return judged, len(required)


def completion_problems(
    framework: Framework,
    sample_id: str,
    answers: Mapping[str, AnswerValue],
    details: Mapping[str, str],
) -> list[Missing]:
    """Everything missing before the case can be complete, in framework order."""
    problems: list[Missing] = []
    for field in framework.case_details:
        if field.required and not details.get(field.id):
            problems.append(Missing(field.id, "required_detail", f"Case detail '{field.label}' is empty."))
    for kq in framework.key_questions_for_sample(sample_id):
        answer = answers.get(kq.id)
        has_note = bool(answer and answer.note.strip())
        if answer is None or answer.value is None:
            problems.append(Missing(kq.id, "unanswered", f"{kq.id} has no judgement yet."))
        elif answer.value == Answer.NA and kq.na_reason_required and not has_note:
            problems.append(Missing(kq.id, "na_without_reason", f"{kq.id} is Not applicable without a reason."))
        elif answer.value == Answer.NO and not has_note:
            problems.append(Missing(kq.id, "no_without_evidence", f"{kq.id} is judged insufficient without evidence."))
    return problems


def query_reminders(framework: Framework, sample_id: str, queries: Iterable[tuple[str, str]]) -> list[Missing]:
    """The lead's open queries (question id, text) as things to look at before completing.

    Advisory only: an open query never blocks completion (docs/decisions/0016-moderation-in-the-app.md).
    Case details first, then the case's questions in framework order.
    """
    order = {field.id: i for i, field in enumerate(framework.case_details)}
    for kq in framework.key_questions_for_sample(sample_id):
        for question_id in (*(p.id for p in kq.prompts), kq.id):
            order[question_id] = len(order)
    listed = sorted(queries, key=lambda q: order.get(q[0], len(order)))
    return [
        Missing(question_id, "lead_query", f"The lead asks about {question_id}: {_first_line(text)}")
        for question_id, text in listed
    ]


def _first_line(text: str, limit: int = 120) -> str:
    """Enough of a query for a one-line list: its first line, cut at `limit` characters."""
    lines = text.strip().splitlines() or [""]
    if len(lines[0]) > limit:
        return lines[0][:limit].rstrip() + "…"
    return lines[0] + (" …" if len(lines) > 1 else "")
