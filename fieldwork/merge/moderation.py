"""Moderation: the lead's state per case and queries per question.

Open queries travel to the inspector in the next allocation pack (the pack reads open rows of
`moderation_queries`); when a bundle of that inspector's brings a newer version of the answer,
changed after the pack with the query was opened (the bundle's `queries_seen` says when), the
merge marks the query answered; the lead closes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.errors import NotFoundError, ValidationError
from fieldwork.store.assessments import get_case
from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection

MODERATION_STATES = ("moderated", "agreed", "queries")
QUERY_STATUSES = ("open", "answered", "closed")


@dataclass(frozen=True)
class CaseModeration:
    case_id: str
    state: str
    note: str
    set_by: str
    set_at: str

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Query:
    id: str
    inspection_id: str
    case_id: str
    case_ref: str
    question_id: str
    inspector_id: str
    text: str
    status: str
    raised_by: str
    raised_at: str
    answered_at: str | None
    answered_version_id: int | None
    closed_by: str | None
    closed_at: str | None

    def to_json(self) -> dict:
        return dict(self.__dict__)


def set_case_moderation(store: Store, case_id: str, state: str, note: str = "") -> CaseModeration:
    """Mark a case moderated, agreed or with queries (logged in the change log)."""
    if state not in MODERATION_STATES:
        raise ValidationError(f"'{state}' is not a moderation state ({', '.join(MODERATION_STATES)}).")
    case = get_case(store, case_id)
    with store.transaction():
        _set_state(store, case, state, note)
    result = case_moderation(store, case_id)
    assert result is not None
    return result


def clear_case_moderation(store: Store, case_id: str) -> CaseModeration | None:
    """Take the case's mark away (say it was set by mistake): the case is not moderated again.
    Logged in the change log with the state it had; its queries are untouched. Returns the
    mark that was cleared, or None when the case had none (nothing changes)."""
    case = get_case(store, case_id)
    with store.transaction():
        old = case_moderation(store, case.id)
        if old is None:
            return None
        store.conn.execute("DELETE FROM merge_case_moderation WHERE case_id = ?", [case.id])
        append_change(
            store, case.inspection_id, case.id, "case", case.case_ref, "moderation", old.state, None, "moderation"
        )
    return old


def _set_state(store: Store, case, state: str, note: str) -> None:
    old = case_moderation(store, case.id)
    store.conn.execute(
        "INSERT INTO merge_case_moderation (case_id, state, note, set_by, set_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (case_id) DO UPDATE SET state = excluded.state, note = excluded.note, set_by = excluded.set_by, "
        "set_at = excluded.set_at",
        [case.id, state, note, store.actor, store.now()],
    )
    if old is None or old.state != state:
        append_change(
            store, case.inspection_id, case.id, "case", case.case_ref, "moderation", old.state if old else None, state,
            "moderation",
        )


def case_moderation(store: Store, case_id: str) -> CaseModeration | None:
    row = store.conn.execute(
        "SELECT case_id, state, note, set_by, set_at FROM merge_case_moderation WHERE case_id = ?", [case_id]
    ).fetchone()
    return CaseModeration(*row) if row else None


def list_moderation(store: Store, inspection_id: str) -> dict[str, CaseModeration]:
    """Moderation state of every moderated case of the inspection, by case id."""
    rows = store.conn.execute(
        "SELECT m.case_id, m.state, m.note, m.set_by, m.set_at FROM merge_case_moderation m "
        "JOIN cases c ON c.id = m.case_id WHERE c.inspection_id = ?",
        [inspection_id],
    )
    return {row[0]: CaseModeration(*row) for row in rows}


def add_query(
    store: Store, case_id: str, question_id: str, text: str, *, inspector_id: str | None = None
) -> Query:
    """Ask the inspector about one answer; the case's moderation state becomes 'queries'.

    inspector_id: whom it is for; default the case's allocated inspector.
    """
    text = text.strip()
    if not text:
        raise ValidationError("The query is empty; write what you want the inspector to look at.")
    case = get_case(store, case_id)
    framework = framework_for(store, get_inspection(store, case.inspection_id))
    if framework.question_kind(question_id) not in ("key_question", "prompt"):
        raise ValidationError(f"'{question_id}' is not a key question or prompt of {framework.id}.")
    if inspector_id:
        _check_recipient(store, case, inspector_id)
    inspector_id = inspector_id or case.inspector_id
    if not inspector_id:
        raise ValidationError(f"Case {case.case_ref} is not allocated to anyone; say which inspector the query is for.")
    base = store.conn.execute(
        "SELECT COALESCE(MAX(revision), 0) FROM merge_versions WHERE kind = 'answer' AND case_id = ? AND key = ? "
        "AND author = ?",
        [case_id, question_id, inspector_id],
    ).fetchone()[0]
    query_id = store.new_id()
    with store.transaction() as db:
        db.execute(
            "INSERT INTO moderation_queries (id, inspection_id, case_id, question_id, inspector_id, text, "
            "base_revision, raised_by, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [query_id, case.inspection_id, case_id, question_id, inspector_id, text, base, store.actor, store.now()],
        )
        append_change(store, case.inspection_id, case_id, "answer", question_id, "query", None, text, "moderation")
        current = case_moderation(store, case_id)
        if current is None or current.state != "queries":
            _set_state(store, case, "queries", current.note if current else "")
    return get_query(store, query_id)


def _check_recipient(store: Store, case, inspector_id: str) -> None:
    """A query goes to someone of this inspection: an inspector with cases allocated in it, the
    author of merged answers in it, or a person whose key the lead trusts for it. Anyone else (a
    typing mistake) would never receive it, and the case would show a query no one is asked."""
    known = _inspection_people(store, case.inspection_id)
    if inspector_id not in known:
        who = ", ".join(sorted(known)) or "nobody yet (allocate cases or trust the inspectors' keys first)"
        raise ValidationError(
            f"{inspector_id} is not an inspector of {case.inspection_id} (no allocated cases, merged answers or "
            f"trusted key), so the query would reach no one; ask one of: {who}."
        )


def _inspection_people(store: Store, inspection_id: str) -> set[str]:
    rows = store.conn.execute(
        "SELECT inspector_id FROM cases WHERE inspection_id = ?1 AND inspector_id IS NOT NULL "
        "UNION SELECT v.author FROM merge_versions v JOIN cases c ON c.id = v.case_id WHERE c.inspection_id = ?1 "
        "UNION SELECT k.person_id FROM trusted_keys k WHERE k.all_inspections = 1 OR k.key_id IN "
        "(SELECT key_id FROM trusted_key_inspections WHERE inspection_id = ?1)",
        [inspection_id],
    )
    lead_id = get_inspection(store, inspection_id).lead_id
    return {row[0] for row in rows} - {lead_id}


def close_query(store: Store, query_id: str) -> Query:
    """The lead is satisfied (whether or not the inspector changed the answer)."""
    query = get_query(store, query_id)
    if query.status == "closed":
        return query
    with store.transaction() as db:
        db.execute(
            "UPDATE moderation_queries SET status = 'closed', closed_by = ?, closed_at = ? WHERE id = ?",
            [store.actor, store.now(), query_id],
        )
        append_change(
            store, query.inspection_id, query.case_id, "answer", query.question_id, "query", query.status, "closed",
            "moderation",
        )
    return get_query(store, query_id)


_QUERY_SQL = (
    "SELECT q.id, q.inspection_id, q.case_id, c.case_ref, q.question_id, q.inspector_id, q.text, q.status, "
    "q.raised_by, q.raised_at, q.answered_at, q.answered_version_id, q.closed_by, q.closed_at "
    "FROM moderation_queries q JOIN cases c ON c.id = q.case_id"
)


def get_query(store: Store, query_id: str) -> Query:
    row = store.conn.execute(f"{_QUERY_SQL} WHERE q.id = ?", [query_id]).fetchone()
    if row is None:
        raise NotFoundError(f"No moderation query {query_id}.")
    return Query(*row)


def list_queries(
    store: Store, inspection_id: str, *, inspector_id: str | None = None, status: str | None = None
) -> list[Query]:
    """The inspection's queries (optionally for one inspector and/or in one status), oldest first."""
    sql, args = f"{_QUERY_SQL} WHERE q.inspection_id = ?", [inspection_id]
    if inspector_id is not None:
        sql += " AND q.inspector_id = ?"
        args.append(inspector_id)
    if status is not None:
        if status not in QUERY_STATUSES:
            raise ValidationError(f"'{status}' is not a query status ({', '.join(QUERY_STATUSES)}).")
        sql += " AND q.status = ?"
        args.append(status)
    return [Query(*row) for row in store.conn.execute(sql + " ORDER BY q.seq", args)]


def list_open_queries(store: Store, inspection_id: str, inspector_id: str) -> list[Query]:
    """What the next allocation pack carries to this inspector."""
    return list_queries(store, inspection_id, inspector_id=inspector_id, status="open")
