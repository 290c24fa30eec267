"""The answers given once for the premises (decision 0037): read, change, and their history.

A standard with basis = "premises" (an approved premises) is not answered case by case: the
lead answers each of its prompts, and each of its key questions that has no prompts, once for
the inspection, Yes / No / Not applicable with evidence. Every change is one transaction that
writes the new value, bumps the revision and appends to the change log (who, when, old → new),
like a case answer. The answers stay in the lead's database: they are never in a pack or a
bundle, so no colleague's file can change them.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.errors import ValidationError
from fieldwork.frameworks.model import Framework
from fieldwork.store.assessments import _UNSET, _check_note, next_answer
from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection
from fieldwork.store.records import ChangeLogEntry, StoredAnswer

# The change log's fields for a premises answer (target 'inspection', no case).
VALUE_FIELD, NOTE_FIELD = "premises_value", "premises_note"


@dataclass(frozen=True)
class PremisesChange:
    """What one write changed; views refresh from it."""

    inspection_id: str
    question_id: str
    old: StoredAnswer | None
    new: StoredAnswer


def _framework_with_premises(store: Store, inspection_id: str) -> Framework:
    framework = framework_for(store, get_inspection(store, inspection_id))
    if not framework.premises_standards:
        raise ValidationError(
            f"{framework.id} has no standard answered for the premises; its standards are answered case by case "
            "or rated by the lead's judgement."
        )
    return framework


def premises_answers(store: Store, inspection_id: str) -> dict[str, StoredAnswer]:
    """The premises' answers in force, by question id."""
    rows = store.db.execute(
        "SELECT question_id, value, note, revision, updated_at, updated_by FROM premises_answers "
        "WHERE inspection_id = ?",
        [inspection_id],
    )
    return {row[0]: StoredAnswer(*row) for row in rows}


def premises_values(store: Store, inspection_id: str) -> dict[str, str]:
    """question id → yes/no/na, as the ratings engine takes them (unanswered left out)."""
    return {q: a.value for q, a in premises_answers(store, inspection_id).items() if a.value}


def set_premises_answer(
    store: Store, inspection_id: str, question_id: str, *, value=_UNSET, note=_UNSET, source: str = "app"
) -> PremisesChange | None:
    """Record the premises' answer to one prompt (or prompt-less key question) and/or its evidence.

    `value` may be "yes", "no", "na" (where the question allows it) or None (clear); `note` is the
    evidence. Returns None when nothing changed.
    """
    framework = _framework_with_premises(store, inspection_id)
    try:
        question = framework.premises_question(question_id)
    except KeyError:
        known = ", ".join(item.id for s in framework.premises_standards for item in s.premises_questions)
        raise ValidationError(
            f"'{question_id}' is not answered for the premises in {framework.id}; answer one of: {known}."
        ) from None
    if value is not _UNSET and value is not None and value not in question.allowed():
        allowed = ", ".join(question.allowed())
        raise ValidationError(f"'{value}' is not an allowed answer to {question_id} (allowed: {allowed}).")
    if note is not _UNSET:
        note = note if note is not None else ""
        _check_note(note)
    with store.transaction():
        old = premises_answers(store, inspection_id).get(question_id)
        new = next_answer(store, question_id, old, value, note)
        if new is None:
            return None
        now, new_value, new_note = new.updated_at, new.value, new.note
        store.db.execute(
            "INSERT INTO premises_answers (inspection_id, question_id, value, note, revision, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (inspection_id, question_id) DO UPDATE SET "
            "value = excluded.value, note = excluded.note, revision = excluded.revision, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            [inspection_id, question_id, new.value, new.note, new.revision, now, store.actor],
        )
        old_value, old_note = (old.value, old.note) if old else (None, "")
        if old_value != new_value:
            append_change(store, inspection_id, None, "inspection", question_id, VALUE_FIELD, old_value, new_value,
                          source)
        if old_note != new_note:
            append_change(store, inspection_id, None, "inspection", question_id, NOTE_FIELD, old_note, new_note, source)
    return PremisesChange(inspection_id, question_id, old, new)


def premises_history(store: Store, inspection_id: str, question_id: str | None = None) -> list[ChangeLogEntry]:
    """Every change to the premises' answers, oldest first; for one question when given."""
    sql = (
        "SELECT seq, id, at, actor, case_id, target, key, field, old, new, source FROM change_log "
        "WHERE inspection_id = ? AND case_id IS NULL AND target = 'inspection' AND field IN (?, ?)"
    )
    params: list = [inspection_id, VALUE_FIELD, NOTE_FIELD]
    if question_id is not None:
        sql += " AND key = ?"
        params.append(question_id)
    return [ChangeLogEntry(*row) for row in store.db.execute(sql + " ORDER BY seq", params)]
