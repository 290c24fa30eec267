"""Work that counts only once the lead accepts it: what a bundle does beyond its signer's own cases.

A valid signature proves who sent a bundle, not that its signer was meant to read those cases
(decision 0019). So the merge writes, per (case, inspector) the first time that inspector's bundle
brings the case, whether their work on it counts:
- the case is allocated to them in the lead's store: it counts (`allocated`);
- they added the case by hand (`added`), it is allocated to nobody (`unallocated`) or to someone
  else (`other`): their versions are stored, with the bundle that brought them, but held out of
  the central answers and case details — so out of the ratings, reports and agreement figures —
  until the lead accepts them with `accept_held` (one action for everything waiting in the
  inspection; each case accepted is written in the change log).
A row keeps its state: reallocating a case later never hides work that already counted. Deciding
a case-reference conflict (conflicts.resolve_case_conflict) is the lead's decision about that case,
so it counts the joining reader's work (`joined`). Work merged before this rule existed counts as
it did (`earlier`, written by migration 7).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from fieldwork.errors import StoreLockedError
from fieldwork.merge import apply
from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store
from fieldwork.text import plural

WAITING_REASONS = ("added", "unallocated", "other")
ACCEPT_SOURCE = "merge-acceptance"


def held_version(alias: str = "v") -> str:
    """SQL: the version `alias` is by an inspector whose work on its case is held."""
    return (
        f"EXISTS (SELECT 1 FROM merge_case_readers h WHERE h.case_id = {alias}.case_id "
        f"AND h.inspector_id = {alias}.author AND h.counted = 0)"
    )


WAITING_CASE_IDS = "SELECT w.case_id FROM merge_case_readers w WHERE w.reason = 'added' AND w.counted = 0"


def waiting_case(alias: str = "c") -> str:
    """SQL: the case `alias` was added by hand in a bundle and the lead has not accepted it yet
    (its reports do not count: it is left out of case counts and progress until accepted).
    WAITING_CASE_IDS is the same set as a list of case ids, for queries that start from it."""
    return (
        f"EXISTS (SELECT 1 FROM merge_case_readers w WHERE w.case_id = {alias}.id AND w.reason = 'added' "
        "AND w.counted = 0)"
    )


@dataclass(frozen=True)
class Held:
    """What is held for the lead's acceptance (of one bundle, or waiting in an inspection)."""

    cases_added: int = 0  # cases added by hand
    cases_not_allocated: int = 0  # cases allocated to nobody or to another inspector
    answers_on_others_cases: int = 0  # answers on a case allocated to another inspector

    def __bool__(self) -> bool:
        return bool(self.cases_added or self.cases_not_allocated or self.answers_on_others_cases)

    def to_json(self) -> dict:
        return {
            "cases_added": self.cases_added,
            "cases_not_allocated": self.cases_not_allocated,
            "answers_on_others_cases": self.answers_on_others_cases,
        }

    def sentence(self, who: str | None = None) -> str:
        """E.g. "2 cases added by hand, 1 case not allocated to ann and 5 answers on another
        inspector's case are held out of the ratings until you accept them"."""
        parts = []
        if self.cases_added:
            parts.append(f"{plural(self.cases_added, 'case')} added by hand")
        if self.cases_not_allocated:
            sent = "it" if self.cases_not_allocated == 1 else "them"
            target = f"not allocated to {who}" if who else f"not allocated to the inspector who sent {sent}"
            parts.append(f"{plural(self.cases_not_allocated, 'case')} {target}")
        if self.answers_on_others_cases:
            parts.append(f"{plural(self.answers_on_others_cases, 'answer')} on another inspector's case")
        if not parts:
            return ""
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"{listed}: held out of the ratings until you accept them"


def _json(ids: Iterable[str]) -> str:
    return json.dumps(list(ids))


def record_readers(conn: sqlite3.Connection, signer: str, case_ids: Iterable[str]) -> None:
    """Write the (case, signer) row of each case here (in the central tables) that has none yet."""
    conn.execute(
        "INSERT OR IGNORE INTO merge_case_readers (case_id, inspector_id, inspection_id, reason, counted) "
        "SELECT id, ?1, inspection_id, reason, reason = 'allocated' FROM ("
        "  SELECT c.id, c.inspection_id, CASE"
        "    WHEN EXISTS (SELECT 1 FROM merge_case_origins o WHERE o.case_id = c.id AND o.inspector_id = ?1)"
        "      THEN 'added'"
        "    WHEN c.inspector_id = ?1 THEN 'allocated'"
        "    WHEN c.inspector_id IS NULL THEN 'unallocated'"
        "    ELSE 'other' END AS reason"
        "  FROM cases c WHERE c.id IN (SELECT value FROM json_each(?2)))",
        [signer, _json(set(case_ids))],
    )


def any_held(conn: sqlite3.Connection, signer: str, case_ids: Iterable[str]) -> bool:
    """Is the signer's work on any of these cases held?"""
    return conn.execute(
        "SELECT EXISTS (SELECT 1 FROM merge_case_readers WHERE inspector_id = ? AND counted = 0 "
        "AND case_id IN (SELECT value FROM json_each(?)))",
        [signer, _json(set(case_ids))],
    ).fetchone()[0] == 1


def count_readers_joined(conn: sqlite3.Connection, case_id: str, inspector_id: str, inspection_id: str) -> None:
    """The lead decided a kept-aside case is this case or a separate one: its reader's work counts."""
    conn.execute(
        "INSERT INTO merge_case_readers (case_id, inspector_id, inspection_id, reason, counted) "
        "VALUES (?, ?, ?, 'joined', 1) ON CONFLICT (case_id, inspector_id) DO UPDATE SET counted = 1",
        [case_id, inspector_id, inspection_id],
    )


def held_in_bundle(conn: sqlite3.Connection, signer: str, answers_per_case: Counter) -> Held:
    """What of one bundle (its answers counted per target case id) is held now."""
    reasons = dict(conn.execute(
        "SELECT case_id, reason FROM merge_case_readers WHERE inspector_id = ? AND counted = 0 "
        "AND case_id IN (SELECT value FROM json_each(?))",
        [signer, _json(answers_per_case)],
    ).fetchall())
    return Held(
        cases_added=sum(1 for r in reasons.values() if r == "added"),
        cases_not_allocated=sum(1 for r in reasons.values() if r in ("unallocated", "other")),
        answers_on_others_cases=sum(answers_per_case[c] for c, r in reasons.items() if r == "other"),
    )


@dataclass(frozen=True)
class WaitingCase:
    """One inspector's held work on one case."""

    case_id: str
    case_ref: str
    inspector_id: str
    reason: str  # added | unallocated | other
    allocated_to: str | None
    answers: int  # their answers on it (questions with a version from them)

    def to_json(self) -> dict:
        return {
            "case_ref": self.case_ref, "case_id": self.case_id, "inspector_id": self.inspector_id,
            "reason": self.reason, "allocated_to": self.allocated_to, "answers": self.answers,
        }


def list_waiting(store: Store, inspection_id: str) -> list[WaitingCase]:
    """Everything held for the lead's acceptance in the inspection, by case reference."""
    rows = store.db.execute(
        "SELECT r.case_id, c.case_ref, r.inspector_id, r.reason, c.inspector_id, "
        "(SELECT COUNT(DISTINCT v.key) FROM merge_versions v WHERE v.kind = 'answer' AND v.case_id = r.case_id "
        " AND v.author = r.inspector_id) "
        "FROM merge_case_readers r JOIN cases c ON c.id = r.case_id "
        "WHERE r.inspection_id = ? AND r.counted = 0 ORDER BY c.case_ref, r.inspector_id",
        [inspection_id],
    )
    return [WaitingCase(*row) for row in rows]


def waiting_totals(items: Iterable[WaitingCase]) -> Held:
    items = list(items)
    return Held(
        cases_added=sum(1 for w in items if w.reason == "added"),
        cases_not_allocated=sum(1 for w in items if w.reason in ("unallocated", "other")),
        answers_on_others_cases=sum(w.answers for w in items if w.reason == "other"),
    )


@dataclass(frozen=True)
class Accepted:
    inspection_id: str
    cases: int  # (case, inspector) pairs now counted
    held: Held  # what they were

    def to_json(self) -> dict:
        return {"inspection_id": self.inspection_id, "accepted": self.cases, **self.held.to_json()}


def accept_held(store: Store, inspection_id: str) -> Accepted:
    """The lead accepts everything held in the inspection: it counts from now on.

    The accepted versions are numbered as arriving now, so no decision the lead made before
    (which could not see them) counts them as settled; the lead's own edits of those answers are
    kept as versions first. Each case accepted is written in the change log (source
    `merge-acceptance`, old = why it was held, new = whose work)."""
    if store.read_only:
        raise StoreLockedError(
            "This store is open in another fieldwork window, so nothing can be accepted here; close the "
            "other window and try again."
        )
    from fieldwork.merge import cases, sample_moves  # read bundle records: kept out of the app's start-up (agreement)

    waiting = list_waiting(store, inspection_id)
    if not waiting:
        return Accepted(inspection_id, 0, Held())
    conn = store.db.conn
    apply.prepare(conn)
    with store.transaction():
        pairs = _json([[w.case_id, w.inspector_id] for w in waiting])
        chosen = (
            "(SELECT json_extract(value, '$[0]') AS case_id, json_extract(value, '$[1]') AS author "
            "FROM json_each(?))"
        )
        keys = conn.execute(
            f"SELECT DISTINCT v.kind, v.case_id, v.key FROM {chosen} p "
            "JOIN merge_versions v ON v.case_id = p.case_id AND v.author = p.author",
            [pairs],
        ).fetchall()
        apply.set_keys(conn, keys)
        apply.capture_local(conn)  # the lead's own edits of these answers become versions first
        top = apply.max_version_id(conn)
        conn.execute(
            "UPDATE merge_versions SET id = id + ? WHERE (case_id, author) IN "
            f"(SELECT case_id, author FROM {chosen})",
            [top, pairs],
        )
        now = store.now()
        conn.execute(
            "UPDATE merge_case_readers SET counted = 1, accepted_by = ?, accepted_at = ? "
            "WHERE inspection_id = ? AND counted = 0",
            [store.actor, now, inspection_id],
        )
        apply.set_keys(conn, keys)
        apply.recompute(conn)
        conn.execute("DELETE FROM temp.merge_keys")
        cases.refresh_status(conn, {w.case_id for w in waiting})
        for w in waiting:
            sample_moves.settle(conn, w.case_id, w.inspector_id)  # a change of set waiting with the work
            append_change(store, inspection_id, w.case_id, "case", w.case_ref, "accepted", w.reason, w.inspector_id,
                          ACCEPT_SOURCE)
    return Accepted(inspection_id, len(waiting), waiting_totals(waiting))
