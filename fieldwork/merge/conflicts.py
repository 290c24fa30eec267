"""Conflicts: listing them side by side, and the lead's recorded decisions.

An answer (or case detail) is in conflict when its standing versions differ (versions.py); a
case reference is in conflict when it arrived with another case UUID than the one holding it
(cases.py). Resolving records who decided, when, what and why; nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.errors import NotFoundError, ValidationError
from fieldwork.merge import apply, cases, held
from fieldwork.merge.provenance import VERSION_INFO_SQL, VersionInfo, kind_of
from fieldwork.merge.versions import Outcome, Version, decide, digest
from fieldwork.store.assessments import get_case
from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection

_UNSET = object()


@dataclass(frozen=True)
class Conflict:
    """One answer or case detail in conflict: the versions still standing, best first (the
    first is what the central row holds until the lead decides)."""

    kind: str  # "answer" | "detail"
    case_id: str
    case_ref: str
    key: str  # question id or case-detail field id
    reason: str  # "parallel": values differ | "evidence": same value, other notes | "fork": one person,
    # two versions at one revision
    versions: tuple[VersionInfo, ...]

    def to_json(self) -> dict:
        return {
            "kind": self.kind, "case_id": self.case_id, "case_ref": self.case_ref, "key": self.key,
            "reason": self.reason, "versions": [v.to_json() for v in self.versions],
        }


@dataclass(frozen=True)
class CaseConflict:
    """A case reference that arrived with a second case UUID."""

    id: int
    inspection_id: str
    case_ref: str
    case_id: str  # the UUID kept aside
    owner_case_id: str  # the UUID holding the reference
    inspector_id: str  # who sent the case kept aside
    status: str  # "open" | "same" | "separate"
    new_ref: str | None
    reason: str | None
    decided_by: str | None
    decided_at: str | None

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Resolution:
    id: int
    kind: str
    case_id: str
    key: str
    version_id: int
    value: str | None
    note: str
    author: str
    reason: str
    decided_by: str
    decided_at: str

    def to_json(self) -> dict:
        return dict(self.__dict__)


def count_open_conflicts(store: Store, inspection_id: str) -> int:
    """Answers, details, case references and question sets in conflict in the inspection."""
    return store.db.execute(
        "SELECT (SELECT COUNT(*) FROM merge_open_conflicts o JOIN cases c ON c.id = o.case_id "
        "WHERE c.inspection_id = ?1) + (SELECT COUNT(*) FROM merge_case_conflicts WHERE inspection_id = ?1 "
        "AND status = 'open') + (SELECT COUNT(*) FROM merge_sample_moves WHERE inspection_id = ?1 "
        "AND status = 'open')",
        [inspection_id],
    ).fetchone()[0]


def _outcomes(store: Store, keys) -> dict[tuple[str, str, str], Outcome]:
    """The rule's outcome for these (kind, case_id, key) triples; reads only."""
    conn = store.db.conn
    versions, decisions = apply.load_versions(conn, keys), apply.load_decisions(conn, keys)
    return {ident: decide(items, decisions.get(ident, ())) for ident, items in versions.items()}


def _infos(store: Store, ids) -> dict[int, VersionInfo]:
    ids = list(ids)
    if not ids:
        return {}
    found: dict[int, VersionInfo] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in store.db.execute(f"{VERSION_INFO_SQL} WHERE v.id IN ({', '.join('?' * len(chunk))})", chunk):
            found[row[0]] = VersionInfo(*row)
    return found


def list_conflicts(store: Store, inspection_id: str) -> list[Conflict]:
    """Every open answer and case-detail conflict of the inspection, by case and key."""
    get_inspection(store, inspection_id)
    rows = store.db.execute(
        "SELECT o.kind, o.case_id, o.key, o.reason, c.case_ref FROM merge_open_conflicts o "
        "JOIN cases c ON c.id = o.case_id WHERE c.inspection_id = ? ORDER BY c.case_ref, o.kind, o.key",
        [inspection_id],
    ).fetchall()
    if not rows:
        return []
    outcomes = _outcomes(store, [(r[0], r[1], r[2]) for r in rows])
    infos = _infos(store, (v.id for o in outcomes.values() for v in o.contenders))
    return [
        Conflict(kind, case_id, ref, key, reason, tuple(infos[v.id] for v in outcomes[(kind, case_id, key)].contenders))
        for kind, case_id, key, reason, ref in rows
        if (kind, case_id, key) in outcomes
    ]


def resolve_conflict(
    store: Store,
    case_id: str,
    key: str,
    *,
    reason: str,
    version_id: int | None = None,
    value=_UNSET,
    note: str | None = None,
    kind: str | None = None,
) -> Resolution:
    """Settle one conflict: keep a standing version (`version_id`), or a `value` (with `note`).

    A value that a standing version already has (and its note, when `note` is given) chooses that
    version; any other value becomes the lead's own version. The decision settles every version
    received so far; a newer one from an inspector can reopen it.
    """
    if not reason or not reason.strip():
        raise ValidationError("Give a reason for the decision; it is kept with it.")
    if (version_id is None) == (value is _UNSET):
        raise ValidationError("Choose either a version or a value.")
    case = get_case(store, case_id)
    kind = kind or kind_of(store, case_id, key)
    if value is not _UNSET:
        value, note = _checked_value(store, case.inspection_id, kind, key, value, note)
    conn = store.db.conn
    apply.prepare(conn)
    with store.transaction():
        apply.set_keys(conn, [(kind, case_id, key)])
        apply.capture_local(conn)
        outcome = _outcomes(store, [(kind, case_id, key)]).get((kind, case_id, key))
        if outcome is None or not outcome.conflicted:
            raise ValidationError(f"{key} of case {case.case_ref} is not in conflict; nothing to resolve.")
        chosen = _choose(store, outcome, kind, case_id, key, version_id, value, note)
        decided_at = store.now()
        horizon = apply.max_version_id(conn)
        cursor = conn.execute(
            "INSERT INTO merge_resolutions (kind, case_id, key, version_id, horizon, value, note, reason, decided_by, "
            "decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [kind, case_id, key, chosen.id, horizon, chosen.value, chosen.note, reason.strip(), store.actor,
             decided_at],
        )
        before = outcome.chosen.value
        apply.set_keys(conn, [(kind, case_id, key)])
        apply.recompute(conn)
        conn.execute("DELETE FROM temp.merge_keys")
        append_change(
            store, case.inspection_id, case_id, kind, key, "resolved", before,
            chosen.value, "conflict-resolution",
        )
    return Resolution(
        cursor.lastrowid, kind, case_id, key, chosen.id, chosen.value, chosen.note, chosen.author, reason.strip(),
        store.actor, decided_at,
    )


def _checked_value(store: Store, inspection_id: str, kind: str, key: str, value, note):
    framework = framework_for(store, get_inspection(store, inspection_id))
    if kind == "answer":
        if framework.question_kind(key) not in ("key_question", "prompt"):  # removed by a move (decision 0042)
            raise ValidationError(
                f"{key} is no longer a question of {framework.id} {framework.version}; its answers are kept and never "
                "counted; keep one of its standing versions instead of typing a value."
            )
        question = (
            framework.key_question(key) if framework.question_kind(key) == "key_question" else framework.prompt(key)
        )
        if value is not None and value not in question.allowed():
            allowed = ", ".join(question.allowed())
            raise ValidationError(f"'{value}' is not an allowed answer to {key} (allowed: {allowed}).")
        return value, note
    try:
        return framework.case_detail(key).normalise(value or ""), ""
    except ValueError as exc:
        raise ValidationError(f"{key}: {exc}.") from None


def _choose(store, outcome: Outcome, kind, case_id, key, version_id, value, note):
    if version_id is not None:
        chosen = next((v for v in outcome.contenders if v.id == version_id), None)
        if chosen is None:
            raise ValidationError("That version is not one of those in conflict; list the conflicts again.")
        return chosen
    matching = [v for v in outcome.contenders if v.value == value and (note is None or v.note == note)]
    if matching:
        return matching[0]
    # A value of the lead's own: a new version, newer than any so far.
    made = (kind, case_id, key, value, note or "", outcome.revision + 1, store.actor, store.now())
    cursor = store.db.conn.execute(
        "INSERT INTO merge_versions (kind, case_id, key, value, note, revision, author, updated_at, digest, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'local')",
        [*made, digest(value, note or "")],
    )
    return Version(cursor.lastrowid, *made, "local", None)


def author_choice(store: Store, case_id: str, key: str, choice: str, *, kind: str | None = None) -> int | None:
    """The standing version by author `choice` (a person id), if exactly one; None if nobody
    of that id stands (so the choice is a value). Refuses an author with two versions (a fork)."""
    kind = kind or kind_of(store, case_id, key)
    outcome = _outcomes(store, [(kind, case_id, key)]).get((kind, case_id, key))
    if outcome is None:
        return None
    by_author = [v for v in outcome.contenders if v.author == choice]
    if len(by_author) > 1:
        raise ValidationError(
            f"{choice} has two different versions of {key} at the same revision; choose by value instead."
        )
    return by_author[0].id if by_author else None


# --- case references -------------------------------------------------------------------------------


_CASE_CONFLICT_COLUMNS = (
    "id, inspection_id, case_ref, case_id, owner_case_id, inspector_id, status, new_ref, reason, decided_by, decided_at"
)


def list_case_conflicts(store: Store, inspection_id: str, *, include_decided: bool = False) -> list[CaseConflict]:
    sql = f"SELECT {_CASE_CONFLICT_COLUMNS} FROM merge_case_conflicts WHERE inspection_id = ?"
    if not include_decided:
        sql += " AND status = 'open'"
    return [CaseConflict(*row) for row in store.db.execute(sql + " ORDER BY case_ref, case_id", [inspection_id])]


def resolve_case_conflict(
    store: Store, conflict_id: int, *, same: bool, reason: str, new_ref: str | None = None
) -> CaseConflict:
    """Decide a case-reference conflict: the case kept aside is the `same` case as the one holding
    the reference (its versions join it), or a different case added under `new_ref`."""
    if not reason or not reason.strip():
        raise ValidationError("Give a reason for the decision; it is kept with it.")
    row = store.db.execute(f"SELECT {_CASE_CONFLICT_COLUMNS} FROM merge_case_conflicts WHERE id = ?", [conflict_id])
    found = row.fetchone()
    if found is None:
        raise NotFoundError(f"No case conflict {conflict_id}; list them with 'fieldwork conflicts list'.")
    conflict = CaseConflict(*found)
    if conflict.status != "open":
        raise ValidationError(f"Case conflict {conflict_id} was already decided ({conflict.status}).")
    conn = store.db.conn
    apply.prepare(conn)
    with store.transaction():
        if same:
            keep = conflict.owner_case_id
            # The lead's own edits of the case being joined are kept as versions before anything moves.
            apply.set_keys(conn, conn.execute(
                "SELECT 'answer', case_id, question_id FROM answers WHERE case_id = ?1 "
                "UNION ALL SELECT 'detail', case_id, field_id FROM case_details WHERE case_id = ?1",
                [keep],
            ).fetchall())
            apply.capture_local(conn)
            conn.execute("DELETE FROM temp.merge_keys")
            conn.execute("INSERT INTO merge_case_aliases (alias_id, case_id) VALUES (?, ?)", [conflict.case_id, keep])
            # The kept-aside versions join under new ids: the lead has not seen them, so no earlier
            # decision's horizon may count them as settled. (A copy already there stays as it is.)
            conn.execute(
                "INSERT INTO merge_versions (kind, case_id, key, value, note, revision, author, updated_at, digest, "
                "origin, bundle_id, bundle_created_at) SELECT kind, ?, key, value, note, revision, author, "
                "updated_at, digest, origin, bundle_id, bundle_created_at FROM merge_versions WHERE case_id = ? "
                "ORDER BY id ON CONFLICT DO NOTHING",
                [keep, conflict.case_id],
            )
            conn.execute("DELETE FROM merge_versions WHERE case_id = ?", [conflict.case_id])
            _join_states(conn, conflict.case_id, keep)
            new_ref = None
        else:
            new_ref = (new_ref or "").strip()
            if not new_ref:
                raise ValidationError("Give the new case reference for the separate case.")
            if conn.execute(
                "SELECT 1 FROM cases WHERE inspection_id = ? AND case_ref = ?", [conflict.inspection_id, new_ref]
            ).fetchone():
                raise ValidationError(f"Case {new_ref} is already in inspection {conflict.inspection_id}.")
            keep = conflict.case_id
            state = conn.execute(
                "SELECT sample_id, allocated_to, status, revision, created_at, updated_at FROM merge_case_states "
                "WHERE case_id = ? ORDER BY revision DESC, updated_at DESC LIMIT 1",
                [keep],
            ).fetchone()
            sample, allocated, status, revision, created_at, updated_at = state
            conn.execute(
                "INSERT INTO cases (id, inspection_id, case_ref, sample_id, inspector_id, status, revision, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [keep, conflict.inspection_id, new_ref, sample, allocated or conflict.inspector_id, status, revision,
                 created_at, updated_at],
            )
            conn.execute(
                "INSERT INTO merge_case_origins (case_id, inspection_id, inspector_id) VALUES (?, ?, ?)",
                [keep, conflict.inspection_id, conflict.inspector_id],
            )
        now = store.now()
        conn.execute(
            "UPDATE merge_case_conflicts SET status = ?, new_ref = ?, reason = ?, decided_by = ?, decided_at = ? "
            "WHERE id = ?",
            ["same" if same else "separate", new_ref, reason.strip(), store.actor, now, conflict_id],
        )
        # The lead decided about this case: its reader's work on it counts (decision 0019).
        held.count_readers_joined(conn, keep, conflict.inspector_id, conflict.inspection_id)
        apply.set_keys(conn, conn.execute(
            "SELECT DISTINCT kind, case_id, key FROM merge_versions WHERE case_id = ?", [keep]
        ).fetchall())
        apply.recompute(conn)
        conn.execute("DELETE FROM temp.merge_keys")
        cases.refresh_status(conn, [keep])
        append_change(
            store, conflict.inspection_id, keep, "case", conflict.case_ref, "reference conflict",
            conflict.case_id, f"same case as {keep}" if same else f"separate case {new_ref}", "conflict-resolution",
        )
    return CaseConflict(*store.db.execute(
        f"SELECT {_CASE_CONFLICT_COLUMNS} FROM merge_case_conflicts WHERE id = ?", [conflict_id]
    ).fetchone())


def _join_states(conn, alias_id: str, case_id: str) -> None:
    """Fold the kept-aside case's reports into the case it is the same as (newest per inspector)."""
    for row in conn.execute("SELECT * FROM merge_case_states WHERE case_id = ?", [alias_id]).fetchall():
        held = conn.execute(
            "SELECT revision, updated_at FROM merge_case_states WHERE case_id = ? AND inspector_id = ?",
            [case_id, row[1]],
        ).fetchone()
        if held is None or (row[6], row[8]) > held:
            conn.execute(
                "INSERT OR REPLACE INTO merge_case_states VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [case_id, *row[1:]]
            )
    conn.execute("DELETE FROM merge_case_states WHERE case_id = ?", [alias_id])
