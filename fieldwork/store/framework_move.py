"""Moving an inspection to a newer version of its framework (issue 18 §4, decision 0042).

Answers are kept by question id. A move re-pins the inspection to the new text; answers keep
their id, or follow the new text's `renamed_from` to the question that carries them on, with
their value, evidence, revision and author unchanged (a move is not a new answer, so the merge
sees the same version under the new id). Answers to questions the new text no longer has stay in
the store under their old id, shown as kept and never counted. Every move is a row of
`framework_moves` and an entry in the change log of the inspection and of each of its cases.

The same writer runs in the lead's store (the lead moves) and in an inspector's store (an
allocation pack brings the lead's move, fieldwork.packs.apply).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from fieldwork.errors import ValidationError
from fieldwork.frameworks.diff import Change, framework_changes
from fieldwork.frameworks.model import Framework
from fieldwork.frameworks.versions import is_newer
from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection
from fieldwork.store.records import Inspection

# Every table that names a question of a case, with its question column and, where the table
# holds case details too, the condition that picks the answers.
_QUESTION_TABLES = (
    ("answers", "question_id", ""),
    ("merge_versions", "key", " AND kind = 'answer'"),
    ("merge_resolutions", "key", " AND kind = 'answer'"),
    ("merge_open_conflicts", "key", " AND kind = 'answer'"),
    ("moderation_queries", "question_id", ""),
    ("allocation_queries", "question_id", ""),
)


@dataclass(frozen=True)
class FrameworkMove:
    """One move as recorded (and as an allocation pack carries it)."""

    id: str
    inspection_id: str
    from_hash: str
    to_hash: str
    renamed: dict[str, str]
    moved_at: str
    moved_by: str
    source: str


@dataclass(frozen=True)
class MovePlan:
    """What moving would do; nothing is written until `move_inspection`."""

    inspection_id: str
    old: Framework
    new: Framework
    changes: list[Change]
    renamed: dict[str, str]  # earlier id → new id, for the earlier ids this inspection holds answers to
    kept_by_id: int  # answers whose question keeps its id
    carried_renamed: int  # answers that move to a renamed question
    removed: dict[str, int] = field(default_factory=dict)  # question gone from the new text → answers kept

    def summary(self) -> list[str]:
        """The move in sentences, for the command line and the app's confirmation."""
        lines = [
            f"Inspection {self.inspection_id}: {self.old.id} version {self.old.version} → version "
            f"{self.new.version}.",
            f"{self.kept_by_id} answer(s) keep their question; {self.carried_renamed} move to a renamed question.",
        ]
        for old_id, new_id in sorted(self.renamed.items()):
            lines.append(f"  Answers to {old_id} carry over to {new_id}.")
        if self.removed:
            total = sum(self.removed.values())
            lines.append(
                f"{total} answer(s) to {len(self.removed)} question(s) no longer in version {self.new.version} are "
                "kept, shown as such, and no longer counted: " + ", ".join(sorted(self.removed)) + "."
            )
        else:
            lines.append("No answer is to a question the new version removes.")
        return lines


def _label(framework: Framework) -> str:
    return f"{framework.id} version {framework.version}"


def plan_move(store: Store, inspection: Inspection, new: Framework) -> MovePlan:
    """Check the move and work it out; ValidationError says why it is refused and what to do."""
    old = framework_for(store, inspection)
    if store.db.execute("SELECT 1 FROM allocation_packs WHERE inspection_id = ?", [inspection.id]).fetchone():
        raise ValidationError(
            f"Inspection {inspection.id} came to this laptop in your lead's allocation pack; only the lead moves it "
            "to another framework version, and their next pack brings the move here. Nothing was changed."
        )
    if new.id != old.id:
        raise ValidationError(
            f"{new.source_path or 'That file'} is framework '{new.id}', but inspection {inspection.id} uses "
            f"'{old.id}'; an inspection moves only to a newer version of its own framework. Choose a version of "
            f"'{old.id}', or set up a new inspection for '{new.id}'. Nothing was changed."
        )
    if new.content_hash == old.content_hash:
        raise ValidationError(
            f"Inspection {inspection.id} already uses this text of {_label(old)}; nothing to move. Nothing was changed."
        )
    if new.version == old.version:
        raise ValidationError(
            f"This file has the same version ({new.version}) as the text inspection {inspection.id} uses, but "
            "different content; give the corrected framework a higher version (Settings sheet, or 'version' in "
            "the file), import it again, and move to that. Nothing was changed."
        )
    if not is_newer(new.version, old.version):
        raise ValidationError(
            f"Version {new.version} is older than version {old.version}, which inspection {inspection.id} uses; "
            "an inspection moves only to a newer version (answers given under a later text could not be kept "
            "under an earlier one). Choose a version after " + old.version + ". Nothing was changed."
        )
    new_samples = {s.id for s in new.samples}
    for sample_id, count in store.db.execute(
        "SELECT sample_id, count(*) FROM cases WHERE inspection_id = ? GROUP BY sample_id ORDER BY sample_id",
        [inspection.id],
    ):
        if sample_id not in new_samples:
            raise ValidationError(
                f"{count} case(s) of inspection {inspection.id} are in sample '{sample_id}', which version "
                f"{new.version} does not have; keep that sample (its id) in the new version, or move those cases "
                "to another question set first. Nothing was changed."
            )
    fields = {d.id for d in new.case_details}
    for field_id, count in store.db.execute(
        "SELECT d.field_id, count(*) FROM case_details d JOIN cases c ON c.id = d.case_id WHERE c.inspection_id = ? "
        "GROUP BY d.field_id ORDER BY d.field_id",
        [inspection.id],
    ):
        if field_id not in fields:
            raise ValidationError(
                f"{count} case(s) of inspection {inspection.id} have a value for the case detail '{field_id}', which "
                f"version {new.version} does not have; keep that case detail (its id) in the new version. Nothing "
                "was changed."
            )
    held: dict[str, int] = {
        question_id: count
        for question_id, count in store.db.execute(
            "SELECT a.question_id, count(*) FROM answers a JOIN cases c ON c.id = a.case_id "
            "WHERE c.inspection_id = ? GROUP BY a.question_id",
            [inspection.id],
        )
    }
    still_asked = {q for q in held if new.question_kind(q) in ("key_question", "prompt")}
    renamed = {old_id: new_id for old_id, new_id in new.renamed_ids().items() if old_id in held}
    for old_id, new_id in renamed.items():
        if new_id in held:
            raise ValidationError(
                f"Version {new.version} says {new_id} was {old_id}, but this inspection already holds answers to "
                f"{new_id} (kept from an earlier version); the two cannot be one question. Give the new question "
                "another id, or remove the renamed_from entry. Nothing was changed."
            )
    removed = {q: n for q, n in held.items() if q not in still_asked and q not in renamed}
    for (question_id,) in store.db.execute(
        "SELECT DISTINCT question_id FROM moderation_queries WHERE inspection_id = ? AND status != 'closed' "
        "ORDER BY question_id",
        [inspection.id],
    ):
        if new.question_kind(question_id) is None and question_id not in renamed:
            raise ValidationError(
                f"A moderation query about {question_id} is still open, and version {new.version} no longer has "
                "that question; close the query ('fieldwork moderation close QUERY_ID') and move again."
                " Nothing was changed."
            )
    return MovePlan(
        inspection_id=inspection.id,
        old=old,
        new=new,
        changes=framework_changes(old, new),
        renamed=renamed,
        kept_by_id=sum(held[q] for q in still_asked),
        carried_renamed=sum(held[q] for q in renamed),
        removed=removed,
    )


def move_inspection(store: Store, inspection_id: str, new: Framework, *, source: str = "app") -> MovePlan:
    """Move the inspection in this (the lead's) store, all or nothing; returns what was done."""
    inspection = get_inspection(store, inspection_id)
    plan = plan_move(store, inspection, new)
    move = FrameworkMove(
        id=store.new_id(),
        inspection_id=inspection_id,
        from_hash=plan.old.content_hash,
        to_hash=new.content_hash,
        # Every rename the new text declares for a question the old text had: a bundle made under the
        # old text may bring answers to it even when none are here yet.
        renamed={
            o: n for o, n in new.renamed_ids().items()
            if plan.old.question_kind(o) in ("key_question", "prompt") or o in plan.renamed
        },
        moved_at=store.now(),
        moved_by=store.actor,
        source=source,
    )
    with store.transaction():
        apply_move(store, move, plan.old, new, note="")
    return plan


def apply_move(store: Store, move: FrameworkMove, old: Framework, new: Framework, *, note: str) -> None:
    """Write one move; call inside the caller's transaction. `note` ends each case's log entry
    (e.g. which pack brought the lead's move)."""
    db = store.db
    db.execute(
        "INSERT OR IGNORE INTO frameworks (hash, id, version, title, source, added_at) VALUES (?, ?, ?, ?, ?, ?)",
        [new.content_hash, new.id, new.version, new.title, new.source_bytes, store.now()],
    )
    db.execute("UPDATE inspections SET framework_hash = ? WHERE id = ?", [new.content_hash, move.inspection_id])
    cases = db.execute(
        "SELECT id, case_ref FROM cases WHERE inspection_id = ? ORDER BY case_ref", [move.inspection_id]
    ).fetchall()
    in_inspection = "case_id IN (SELECT id FROM cases WHERE inspection_id = ?)"
    for case_id, case_ref in cases:
        append_change(
            store, move.inspection_id, case_id, "case", case_ref, "framework", _label(old),
            _label(new) + note, move.source,
        )
    for old_id, new_id in sorted(move.renamed.items()):
        moved = db.execute(
            f"SELECT a.case_id FROM answers a WHERE a.question_id = ? AND a.{in_inspection}",
            [old_id, move.inspection_id],
        ).fetchall()
        for table, column, only in _QUESTION_TABLES:
            db.execute(
                f"UPDATE {table} SET {column} = ? WHERE {column} = ?{only} AND {in_inspection}",
                [new_id, old_id, move.inspection_id],
            )
        for (case_id,) in moved:
            append_change(store, move.inspection_id, case_id, "answer", new_id, "renamed_from", old_id, new_id,
                          move.source)
    append_change(
        store, move.inspection_id, None, "inspection", move.inspection_id, "framework",
        f"{_label(old)} ({old.content_hash[:12]})", f"{_label(new)} ({new.content_hash[:12]})", move.source,
    )
    db.execute(
        "INSERT INTO framework_moves (id, inspection_id, from_hash, to_hash, renamed, moved_at, moved_by, source) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [move.id, move.inspection_id, move.from_hash, move.to_hash, json.dumps(move.renamed, sort_keys=True),
         move.moved_at, move.moved_by, move.source],
    )


def moves_of(store: Store, inspection_id: str) -> list[FrameworkMove]:
    """Every move of the inspection, oldest first."""
    rows = store.db.execute(
        "SELECT id, inspection_id, from_hash, to_hash, renamed, moved_at, moved_by, source FROM framework_moves "
        "WHERE inspection_id = ? ORDER BY moved_at, id",
        [inspection_id],
    ).fetchall()
    return [FrameworkMove(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7]) for r in rows]


def chain_from(moves: list[FrameworkMove], from_hash: str, to_hash: str) -> list[FrameworkMove] | None:
    """The moves that lead from one text to another, in order, or None when they do not."""
    by_from = {m.from_hash: m for m in moves}
    chain: list[FrameworkMove] = []
    current = from_hash
    while current != to_hash:
        step = by_from.get(current)
        if step is None or len(chain) > len(moves):
            return None
        chain.append(step)
        current = step.to_hash
    return chain


def compose_renames(chain: list[FrameworkMove]) -> dict[str, str]:
    """Earlier id → id today, through every move of `chain` (ids not renamed keep theirs)."""
    mapping: dict[str, str] = {}
    for move in chain:
        mapping = {o: move.renamed.get(n, n) for o, n in mapping.items()}
        for o, n in move.renamed.items():
            mapping.setdefault(o, n)
    return {o: n for o, n in mapping.items() if o != n}


def renames_since(store: Store, inspection: Inspection, from_hash: str) -> dict[str, str] | None:
    """For a bundle made under an earlier text of the inspection's framework: how its question ids
    map to today's; None when `from_hash` is not a text this inspection moved on from."""
    chain = chain_from(moves_of(store, inspection.id), from_hash, inspection.framework_hash)
    return None if chain is None else compose_renames(chain)


def kept_answers(store: Store, case_id: str, framework: Framework) -> list[tuple[str, str | None, str]]:
    """(question id, value, note) of the case's answers to questions its framework no longer has:
    kept from an earlier version, shown as such, never counted."""
    rows = store.db.execute(
        "SELECT question_id, value, note FROM answers WHERE case_id = ? ORDER BY question_id", [case_id]
    ).fetchall()
    return [tuple(r) for r in rows if framework.question_kind(r[0]) not in ("key_question", "prompt")]
