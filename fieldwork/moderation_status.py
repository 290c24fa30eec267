"""Moderation as the app shows it, per case: headless reads for the case view and the home table.

Two sides, two sources:
- the lead sees their own moderation state and queries per case (the merge's tables, through
  fieldwork.merge.moderation);
- an inspector sees the lead's open queries that their latest allocation pack listed
  (`allocation_queries`), dated by the pack that first brought each one.

The merge package is imported only where the lead needs it: it loads the crypto stack, which an
inspector's case view has no reason to wait for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fieldwork.profile import read_profile
from fieldwork.store.db import Store
from fieldwork.store.records import Inspection

QUALITY_ASSURED_STATES = ("moderated", "agreed")
STATE_LABELS = {
    None: "Not moderated",
    "moderated": "Moderated",
    "agreed": "Agreed",
    "queries": "With queries",
}


@dataclass(frozen=True)
class ModerationMark:
    """One case's moderation at a glance (a row of the home table)."""

    state: str | None = None  # the lead's: moderated | agreed | queries | None (not moderated)
    open_queries: int = 0  # lead: raised and not answered yet; inspector: listed by the latest pack
    answered_queries: int = 0  # lead only: the inspector sent a newer answer; waiting to be closed

    @property
    def quality_assured(self) -> bool:
        return self.state in QUALITY_ASSURED_STATES

    @property
    def has_queries(self) -> bool:
        return bool(self.open_queries or self.answered_queries)


@dataclass(frozen=True)
class ReceivedLeadQuery:
    """A lead's open query as the inspector's workspace holds it."""

    case_id: str
    question_id: str
    text: str
    received_at: str  # when the pack that first brought it was opened here
    pack_sequence: int | None
    answer_changed_at: str | None  # the inspector's later change to that answer, if any

    @property
    def answer_changed_since(self) -> bool:
        return self.answer_changed_at is not None


def leads_inspection(store: Store, inspection: Inspection) -> bool:
    """This store's profile is the inspection's lead (the same rule as the main window's tabs)."""
    return inspection.lead_id is not None and inspection.lead_id == read_profile(store).person_id


# --- the lead's side --------------------------------------------------------------------------


def lead_marks(store: Store, inspection_id: str) -> dict[str, ModerationMark]:
    """Every case of the inspection the lead has moderated or queried, by case id."""
    from fieldwork.merge.moderation import list_moderation, list_queries

    states = {case_id: m.state for case_id, m in list_moderation(store, inspection_id).items()}
    open_count: dict[str, int] = {}
    answered_count: dict[str, int] = {}
    for query in list_queries(store, inspection_id):
        if query.status == "open":
            open_count[query.case_id] = open_count.get(query.case_id, 0) + 1
        elif query.status == "answered":
            answered_count[query.case_id] = answered_count.get(query.case_id, 0) + 1
    return {
        case_id: ModerationMark(states.get(case_id), open_count.get(case_id, 0), answered_count.get(case_id, 0))
        for case_id in set(states) | set(open_count) | set(answered_count)
    }


def lead_queries_for_case(store: Store, inspection_id: str, case_id: str) -> list:
    """The lead's queries on one case (every status), oldest first: fieldwork.merge.moderation.Query."""
    from fieldwork.merge.moderation import list_queries

    return [q for q in list_queries(store, inspection_id) if q.case_id == case_id]


def query_recipients(store: Store, case_id: str, inspector_id: str | None, lead_id: str | None) -> list[str]:
    """Whom the lead can ask about this case: the allocated inspector first, then anyone else
    whose answers to it were merged (a double-read case); never the lead themselves."""
    authors = [
        row[0]
        for row in store.conn.execute(
            "SELECT DISTINCT author FROM merge_versions WHERE kind = 'answer' AND case_id = ? ORDER BY author",
            [case_id],
        )
    ]
    people = [inspector_id] if inspector_id and inspector_id != lead_id else []
    return people + [a for a in authors if a not in people and a != lead_id]


def lead_case_state(store: Store, case_id: str):
    """The lead's moderation of one case (fieldwork.merge.moderation.CaseModeration), or None."""
    from fieldwork.merge.moderation import case_moderation

    return case_moderation(store, case_id)


# --- the inspector's side ---------------------------------------------------------------------

_RECEIVED_SQL = (
    "SELECT q.case_id, q.question_id, q.text, COALESCE(p.applied_at, ''), p.sequence, "
    "CASE WHEN a.updated_at > p.applied_at THEN a.updated_at END "
    "FROM allocation_queries q "
    "LEFT JOIN allocation_packs p ON p.pack_id = q.pack_id "
    "LEFT JOIN answers a ON a.case_id = q.case_id AND a.question_id = q.question_id"
)


def received_queries_for_case(store: Store, case_id: str) -> list[ReceivedLeadQuery]:
    """The lead's open queries on one case, as the latest pack listed them, oldest first."""
    rows = store.conn.execute(
        f"{_RECEIVED_SQL} WHERE q.case_id = ? ORDER BY p.applied_at, q.question_id, q.text", [case_id]
    ).fetchall()
    return [ReceivedLeadQuery(*row) for row in rows]


def inspector_marks(store: Store, inspection_id: str) -> dict[str, ModerationMark]:
    """Cases with the lead's open queries, by case id (the inspector never sees the lead's states)."""
    rows = store.conn.execute(
        "SELECT case_id, count(*) FROM allocation_queries WHERE inspection_id = ? GROUP BY case_id",
        [inspection_id],
    )
    return {case_id: ModerationMark(open_queries=count) for case_id, count in rows}


# --- both --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModerationTally:
    """How much of the inspection the lead has quality-assured."""

    cases: int
    quality_assured: int  # moderated or agreed
    with_queries: int  # open or answered queries waiting for the lead or the inspector

    @property
    def share(self) -> float:
        return self.quality_assured / self.cases if self.cases else 0.0


def tally(case_ids: Iterable[str], marks: Mapping[str, ModerationMark]) -> ModerationTally:
    ids = list(case_ids)
    shown = [marks[case_id] for case_id in ids if case_id in marks]
    return ModerationTally(
        cases=len(ids),
        quality_assured=sum(1 for mark in shown if mark.quality_assured),
        with_queries=sum(1 for mark in shown if mark.has_queries),
    )
