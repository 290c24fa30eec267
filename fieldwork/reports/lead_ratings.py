"""The lead inspector's rating decisions: judgements with evidence and overrides with reasons.

Held in the append-only `lead_ratings` table. The latest row per (inspection, standard, kind)
is in force; a withdrawal is a row too (with no rating), so the history shows every decision,
who made it and when. Nothing else about ratings is stored: everything else is recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.errors import NotFoundError, ValidationError
from fieldwork.frameworks.model import Framework, Standard
from fieldwork.ratings import LeadJudgement, Override
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection

JUDGEMENT, OVERRIDE = "judgement", "override"
KINDS = (JUDGEMENT, OVERRIDE)


@dataclass(frozen=True)
class LeadRatingRecord:
    """One row of the history: a rating decision, or its withdrawal (rating None)."""

    seq: int
    id: str
    inspection_id: str
    standard_id: str
    kind: str  # "judgement" or "override"
    rating: str | None  # None: the decision in force before this row is withdrawn
    text: str  # the evidence (judgement), the reason (override) or why it was withdrawn
    by: str
    at: str

    @property
    def withdrawn(self) -> bool:
        return self.rating is None


@dataclass(frozen=True)
class LeadDecisions:
    """The decisions in force for one inspection, keyed by standard id."""

    judgements: dict[str, LeadJudgement]
    overrides: dict[str, Override]


_COLUMNS = "seq, id, inspection_id, standard_id, kind, rating, text, decided_by, decided_at"


def _standard(framework: Framework, standard_id: str) -> Standard:
    try:
        return framework.standard(standard_id)
    except KeyError:
        known = ", ".join(s.id for s in framework.standards)
        raise NotFoundError(f"'{standard_id}' is not a standard of {framework.id} (standards: {known}).") from None


def _check_kind(framework: Framework, standard: Standard, kind: str) -> None:
    """A judgement belongs to a lead-judged standard, an override to a computed one (cases or premises)."""
    if kind not in KINDS:
        raise ValidationError(f"'{kind}' is not a kind of rating decision (use judgement or override).")
    if not standard.rated:
        raise ValidationError(
            f"Standard {standard.id} is reported, not rated: its results are shown but it takes no rating."
        )
    if kind == OVERRIDE and not framework.rating.four_point:
        raise ValidationError(
            f"{framework.id} has no four-point rating (sufficiency percentages and a written judgement only), "
            f"so standard {standard.id} has no rating to override."
        )
    if kind == JUDGEMENT and standard.computed:
        raise ValidationError(
            f"Standard {standard.id} is {standard.basis_text}, so it takes no judgement; "
            "to change its rating, record an override (--override) with a reason."
        )
    if kind == OVERRIDE and not standard.computed:
        raise ValidationError(
            f"Standard {standard.id} is rated by the lead inspector's judgement, so there is nothing to "
            "override; record its rating with evidence instead (--evidence, without --override)."
        )


def _rating_name(framework: Framework, kind: str, rating: str) -> str:
    """The framework's spelling of `rating` (matched ignoring case), or a refusal naming the choices."""
    allowed = list(framework.rating.ratings())
    if kind == OVERRIDE:
        # A lead may judge that a standard should not be rated (too few cases, say).
        allowed.append(framework.rating.not_rated)
    wanted = rating.strip().casefold()
    for name in allowed:
        if name.casefold() == wanted:
            return name
    raise ValidationError(f"'{rating}' is not a rating in {framework.id}; use one of: {', '.join(allowed)}.")


def _append(store: Store, inspection_id: str, standard_id: str, kind: str, rating: str | None, text: str):
    record_id, at = store.new_id(), store.now()
    with store.transaction() as db:
        cursor = db.execute(
            "INSERT INTO lead_ratings (id, inspection_id, standard_id, kind, rating, text, decided_by, decided_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [record_id, inspection_id, standard_id, kind, rating, text, store.actor, at],
        )
        seq = cursor.lastrowid
    return LeadRatingRecord(seq, record_id, inspection_id, standard_id, kind, rating, text, store.actor, at)


def set_lead_rating(
    store: Store, inspection_id: str, standard_id: str, kind: str, rating: str, text: str
) -> LeadRatingRecord:
    """Record the lead's judgement (with evidence) or override (with reason) for one standard.

    :param kind: "judgement" for a standard rated by judgement, "override" for one whose rating is
        computed (from cases, or from the premises' answers).
    :param rating: a rating name of the framework, matched ignoring case and stored as spelt there.
    :param text: the evidence (judgement) or the reason (override); required.
    """
    framework = framework_for(store, get_inspection(store, inspection_id))
    standard = _standard(framework, standard_id)
    _check_kind(framework, standard, kind)
    name = _rating_name(framework, kind, rating)
    text = (text or "").strip()
    if not text:
        if kind == OVERRIDE:
            raise ValidationError(
                f"An override of standard {standard.id} needs a reason; say why the rating differs "
                "from the computed one."
            )
        raise ValidationError(f"A judgement of standard {standard.id} needs its evidence.")
    return _append(store, inspection_id, standard.id, kind, name, text)


def withdraw_lead_rating(
    store: Store, inspection_id: str, standard_id: str, kind: str, reason: str = ""
) -> LeadRatingRecord:
    """Withdraw the judgement or override in force; the withdrawal is recorded in the history."""
    framework = framework_for(store, get_inspection(store, inspection_id))
    standard = _standard(framework, standard_id)
    _check_kind(framework, standard, kind)
    current = _in_force(store, inspection_id).get((standard.id, kind))
    if current is None:
        raise ValidationError(f"Standard {standard.id} has no {kind} in force to withdraw.")
    return _append(store, inspection_id, standard.id, kind, None, (reason or "").strip())


def lead_rating_history(store: Store, inspection_id: str, standard_id: str | None = None) -> list[LeadRatingRecord]:
    """Every decision and withdrawal, oldest first; for one standard when `standard_id` is given."""
    sql = f"SELECT {_COLUMNS} FROM lead_ratings WHERE inspection_id = ?"
    params = [inspection_id]
    if standard_id is not None:
        sql += " AND standard_id = ?"
        params.append(standard_id)
    return [LeadRatingRecord(*row) for row in store.db.execute(sql + " ORDER BY seq", params)]


def _in_force(store: Store, inspection_id: str) -> dict[tuple[str, str], LeadRatingRecord]:
    """The latest row per (standard, kind) that is not a withdrawal."""
    rows = store.db.execute(
        f"SELECT {_COLUMNS} FROM lead_ratings WHERE seq IN ("
        "SELECT MAX(seq) FROM lead_ratings WHERE inspection_id = ? GROUP BY standard_id, kind)",
        [inspection_id],
    )
    records = (LeadRatingRecord(*row) for row in rows)
    return {(r.standard_id, r.kind): r for r in records if not r.withdrawn}


def lead_decisions(store: Store, inspection_id: str, framework: Framework | None = None) -> LeadDecisions:
    """The judgements and overrides in force, as the ratings engine takes them.

    Decisions for standards the framework does not have (or of the wrong kind) are left out.
    """
    if framework is None:
        framework = framework_for(store, get_inspection(store, inspection_id))
    judgements: dict[str, LeadJudgement] = {}
    overrides: dict[str, Override] = {}
    for (standard_id, kind), record in _in_force(store, inspection_id).items():
        try:
            standard = framework.standard(standard_id)
        except KeyError:
            continue
        if kind == JUDGEMENT and not standard.computed:
            judgements[standard_id] = LeadJudgement(record.rating, record.text, record.by, record.at)
        elif kind == OVERRIDE and standard.computed:
            overrides[standard_id] = Override(record.rating, record.text, record.by, record.at)
    return LeadDecisions(judgements, overrides)
