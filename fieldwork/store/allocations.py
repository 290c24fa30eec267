"""What applied allocation packs left in the inspector's store, read without the pack machinery.

The home view shows moved-away cases and the lead's queries at every refresh; reading them here
keeps the crypto stack that `fieldwork.packs` imports out of the app's start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.store.db import Store


@dataclass(frozen=True)
class MovedAway:
    case_id: str
    moved_away_at: str
    pack_id: str


@dataclass(frozen=True)
class ReceivedQuery:
    case_id: str
    case_ref: str
    question_id: str
    text: str


def moved_away_cases(store: Store, inspection_id: str) -> dict[str, MovedAway]:
    """Cases of the inspection that a later pack moved to another inspector, by case id."""
    rows = store.conn.execute(
        "SELECT case_id, moved_away_at, moved_away_pack_id FROM allocation_cases "
        "WHERE inspection_id = ? AND moved_away_at IS NOT NULL",
        [inspection_id],
    )
    return {row[0]: MovedAway(*row) for row in rows}


def received_queries(store: Store, inspection_id: str) -> list[ReceivedQuery]:
    """The lead's open moderation queries as the latest applied pack listed them."""
    rows = store.conn.execute(
        "SELECT q.case_id, c.case_ref, q.question_id, q.text FROM allocation_queries q "
        "JOIN cases c ON c.id = q.case_id WHERE q.inspection_id = ? ORDER BY c.case_ref, q.question_id, q.text",
        [inspection_id],
    )
    return [ReceivedQuery(*row) for row in rows]
