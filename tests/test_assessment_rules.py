"""Completion and progress rules for one case, without a database."""

from __future__ import annotations

import pytest

from fieldwork.assessment import AnswerValue, completion_problems, progress

SUP, UW = "supervision", "unpaid_work"


def kinds(problems) -> list[tuple[str, str]]:
    return [(p.question_id, p.kind) for p in problems]


def test_an_empty_case_lists_every_key_question_in_order(mini_framework):
    problems = completion_problems(mini_framework, SUP, {}, {})
    assert kinds(problems) == [("2.1.1", "unanswered"), ("2.1.2", "unanswered")]
    assert all(p.message for p in problems)
    assert kinds(completion_problems(mini_framework, UW, {}, {})) == [("3.1.1", "unanswered")]


def test_a_cleared_answer_counts_as_unanswered(mini_framework):
    answers = {"2.1.1": AnswerValue(None, "a note alone"), "2.1.2": AnswerValue("yes")}
    assert kinds(completion_problems(mini_framework, SUP, answers, {})) == [("2.1.1", "unanswered")]


def test_prompts_are_not_required(mini_framework):
    answers = {"2.1.1": AnswerValue("yes"), "2.1.2": AnswerValue("yes")}
    assert completion_problems(mini_framework, SUP, answers, {}) == []
    assert "2.1.1.a" not in answers


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (AnswerValue("yes"), []),
        (AnswerValue("yes", "Good analysis."), []),
        (AnswerValue("no"), [("2.1.2", "no_without_evidence")]),
        (AnswerValue("no", "   \n"), [("2.1.2", "no_without_evidence")]),  # blank is not evidence
        (AnswerValue("no", "Risk to the partner not analysed."), []),
        (AnswerValue("na"), [("2.1.2", "na_without_reason")]),
        (AnswerValue("na", "  "), [("2.1.2", "na_without_reason")]),
        (AnswerValue("na", "No indications of risk to others."), []),
    ],
)
def test_evidence_rules(mini_framework, answer, expected):
    answers = {"2.1.1": AnswerValue("yes"), "2.1.2": answer}
    assert kinds(completion_problems(mini_framework, SUP, answers, {})) == expected


def test_na_without_reason_is_fine_when_the_framework_does_not_ask_for_one(make_framework):
    allow = 'lens = "safety"\nallow_na = true'
    fw = make_framework({allow: allow + "\nna_reason_required = false"})
    assert fw.key_question("2.1.2").na_reason_required is False
    answers = {"2.1.1": AnswerValue("yes"), "2.1.2": AnswerValue("na")}
    assert completion_problems(fw, SUP, answers, {}) == []


def test_required_case_details_come_first(make_framework):
    fw = make_framework({'type = "text"\n': 'type = "text"\nrequired = true\n'})
    answers = {"2.1.1": AnswerValue("no")}
    problems = completion_problems(fw, SUP, answers, {"rosh": "high"})
    assert kinds(problems) == [
        ("ldu", "required_detail"),
        ("2.1.1", "no_without_evidence"),
        ("2.1.2", "unanswered"),
    ]
    assert "Local delivery unit" in problems[0].message
    assert kinds(completion_problems(fw, SUP, answers, {"ldu": "Northshire Central"}))[0][1] != "required_detail"


def test_answers_of_another_sample_do_not_count(mini_framework):
    answers = {"3.1.1": AnswerValue("yes")}
    assert progress(mini_framework, SUP, answers) == (0, 2)
    assert progress(mini_framework, UW, answers) == (1, 1)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, (0, 2)),
        ({"2.1.1.a": AnswerValue("yes")}, (0, 2)),
        ({"2.1.1": AnswerValue("no")}, (1, 2)),
        ({"2.1.1": AnswerValue(None, "draft note")}, (0, 2)),
        ({"2.1.1": AnswerValue("yes"), "2.1.2": AnswerValue("na")}, (2, 2)),
    ],
)
def test_progress_counts_judged_key_questions(mini_framework, answers, expected):
    assert progress(mini_framework, SUP, answers) == expected
