"""Ratings recomputed from a store built with the real API: band edges, which cases count, overall."""

from __future__ import annotations

from fractions import Fraction

import pytest

from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.reports.lead_ratings import JUDGEMENT, set_lead_rating
from fieldwork.store.assessments import set_answer, set_status
from fieldwork.store.inspections import add_case, create_inspection

OUTSTANDING, GOOD, RI, INADEQUATE, NOT_RATED = "Outstanding", "Good", "Requires improvement", "Inadequate", "Not rated"


@pytest.mark.parametrize(
    ("yes", "no", "rating", "shown"),
    [
        (4, 1, OUTSTANDING, 80),  # exactly 80 %
        (159, 41, GOOD, 80),  # 79.5 %: shown as 80 % but below the edge
        (15, 4, GOOD, 79),  # 78.9 %
        (13, 7, GOOD, 65),  # exactly 65 %
        (24, 13, RI, 65),  # 64.86 %: shown as 65 % but below the edge
        (1, 1, RI, 50),  # exactly 50 %
        (99, 101, INADEQUATE, 50),  # 49.5 %: shown as 50 % but below the edge
        (24, 25, INADEQUATE, 49),  # 48.98 %
        (0, 3, INADEQUATE, 0),
    ],
)
def test_band_edges_end_to_end(store, inspection, cases, yes, no, rating, shown):
    cases.judged("3.1.1", yes=yes, no=no, sample="unpaid_work")
    report = inspection_ratings(store, inspection.id)
    rated = report.standard("3.1")
    assert rated.computed == rating and rated.rating == rating
    assert rated.deciding_key_question == "3.1.1"
    tally = rated.key_questions[0]
    assert (tally.yes, tally.no, tally.na) == (yes, no, 0)
    assert tally.fraction == Fraction(yes, yes + no)
    assert tally.percent == shown
    assert report.score_for(rated.rating) == {OUTSTANDING: 3, GOOD: 2, RI: 1, INADEQUATE: 0}[rating]


def test_not_applicable_is_left_out_and_lowest_key_question_decides(store, inspection, cases):
    # 2.1.1: 9 of 10 (90 %); 2.1.2: 3 yes, 2 no, 6 not applicable → 60 %, decides (RI).
    for i in range(11):
        answers = {}
        if i < 10:
            answers["2.1.1"] = "yes" if i < 9 else "no"
        answers["2.1.2"] = "yes" if i < 3 else ("no" if i < 5 else "na")
        cases.case(answers)
    rated = inspection_ratings(store, inspection.id).standard("2.1")
    tallies = {t.id: t for t in rated.key_questions}
    assert (tallies["2.1.1"].yes, tallies["2.1.1"].no, tallies["2.1.1"].na) == (9, 1, 0)
    assert (tallies["2.1.2"].yes, tallies["2.1.2"].no, tallies["2.1.2"].na) == (3, 2, 6)
    assert tallies["2.1.2"].percent == 60
    assert rated.computed == RI and rated.deciding_key_question == "2.1.2"


def test_all_not_applicable_leaves_the_standard_not_rated(store, inspection, cases):
    cases.judged("2.1.2", na=3)
    rated = inspection_ratings(store, inspection.id).standard("2.1")
    assert rated.computed == NOT_RATED and rated.deciding_key_question is None
    assert {t.id: t.percent for t in rated.key_questions} == {"2.1.1": None, "2.1.2": None}


def test_only_key_question_judgements_of_the_standards_sample_count(store, inspection, cases, mini_framework):
    cases.judged("2.1.1", yes=4, no=1)
    # Prompts never count, however they are answered.
    case_id = cases.case({"2.1.1": "yes", "2.1.1.a": "no", "2.1.1.b": "no"})
    # A cleared judgement (value NULL with evidence kept) does not count.
    cleared = cases.case({"2.1.1": "no"})
    set_answer(store, cleared, "2.1.1", value=None, note="Judgement withdrawn pending moderation.")
    # A row for a key question outside the case's sample (e.g. from a faulty merge) is ignored.
    unpaid = cases.case({"3.1.1": "yes"}, sample="unpaid_work")
    with store.transaction() as db:
        db.execute(
            "INSERT INTO answers (case_id, question_id, value, note, revision, updated_at, updated_by) "
            "VALUES (?, '2.1.1', 'no', '', 1, '2026-11-02T09:00:00.000Z', 'merge')",
            [unpaid],
        )
    # Cases of another inspection never count.
    other = create_inspection(
        store, inspection_id="other", provider="Other CRC", provider_type="CRC", framework=mini_framework
    )
    other_case = add_case(store, other, "X1")
    set_answer(store, other_case.id, "2.1.1", value="no")

    rated = inspection_ratings(store, inspection.id).standard("2.1")
    tally = next(t for t in rated.key_questions if t.id == "2.1.1")
    assert (tally.yes, tally.no, tally.na) == (5, 1, 0)
    assert case_id and rated.computed == OUTSTANDING  # 5 of 6 = 83 %


def test_cases_in_progress_count_and_the_counts_say_how_far_reading_got(store, inspection, cases):
    done = cases.case({"2.1.1": "yes", "2.1.2": "no"}, notes={"2.1.2": "No check with the police on domestic abuse."})
    set_status(store, done, "complete")
    cases.case({"2.1.1": "no"})  # in progress
    cases.case()  # not started
    cases.case({"3.1.1": "yes"}, sample="unpaid_work")
    report = inspection_ratings(store, inspection.id)
    assert (report.cases.total, report.cases.complete, report.cases.in_progress, report.cases.not_started) == (
        4,
        1,
        2,
        1,
    )
    supervision = report.samples["supervision"]
    assert (supervision.total, supervision.complete, supervision.in_progress) == (3, 1, 1)
    assert report.samples["unpaid_work"].total == 1
    tally = next(t for t in report.standard("2.1").key_questions if t.id == "2.1.1")
    assert (tally.yes, tally.no) == (1, 1)  # the complete case and the one in progress


def test_overall_is_provisional_until_every_standard_is_rated(store, inspection, cases):
    cases.judged("3.1.1", yes=4, no=1, sample="unpaid_work")  # 3.1 Outstanding (3)
    cases.case({"2.1.1": "yes", "2.1.2": "no"})  # 2.1 Inadequate (0): 2.1.2 at 0 %
    report = inspection_ratings(store, inspection.id)
    overall = report.overall
    assert (overall.score, overall.max, overall.provisional, overall.unrated) == (3, 9, True, ("1.1",))
    assert overall.rating == RI  # 2-4 in the mini framework

    set_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "Good", "Board minutes and interviews.")
    overall = inspection_ratings(store, inspection.id).overall
    assert (overall.score, overall.rating, overall.provisional, overall.unrated) == (5, GOOD, False, ())


def test_overall_not_rated_when_the_framework_says_so(store, make_framework):
    framework = make_framework(
        {'unrated_standards = "provisional"': 'unrated_standards = "not_rated"', 'id = "test-mini"': 'id = "mini-nr"'}
    )
    inspection = create_inspection(
        store, inspection_id="nr", provider="NR CRC", provider_type="CRC", framework=framework
    )
    case = add_case(store, inspection, "C1", sample_id="unpaid_work")
    set_answer(store, case.id, "3.1.1", value="yes")
    overall = inspection_ratings(store, inspection.id).overall
    assert overall.rating == NOT_RATED and overall.provisional and overall.unrated == ("1.1", "2.1")


def test_nothing_is_stored_everything_is_recomputed(store, inspection, cases):
    first = cases.judged("3.1.1", yes=1, no=1, sample="unpaid_work")
    assert inspection_ratings(store, inspection.id).standard("3.1").computed == RI
    set_answer(store, first[1], "3.1.1", value="yes")
    assert inspection_ratings(store, inspection.id).standard("3.1").computed == OUTSTANDING
    tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "lead_ratings" in tables and not any("rating" in t for t in tables - {"lead_ratings"})


def test_the_crc_framework_rates_ten_standards(store, crc_inspection, crc_cases):
    crc_cases.case({"2.1.1": "yes", "2.1.2": "yes", "2.1.3": "no"})
    crc_cases.case({"3.2.1": "yes"}, sample="through_the_gate")
    report = inspection_ratings(store, crc_inspection.id)
    assert [s.standard.id for s in report.standards] == [
        "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2",
    ]  # fmt: skip
    assert report.standard("2.1").computed == INADEQUATE and report.standard("2.1").deciding_key_question == "2.1.3"
    assert report.standard("3.2").computed == OUTSTANDING
    # Eight standards not rated leave the maximum: 3 of 6, final (not provisional), the 2018 bands
    # read as fractions of 30 (3/6 = 50 % is below Good's 16/30), so Requires improvement.
    overall = report.overall
    assert (overall.max, overall.full_max, overall.score, overall.provisional) == (6, 30, 3, False)
    assert overall.rating == RI and overall.scaled and overall.rule.id == "reduced_maximum"
    assert overall.rule.provenance == "recalled"  # scaled bands are fieldwork's reading, never confirmed
    assert len(overall.unrated) == 8
    assert report.standard("3.1").standard.shown_number == "4.1"  # as CRC reports number it
