"""Naming the profile's person: records made under the id acting until now move to the person id.

Until a profile is set, the operating system's login name acts for this data folder's person
(docs/decisions/0004); until keys are made, the person id chosen can still change. Each time
the profile gets a new person id (welcome page, keys page, `keys init`; profile.name_profile),
every record that names the previous id as someone acting or responsible here is moved to the
new one, in one transaction with the profile itself, and the change log says so. Without the
move, a lead who created an inspection before making keys stopped being its lead, and the
practice cases belonged to nobody who could export them (docs/decisions/0023).

The app already treated the previous id as this profile everywhere (lead of the inspection,
reader of the case), so moving every such record changes no one's role: it only gives the role
its lasting name. Ids that arrived with a colleague's signed file (bundle signers, pack
recipients, trusted keys) are never touched: they name a key holder, and the previous id never
had keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store
from fieldwork.text import plural

# Every column that can name the person acting in this store, or a role the app matches against
# this profile (lead of an inspection, reader of a case, author of an answer). An optional SQL
# condition narrows a column to rows this store made itself.
MOVED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("inspections", "lead_id", ""),
    ("inspections", "created_by", ""),
    ("cases", "inspector_id", ""),
    ("case_details", "updated_by", ""),
    ("answers", "updated_by", ""),
    ("premises_answers", "updated_by", ""),  # the lead's answers for the premises (decision 0037)
    ("merge_versions", "author", "origin != 'bundle'"),  # the lead's own edits, not what a bundle brought
    ("merge_resolutions", "decided_by", ""),
    ("merge_case_conflicts", "decided_by", ""),
    ("merge_case_moderation", "set_by", ""),
    ("moderation_queries", "inspector_id", ""),
    ("moderation_queries", "raised_by", ""),
    ("moderation_queries", "closed_by", ""),
    ("merge_imports", "imported_by", ""),
    ("settings", "updated_by", ""),
    ("trusted_keys", "added_by", ""),
    ("trusted_keys", "revoked_by", ""),
    ("inspection_leads", "pinned_by", ""),
    ("allocation_packs", "applied_by", ""),
    ("receipts_issued", "issued_by", ""),
    ("receipts_accepted", "accepted_by", ""),
    ("retention_wipes", "wiped_by", ""),
    ("merge_case_readers", "accepted_by", ""),  # the lead who accepted held work
    ("merge_sample_moves", "decided_by", ""),  # the lead who decided a change of question set
    ("framework_moves", "moved_by", "source NOT LIKE 'pack:%'"),  # the lead's own moves, not one a pack brought
    ("region_contributions", "received_by", ""),  # the region lead who took PDU results in
)

# Person columns deliberately left as they are, and why (a test checks every person column of the
# schema is in one list or the other, so a new column cannot be forgotten).
KEPT_COLUMNS: dict[tuple[str, str], str] = {
    ("change_log", "actor"): "append-only history; the move's own entry ties the old name to the new id",
    ("lead_ratings", "decided_by"): "append-only decisions, kept as made",
    ("trusted_keys", "person_id"): "a colleague's key holder, from their signed identity file",
    ("allocation_pack_exports", "inspector_id"): "the key holder a pack was made for",
    ("allocation_packs", "inspector_id"): "the key holder the pack was made for",
    ("allocation_packs", "lead_person_id"): "the lead who signed the pack",
    ("merge_imports", "inspector_id"): "the signer of a merged bundle",
    ("merge_alerts", "inspector_id"): "the signer of a refused bundle",
    ("merge_case_states", "inspector_id"): "the signer who reported the case",
    ("merge_case_states", "allocated_to"): "the allocation as a signed bundle reported it",
    ("merge_case_origins", "inspector_id"): "the signer who added the case",
    ("merge_case_conflicts", "inspector_id"): "the signer whose case reference clashed",
    ("merge_case_readers", "inspector_id"): "the signer whose work on the case counts or waits (decision 0019)",
    ("receipts_issued", "inspector_id"): "the signer the receipt was issued to",
    ("merge_sample_moves", "inspector_id"): "the signer who changed the case's question set (decision 0036)",
    ("receipts_accepted", "lead_id"): "the lead who signed the receipt",
}

CHANGE_FIELD = "profile_person_id"  # the change-log field of the move's entries


@dataclass
class MovedRecords:
    """What a move changed: rows per column, and the inspections and cases that held them."""

    old: str
    new: str
    rows: dict[str, int] = field(default_factory=dict)  # "table.column" → rows moved
    inspections: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)  # case ids

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def summary(self) -> str:
        if not self.total:
            return f"Nothing was recorded under {self.old} yet."
        return (
            f"What was recorded here under {self.old} is now {self.new}'s: {plural(self.total, 'record')} in "
            f"{plural(len(self.inspections), 'inspection')} ({', '.join(self.inspections)}); "
            "each one's history says so."
        )


def _touched(store: Store, old: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The (case id, inspection, case ref) of every case, and the inspections, holding the stand-in."""
    db = store.db
    cases = db.execute(
        "SELECT id, inspection_id, case_ref FROM cases c WHERE c.inspector_id = ?1 "
        "OR EXISTS (SELECT 1 FROM answers a WHERE a.case_id = c.id AND a.updated_by = ?1) "
        "OR EXISTS (SELECT 1 FROM case_details d WHERE d.case_id = c.id AND d.updated_by = ?1) "
        "ORDER BY inspection_id, case_ref",
        [old],
    ).fetchall()
    inspections = {row[0] for row in db.execute(
        "SELECT id FROM inspections WHERE lead_id = ?1 OR created_by = ?1", [old]
    )}
    inspections |= {row[1] for row in cases}
    return [(row[0], row[1], row[2]) for row in cases], sorted(inspections)


def move_person_records(store: Store, old: str, new: str, *, source: str = "keys") -> MovedRecords:
    """Move every record naming `old` as this profile's person to `new`, with change-log entries.

    Runs in the caller's transaction when there is one (so the profile and the move land
    together), else in its own. The entries are written as `new`: one per inspection that held
    the stand-in, and one per case, so a case's history explains why earlier entries show `old`.
    """
    moved = MovedRecords(old, new)
    if old == new:
        return moved
    with store.transaction() as db:
        cases, inspections = _touched(store, old)
        for table, column, condition in MOVED_COLUMNS:
            where = f"{column} = ?" + (f" AND {condition}" if condition else "")
            count = db.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", [new, old]).rowcount
            if count:
                moved.rows[f"{table}.{column}"] = count
        saved_actor, store.actor = store.actor, new
        try:
            for inspection_id in inspections:
                append_change(store, inspection_id, None, "inspection", inspection_id, CHANGE_FIELD, old, new, source)
            for case_id, inspection_id, case_ref in cases:
                append_change(store, inspection_id, case_id, "case", case_ref, CHANGE_FIELD, old, new, source)
        finally:
            store.actor = saved_actor
    moved.inspections = inspections
    moved.cases = [case_id for case_id, _, _ in cases]
    return moved


def inspections_recorded_under(store: Store, person: str) -> list[str]:
    """The inspections whose records name `person` as lead, creator or reader (for the notice
    shown before keys are made: what the move will carry over)."""
    return _touched(store, person)[1]


def inspections_acted_in_by(store: Store, person: str) -> list[str]:
    """The inspections `person` created, or answered in, in this store: things only someone at this
    computer did (a case allocated to a person id alone is not enough: it may be a colleague's)."""
    rows = store.conn.execute(
        "SELECT id FROM inspections WHERE created_by = ?1 UNION "
        "SELECT c.inspection_id FROM cases c WHERE EXISTS (SELECT 1 FROM answers a WHERE a.case_id = c.id "
        "AND a.updated_by = ?1) OR EXISTS (SELECT 1 FROM case_details d WHERE d.case_id = c.id AND d.updated_by = ?1)",
        [person],
    ).fetchall()
    return sorted(row[0] for row in rows)
