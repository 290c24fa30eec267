"""The shipped frameworks reproduce outcomes HMI Probation has published, from the published
standard ratings or scores. Each test names its source.

The rating rules behind these (the bands and overall score bands) are recalled, not confirmed
from a published document: these tests pin that the recalled rules agree with what was
published, so a corrected framework file that disagrees is caught.
"""

from __future__ import annotations

from fieldwork.frameworks.catalogue import find_framework
from fieldwork.frameworks.model import Framework
from fieldwork.ratings import LeadJudgement, rate_inspection

# A key-question result inside each band of the shipped files (80/65/50): Yes out of 10 judged.
YES_OUT_OF_TEN = {"Outstanding": 9, "Good": 7, "Requires improvement": 6, "Inadequate": 2}


def rate_as_published(framework: Framework, published: dict[str, str]):
    """Rate `framework` with each standard given the published rating (or left with no cases).

    A case standard gets ten judged cases on each of its rated key questions inside the rating's
    band; a judgement standard gets the lead's judgement. Standards not named have no cases.
    """
    judgements, lead = [], {}
    for standard_id, rating in published.items():
        standard = framework.standard(standard_id)
        if standard.rated_from_cases:
            yes = YES_OUT_OF_TEN[rating]
            for kq in standard.rated_key_questions:
                judgements += [(kq.id, "yes")] * yes + [(kq.id, "no")] * (10 - yes)
        else:
            lead[standard_id] = LeadJudgement(rating, "As published.", "lead", "2026-12-07T09:00:00.000Z")
    return rate_inspection(framework, judgements, lead_judgements=lead)


def ratings_with(framework: Framework, counts: dict[str, int]) -> dict[str, str]:
    """The counted standards in file order, given ratings in the numbers asked for (best first)."""
    ids = [s.id for s in framework.rated_standards]
    names = [name for name, n in counts.items() for _ in range(n)]
    assert len(names) == len(ids), "test set-up: give a rating for every standard"
    return dict(zip(ids, names, strict=True))


def test_pdu_2023_all_four_case_standards_inadequate_is_inadequate():
    """Issue 17's published example: a PDU whose four core case standards were all Inadequate was
    rated Inadequate overall (HMI Probation, PDU reports 2024-25; the 2023 programme's overall
    rating follows the four core standards: "the quality of case management fell short in three
    of our four core standards ... the PDU has been rated as 'Requires improvement'", Sunderland
    PDU 2025)."""
    framework = find_framework("hmip-probation-pdu-2023")
    published = {"2.1": "Inadequate", "2.2": "Inadequate", "2.3": "Inadequate", "2.4": "Inadequate"}
    # Whatever domain one is rated, it is outside the overall rating.
    published |= {"1.1": "Outstanding", "1.2": "Outstanding", "1.3": "Outstanding"}
    overall = rate_as_published(framework, published).overall
    assert (overall.rating, overall.score, overall.max, overall.provisional) == ("Inadequate", 0, 12, False)


def test_pdu_2023_three_of_four_core_standards_short_is_requires_improvement():
    """Sunderland PDU (HMI Probation, 2025): "the quality of case management fell short in three of
    our four core standards" and the PDU "has been rated as 'Requires improvement'"."""
    framework = find_framework("hmip-probation-pdu-2023")
    published = {"2.1": "Good", "2.2": "Requires improvement", "2.3": "Requires improvement",
                 "2.4": "Requires improvement"}  # fmt: skip
    assert rate_as_published(framework, published).overall.rating == "Requires improvement"


def test_youth_eleven_good_one_requires_improvement_one_outstanding_is_good():
    """Issue 17's published youth example under the thirteen-standard 2021 framework: eleven
    standards Good, one Requires improvement and one Outstanding: Good overall (26 of 39)."""
    framework = find_framework("hmip-youth-2021")
    published = ratings_with(framework, {"Outstanding": 1, "Good": 11, "Requires improvement": 1})
    overall = rate_as_published(framework, published).overall
    assert (overall.rating, overall.score, overall.max) == ("Good", 26, 39)


def test_youth_one_standard_not_rated_gives_a_final_mark_out_of_36():
    """HMI Probation youth reports: a standard with no cases to inspect is not rated and the
    overall rating is given out of the reduced maximum (one of thirteen not rated: out of 36),
    as a final rating."""
    framework = find_framework("hmip-youth-2021")
    published = ratings_with(framework, {"Outstanding": 1, "Good": 11, "Requires improvement": 1})
    del published["3.1"]  # no out-of-court cases: not rated
    overall = rate_as_published(framework, published).overall
    assert (overall.max, overall.full_max, overall.provisional, overall.scaled) == (36, 39, False, False)
    assert overall.unrated == ("3.1",) and overall.rule.id == "reduced_maximum"
    assert overall.rating == "Good"


def test_pdu_2021_scoring_2_of_27_is_inadequate():
    """Issue 17's published example: a PDU scoring 2 of 27 inspection points was Inadequate; and
    "Hammersmith, Fulham, Kensington, Chelsea and Westminster PDU received zero out of a total of
    27 inspection points. Both Lambeth PDU and Ealing and Hillingdon PDU each scored just three
    points", all rated Inadequate (HMI Probation press release, "Inspectorate calls for urgent
    action as trio of London probation services rated 'Inadequate'")."""
    framework = find_framework("hmip-probation-pdu-2021")
    for points in (0, 2, 3):
        published = ratings_with(framework, {"Requires improvement": points, "Inadequate": 9 - points})
        overall = rate_as_published(framework, published).overall
        assert (overall.score, overall.max, overall.rating) == (points, 27, "Inadequate")


def test_crc_three_good_seven_requires_improvement_is_requires_improvement():
    """Issue 17's published example: a CRC with three standards Good and seven Requires
    improvement was rated Requires improvement overall (13 of 30) under the 2018 standards."""
    framework = find_framework("hmip-adult-2018-crc")
    published = ratings_with(framework, {"Good": 3, "Requires improvement": 7})
    overall = rate_as_published(framework, published).overall
    assert (overall.rating, overall.score, overall.max) == ("Requires improvement", 13, 30)
