"""The ratings engine: key-question percentages → standard ratings → overall rating.

Driven only by the framework's rating rules; no threshold lives here. Percentages are exact
fractions throughout and are rounded only when shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from fieldwork.frameworks.model import Answer, Framework, Standard


@dataclass(frozen=True)
class KeyQuestionTally:
    id: str
    yes: int = 0
    no: int = 0
    na: int = 0

    @property
    def fraction(self) -> Fraction | None:
        """Yes / (Yes + No); None when no case was judged Yes or No."""
        judged = self.yes + self.no
        return Fraction(self.yes, judged) if judged else None

    @property
    def percent(self) -> int | None:
        """The percentage rounded half up to a whole number, for display only."""
        frac = self.fraction
        if frac is None:
            return None
        return int(frac * 100 + Fraction(1, 2))


@dataclass(frozen=True)
class Override:
    rating: str
    reason: str
    by: str
    at: str


@dataclass(frozen=True)
class LeadJudgement:
    rating: str
    evidence: str
    by: str
    at: str


@dataclass(frozen=True)
class StandardRating:
    standard: Standard
    computed: str  # the rating the rules give (Not rated when they give none)
    deciding_key_question: str | None
    key_questions: tuple[KeyQuestionTally, ...]
    override: Override | None
    judgement: LeadJudgement | None

    @property
    def rating(self) -> str:
        """The rating that counts: the lead's override when there is one."""
        return self.override.rating if self.override else self.computed


@dataclass(frozen=True)
class OverallRating:
    score: int
    max: int
    rating: str
    provisional: bool
    unrated: tuple[str, ...]  # ids of standards not rated


@dataclass(frozen=True)
class InspectionRatings:
    framework: Framework
    standards: tuple[StandardRating, ...]
    overall: OverallRating


def band_for(framework: Framework, fraction: Fraction) -> str:
    """The band whose inclusive lower bound the exact fraction reaches, best band first."""
    for band in framework.rating.bands:
        if fraction * 100 >= band.min_percent:
            return band.rating
    raise AssertionError("the loader guarantees a band with min_percent 0")


def tally(judgements: Iterable[tuple[str, str]]) -> dict[str, KeyQuestionTally]:
    """Count (key_question_id, answer) pairs into tallies."""
    counts: dict[str, list[int]] = {}
    for kq_id, answer in judgements:
        row = counts.setdefault(kq_id, [0, 0, 0])
        if answer == Answer.YES:
            row[0] += 1
        elif answer == Answer.NO:
            row[1] += 1
        elif answer == Answer.NA:
            row[2] += 1
    return {k: KeyQuestionTally(k, *v) for k, v in counts.items()}


def rate_standard(
    framework: Framework,
    standard: Standard,
    tallies: Mapping[str, KeyQuestionTally],
    *,
    override: Override | None = None,
    judgement: LeadJudgement | None = None,
) -> StandardRating:
    """Rate one standard: lowest key question for case standards; the lead's for judgement."""
    kq_tallies = tuple(tallies.get(kq.id, KeyQuestionTally(kq.id)) for kq in standard.key_questions)
    not_rated = framework.rating.not_rated
    if not standard.rated_from_cases:
        computed = judgement.rating if judgement else not_rated
        return StandardRating(standard, computed, None, kq_tallies, override, judgement)
    scored = [(t.fraction, t.id) for t in kq_tallies if t.fraction is not None]
    if not scored:
        return StandardRating(standard, not_rated, None, kq_tallies, override, judgement)
    # Lowest exact fraction decides; ties go to the first key question in framework order.
    lowest_fraction, deciding = min(scored, key=lambda pair: pair[0])
    computed = band_for(framework, lowest_fraction)
    return StandardRating(standard, computed, deciding, kq_tallies, override, judgement)


def overall(framework: Framework, standards: Iterable[StandardRating]) -> OverallRating:
    rules = framework.rating
    standards = list(standards)
    top = max(b.score for b in rules.bands)
    unrated = tuple(s.standard.id for s in standards if rules.score_for(s.rating) is None)
    score = sum(rules.score_for(s.rating) or 0 for s in standards)
    max_score = top * len(standards)
    if unrated and rules.unrated_standards == "not_rated":
        return OverallRating(score, max_score, rules.not_rated, True, unrated)
    rating = next(
        (b.rating for b in rules.overall_bands if b.min_score <= score <= b.max_score),
        rules.not_rated,
    )
    return OverallRating(score, max_score, rating, bool(unrated), unrated)


def rate_inspection(
    framework: Framework,
    judgements: Iterable[tuple[str, str]],
    *,
    overrides: Mapping[str, Override] | None = None,
    lead_judgements: Mapping[str, LeadJudgement] | None = None,
) -> InspectionRatings:
    """Everything recomputed from the case judgements and the lead's decisions."""
    tallies = tally(judgements)
    overrides = overrides or {}
    lead_judgements = lead_judgements or {}
    rated = tuple(
        rate_standard(
            framework,
            std,
            tallies,
            override=overrides.get(std.id),
            judgement=lead_judgements.get(std.id),
        )
        for std in framework.standards
    )
    return InspectionRatings(framework, rated, overall(framework, rated))
