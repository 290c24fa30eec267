"""Rules about one case assessment that need no database: progress and the completion check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fieldwork.frameworks.model import Answer, Framework


@dataclass(frozen=True)
class AnswerValue:
    """What the inspector recorded for one prompt or key question."""

    value: str | None  # "yes", "no", "na" or None (not answered yet)
    note: str = ""


@dataclass(frozen=True)
class Missing:
    """One thing that stops a case from being marked complete."""

    question_id: str
    kind: str  # unanswered | na_without_reason | no_without_evidence | required_detail
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
