"""Which sample (question set) a case is in: chosen by the framework's rule, or by hand with a reason.

Every choice is in the case's change log (docs/decisions/0034-question-sets-chosen-by-rule.md):

- `sample_rule`     old → new, the framework's `[[sample_rules]]` chose it (when the case was
                    added, or when its details changed before any answer existed);
- `sample_override` old → new, a person chose it (at `case add` with a sample differing from
                    the rule's, or by changing the set later); the rule never moves it again;
- `sample_reason`   the why, right after either: the rule's description or the person's reason.

Answers are never deleted when the set changes: those to questions the new set does not ask are
kept, and `answers_not_counting` names them (the ratings only count the case's own set).

A change by hand travels (decision 0036): the lead's in the next allocation pack (packs/apply.py),
an inspector's in their next bundle (merge/sample_moves.py). The rule never moves a case that has
travelled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from fieldwork.errors import ValidationError
from fieldwork.frameworks.model import Framework
from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store
from fieldwork.store.records import Case
from fieldwork.text import DETAIL_MAX_CHARS, is_one_line

RULE, OVERRIDE, REASON = "sample_rule", "sample_override", "sample_reason"


def rule_reason(framework: Framework, details: Mapping[str, str]) -> str:
    sample_id, rule = framework.sample_by_rule(details)
    if rule is None:
        return f"No sample rule matched the case details: the default, {framework.sample(sample_id).title}."
    return rule.description or f"The framework's rule for {framework.sample(sample_id).title}."


def initial_sample(framework: Framework, given: str | None, details: Mapping[str, str]) -> tuple[str, str | None, str]:
    """(sample id, change-log field or None, reason) for a case being added.

    Without sample rules nothing changes from before: the given sample or the default, no
    extra record. With rules, a given sample that differs from the rule's is a choice by hand.
    """
    if not framework.sample_rules:
        return given or framework.default_sample.id, None, ""
    by_rule, _ = framework.sample_by_rule(details)
    if given is None or given == by_rule:
        return by_rule, RULE, rule_reason(framework, details)
    return given, OVERRIDE, (
        f"Given when the case was added; the rule would choose {framework.sample(by_rule).title}."
    )


def log_sample(store: Store, case: Case, field: str, old: str | None, new: str, reason: str, source: str) -> None:
    """Record a sample choice and its reason; call inside the transaction that makes it."""
    append_change(store, case.inspection_id, case.id, "case", case.case_ref, field, old, new, source)
    append_change(store, case.inspection_id, case.id, "case", case.case_ref, REASON, None, reason, source)


def chosen_by_hand(store: Store, case_id: str) -> bool:
    return (
        store.db.execute(
            "SELECT 1 FROM change_log WHERE case_id = ? AND target = 'case' AND field = ? LIMIT 1",
            [case_id, OVERRIDE],
        ).fetchone()
        is not None
    )


def answered_questions(store: Store, case_id: str) -> list[str]:
    """The questions of this case holding an answer or evidence (cleared ones do not count)."""
    rows = store.db.execute(
        "SELECT question_id FROM answers WHERE case_id = ? AND (value IS NOT NULL OR note != '') "
        "ORDER BY question_id",
        [case_id],
    ).fetchall()
    return [row[0] for row in rows]


def answers_not_counting(store: Store, framework: Framework, case_id: str, sample_id: str) -> list[str]:
    """Answered questions that the case's set does not ask: kept, but not counted."""
    asked = set()
    for question in framework.key_questions_for_sample(sample_id):
        asked.add(question.id)
        asked.update(p.id for p in question.prompts)
    return [q for q in answered_questions(store, case_id) if q not in asked]


def has_travelled(store: Store, case: Case) -> str | None:
    """How the case left this workspace, or None: the rule never moves a case that travelled.

    A set chosen by hand travels (decision 0036); a move by the rule would not say who chose it
    in the other workspace, so once a case has travelled its details never move it again.
    """
    if store.db.execute("SELECT 1 FROM allocation_cases WHERE case_id = ?", [case.id]).fetchone():
        return "received in an allocation pack"
    if case.inspector_id and store.db.execute(
        "SELECT 1 FROM allocation_pack_exports WHERE inspection_id = ? AND inspector_id = ? LIMIT 1",
        [case.inspection_id, case.inspector_id],
    ).fetchone():
        return "sent to its inspector in an allocation pack"
    if store.db.execute("SELECT 1 FROM merge_case_origins WHERE case_id = ?", [case.id]).fetchone():
        return "merged from an inspector's bundle"
    if store.db.execute(
        "SELECT 1 FROM bundle_exports WHERE inspection_id = ? AND created_at >= ? LIMIT 1",
        [case.inspection_id, case.created_at],
    ).fetchone():
        return "sent to the lead in a bundle"
    return None


def why_hand_change_refused(store: Store, case: Case) -> str | None:
    """A change by hand is refused only where it could never reach the lead: an inspector's case
    that a later pack moved to someone else (decision 0036)."""
    row = store.db.execute("SELECT moved_away_at FROM allocation_cases WHERE case_id = ?", [case.id]).fetchone()
    if row is not None and row[0] is not None:
        return (
            f"Case {case.case_ref} is no longer allocated to you (a later pack moved it to another inspector), "
            "so its question set is the lead's to change; ask the lead."
        )
    return None


@dataclass(frozen=True)
class SampleMove:
    """A case's latest move from one set to another, as its change log holds it (what a pack carries)."""

    old: str
    new: str
    reason: str
    actor: str
    at: str
    source: str


def latest_moves(store: Store, case_ids: list[str]) -> dict[str, SampleMove]:
    """Each case's latest change of set (by hand or by the rule, old → new), with its reason."""
    rows = store.db.execute(
        "SELECT m.case_id, m.old, m.new, m.actor, m.at, m.source, (SELECT r.new FROM change_log r "
        "  WHERE r.case_id = m.case_id AND r.field = ? AND r.seq > m.seq AND r.actor = m.actor ORDER BY r.seq LIMIT 1) "
        "FROM change_log m WHERE m.seq IN (SELECT MAX(l.seq) FROM change_log l "
        "  WHERE l.case_id IN (SELECT value FROM json_each(?)) AND l.target = 'case' AND l.field IN (?, ?) "
        "  AND l.old IS NOT NULL AND l.new IS NOT NULL GROUP BY l.case_id)",
        [REASON, json.dumps(list(case_ids)), RULE, OVERRIDE],
    ).fetchall()
    return {
        case_id: SampleMove(old, new, reason or "", actor, at, source)
        for case_id, old, new, actor, at, source, reason in rows
    }


def reapply_rule(store: Store, framework: Framework, case: Case, source: str) -> str | None:
    """After a detail change: move the case to the rule's sample if nothing pins it. Returns the new id.

    Nothing pins it when the framework has rules, no person chose the set, no answer exists, and
    the case has not travelled (in a pack or a bundle). Call inside the detail change's transaction.
    """
    if not framework.sample_rules or chosen_by_hand(store, case.id) or answered_questions(store, case.id):
        return None
    if has_travelled(store, case) is not None:
        return None
    details = dict(
        store.db.execute("SELECT field_id, value FROM case_details WHERE case_id = ?", [case.id]).fetchall()
    )
    sample_id, _ = framework.sample_by_rule(details)
    if sample_id == case.sample_id:
        return None
    store.db.execute("UPDATE cases SET sample_id = ? WHERE id = ?", [sample_id, case.id])
    log_sample(store, case, RULE, case.sample_id, sample_id, rule_reason(framework, details), source)
    return sample_id


def check_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise ValidationError("Say why the question set changes: a reason is required and kept in the change log.")
    if not is_one_line(text, DETAIL_MAX_CHARS):
        raise ValidationError(
            f"The reason must be one line of at most {DETAIL_MAX_CHARS:,} characters; shorten it and try again."
        )
    return text
