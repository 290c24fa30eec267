"""An inspection's ratings, recomputed from the store each time they are asked for.

The key-question tallies come from one aggregate query (GROUP BY sample, question, value), so
a central database of 10,000 cases is rated without a Python loop over its answers. The rating
itself is `fieldwork.ratings`, driven only by the framework's rules.

Which cases count (decision 0008): every case of the inspection whose sample answers the
standard, whatever its status; only key-question judgements (never prompts). The report says
how many cases were complete and how many still in progress.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from fieldwork.frameworks.model import Framework
from fieldwork.merge.held import WAITING_CASE_IDS
from fieldwork.ratings import InspectionRatings, StandardRating, overall, rate_standard
from fieldwork.reports.breakdowns import Breakdown, breakdowns
from fieldwork.reports.lead_ratings import lead_decisions
from fieldwork.reports.tallies import key_question_tallies
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection
from fieldwork.store.premises import premises_answers, premises_values
from fieldwork.store.records import Inspection, StoredAnswer

COMPLETE_STATUSES = ("complete", "handed_over")


@dataclass(frozen=True)
class CaseCounts:
    """How far the case reading has got: `complete` includes cases handed over."""

    total: int = 0
    complete: int = 0
    in_progress: int = 0
    not_started: int = 0

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class RatingsReport:
    """Everything a ratings report shows, computed at `generated_at`."""

    inspection: Inspection
    framework: Framework
    ratings: InspectionRatings
    cases: CaseCounts
    samples: dict[str, CaseCounts]  # by sample id, every sample of the framework
    generated_at: str
    breakdowns: tuple[Breakdown, ...] = ()
    # A region inspection: the PDU inspections whose results count (region.contributions.Contribution).
    contributions: tuple = ()
    # The answers given once for the premises (decision 0037), by question id; empty otherwise.
    premises: dict[str, StoredAnswer] = dataclasses.field(default_factory=dict)

    @property
    def standards(self) -> tuple[StandardRating, ...]:
        return self.ratings.standards

    @property
    def overall(self):
        return self.ratings.overall

    def standard(self, standard_id: str) -> StandardRating:
        return next(s for s in self.ratings.standards if s.standard.id == standard_id)

    def score_for(self, rating: str) -> int | None:
        return self.framework.rating.score_for(rating)


def case_counts(store: Store, inspection_id: str, framework: Framework) -> tuple[CaseCounts, dict[str, CaseCounts]]:
    """Cases by status, for the inspection and for each sample; a case added by hand in a bundle
    counts once the lead has accepted it (decision 0019)."""
    per_sample: dict[str, dict[str, int]] = {s.id: {} for s in framework.samples}
    # Every case, less the few waiting ones counted apart (issue 21): asking of each of 10,000
    # cases whether it waits took two thirds of this count.
    every = store.conn.execute(
        "SELECT sample_id, status, COUNT(*) FROM cases WHERE inspection_id = ? GROUP BY sample_id, status",
        [inspection_id],
    ).fetchall()
    waiting = store.conn.execute(
        f"SELECT sample_id, status, COUNT(*) FROM cases WHERE inspection_id = ? AND id IN ({WAITING_CASE_IDS}) "
        "GROUP BY sample_id, status",
        [inspection_id],
    ).fetchall()
    less = {(sample_id, status): n for sample_id, status, n in waiting}
    for sample_id, status, n in every:
        if n > less.get((sample_id, status), 0):
            per_sample.setdefault(sample_id, {})[status] = n - less.get((sample_id, status), 0)

    def counts(by_status: dict[str, int]) -> CaseCounts:
        return CaseCounts(
            total=sum(by_status.values()),
            complete=sum(by_status.get(s, 0) for s in COMPLETE_STATUSES),
            in_progress=by_status.get("in_progress", 0),
            not_started=by_status.get("not_started", 0),
        )

    everything: dict[str, int] = {}
    for by_status in per_sample.values():
        for status, n in by_status.items():
            everything[status] = everything.get(status, 0) + n
    return counts(everything), {sample_id: counts(v) for sample_id, v in per_sample.items()}


def rate_from_store(
    store: Store, inspection: Inspection, framework: Framework, premises: dict[str, str] | None = None
) -> InspectionRatings:
    """The ratings engine over the store's judgements and the lead's decisions in force.

    :param premises: the premises' answers (question id → yes/no/na) when the caller has read them.
    """
    tallies = key_question_tallies(store, inspection.id, framework)
    if framework.combined_standards:  # a region: its PDU inspections' results (decision 0035)
        from fieldwork.region.tallies import contributed_tallies

        tallies.update(contributed_tallies(store, inspection.id, framework))
    decisions = lead_decisions(store, inspection.id, framework)
    # Standards rated for the premises count the lead's answers for the premises (decision 0037).
    if premises is None:
        premises = premises_values(store, inspection.id) if framework.premises_standards else {}
    rated = tuple(
        rate_standard(
            framework,
            standard,
            tallies,
            override=decisions.overrides.get(standard.id),
            judgement=decisions.judgements.get(standard.id),
            premises=premises,
        )
        for standard in framework.standards
    )
    return InspectionRatings(framework, rated, overall(framework, rated))


def inspection_ratings(store: Store, inspection_id: str, *, include_breakdowns: bool = False) -> RatingsReport:
    """The inspection's ratings now: key questions, standards, overall, case counts.

    :param include_breakdowns: also break the key-question percentages down by every case detail
        the framework marks `breakdown = true` (one more aggregate query).
    """
    inspection = get_inspection(store, inspection_id)
    framework = framework_for(store, inspection)
    answers = premises_answers(store, inspection_id) if framework.premises_standards else {}
    values = {q: a.value for q, a in answers.items() if a.value}
    ratings = rate_from_store(store, inspection, framework, values)
    total, per_sample = case_counts(store, inspection_id, framework)
    contributions: tuple = ()
    if framework.combined_standards:
        from fieldwork.region.contributions import list_contributions

        contributions = tuple(list_contributions(store, inspection_id))
    report = RatingsReport(
        inspection, framework, ratings, total, per_sample, store.now(), contributions=contributions, premises=answers
    )
    if include_breakdowns:
        report = dataclasses.replace(report, breakdowns=breakdowns(store, inspection_id, framework))
    return report
