"""Apply a verified allocation pack to the inspector's workspace, in one transaction.

What applying does (docs/decisions/0010-reissued-packs.md):
- creates the inspection if it is new, pinning the pack's framework text; updates its provider,
  type, dates and lead when the lead changed them;
- adds new cases with the lead's case UUIDs (the merge matches on them) and their details;
- updates a case detail when the pack's copy is newer by (revision, author), the order the merge
  uses, so both sides settle on the same value; a newer local edit is kept; a change on a case
  marked complete or handed over is held back (decision 0005) and reported;
- moves a case to the lead's question set (sample) when it differs, in the name of who moved it
  at the lead, unless the inspector moved it themselves since (kept; the lead decides at the
  merge) or it is complete (held back, like a detail): decision 0036;
- never deletes: a case an earlier pack allocated and this one does not is kept, answers and
  all, and flagged as moved away; never touches answers or a case's status;
- records the pack; pins the lead (bundles are encrypted back to them); trusts the lead for
  this inspection when the inspector accepted them by fingerprint;
- re-applying the same pack changes nothing (except applying a held-back change whose case has
  been reopened since); an older pack than one already applied is refused (stale-pack).
Every change is in the change log with the source `pack:<pack id>`. Any refusal leaves the
workspace exactly as it was.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from fieldwork.errors import StoreLockedError
from fieldwork.identity.leads import pin_lead, pinned_lead
from fieldwork.identity.trust import add_trusted_key
from fieldwork.packs.errors import PackError
from fieldwork.packs.format import PackCase, PackDetail
from fieldwork.packs.framework_moves import planned_move, write_move
from fieldwork.packs.verify import VerifiedPack
from fieldwork.profile import read_profile
from fieldwork.store.case_samples import OVERRIDE, REASON, SampleMove, answers_not_counting, latest_moves
from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store
from fieldwork.store.framework_move import FrameworkMove
from fieldwork.store.inspections import pin_framework
from fieldwork.text import plural

LOCKED_STATUSES = ("complete", "handed_over")
_INSPECTION_FIELDS = ("provider", "provider_type", "fieldwork_start", "fieldwork_end", "lead_id")


@dataclass(frozen=True)
class DetailUpdate:
    """A case detail the pack changes (or would change): old and new stored values ("" = none)."""

    case_id: str
    case_ref: str
    field_id: str
    old: str
    new: str

    def to_json(self) -> dict:
        return {"case_ref": self.case_ref, "field": self.field_id, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class SampleUpdate:
    """A case the pack moves (or would move) to another question set (decision 0036)."""

    case_id: str
    case_ref: str
    old: str  # the set in this workspace
    new: str  # the lead's
    by: str  # who made the move in the lead's store
    reason: str
    not_counting: tuple[str, ...] = ()  # answers kept here that the new set does not ask

    def to_json(self) -> dict:
        return {
            "case_ref": self.case_ref, "old": self.old, "new": self.new, "by": self.by, "reason": self.reason,
            "answers_not_counting": list(self.not_counting),
        }


@dataclass(frozen=True)
class InspectionUpdate:
    field: str
    old: str | None
    new: str | None

    def to_json(self) -> dict:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class CaseRef:
    case_id: str
    case_ref: str


@dataclass(frozen=True)
class PackPlan:
    """What applying a verified pack would do to this workspace: checked, nothing written."""

    verified: VerifiedPack
    already_applied: bool
    create_inspection: bool
    inspection_updates: tuple[InspectionUpdate, ...]
    added: tuple[PackCase, ...]
    updates: tuple[tuple[DetailUpdate, PackDetail], ...]  # written with the lead's revision
    held_back: tuple[DetailUpdate, ...]  # the case is complete or handed over
    kept_local: tuple[DetailUpdate, ...]  # this workspace's edit is newer; `new` is the pack's value
    sample_moves: tuple[SampleUpdate, ...]  # the lead moved the case to another set: moved here too
    sample_held_back: tuple[SampleUpdate, ...]  # the same, on a complete or handed-over case
    sample_kept_local: tuple[SampleUpdate, ...]  # the inspector moved it here since: the lead decides
    reallocated: tuple[tuple[CaseRef, str | None], ...]  # known cases now this inspector's (old inspector)
    tracked: tuple[tuple[CaseRef, bool], ...]  # allocation rows to write: (case, is it new)
    moved_away: tuple[CaseRef, ...]
    returned: tuple[CaseRef, ...]
    queries_changed: bool
    pin_lead: bool
    trust_lead: bool
    framework_move: FrameworkMove | None = None  # the lead moved the inspection to the pack's framework text

    @property
    def changes_anything(self) -> bool:
        return bool(
            not self.already_applied or self.create_inspection or self.framework_move or self.inspection_updates
            or self.added or self.updates or self.sample_moves or self.reallocated or self.tracked or self.moved_away
            or self.returned
            or self.queries_changed or self.pin_lead or self.trust_lead
        )


@dataclass(frozen=True)
class PackApplyResult:
    """What applying changed; the GUI and CLI report it."""

    pack_id: str
    inspection_id: str
    sequence: int
    lead_name: str
    already_applied: bool  # the same pack was applied before
    created_inspection: bool
    inspection_updates: tuple[InspectionUpdate, ...]
    added: tuple[str, ...]  # case refs
    updated: tuple[DetailUpdate, ...]
    held_back: tuple[DetailUpdate, ...]
    kept_local: tuple[DetailUpdate, ...]
    moved_away: tuple[str, ...]  # case refs, kept with their answers
    returned: tuple[str, ...]  # case refs allocated to this inspector again
    cases: int  # cases the pack allocates
    moderation_queries: int
    lead_pinned: bool
    lead_trusted: bool  # added to the trust list now (accepted by fingerprint)
    changed: bool = field(default=True)
    sample_moves: tuple[SampleUpdate, ...] = ()
    sample_held_back: tuple[SampleUpdate, ...] = ()
    sample_kept_local: tuple[SampleUpdate, ...] = ()
    framework_moved_to: str | None = None  # the lead moved the inspection to this framework version

    def to_json(self) -> dict:
        return {
            "pack_id": self.pack_id,
            "inspection_id": self.inspection_id,
            "sequence": self.sequence,
            "already_applied": self.already_applied,
            "changed": self.changed,
            "created_inspection": self.created_inspection,
            "inspection_updates": [u.to_json() for u in self.inspection_updates],
            "cases": self.cases,
            "added": list(self.added),
            "updated": [u.to_json() for u in self.updated],
            "held_back": [u.to_json() for u in self.held_back],
            "kept_local": [u.to_json() for u in self.kept_local],
            "moved_away": list(self.moved_away),
            "returned": list(self.returned),
            "sets_changed": [u.to_json() for u in self.sample_moves],
            "sets_held_back": [u.to_json() for u in self.sample_held_back],
            "sets_kept_yours": [u.to_json() for u in self.sample_kept_local],
            "moderation_queries": self.moderation_queries,
            "lead_pinned": self.lead_pinned,
            "lead_trusted": self.lead_trusted,
            "framework_moved_to": self.framework_moved_to,
        }

    def summary(self) -> str:
        if not self.changed:
            return f"Pack number {self.sequence} for {self.inspection_id} was already open; nothing changed."
        head = (
            f"Opened pack number {self.sequence} from {self.lead_name} for {self.inspection_id}"
            + (" (new inspection)" if self.created_inspection else "")
            + f": {plural(self.cases, 'case')} allocated to you"
        )
        parts = [f"{len(self.added)} new"]
        if self.updated:
            parts.append(f"{plural(len(self.updated), 'case detail')} updated")
        if self.sample_moves:
            parts.append(f"{plural(len(self.sample_moves), 'case')} moved to another question set by the lead")
        if self.sample_kept_local:
            parts.append(
                f"{plural(len(self.sample_kept_local), 'question set')} you changed kept (the lead decides when "
                "merging your bundle)"
            )
        if self.sample_held_back:
            parts.append(f"{plural(len(self.sample_held_back), 'question-set change')} held back on complete cases")
        if self.moved_away:
            parts.append(f"{len(self.moved_away)} moved to another inspector (kept, with your answers)")
        if self.returned:
            parts.append(f"{len(self.returned)} allocated to you again")
        if self.held_back:
            parts.append(f"{plural(len(self.held_back), 'change')} held back on complete cases")
        if self.moderation_queries:
            parts.append(plural(self.moderation_queries, "open moderation query", "open moderation queries"))
        if self.framework_moved_to:
            parts.append(f"the inspection moved to {self.framework_moved_to} (your answers kept)")
        return head + ", " + ", ".join(parts) + "."


# --- checks -----------------------------------------------------------------------------------


def _source(verified: VerifiedPack) -> str:
    return f"pack:{verified.pack_id}"


def _check_profile(store: Store, verified: VerifiedPack) -> None:
    profile = read_profile(store)
    wanted = verified.manifest.inspector_id
    if profile.is_set and profile.person_id != wanted:
        raise PackError(
            "wrong-inspector",
            f"This pack is for {wanted}, but this workspace is {profile.person_id}'s; open it in "
            f"{wanted}'s workspace (another data folder).",
            detail=f"profile {profile.person_id}",
        )


def _already_applied(store: Store, verified: VerifiedPack) -> bool:
    """True when this very pack was applied; refuses an older one (stale-pack)."""
    manifest = verified.manifest
    rows = store.db.execute(
        "SELECT pack_id, sequence FROM allocation_packs WHERE lead_key_id = ? AND inspection_id = ? "
        "AND inspector_id = ? ORDER BY sequence DESC",
        [manifest.signer_key_id, manifest.inspection_id, manifest.inspector_id],
    ).fetchall()
    if rows and rows[0][0] == manifest.pack_id:
        return True  # the newest pack applied, again (an earlier one again is stale, below)
    if rows and rows[0][1] >= manifest.sequence:
        newest = rows[0][1]
        same = newest == manifest.sequence
        raise PackError(
            "stale-pack",
            f"This pack is number {manifest.sequence} from {verified.lead.name} for {manifest.inspection_id}, "
            + (
                "but a different pack with that number is already open in your workspace; "
                if same
                else f"but number {newest} is already open in your workspace, so this one is out of date; "
            )
            + "nothing was changed. Open the newest pack your lead sent.",
            detail=f"newest applied {newest}",
        )
    if store.db.execute("SELECT 1 FROM allocation_packs WHERE pack_id = ?", [manifest.pack_id]).fetchone():
        raise PackError(
            "workspace-conflict",
            "A pack with this pack id but other contents is already open in your workspace; nothing was "
            "changed. Ask your lead to issue a new pack.",
            detail="pack id reused",
        )
    return False


def _inspection_row(store: Store, inspection_id: str) -> dict | None:
    row = store.db.execute(
        "SELECT framework_hash, provider, provider_type, fieldwork_start, fieldwork_end, lead_id "
        "FROM inspections WHERE id = ?",
        [inspection_id],
    ).fetchone()
    if row is None:
        return None
    return dict(zip(("framework_hash", *_INSPECTION_FIELDS), row, strict=True))


def _conflict(detail: str, message: str) -> PackError:
    return PackError("workspace-conflict", message + " Nothing was changed; ask your lead to check it.", detail=detail)


# --- planning --------------------------------------------------------------------------------


def plan_pack(store: Store, verified: VerifiedPack) -> PackPlan:
    """Check the pack against this workspace and work out what applying it would do (no writes).

    Raises PackError: wrong-inspector (another person's workspace), framework-mismatch (the
    workspace holds the inspection under another framework text), stale-pack (older than one
    applied), workspace-conflict (a case reference or UUID that does not line up).
    """
    manifest, payload = verified.manifest, verified.payload
    inspection_id = manifest.inspection_id
    _check_profile(store, verified)
    existing = _inspection_row(store, inspection_id)
    framework_move = None
    if existing is not None and existing["framework_hash"] != manifest.framework.hash:
        # Only a move the lead made (listed in the pack) takes the workspace to another text.
        framework_move = planned_move(store, inspection_id, payload.framework_moves, manifest.framework)
    already = _already_applied(store, verified) if existing is not None else False

    inspection_updates = []
    if existing is not None:
        for name in _INSPECTION_FIELDS:
            new = getattr(payload.inspection, name)
            if existing[name] != new:
                inspection_updates.append(InspectionUpdate(name, existing[name], new))

    local_cases: dict[str, tuple[str, str, str, str | None, str]] = {}
    local_refs: dict[str, str] = {}
    if existing is not None:
        for case_id, case_ref, sample_id, inspector_id, status in store.db.execute(
            "SELECT id, case_ref, sample_id, inspector_id, status FROM cases WHERE inspection_id = ?",
            [inspection_id],
        ):
            local_cases[case_id] = (case_id, case_ref, sample_id, inspector_id, status)
            local_refs[case_ref] = case_id
    tracked_rows = {
        case_id: (last_pack, moved_at)
        for case_id, last_pack, moved_at in store.db.execute(
            "SELECT case_id, last_pack_id, moved_away_at FROM allocation_cases WHERE inspection_id = ?",
            [inspection_id],
        )
    }

    details_by_case: dict[str, dict[str, tuple[str, int, str]]] = {}
    if existing is not None:
        for case_id, field_id, value, revision, updated_by in store.db.execute(
            "SELECT d.case_id, d.field_id, d.value, d.revision, d.updated_by FROM case_details d "
            "JOIN cases c ON c.id = d.case_id WHERE c.inspection_id = ?",
            [inspection_id],
        ):
            details_by_case.setdefault(case_id, {})[field_id] = (value, revision, updated_by)

    added: list[PackCase] = []
    updates: list[tuple[DetailUpdate, PackDetail]] = []
    held_back: list[DetailUpdate] = []
    kept_local: list[DetailUpdate] = []
    reallocated: list[tuple[CaseRef, str | None]] = []
    tracked: list[tuple[CaseRef, bool]] = []
    returned: list[CaseRef] = []
    sample_moves: list[SampleUpdate] = []
    sample_held_back: list[SampleUpdate] = []
    sample_kept_local: list[SampleUpdate] = []
    local_moves = latest_moves(store, [c.uuid for c in payload.cases if c.uuid in local_cases])
    for case in payload.cases:
        local = local_cases.get(case.uuid)
        if local is None:
            elsewhere = store.db.execute("SELECT inspection_id FROM cases WHERE id = ?", [case.uuid]).fetchone()
            if elsewhere is not None:
                raise _conflict(
                    f"case uuid in {elsewhere[0]}",
                    f"Case {case.case_ref} of this pack is already in your workspace under inspection {elsewhere[0]}.",
                )
            if case.case_ref in local_refs:
                raise _conflict(
                    f"case_ref {case.case_ref} has another uuid",
                    f"Your workspace already has a case {case.case_ref} in {inspection_id} that is not the "
                    "lead's case of that reference.",
                )
            added.append(case)
            continue
        case_id, case_ref, sample_id, inspector_id, status = local
        ref = CaseRef(case_id, case_ref)
        if case_ref != case.case_ref:
            raise _conflict(
                f"case {case.uuid} differs in reference",
                f"Case {case_ref} in your workspace has another reference than the lead's ({case.case_ref}).",
            )
        if sample_id != case.sample:
            move = _sample_update(store, verified, case, ref, sample_id, local_moves.get(case_id))
            if move is None:
                sample_kept_local.append(_sample_update_unchecked(verified, case, ref, sample_id))
            elif status in LOCKED_STATUSES:
                sample_held_back.append(move)
            else:
                sample_moves.append(move)
        if inspector_id != manifest.inspector_id:
            reallocated.append((ref, inspector_id))
        row = tracked_rows.get(case_id)
        if row is None:
            tracked.append((ref, True))
        else:
            if row[1] is not None:
                returned.append(ref)
            if row[0] != manifest.pack_id or row[1] is not None:
                tracked.append((ref, False))
        local_details = details_by_case.get(case_id, {})
        for detail in case.details:
            mine = local_details.get(detail.field_id)
            if mine is None:
                if detail.value == "":
                    continue
                change = DetailUpdate(case_id, case_ref, detail.field_id, "", detail.value)
            elif mine[0] == detail.value:
                continue
            else:
                change = DetailUpdate(case_id, case_ref, detail.field_id, mine[0], detail.value)
                # The merge's order: the higher (revision, author) wins; a tie stays as it is.
                if (detail.revision, detail.updated_by) <= (mine[1], mine[2]):
                    kept_local.append(change)
                    continue
            if status in LOCKED_STATUSES:
                held_back.append(change)
            else:
                updates.append((change, detail))

    in_pack = {case.uuid for case in payload.cases}
    moved_away = [
        CaseRef(case_id, local_cases[case_id][1])
        for case_id, (_, moved_at) in sorted(tracked_rows.items(), key=lambda item: local_cases[item[0]][1])
        if moved_at is None and case_id not in in_pack and case_id in local_cases
    ]

    wanted_queries = {(q.case_uuid, q.question_id, q.text) for q in payload.moderation_queries}
    held_queries = set(
        store.db.execute(
            "SELECT case_id, question_id, text FROM allocation_queries WHERE inspection_id = ?", [inspection_id]
        ).fetchall()
    )
    pinned = pinned_lead(store, inspection_id) if existing is not None else None
    return PackPlan(
        verified=verified,
        already_applied=already,
        create_inspection=existing is None,
        inspection_updates=tuple(inspection_updates),
        added=tuple(added),
        updates=tuple(updates),
        held_back=tuple(held_back),
        kept_local=tuple(kept_local),
        sample_moves=tuple(sample_moves),
        sample_held_back=tuple(sample_held_back),
        sample_kept_local=tuple(sample_kept_local),
        reallocated=tuple(reallocated),
        tracked=tuple(tracked),
        moved_away=tuple(moved_away),
        returned=tuple(returned),
        queries_changed=wanted_queries != held_queries,
        pin_lead=pinned is None or pinned.fingerprint != verified.lead.fingerprint,
        trust_lead=not verified.lead_trusted,
        framework_move=framework_move,
    )


def _sample_update_unchecked(verified: VerifiedPack, case: PackCase, ref: CaseRef, local: str) -> SampleUpdate:
    moved = case.sample_change
    by = moved.by if moved else verified.lead.person_id
    return SampleUpdate(ref.case_id, ref.case_ref, local, case.sample, by, moved.reason if moved else "")


def _sample_update(
    store: Store, verified: VerifiedPack, case: PackCase, ref: CaseRef, local: str, local_move: SampleMove | None
) -> SampleUpdate | None:
    """The lead's set for a case whose set here differs (decision 0036), or None to keep this one.

    The lead's set wins unless this workspace's person moved the case themselves and the lead's
    latest move was not made from that set (so the lead had not seen it): then both stand until
    the lead decides, at the merge of this person's bundle. Answers are never touched.
    """
    mine = local_move is not None and not local_move.source.startswith("pack:")
    moved = case.sample_change
    if mine and (moved is None or moved.from_sample != local):
        return None
    update = _sample_update_unchecked(verified, case, ref, local)
    return dataclasses.replace(
        update, not_counting=tuple(answers_not_counting(store, verified.framework, ref.case_id, case.sample))
    )


# --- applying --------------------------------------------------------------------------------


def apply_pack(store: Store, verified: VerifiedPack) -> PackApplyResult:
    """Apply a verified pack (see `verify_pack`) to this workspace: everything, or nothing.

    Raises PackError for the refusals of `plan_pack`, StoreLockedError in a read-only window.
    """
    if store.read_only:
        raise StoreLockedError(
            "This store is open in another fieldwork window, so the pack cannot be opened here; close the "
            "other window and try again."
        )
    with store.transaction():
        # Planned inside the transaction, so nothing can change between the checks and the writes.
        plan = plan_pack(store, verified)
        if plan.changes_anything:
            _write(store, plan)
    manifest = verified.manifest
    return PackApplyResult(
        pack_id=manifest.pack_id,
        inspection_id=manifest.inspection_id,
        sequence=manifest.sequence,
        lead_name=verified.lead.name,
        already_applied=plan.already_applied,
        created_inspection=plan.create_inspection,
        inspection_updates=plan.inspection_updates,
        added=tuple(c.case_ref for c in plan.added),
        updated=tuple(change for change, _ in plan.updates),
        held_back=plan.held_back,
        kept_local=plan.kept_local,
        sample_moves=plan.sample_moves,
        sample_held_back=plan.sample_held_back,
        sample_kept_local=plan.sample_kept_local,
        moved_away=tuple(c.case_ref for c in plan.moved_away),
        returned=tuple(c.case_ref for c in plan.returned),
        cases=len(verified.payload.cases),
        moderation_queries=len(verified.payload.moderation_queries),
        lead_pinned=plan.pin_lead,
        lead_trusted=plan.trust_lead,
        changed=plan.changes_anything,
        framework_moved_to=manifest.framework.label() if plan.framework_move else None,
    )


def _write(store: Store, plan: PackPlan) -> None:
    verified = plan.verified
    manifest, payload = verified.manifest, verified.payload
    inspection_id = manifest.inspection_id
    source = _source(verified)
    db = store.db
    now = store.now()
    if plan.create_inspection:
        pin_framework(store, verified.framework)
        inspection = payload.inspection
        db.execute(
            "INSERT INTO inspections (id, provider, provider_type, framework_hash, fieldwork_start, fieldwork_end, "
            "lead_id, is_demo, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            [
                inspection_id, inspection.provider, inspection.provider_type, manifest.framework.hash,
                inspection.fieldwork_start, inspection.fieldwork_end, inspection.lead_id, inspection.created_at,
                inspection.created_by,
            ],
        )
        append_change(store, inspection_id, None, "inspection", inspection_id, "created", None, inspection.provider,
                      source)
    if plan.framework_move is not None:
        write_move(store, plan.framework_move, verified.framework, source)
    for update in plan.inspection_updates:
        db.execute(f"UPDATE inspections SET {update.field} = ? WHERE id = ?", [update.new, inspection_id])
        append_change(store, inspection_id, None, "inspection", inspection_id, update.field, update.old, update.new,
                      source)
    for case in plan.added:
        db.execute(
            "INSERT INTO cases (id, inspection_id, case_ref, sample_id, inspector_id, status, revision, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, 'not_started', 0, ?, ?)",
            [case.uuid, inspection_id, case.case_ref, case.sample, manifest.inspector_id, case.created_at,
             case.created_at],
        )
        for detail in case.details:
            if detail.value == "":
                continue
            db.execute(
                "INSERT INTO case_details (case_id, field_id, value, revision, updated_at, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [case.uuid, detail.field_id, detail.value, detail.revision, detail.updated_at, detail.updated_by],
            )
        append_change(store, inspection_id, case.uuid, "case", case.case_ref, "added", None, case.sample, source)
        db.execute(
            "INSERT INTO allocation_cases (case_id, inspection_id, first_pack_id, last_pack_id) VALUES (?, ?, ?, ?)",
            [case.uuid, inspection_id, manifest.pack_id, manifest.pack_id],
        )
    for change, detail in plan.updates:
        # The lead's row as it is in their store (revision and author), so the merge sees one edit.
        db.execute(
            "INSERT INTO case_details (case_id, field_id, value, revision, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, field_id) DO UPDATE SET value = excluded.value, "
            "revision = excluded.revision, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            [change.case_id, change.field_id, detail.value, detail.revision, detail.updated_at, detail.updated_by],
        )
        append_change(
            store, inspection_id, change.case_id, "detail", change.field_id, "value", change.old, change.new, source
        )
    for move in plan.sample_moves:
        db.execute("UPDATE cases SET sample_id = ? WHERE id = ?", [move.new, move.case_id])
        # In the name of who made the move in the lead's store (not this workspace's person), so
        # the log says who chose the set; bundles leave these entries out (they are not the signer's).
        for field_name, old, new in ((OVERRIDE, move.old, move.new), (REASON, None, move.reason)):
            db.execute(
                "INSERT INTO change_log (id, at, actor, inspection_id, case_id, target, key, field, old, new, source) "
                "VALUES (?, ?, ?, ?, ?, 'case', ?, ?, ?, ?, ?)",
                [store.new_id(), now, move.by, inspection_id, move.case_id, move.case_ref, field_name, old, new,
                 source],
            )
    for ref, old_inspector in plan.reallocated:
        db.execute("UPDATE cases SET inspector_id = ? WHERE id = ?", [manifest.inspector_id, ref.case_id])
        append_change(
            store, inspection_id, ref.case_id, "case", ref.case_ref, "inspector", old_inspector,
            manifest.inspector_id, source,
        )
    for ref, is_new in plan.tracked:
        if is_new:
            db.execute(
                "INSERT INTO allocation_cases (case_id, inspection_id, first_pack_id, last_pack_id) "
                "VALUES (?, ?, ?, ?)",
                [ref.case_id, inspection_id, manifest.pack_id, manifest.pack_id],
            )
        else:
            db.execute(
                "UPDATE allocation_cases SET last_pack_id = ?, moved_away_at = NULL, moved_away_pack_id = NULL "
                "WHERE case_id = ?",
                [manifest.pack_id, ref.case_id],
            )
    for ref in plan.returned:
        append_change(store, inspection_id, ref.case_id, "case", ref.case_ref, "allocation", "moved away",
                      "allocated", source)
    for ref in plan.moved_away:
        db.execute(
            "UPDATE allocation_cases SET moved_away_at = ?, moved_away_pack_id = ? WHERE case_id = ?",
            [now, manifest.pack_id, ref.case_id],
        )
        append_change(store, inspection_id, ref.case_id, "case", ref.case_ref, "allocation", "allocated",
                      "moved away", source)
    if plan.queries_changed:
        # The list becomes the pack's; a query still listed keeps the pack that first brought it,
        # so the app can say since when the lead has been asking.
        wanted = {(q.case_uuid, q.question_id, q.text) for q in payload.moderation_queries}
        held = db.execute(
            "SELECT case_id, question_id, text FROM allocation_queries WHERE inspection_id = ?", [inspection_id]
        ).fetchall()
        for case_id, question_id, text in held:
            if (case_id, question_id, text) not in wanted:
                db.execute(
                    "DELETE FROM allocation_queries WHERE inspection_id = ? AND case_id = ? AND question_id = ? "
                    "AND text = ?",
                    [inspection_id, case_id, question_id, text],
                )
        # A handed-over case's personal data has left this laptop (or is about to): the lead's
        # query text about it is not brought back.
        handed_over = {
            row[0] for row in db.execute(
                "SELECT id FROM cases WHERE inspection_id = ? AND status = 'handed_over'", [inspection_id]
            )
        }
        for query in dict.fromkeys(payload.moderation_queries):
            if query.case_uuid in handed_over:
                continue
            db.execute(
                "INSERT OR IGNORE INTO allocation_queries (inspection_id, case_id, question_id, text, pack_id) "
                "VALUES (?, ?, ?, ?, ?)",
                [inspection_id, query.case_uuid, query.question_id, query.text, manifest.pack_id],
            )
    if plan.trust_lead:
        add_trusted_key(store, verified.lead, [inspection_id])
    if plan.pin_lead:
        pin_lead(store, inspection_id, verified.lead)
    if not plan.already_applied:
        db.execute(
            "INSERT INTO allocation_packs (pack_id, inspection_id, inspector_id, lead_key_id, lead_person_id, "
            "sequence, issued_at, manifest_sha256, applied_at, applied_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                manifest.pack_id, inspection_id, manifest.inspector_id, manifest.signer_key_id,
                verified.lead.person_id, manifest.sequence, manifest.issued_at, verified.manifest_sha256, now,
                store.actor,
            ],
        )


# --- reading back, for the app (moved-away cases and queries: fieldwork.store.allocations) -----


@dataclass(frozen=True)
class AppliedPack:
    pack_id: str
    inspection_id: str
    inspector_id: str
    lead_key_id: str
    lead_person_id: str
    sequence: int
    issued_at: str
    applied_at: str


def applied_packs(store: Store, inspection_id: str | None = None) -> list[AppliedPack]:
    """The packs applied to this workspace (optionally for one inspection), oldest first."""
    sql = (
        "SELECT pack_id, inspection_id, inspector_id, lead_key_id, lead_person_id, sequence, issued_at, "
        "applied_at FROM allocation_packs"
    )
    args = []
    if inspection_id is not None:
        sql += " WHERE inspection_id = ?"
        args.append(inspection_id)
    return [AppliedPack(*row) for row in store.db.execute(sql + " ORDER BY applied_at, sequence", args)]
