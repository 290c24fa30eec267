"""The shipped region framework and the `combined` basis of format 2 (issue 17; decision 0035)."""

from __future__ import annotations

import pytest
from helpers.format2 import mini2

from fieldwork.errors import FrameworkError
from fieldwork.frameworks.about import about_html
from fieldwork.frameworks.catalogue import find_framework

REGION = find_framework("hmip-probation-region-2023")
PDU = find_framework("hmip-probation-pdu-2023")


def test_the_region_file_rates_four_standards_from_pdu_data_and_two_from_its_own_cases():
    by_basis = {s.title: s.basis for s in REGION.standards}
    assert by_basis == {
        "Leadership": "judgement", "Staffing": "judgement", "Desistance": "combined",
        "Public protection": "combined", "Resettlement": "combined", "Unpaid work": "cases",
        "Court work": "combined", "Victim work": "cases",
    }
    assert {s.id for s in REGION.samples} == {"unpaid_work", "victim"}
    assert REGION.person_term == "person on probation" and REGION.status == "current"


def test_every_combined_key_question_names_a_pdu_key_question_asked_of_its_sample():
    for standard in REGION.combined_standards:
        assert (standard.from_framework, standard.from_version) == (PDU.id, PDU.version)
        asked = {kq.id: kq for kq in PDU.key_questions_for_sample(standard.from_sample)}
        for kq in standard.key_questions:
            source = asked[kq.from_question]
            assert kq.text == source.text, kq.id  # the same question, counted across PDUs
            assert kq.allow_na == source.allow_na


def test_provenance_is_honest_names_quoted_are_confirmed_the_rest_recalled():
    # Quoted in the reference: the standard names; not quoted: every key question and the mapping.
    assert all(s.provenance == "confirmed" for s in REGION.standards)
    assert all(kq.provenance == "recalled" for s in REGION.standards for kq in s.key_questions)
    assert all(s.statement_provenance == "recalled" for s in REGION.standards if s.statement)
    assert REGION.rating.provenance_of("overall_score_bands") == "recalled"
    assert "combined results of hmip-probation-pdu-2023" in about_html(REGION)


COMBINED = """
[[standards]]
id = "9.1"
domain = "2"
title = "Court work"
basis = "combined"
from_framework = "hmip-probation-pdu-2023"
from_version = "2023.1"
from_sample = "court_reports"

[[standards.key_questions]]
id = "9.1.1"
text = "Is the advice to court good enough?"
from_question = "cw.1"
"""


def test_a_combined_standard_loads_is_computed_and_is_asked_of_no_own_sample():
    twelve = {'{ rating = "Outstanding", min_score = 8, max_score = 9 },':
              '{ rating = "Outstanding", min_score = 8, max_score = 12 },'}
    framework = mini2(replace=twelve, append=COMBINED)
    [combined] = framework.combined_standards
    assert (combined.from_framework, combined.from_sample) == ("hmip-probation-pdu-2023", "court_reports")
    assert combined.rated_from_cases and combined.key_questions[0].from_question == "cw.1"
    assert all(combined not in framework.standards_for_sample(s.id) for s in framework.samples)


@pytest.mark.parametrize(("append", "problem"), [
    (COMBINED.replace('from_sample = "court_reports"\n', ""), "needs 'from_sample'"),
    (COMBINED.replace('from_question = "cw.1"\n', ""), "needs 'from_question'"),
    (COMBINED.replace('basis = "combined"', 'basis = "cases"\nsample = "supervision"'), "only a standard with basis"),
])
def test_a_combined_standard_must_say_where_its_cases_come_from(append, problem):
    with pytest.raises(FrameworkError) as raised:
        mini2(append=append)
    assert any(problem in p for p in raised.value.problems), raised.value.problems
