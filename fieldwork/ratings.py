"""The ratings engine: key-question percentages → standard ratings → overall rating.

Driven only by the framework's rating rules; no threshold lives here. Percentages are exact
fractions throughout and are rounded only when shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from fieldwork.frameworks.model import RULES, Answer, Framework, OverallBand, Standard


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
class RuleUsed:
    """Which rule produced a rating, and whether the framework file says it is published."""

    id: str  # a key of fieldwork.frameworks.model.RULES
    provenance: str  # "confirmed" or "recalled"

    @property
    def text(self) -> str:
        return RULES[self.id]

    def to_json(self) -> dict:
        return {"id": self.id, "provenance": self.provenance, "text": self.text}


def _rule(framework: Framework, *rule_ids: str, inferred: bool = False) -> RuleUsed:
    """The first rule, confirmed only if every rule it relies on is (and nothing was inferred)."""
    rules = framework.rating
    confirmed = not inferred and all(rules.provenance_of(r) == "confirmed" for r in rule_ids)
    return RuleUsed(rule_ids[0], "confirmed" if confirmed else "recalled")


@dataclass(frozen=True)
class StandardRating:
    standard: Standard
    computed: str  # the rating the rules give (Not rated when they give none)
    deciding_key_question: str | None
    key_questions: tuple[KeyQuestionTally, ...]
    override: Override | None
    judgement: LeadJudgement | None
    computed_rule: RuleUsed | None = None
    override_rule: RuleUsed | None = None

    @property
    def rating(self) -> str:
        """The rating that counts: the lead's override when there is one."""
        return self.override.rating if self.override else self.computed

    @property
    def rule(self) -> RuleUsed | None:
        """The rule behind the rating in force: the override's when there is one."""
        return self.override_rule if self.override else self.computed_rule

    @property
    def reported_only(self) -> bool:
        return not self.standard.rated


@dataclass(frozen=True)
class OverallRating:
    score: int
    max: int
    rating: str
    provisional: bool
    unrated: tuple[str, ...]  # ids of standards not rated
    rule: RuleUsed | None = None
    full_max: int = 0  # the maximum with every standard rated
    scaled: bool = False  # bands scaled from the full maximum (reduced maximum, decision 0028)
    final: bool = True  # False while provisional or withheld

    @property
    def reduced(self) -> bool:
        return self.max != self.full_max


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


def premises_tallies(standard: Standard, answers: Mapping[str, str]) -> dict[str, KeyQuestionTally]:
    """Each key question of a premises standard counted over the premises' answers (decision 0037):
    its prompts' answers, or its own answer when it has no prompts."""
    return {
        kq.id: tally((kq.id, answers.get(item.id, "")) for item in (kq.prompts or (kq,))).get(
            kq.id, KeyQuestionTally(kq.id)
        )
        for kq in standard.key_questions
    }


def rate_standard(
    framework: Framework,
    standard: Standard,
    tallies: Mapping[str, KeyQuestionTally],
    *,
    override: Override | None = None,
    judgement: LeadJudgement | None = None,
    premises: Mapping[str, str] | None = None,
) -> StandardRating:
    """Rate one standard: lowest rated key question for case standards (over the premises' answers
    for a premises standard); the lead's for judgement.

    :param premises: the premises' answers (question id → yes/no/na), for premises standards.
    """
    if standard.rated_for_premises:
        tallies = premises_tallies(standard, premises or {})
    kq_tallies = tuple(tallies.get(kq.id, KeyQuestionTally(kq.id)) for kq in standard.key_questions)
    not_rated = framework.rating.not_rated
    override_rule = _rule(framework, "lead_override")

    def result(computed: str, deciding: str | None, *rule_ids: str) -> StandardRating:
        rule = _rule(framework, *rule_ids)
        return StandardRating(standard, computed, deciding, kq_tallies, override, judgement, rule, override_rule)

    if not standard.rated:
        return result(not_rated, None, "reported_not_rated")
    if not standard.computed:
        return result(judgement.rating if judgement else not_rated, None, "lead_judgement")
    if not framework.rating.four_point:
        return result(not_rated, None, "sufficiency_only")
    rated_ids = {kq.id for kq in standard.rated_key_questions}
    scored = [(t.fraction, t.id) for t in kq_tallies if t.fraction is not None and t.id in rated_ids]
    if not scored:
        return result(not_rated, None, "premises_not_answered" if standard.rated_for_premises else "no_cases_not_rated")
    # Lowest exact fraction decides; ties go to the first key question in framework order.
    lowest_fraction, deciding = min(scored, key=lambda pair: pair[0])
    if standard.rated_for_premises:
        # Confirmed only if both the premises reading and the bands it uses are.
        return result(band_for(framework, lowest_fraction), deciding, "premises_answers", "lowest_key_question")
    return result(band_for(framework, lowest_fraction), deciding, "lowest_key_question")


def _band(bands: tuple[OverallBand, ...], score: int, max_score: int, full_max: int, scaled: bool) -> str | None:
    """The overall band of `score`; scaled: lower bounds read as fractions of the full maximum."""
    if not scaled:
        return next((b.rating for b in bands if b.min_score <= score <= b.max_score), None)
    # score / max_score >= min_score / full_max, compared exactly; bands are lowest first.
    reached = [b for b in bands if score * full_max >= b.min_score * max_score]
    return reached[-1].rating if reached else None


def overall(framework: Framework, standards: Iterable[StandardRating]) -> OverallRating:
    rules = framework.rating
    # Reported standards, and standards the framework keeps outside the overall, never count.
    counted = [s for s in standards if s.standard.rated and s.standard.counts_in_overall]
    if not rules.four_point:
        return OverallRating(0, 0, rules.not_rated, False, (), _rule(framework, "sufficiency_only"), 0)
    top = rules.top_score
    unrated = tuple(s.standard.id for s in counted if rules.score_for(s.rating) is None)
    score = sum(rules.score_for(s.rating) or 0 for s in counted)
    full_max = top * len(counted)
    if not unrated:
        rating = _band(rules.overall_bands, score, full_max, full_max, False) or rules.not_rated
        return OverallRating(score, full_max, rating, False, (), _rule(framework, "overall_score_bands"), full_max)
    if rules.unrated_standards == "not_rated":
        rule = _rule(framework, "withheld")
        return OverallRating(score, full_max, rules.not_rated, True, unrated, rule, full_max, final=False)
    if rules.unrated_standards == "provisional":
        rating = _band(rules.overall_bands, score, full_max, full_max, False) or rules.not_rated
        rule = _rule(framework, "provisional", "overall_score_bands")
        return OverallRating(score, full_max, rating, True, unrated, rule, full_max, final=False)
    # reduced_maximum: HMI Probation's published practice. The unrated standards leave the
    # maximum and the rating is final out of what is left (decision 0028).
    reduced = top * (len(counted) - len(unrated))
    if reduced == 0:
        rule = _rule(framework, "reduced_maximum")
        return OverallRating(0, 0, rules.not_rated, False, unrated, rule, full_max)
    bands, scaled = rules.bands_for_maximum(reduced, full_max)
    rating = _band(bands, score, reduced, full_max, scaled) or rules.not_rated
    # Scaling is fieldwork's reading, not a published rule: a scaled rating is never confirmed.
    rule = _rule(framework, "reduced_maximum", "overall_score_bands", inferred=scaled)
    return OverallRating(score, reduced, rating, False, unrated, rule, full_max, scaled)


def rate_inspection(
    framework: Framework,
    judgements: Iterable[tuple[str, str]],
    *,
    overrides: Mapping[str, Override] | None = None,
    lead_judgements: Mapping[str, LeadJudgement] | None = None,
    premises_answers: Mapping[str, str] | None = None,
) -> InspectionRatings:
    """Everything recomputed from the case judgements, the premises' answers and the lead's decisions."""
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
            premises=premises_answers,
        )
        for std in framework.standards
    )
    return InspectionRatings(framework, rated, overall(framework, rated))
