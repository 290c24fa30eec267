"""Reading and changing one case assessment: answers, evidence, case details and status.

Every change is one transaction that writes the new value, bumps the revision and appends
to the change log, so what the screen shows as saved is on disk with its history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldwork.assessment import AnswerValue, completion_problems, progress
from fieldwork.errors import NotFoundError, ValidationError
from fieldwork.faults import crash_point
from fieldwork.frameworks.model import Framework
from fieldwork.store.case_samples import (
    OVERRIDE,
    answers_not_counting,
    check_reason,
    log_sample,
    reapply_rule,
    why_hand_change_refused,
)
from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection
from fieldwork.store.records import CASE_STATUSES, Case, StoredAnswer
from fieldwork.store.recovery import damaged_error
from fieldwork.store.rowhash import failing_rows
from fieldwork.text import NOTE_MAX_CHARS, SURROGATES, plural

_UNSET = object()
_LOCKED_STATUSES = ("complete", "handed_over")


@dataclass(frozen=True)
class Assessment:
    """A snapshot of one case: the case row, its details and its answers."""

    case: Case
    framework: Framework
    details: dict[str, str]
    answers: dict[str, StoredAnswer] = field(default_factory=dict)

    def answer_values(self) -> dict[str, AnswerValue]:
        return {q: AnswerValue(a.value, a.note) for q, a in self.answers.items()}

    def progress(self) -> tuple[int, int]:
        return progress(self.framework, self.case.sample_id, self.answer_values())

    def completion_problems(self):
        return completion_problems(self.framework, self.case.sample_id, self.answer_values(), self.details)


@dataclass(frozen=True)
class CaseSummary:
    """One row of the inspection home: the case, the details shown there and progress."""

    case: Case
    details: dict[str, str]
    judged: int
    required: int


@dataclass(frozen=True)
class AnswerChange:
    """What one write changed; views refresh from it."""

    case_id: str
    question_id: str
    old: StoredAnswer | None
    new: StoredAnswer
    case_status: str


def get_case(store: Store, case_id: str) -> Case:
    row = store.conn.execute(
        "SELECT id, inspection_id, case_ref, sample_id, inspector_id, status, revision, created_at, "
        "updated_at FROM cases WHERE id = ?",
        [case_id],
    ).fetchone()
    if row is None:
        raise NotFoundError(f"No case with id {case_id} in this store.")
    return Case(*row)


def find_case(store: Store, inspection_id: str, case_ref: str) -> Case:
    row = store.conn.execute(
        "SELECT id FROM cases WHERE inspection_id = ? AND case_ref = ?", [inspection_id, case_ref]
    ).fetchone()
    if row is None:
        raise NotFoundError(f"No case {case_ref} in inspection {inspection_id}.")
    return get_case(store, row[0])


def _answers(store: Store, case_id: str) -> dict[str, StoredAnswer]:
    rows = store.conn.execute(
        "SELECT question_id, value, note, revision, updated_at, updated_by FROM answers WHERE case_id = ?",
        [case_id],
    ).fetchall()
    return {row[0]: StoredAnswer(*row) for row in rows}


def _details(store: Store, case_id: str) -> dict[str, str]:
    rows = store.conn.execute("SELECT field_id, value FROM case_details WHERE case_id = ?", [case_id])
    return dict(rows.fetchall())


def load_assessment(store: Store, case_id: str) -> Assessment:
    case = get_case(store, case_id)
    framework = framework_for(store, get_inspection(store, case.inspection_id))
    check_case_rows(store, case_id)
    return Assessment(case, framework, _details(store, case_id), _answers(store, case_id))


def check_case_rows(store: Store, case_id: str | None = None) -> None:
    """Refuse to show or send answers that changed on the disk since they were saved (issue 20:
    a flipped bit in evidence passes SQLite's checks). A store opened read-only because it is
    damaged shows what is left instead."""
    if store.damaged:
        return
    failing = failing_rows(store.conn, case_id=case_id, limit=1)
    if failing:
        raise damaged_error(store.path, f"is damaged ({failing[0]})")


def list_case_summaries(store: Store, inspection_id: str) -> list[CaseSummary]:
    """Every case of the inspection with its details and progress, in three queries."""
    framework = framework_for(store, get_inspection(store, inspection_id))
    cases = [
        Case(*row)
        for row in store.conn.execute(
            "SELECT id, inspection_id, case_ref, sample_id, inspector_id, status, revision, "
            "created_at, updated_at FROM cases WHERE inspection_id = ? ORDER BY case_ref",
            [inspection_id],
        )
    ]
    details: dict[str, dict[str, str]] = {c.id: {} for c in cases}
    for case_id, field_id, value in store.conn.execute(
        "SELECT d.case_id, d.field_id, d.value FROM case_details d JOIN cases c ON c.id = d.case_id "
        "WHERE c.inspection_id = ?",
        [inspection_id],
    ):
        details[case_id][field_id] = value
    judged_by_case: dict[str, set[str]] = {c.id: set() for c in cases}
    for case_id, question_id in store.conn.execute(
        "SELECT a.case_id, a.question_id FROM answers a JOIN cases c ON c.id = a.case_id "
        "WHERE c.inspection_id = ? AND a.value IS NOT NULL",
        [inspection_id],
    ):
        judged_by_case[case_id].add(question_id)
    summaries = []
    for case in cases:
        required = {kq.id for kq in framework.key_questions_for_sample(case.sample_id)}
        summaries.append(CaseSummary(case, details[case.id], len(required & judged_by_case[case.id]), len(required)))
    return summaries


def _check_writable(case: Case) -> None:
    if case.status in _LOCKED_STATUSES:
        raise ValidationError(
            f"Case {case.case_ref} is marked {case.status.replace('_', ' ')}; reopen it to change it."
        )


def _touch_case(store: Store, case: Case, now: str, source: str) -> str:
    """Bump the case revision; a first change moves Not started to In progress."""
    status = "in_progress" if case.status == "not_started" else case.status
    store.conn.execute(
        "UPDATE cases SET revision = revision + 1, updated_at = ?, status = ? WHERE id = ?",
        [now, status, case.id],
    )
    if status != case.status:
        append_change(store, case.inspection_id, case.id, "case", case.case_ref, "status", case.status, status, source)
    return status


def set_answer(
    store: Store,
    case_id: str,
    question_id: str,
    *,
    value=_UNSET,
    note=_UNSET,
    source: str = "app",
) -> AnswerChange | None:
    """Record a prompt answer or key-question judgement and/or its evidence text.

    `value` may be "yes", "no", "na" or None (clear). Returns None when nothing changed.
    """
    case = get_case(store, case_id)
    _check_writable(case)
    framework = framework_for(store, get_inspection(store, case.inspection_id))
    kind = framework.question_kind(question_id)
    if kind == "key_question":
        question = framework.key_question(question_id)
        if framework.standard(question.standard_id).sample_id != case.sample_id:
            raise ValidationError(f"{question_id} is not asked of cases in this case's sample.")
    elif kind == "prompt":
        question = framework.prompt(question_id)
        parent = framework.parent_key_question(question_id)
        if framework.standard(parent.standard_id).sample_id != case.sample_id:
            raise ValidationError(f"{question_id} is not asked of cases in this case's sample.")
    else:
        raise ValidationError(f"'{question_id}' is not a key question or prompt of {framework.id}.")
    if value is not _UNSET and value is not None and value not in question.allowed():
        allowed = ", ".join(question.allowed())
        raise ValidationError(f"'{value}' is not an allowed answer to {question_id} (allowed: {allowed}).")
    if kind == "prompt" and note is not _UNSET and note:
        raise ValidationError("Evidence text belongs to the key question, not to a prompt.")
    if note is not _UNSET:
        _check_note(note)

    with store.transaction():
        old = _answers_one(store, case_id, question_id)
        new = next_answer(store, question_id, old, value, note)
        if new is None:
            return None
        now, new_value, new_note = new.updated_at, new.value, new.note
        store.conn.execute(
            "INSERT INTO answers (case_id, question_id, value, note, revision, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, question_id) DO UPDATE SET "
            "value = excluded.value, note = excluded.note, revision = excluded.revision, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            [case_id, question_id, new.value, new.note, new.revision, now, store.actor],
        )
        _settle_conflict(store, "answer", case_id, question_id)
        old_value, old_note = (old.value, old.note) if old else (None, "")
        if old_value != new_value:
            append_change(
                store, case.inspection_id, case_id, "answer", question_id, "value", old_value, new_value, source
            )
        if old_note != new_note:
            append_change(store, case.inspection_id, case_id, "answer", question_id, "note", old_note, new_note, source)
        status = _touch_case(store, case, now, source)
        crash_point("answer.before_commit")  # fault injection (issue 7): no-op in normal use
    crash_point("answer.after_commit")
    return AnswerChange(case_id, question_id, old, new, status)


def next_answer(store: Store, question_id: str, old: StoredAnswer | None, value, note) -> StoredAnswer | None:
    """The answer a save makes of `old` (value or note left as they are when _UNSET), with the next
    revision, this store's actor and time; None when the save changes nothing. Case answers and
    the premises' answers (store/premises.py) are revised the same way."""
    new_value = (old.value if old else None) if value is _UNSET else value
    new_note = (old.note if old else "") if note is _UNSET else note
    if old and (old.value, old.note) == (new_value, new_note):
        return None
    if old is None and new_value is None and new_note == "":
        return None
    return StoredAnswer(question_id, new_value, new_note, (old.revision if old else 0) + 1, store.now(), store.actor)


def _check_note(note: str) -> None:
    """Evidence the app stores is evidence a bundle can carry (docs/bundle-format.md §7)."""
    if len(note) > NOTE_MAX_CHARS:
        raise ValidationError(
            f"This evidence is {len(note):,} characters long; at most {NOTE_MAX_CHARS:,} can be saved for one "
            "question. Shorten it (keep the full text in your own notes) and save again."
        )
    if SURROGATES.search(note):
        raise ValidationError("This evidence contains characters that are not text; remove them and save again.")


def _settle_conflict(store: Store, kind: str, case_id: str, key: str) -> None:
    """In a lead's central database, editing an answer or detail two inspectors disagree on is the
    lead's decision (docs/decisions/0007-merge-rules.md): it is no longer an open conflict. The edit
    is in the change log now, and kept as the lead's version when a bundle next touches it."""
    store.conn.execute(
        "DELETE FROM merge_open_conflicts WHERE kind = ? AND case_id = ? AND key = ?", [kind, case_id, key]
    )


def _answers_one(store: Store, case_id: str, question_id: str) -> StoredAnswer | None:
    row = store.conn.execute(
        "SELECT question_id, value, note, revision, updated_at, updated_by FROM answers "
        "WHERE case_id = ? AND question_id = ?",
        [case_id, question_id],
    ).fetchone()
    return StoredAnswer(*row) if row else None


def set_detail(store: Store, case_id: str, field_id: str, raw_value: str, *, source: str = "app") -> str | None:
    """Set a case detail from user input; returns the stored value, None when unchanged."""
    case = get_case(store, case_id)
    _check_writable(case)
    framework = framework_for(store, get_inspection(store, case.inspection_id))
    try:
        field_def = framework.case_detail(field_id)
    except KeyError:
        raise ValidationError(f"'{field_id}' is not a case detail of {framework.id}.") from None
    try:
        value = field_def.normalise(raw_value)
    except ValueError as exc:
        raise ValidationError(f"{field_def.label}: {exc}.") from None
    with store.transaction():
        row = store.conn.execute(
            "SELECT value, revision FROM case_details WHERE case_id = ? AND field_id = ?", [case_id, field_id]
        ).fetchone()
        old_value, revision = (row[0], row[1]) if row else ("", 0)
        if old_value == value:
            return None
        now = store.now()
        store.conn.execute(
            "INSERT INTO case_details (case_id, field_id, value, revision, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, field_id) DO UPDATE SET "
            "value = excluded.value, revision = excluded.revision, updated_at = excluded.updated_at, "
            "updated_by = excluded.updated_by",
            [case_id, field_id, value, revision + 1, now, store.actor],
        )
        _settle_conflict(store, "detail", case_id, field_id)
        append_change(store, case.inspection_id, case_id, "detail", field_id, "value", old_value, value, source)
        reapply_rule(store, framework, case, source)  # only before any answer, and never over a person's choice
        _touch_case(store, case, now, source)
    return value


def latest_sample_reason(store: Store, case_id: str) -> str:
    """The latest reason recorded for the case's sample; "" when none was (no sample rules)."""
    row = store.conn.execute(
        "SELECT new FROM change_log WHERE case_id = ? AND target = 'case' AND field = 'sample_reason' "
        "ORDER BY seq DESC LIMIT 1",
        [case_id],
    ).fetchone()
    return row[0] if row else ""


@dataclass(frozen=True)
class SampleChange:
    case_id: str
    old: str
    new: str
    not_counting: list[str]  # answered questions the new set does not ask: kept, not counted


def change_sample(store: Store, case_id: str, sample_id: str, reason: str, *, source: str = "app") -> SampleChange:
    """Put a case in another sample (question set) by hand, with a reason kept in its change log.

    Answers are never deleted; those the new set does not ask are named in `not_counting`.
    """
    case = get_case(store, case_id)
    _check_writable(case)
    framework = framework_for(store, get_inspection(store, case.inspection_id))
    if sample_id not in {s.id for s in framework.samples}:
        allowed = ", ".join(s.id for s in framework.samples)
        raise ValidationError(f"'{sample_id}' is not a sample of {framework.id}; use one of: {allowed}.")
    if sample_id == case.sample_id:
        raise ValidationError(f"Case {case.case_ref} is already in {framework.sample(sample_id).title}.")
    reason = check_reason(reason)
    refusal = why_hand_change_refused(store, case)
    if refusal:
        raise ValidationError(refusal)
    with store.transaction():
        store.conn.execute("UPDATE cases SET sample_id = ? WHERE id = ?", [sample_id, case_id])
        log_sample(store, case, OVERRIDE, case.sample_id, sample_id, reason, source)
        _touch_case(store, case, store.now(), source)
        not_counting = answers_not_counting(store, framework, case_id, sample_id)
    return SampleChange(case_id, case.sample_id, sample_id, not_counting)


def set_status(store: Store, case_id: str, status: str, *, source: str = "app") -> Case:
    """Mark a case complete (only when nothing is missing), reopen it, or hand it over."""
    if status not in CASE_STATUSES:
        raise ValidationError(f"'{status}' is not a case status ({', '.join(CASE_STATUSES)}).")
    assessment = load_assessment(store, case_id)
    case = assessment.case
    if status == case.status:
        return case
    if status == "complete":
        missing = assessment.completion_problems()
        if missing:
            raise ValidationError(
                f"Case {case.case_ref} cannot be marked complete: {plural(len(missing), 'item')} missing, "
                f"first: {missing[0].message}"
            )
    if case.status == "handed_over":
        raise ValidationError(f"Case {case.case_ref} has been handed over and cannot change status.")
    with store.transaction():
        now = store.now()
        store.conn.execute(
            "UPDATE cases SET status = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
            [status, now, case_id],
        )
        field_name = "reopened" if case.status == "complete" and status == "in_progress" else "status"
        append_change(
            store, case.inspection_id, case_id, "case", case.case_ref, field_name, case.status, status, source
        )
    return get_case(store, case_id)
