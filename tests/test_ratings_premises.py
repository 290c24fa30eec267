"""The ratings engine over the answers given once for the premises (decision 0037)."""

from __future__ import annotations

from helpers.format2 import mini2

from fieldwork.ratings import Override, rate_inspection

# Standard 1.1 answered for the premises: key question 1.1.1 (no prompts, answered itself) and
# 1.1.2 with three prompts, so a key question's percentage can fall between 0 and 100.
PREMISES = {'basis = "judgement"': 'basis = "premises"'}
MORE = {
    'text = "Is there a clear vision?"\n': (
        'text = "Is there a clear vision?"\nallow_na = true\nna_reason_required = false\n\n'
        '[[standards.key_questions]]\nid = "1.1.2"\ntext = "Is staffing sufficient?"\n\n'
        '[[standards.key_questions.prompts]]\nid = "1.1.2.a"\ntext = "Enough staff?"\nallow_na = true\n\n'
        '[[standards.key_questions.prompts]]\nid = "1.1.2.b"\ntext = "Competent staff?"\n\n'
        '[[standards.key_questions.prompts]]\nid = "1.1.2.c"\ntext = "Needs met?"\n'
    )
}


def framework():
    return mini2({**PREMISES, **MORE})


def rated(answers, **kwargs):
    fw = framework()
    result = rate_inspection(fw, [], premises_answers=answers, **kwargs)
    return next(s for s in result.standards if s.standard.id == "1.1"), result


def test_the_lowest_key_question_over_the_premises_answers_decides():
    fw = framework()
    assert [q.id for q in fw.standard("1.1").premises_questions] == ["1.1.1", "1.1.2.a", "1.1.2.b", "1.1.2.c"]
    # 1.1.1 Yes (100 %); 1.1.2: two of three prompts Yes (67 %): Good (65 % and over).
    standard, _ = rated({"1.1.1": "yes", "1.1.2.a": "yes", "1.1.2.b": "yes", "1.1.2.c": "no"})
    assert (standard.rating, standard.deciding_key_question) == ("Good", "1.1.2")
    assert [(t.id, t.yes, t.no, t.na) for t in standard.key_questions] == [("1.1.1", 1, 0, 0), ("1.1.2", 2, 1, 0)]
    assert (standard.rule.id, standard.rule.provenance) == ("premises_answers", "recalled")


def test_not_applicable_leaves_the_count_and_a_key_question_answered_no_is_zero():
    standard, _ = rated({"1.1.1": "no", "1.1.2.a": "na", "1.1.2.b": "yes", "1.1.2.c": "yes"})
    assert [t.percent for t in standard.key_questions] == [0, 100]
    assert (standard.rating, standard.deciding_key_question) == ("Inadequate", "1.1.1")
    standard, _ = rated({"1.1.1": "na", "1.1.2.a": "na", "1.1.2.b": "yes", "1.1.2.c": "yes"})
    assert (standard.rating, standard.deciding_key_question) == ("Outstanding", "1.1.2")


def test_nothing_answered_yes_or_no_is_not_rated_and_leaves_the_maximum():
    standard, result = rated({"1.1.1": "na"})
    assert (standard.rating, standard.rule.id) == ("Not rated", "premises_not_answered")
    assert "1.1" in result.overall.unrated


def test_the_lead_overrides_the_computed_rating_with_the_override_rule():
    override = Override("Requires improvement", "Night staffing was short all week.", "lead-1", "2026-01-01")
    standard, result = rated({"1.1.1": "yes"}, overrides={"1.1": override})
    assert (standard.computed, standard.rating) == ("Outstanding", "Requires improvement")
    assert (standard.computed_rule.id, standard.rule.id) == ("premises_answers", "lead_override")
    assert result.overall.score >= 1  # the override's score counts


def test_premises_rule_is_confirmed_only_when_the_file_and_the_bands_both_say_so():
    text_rules = '\n[rating.rule_provenance]\npremises_answers = "confirmed"\n'
    fw = mini2({**PREMISES, **MORE}, append=text_rules)
    result = rate_inspection(fw, [], premises_answers={"1.1.1": "yes"})
    standard = next(s for s in result.standards if s.standard.id == "1.1")
    assert standard.rule.provenance == "recalled"  # the bands (lowest_key_question) are still recalled
    both = '\n[rating.rule_provenance]\npremises_answers = "confirmed"\nlowest_key_question = "confirmed"\n'
    fw = mini2({**PREMISES, **MORE}, append=both)
    result = rate_inspection(fw, [], premises_answers={"1.1.1": "yes"})
    assert next(s for s in result.standards if s.standard.id == "1.1").rule.provenance == "confirmed"


def test_case_answers_with_a_premises_question_id_never_count_for_the_premises():
    fw = framework()
    result = rate_inspection(fw, [("1.1.1", "no"), ("1.1.1", "no")], premises_answers={"1.1.1": "yes"})
    standard = next(s for s in result.standards if s.standard.id == "1.1")
    assert standard.key_questions[0].yes == 1 and standard.key_questions[0].no == 0
