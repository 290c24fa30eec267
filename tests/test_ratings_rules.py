"""The ratings engine reads its rules from the framework: reduced maximum, provisional, withheld,
reported items, standards outside the overall, the sufficiency scheme, and the rule named in
every rating."""

from __future__ import annotations

from helpers.format2 import mini2, mini2_text

from fieldwork.frameworks import parse_framework
from fieldwork.ratings import LeadJudgement, Override, rate_inspection

JUDGED = LeadJudgement("Good", "Evidence.", "lead", "2026-11-02T09:00:00.000Z")
# mini: 1.1 judgement; 2.1 (2.1.1, 2.1.2) from supervision cases; 3.1 (3.1.1) from unpaid work cases.
OUTSTANDING_21 = [("2.1.1", "yes")] * 9 + [("2.1.1", "no")] + [("2.1.2", "yes")] * 9 + [("2.1.2", "no")]


def with_rule(setting: str, append: str = ""):
    return mini2({'unrated_standards = "provisional"': f'unrated_standards = "{setting}"'}, append)


def test_reduced_maximum_is_final_and_scales_the_bands_as_fractions_of_the_full_maximum():
    framework = with_rule("reduced_maximum")
    # 1.1 Good (2) and 2.1 Outstanding (3); 3.1 has no cases: not rated, 5 of 6 instead of 5 of 9 provisional.
    ratings = rate_inspection(framework, OUTSTANDING_21, lead_judgements={"1.1": JUDGED})
    overall = ratings.overall
    assert (overall.score, overall.max, overall.full_max) == (5, 6, 9)
    assert not overall.provisional and overall.final and overall.unrated == ("3.1",) and overall.scaled
    # mini's full-maximum bands: Outstanding from 8 of 9; 5/6 = 0.833 < 8/9 = 0.889, Good from 5/9: Good.
    assert overall.rating == "Good"
    assert (overall.rule.id, overall.rule.provenance) == ("reduced_maximum", "recalled")
    assert ratings.standards[2].computed == "Not rated"
    assert ratings.standards[2].rule.id == "no_cases_not_rated"


def test_a_published_table_for_the_reduced_maximum_wins_over_scaling():
    table = (
        "\nreduced_overall_bands = [ { max_score = 6, bands = ["
        ' { rating = "Inadequate", min_score = 0, max_score = 4 },'
        ' { rating = "Outstanding", min_score = 5, max_score = 6 } ] } ]\n'
    )
    framework = mini2({'unrated_standards = "provisional"\n': 'unrated_standards = "reduced_maximum"\n' + table})
    overall = rate_inspection(framework, OUTSTANDING_21, lead_judgements={"1.1": JUDGED}).overall
    assert (overall.rating, overall.scaled, overall.max) == ("Outstanding", False, 6)


def test_a_rating_from_confirmed_rules_says_confirmed_and_scaling_never_does():
    confirm = '\n[rating.rule_provenance]\nreduced_maximum = "confirmed"\noverall_score_bands = "confirmed"\n'
    framework = with_rule("reduced_maximum", confirm)
    scaled = rate_inspection(framework, OUTSTANDING_21, lead_judgements={"1.1": JUDGED}).overall
    assert scaled.rule.provenance == "recalled"  # the scaling is fieldwork's reading (decision 0028)
    everything = OUTSTANDING_21 + [("3.1.1", "yes")]
    full = rate_inspection(framework, everything, lead_judgements={"1.1": JUDGED}).overall
    assert (full.rule.id, full.rule.provenance, full.max) == ("overall_score_bands", "confirmed", 9)


def test_provisional_and_withheld_stay_available_by_the_rule_setting():
    provisional = rate_inspection(with_rule("provisional"), OUTSTANDING_21, lead_judgements={"1.1": JUDGED}).overall
    assert (provisional.max, provisional.provisional, provisional.final) == (9, True, False)
    assert provisional.rating == "Good" and provisional.rule.id == "provisional"  # 5 of 9: Good (5-7)
    withheld = rate_inspection(with_rule("not_rated"), OUTSTANDING_21, lead_judgements={"1.1": JUDGED}).overall
    assert (withheld.rating, withheld.rule.id) == ("Not rated", "withheld")


def test_with_no_standard_rated_the_reduced_maximum_gives_no_rating():
    overall = rate_inspection(with_rule("reduced_maximum"), []).overall
    assert (overall.rating, overall.max, overall.unrated) == ("Not rated", 0, ("1.1", "2.1", "3.1"))


def test_a_reported_question_is_counted_but_never_decides_a_rating():
    framework = mini2({'lens = "safety"\n': 'lens = "safety"\nrated = false\n'})
    judgements = [("2.1.1", "yes")] * 9 + [("2.1.1", "no")] + [("2.1.2", "no")] * 10  # 2.1.2 at 0 %
    rated = rate_inspection(framework, judgements).standards[1]
    assert rated.computed == "Outstanding" and rated.deciding_key_question == "2.1.1"
    assert next(t for t in rated.key_questions if t.id == "2.1.2").no == 10  # still reported


def test_a_reported_standard_is_shown_not_rated_and_leaves_the_maximum():
    framework = mini2(
        {
            'sample = "supervision"\n': 'sample = "supervision"\nrated = false\n',
            "min_score = 5, max_score = 7": "min_score = 5, max_score = 5",
            "min_score = 8, max_score = 9": "min_score = 6, max_score = 6",
        },
    )
    ratings = rate_inspection(framework, OUTSTANDING_21 + [("3.1.1", "yes")], lead_judgements={"1.1": JUDGED})
    reported = ratings.standards[1]
    assert (reported.computed, reported.rule.id, reported.reported_only) == ("Not rated", "reported_not_rated", True)
    assert (ratings.overall.score, ratings.overall.max, ratings.overall.unrated) == (5, 6, ())


def test_a_standard_outside_the_overall_is_rated_but_not_scored():
    framework = mini2(
        {
            'basis = "judgement"\n': 'basis = "judgement"\ncounts_in_overall = false\n',
            "min_score = 5, max_score = 7": "min_score = 5, max_score = 5",
            "min_score = 8, max_score = 9": "min_score = 6, max_score = 6",
        },
    )
    ratings = rate_inspection(framework, OUTSTANDING_21 + [("3.1.1", "yes")], lead_judgements={"1.1": JUDGED})
    assert ratings.standards[0].rating == "Good"
    assert (ratings.overall.score, ratings.overall.max, ratings.overall.rating) == (6, 6, "Outstanding")


def test_the_sufficiency_scheme_gives_percentages_and_no_rating():
    text = mini2_text()
    text = text[: text.index("[rating]")] + (
        '[rating]\nscheme = "sufficiency"\nnot_rated = "Not rated"\nunrated_standards = "not_rated"\n'
        'written_judgement = "Chief Inspector\'s judgement"\n'
    )
    framework = parse_framework(text.encode(), source_name="s.toml")
    judgement = LeadJudgement("Chief Inspector's judgement", "Public protection work is weak.", "lead", "t")
    ratings = rate_inspection(framework, OUTSTANDING_21, lead_judgements={"1.1": judgement})
    case_standard = ratings.standards[1]
    assert case_standard.computed == "Not rated" and case_standard.rule.id == "sufficiency_only"
    assert case_standard.deciding_key_question is None and case_standard.key_questions[0].percent == 90
    assert ratings.standards[0].rating == "Chief Inspector's judgement"
    assert (ratings.overall.rating, ratings.overall.rule.id) == ("Not rated", "sufficiency_only")


def test_every_standard_rating_names_its_rule_and_an_override_names_the_lead_override():
    framework = with_rule("reduced_maximum")
    override = Override("Good", "Too few cases.", "lead", "t")
    ratings = rate_inspection(framework, OUTSTANDING_21, overrides={"2.1": override}, lead_judgements={"1.1": JUDGED})
    by_id = {r.standard.id: r for r in ratings.standards}
    assert by_id["1.1"].rule.id == "lead_judgement"
    assert (by_id["2.1"].rule.id, by_id["2.1"].computed_rule.id) == ("lead_override", "lowest_key_question")
    assert all(r.rule.provenance in ("confirmed", "recalled") for r in ratings.standards)
