"""Format 2: a standard answered once for the premises (basis = "premises", decision 0037)."""

from __future__ import annotations

import json

import pytest
from helpers.cli import cli
from helpers.format2 import MINI_PATH, mini2, mini2_text

from fieldwork.errors import FrameworkError
from fieldwork.frameworks import parse_framework
from fieldwork.frameworks.about import about_html
from fieldwork.frameworks.catalogue import list_frameworks
from fieldwork.frameworks.describe import framework_to_dict

# Standard 1.1 of mini (judged by the lead) answered for the premises instead.
PREMISES = {'basis = "judgement"': 'basis = "premises"'}


def problems(text: str) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        parse_framework(text.encode(), source_name="p.toml")
    return caught.value.problems


def test_a_premises_standard_loads_with_its_questions_answered_once():
    framework = mini2(PREMISES)
    standard = framework.standard("1.1")
    assert (standard.basis, standard.rated_for_premises, standard.computed, standard.rated_from_cases) == (
        "premises", True, True, False,
    )  # fmt: skip
    # A key question without prompts is answered itself; a case standard is never answered for the premises.
    assert [q.id for q in standard.premises_questions] == ["1.1.1"]
    assert framework.premises_standards == (standard,)
    assert framework.standard("2.1").premises_questions == ()
    assert framework.premises_question("1.1.1").text == "Is there a clear vision?"
    with pytest.raises(KeyError):
        framework.premises_question("2.1.1.a")  # a case prompt


def test_a_premises_standard_with_a_sample_is_refused():
    text = mini2_text({'basis = "judgement"': 'basis = "premises"\nsample = "supervision"'})
    assert any("a standard answered for the premises has no sample; remove it" in p for p in problems(text))


def test_a_premises_standard_needs_a_rated_key_question():
    text = mini2_text({
        'basis = "judgement"': 'basis = "premises"',
        'text = "Is there a clear vision?"': 'text = "Is there a clear vision?"\nrated = false',
    })  # fmt: skip
    assert any("a rated standard needs at least one rated key question" in p for p in problems(text))


def test_the_sufficiency_scheme_refuses_a_premises_standard():
    text = mini2_text(PREMISES)
    text = text[: text.index("[rating]")] + (
        '[rating]\nscheme = "sufficiency"\nnot_rated = "Not rated"\nunrated_standards = "reduced_maximum"\n'
        'written_judgement = "Chief Inspector\'s judgement"\n'
    )
    found = problems(text)
    assert any("no four-point rating to compute from the premises' answers" in p for p in found), found


def test_format_1_does_not_know_premises():
    text = MINI_PATH.read_text(encoding="utf-8").replace('basis = "judgement"', 'basis = "premises"', 1)
    found = problems(text)
    assert any("basis" in p and "premises" in p for p in found), found


def test_the_approved_premises_file_answers_every_standard_for_the_premises(capsys):
    framework = next(e.framework for e in list_frameworks() if e.framework and e.framework.id ==
                     "hmip-approved-premises-2025")
    assert all(s.rated_for_premises for s in framework.standards)
    asked = [q.id for s in framework.standards for q in s.premises_questions]
    assert asked[:3] == ["1.1.a", "1.1.b", "1.1.c"] and "2.2" in asked and "2.1" not in asked
    assert all(q.allowed() == ("yes", "no", "na") for s in framework.standards for q in s.premises_questions)
    assert framework.rating.provenance_of("premises_answers") == "recalled"
    # `frameworks show` and the About view say so.
    code, out, err = cli(capsys, "frameworks", "show", framework.id)
    assert code == 0, err
    assert {s["basis"] for s in json.loads(out)["standards"]} == {"premises"}
    assert framework_to_dict(framework)["rating"]["rule_provenance"]["premises_answers"] == "recalled"
    html = about_html(framework)
    assert "rated from the answers for the premises" in html
    assert "<code>premises_answers</code>" in html
