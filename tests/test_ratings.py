"""The ratings engine on the mini framework: band edges, standards, overall, and properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldwork.ratings import (
    KeyQuestionTally,
    LeadJudgement,
    Override,
    band_for,
    overall,
    rate_inspection,
    rate_standard,
    tally,
)

OUTSTANDING, GOOD, RI, INADEQUATE = "Outstanding", "Good", "Requires improvement", "Inadequate"
NOT_RATED = "Not rated"
RANK = {OUTSTANDING: 0, GOOD: 1, RI: 2, INADEQUATE: 3}
# The mini framework's thresholds written out independently of the loader, as integers.
INTEGER_BANDS = ((OUTSTANDING, 80), (GOOD, 65), (RI, 50), (INADEQUATE, 0))

# Deterministic: the same examples on every run and machine, nothing written to .hypothesis/.
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def T(kq_id: str, yes: int = 0, no: int = 0, na: int = 0) -> KeyQuestionTally:
    return KeyQuestionTally(kq_id, yes, no, na)


def judgements(kq_id: str, yes: int = 0, no: int = 0, na: int = 0) -> list[tuple[str, str]]:
    return [(kq_id, "yes")] * yes + [(kq_id, "no")] * no + [(kq_id, "na")] * na


def integer_band(yes: int, no: int) -> str:
    return next(name for name, minimum in INTEGER_BANDS if yes * 100 >= minimum * (yes + no))


def override(rating: str) -> Override:
    return Override(rating, "Moderated after reading further cases.", "lead-1", "2026-11-20T10:00:00.000Z")


def judgement(rating: str) -> LeadJudgement:
    return LeadJudgement(rating, "Interviews with managers and staff.", "lead-1", "2026-11-19T15:00:00.000Z")


# --- band edges ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "judged", "expected"),
    [
        (1, 1, OUTSTANDING),
        (4, 5, OUTSTANDING),  # exactly 80 %
        (80, 100, OUTSTANDING),
        (79, 100, GOOD),
        (799, 1000, GOOD),
        (13, 20, GOOD),  # exactly 65 %
        (65, 100, GOOD),
        (64, 100, RI),
        (649, 1000, RI),
        (1, 2, RI),  # exactly 50 %
        (50, 100, RI),
        (49, 100, INADEQUATE),
        (499, 1000, INADEQUATE),
        (0, 3, INADEQUATE),
    ],
)
def test_band_edges(mini_framework, yes, judged, expected):
    assert band_for(mini_framework, Fraction(yes, judged)) == expected
    # And through a standard with a single key question.
    rated = rate_standard(
        mini_framework, mini_framework.standard("3.1"), {"3.1.1": T("3.1.1", yes, judged - yes)}
    )
    assert rated.computed == expected
    assert rated.rating == expected
    assert rated.deciding_key_question == "3.1.1"


def test_fractional_thresholds_are_compared_exactly(make_framework):
    fw = make_framework({"min_percent = 65": "min_percent = 66.7"})
    assert fw.rating.bands[1].min_percent == Fraction(667, 10)
    assert band_for(fw, Fraction(667, 1000)) == GOOD
    assert band_for(fw, Fraction(2, 3)) == RI  # 66.67 % shows as 67 % but is below 66.7 %


def test_not_applicable_is_excluded(mini_framework):
    rated = rate_standard(mini_framework, mini_framework.standard("3.1"), {"3.1.1": T("3.1.1", 4, 1, 95)})
    assert rated.computed == OUTSTANDING
    assert rated.key_questions[0].fraction == Fraction(4, 5)
    assert rated.key_questions[0].percent == 80


@pytest.mark.parametrize("tallies", [{}, {"3.1.1": T("3.1.1", na=6)}], ids=["no cases", "only NA"])
def test_no_yes_or_no_is_not_rated(mini_framework, tallies):
    rated = rate_standard(mini_framework, mini_framework.standard("3.1"), tallies)
    assert rated.computed == NOT_RATED
    assert rated.rating == NOT_RATED
    assert rated.deciding_key_question is None
    assert rated.key_questions[0].fraction is None
    assert rated.key_questions[0].percent is None


@pytest.mark.parametrize(
    ("first", "second", "expected", "deciding"),
    [
        (T("2.1.1", 4, 1), T("2.1.2", 1, 1), RI, "2.1.2"),
        (T("2.1.1", 1, 1), T("2.1.2", 4, 1), RI, "2.1.1"),
        (T("2.1.1", 13, 7), T("2.1.2", 4, 1), GOOD, "2.1.1"),
        (T("2.1.1", 1, 1), T("2.1.2", 2, 2), RI, "2.1.1"),  # a tie goes to the first in order
        (T("2.1.1", 1, 4), T("2.1.2", na=3), INADEQUATE, "2.1.1"),  # an all-NA question is skipped
    ],
)
def test_lowest_key_question_decides(mini_framework, first, second, expected, deciding):
    rated = rate_standard(mini_framework, mini_framework.standard("2.1"), {t.id: t for t in (first, second)})
    assert rated.computed == expected
    assert rated.deciding_key_question == deciding
    assert [t.id for t in rated.key_questions] == ["2.1.1", "2.1.2"]


def test_judgement_standard_takes_the_leads_rating(mini_framework):
    std = mini_framework.standard("1.1")
    lead = judgement(GOOD)
    rated = rate_standard(mini_framework, std, {}, judgement=lead)
    assert rated.computed == GOOD
    assert rated.rating == GOOD
    assert rated.judgement == lead
    assert rated.deciding_key_question is None


def test_judgement_standard_without_judgement_is_not_rated_even_with_case_answers(mini_framework):
    std = mini_framework.standard("1.1")
    rated = rate_standard(mini_framework, std, {"1.1.1": T("1.1.1", 10, 0)})
    assert rated.computed == NOT_RATED
    assert rated.deciding_key_question is None


def test_override_is_kept_beside_the_computed_rating(mini_framework):
    lead_override = override(OUTSTANDING)
    rated = rate_standard(
        mini_framework, mini_framework.standard("3.1"), {"3.1.1": T("3.1.1", 1, 1)}, override=lead_override
    )
    assert rated.computed == RI
    assert rated.rating == OUTSTANDING
    assert rated.override == lead_override
    assert rated.override.reason and rated.override.by == "lead-1" and rated.override.at


def test_tally_counts_answers(mini_framework):
    counted = tally(judgements("2.1.1", 3, 2, 1) + judgements("2.1.2", na=2) + [("2.1.2", None)])
    assert counted["2.1.1"] == T("2.1.1", 3, 2, 1)
    assert counted["2.1.2"] == T("2.1.2", 0, 0, 2)


@pytest.mark.parametrize(
    ("yes", "no", "shown"),
    [(2, 1, 67), (1, 2, 33), (1, 7, 13), (1, 199, 1), (0, 5, 0), (5, 0, 100), (79, 21, 79)],
)
def test_percent_is_rounded_half_up_for_display(yes, no, shown):
    assert T("x", yes, no).percent == shown


# --- overall ---------------------------------------------------------------------------------


def test_overall_from_case_answers_and_judgement(mini_framework):
    result = rate_inspection(
        mini_framework,
        judgements("2.1.1", 4, 1) + judgements("2.1.2", 4, 1, 2) + judgements("3.1.1", 13, 7),
        lead_judgements={"1.1": judgement(GOOD)},
    )
    assert [(s.standard.id, s.rating) for s in result.standards] == [
        ("1.1", GOOD),
        ("2.1", OUTSTANDING),
        ("3.1", GOOD),
    ]
    assert result.overall.score == 7
    assert result.overall.max == 9
    assert result.overall.rating == GOOD
    assert result.overall.provisional is False
    assert result.overall.unrated == ()


@pytest.mark.parametrize(
    ("ratings", "score", "expected"),
    [
        ((INADEQUATE, INADEQUATE, INADEQUATE), 0, INADEQUATE),
        ((RI, INADEQUATE, INADEQUATE), 1, INADEQUATE),
        ((GOOD, INADEQUATE, INADEQUATE), 2, RI),
        ((GOOD, GOOD, INADEQUATE), 4, RI),
        ((GOOD, GOOD, RI), 5, GOOD),
        ((OUTSTANDING, GOOD, GOOD), 7, GOOD),
        ((OUTSTANDING, OUTSTANDING, GOOD), 8, OUTSTANDING),
        ((OUTSTANDING, OUTSTANDING, OUTSTANDING), 9, OUTSTANDING),
    ],
)
def test_overall_score_bands(mini_framework, ratings, score, expected):
    rated = [
        rate_standard(mini_framework, std, {}, override=override(r))
        for std, r in zip(mini_framework.standards, ratings, strict=True)
    ]
    result = overall(mini_framework, rated)
    assert (result.score, result.max, result.rating) == (score, 9, expected)
    assert result.provisional is False


def test_unrated_standard_makes_overall_provisional(mini_framework):
    result = rate_inspection(
        mini_framework,
        judgements("2.1.1", 5, 0) + judgements("2.1.2", 5, 0),
        lead_judgements={"1.1": judgement(GOOD)},
    )
    assert result.standards[2].rating == NOT_RATED
    assert result.overall.unrated == ("3.1",)
    assert result.overall.provisional is True
    assert result.overall.score == 5  # rated standards only
    assert result.overall.rating == GOOD


def test_every_unrated_standard_is_named(mini_framework):
    result = rate_inspection(mini_framework, judgements("2.1.1", 1, 0) + judgements("2.1.2", 1, 0))
    assert result.overall.unrated == ("1.1", "3.1")
    assert result.overall.provisional is True


def test_override_rates_an_otherwise_unrated_standard(mini_framework):
    result = rate_inspection(
        mini_framework,
        judgements("2.1.1", 1, 0) + judgements("2.1.2", 1, 0),
        lead_judgements={"1.1": judgement(GOOD)},
        overrides={"3.1": override(RI)},
    )
    assert result.standards[2].computed == NOT_RATED
    assert result.standards[2].rating == RI
    assert result.overall.unrated == ()
    assert result.overall.provisional is False
    assert result.overall.score == 6


def test_unrated_rule_not_rated_withholds_the_overall_rating(make_framework):
    fw = make_framework({'unrated_standards = "provisional"': 'unrated_standards = "not_rated"'})
    partial = rate_inspection(
        fw, judgements("2.1.1", 5, 0) + judgements("2.1.2", 5, 0), lead_judgements={"1.1": judgement(GOOD)}
    )
    assert partial.overall.rating == NOT_RATED
    assert partial.overall.provisional is True
    assert partial.overall.unrated == ("3.1",)
    complete = rate_inspection(
        fw,
        judgements("2.1.1", 5, 0) + judgements("2.1.2", 5, 0) + judgements("3.1.1", 5, 0),
        lead_judgements={"1.1": judgement(GOOD)},
    )
    assert complete.overall.rating == OUTSTANDING
    assert complete.overall.provisional is False


# --- properties ------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=500)


@PROPERTY_SETTINGS
@given(yes=counts, no=counts)
def test_band_for_agrees_with_exact_integer_comparison(mini_framework, yes, no):
    if yes + no == 0:
        return
    assert band_for(mini_framework, Fraction(yes, yes + no)) == integer_band(yes, no)


tallies_2_1 = st.tuples(
    st.tuples(counts, counts, st.integers(0, 20)), st.tuples(counts, counts, st.integers(0, 20))
)


@PROPERTY_SETTINGS
@given(tallies_2_1)
def test_standard_is_never_better_than_any_of_its_key_questions(mini_framework, pair):
    tallies = {kq: T(kq, *c) for kq, c in zip(("2.1.1", "2.1.2"), pair, strict=True)}
    rated = rate_standard(mini_framework, mini_framework.standard("2.1"), tallies)
    bands = [integer_band(t.yes, t.no) for t in tallies.values() if t.yes + t.no]
    if not bands:
        assert rated.computed == NOT_RATED
        return
    for band in bands:
        assert RANK[rated.computed] >= RANK[band]
    # ... and it is exactly the worst of them, named by the deciding key question.
    assert RANK[rated.computed] == max(RANK[b] for b in bands)
    decider = tallies[rated.deciding_key_question]
    assert integer_band(decider.yes, decider.no) == rated.computed


@PROPERTY_SETTINGS
@given(yes=counts, no=counts)
def test_adding_a_yes_never_lowers_the_band_and_a_no_never_raises_it(mini_framework, yes, no):
    if yes + no == 0:
        return
    before = RANK[band_for(mini_framework, Fraction(yes, yes + no))]
    assert RANK[band_for(mini_framework, Fraction(yes + 1, yes + no + 1))] <= before
    assert RANK[band_for(mini_framework, Fraction(yes, yes + no + 1))] >= before


@PROPERTY_SETTINGS
@given(yes=counts, no=counts, na=st.integers(0, 50))
def test_displayed_percent_is_within_half_a_point_of_the_exact_value(yes, no, na):
    t = T("x", yes, no, na)
    if yes + no == 0:
        assert t.percent is None
        return
    exact = Fraction(100 * yes, yes + no)
    assert isinstance(t.percent, int)
    assert 0 <= t.percent <= 100
    assert abs(t.percent - exact) <= Fraction(1, 2)


@PROPERTY_SETTINGS
@given(judged=st.integers(min_value=1, max_value=2000), band=st.sampled_from(INTEGER_BANDS[:-1]))
def test_the_fewest_yes_answers_that_reach_a_band_reach_it_and_one_fewer_does_not(mini_framework, judged, band):
    name, minimum = band
    fewest = -(-minimum * judged // 100)  # ceil(minimum% of judged), in integers
    if fewest > judged:
        return
    assert RANK[band_for(mini_framework, Fraction(fewest, judged))] <= RANK[name]
    if fewest > 0:
        assert RANK[band_for(mini_framework, Fraction(fewest - 1, judged))] > RANK[name]
