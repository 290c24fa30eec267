"""Who reads which case: allocating cases to inspectors, and the counts a lead plans with."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from fieldwork.errors import ValidationError
from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store

_PERSON_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
UNALLOCATED = ""


@dataclass(frozen=True)
class AllocationRow:
    """One inspector's share of the sample (inspector "" = not yet allocated)."""

    inspector_id: str
    cases: int
    by_ldu: dict[str, int] = field(default_factory=dict)
    by_rosh: dict[str, int] = field(default_factory=dict)
    by_sample: dict[str, int] = field(default_factory=dict)


def allocate_cases(store: Store, case_ids: Iterable[str], inspector_id: str | None, *, source: str = "app") -> int:
    """Give the cases to an inspector (None or "" takes them back); returns how many changed."""
    inspector_id = (inspector_id or "").strip() or None
    if inspector_id is not None and not _PERSON_ID.match(inspector_id):
        raise ValidationError(f"'{inspector_id}' is not a usable person id; use letters, digits, '.', '_', '@' or '-'.")
    changed = 0
    with store.transaction():
        now = store.now()
        for case_id in case_ids:
            row = store.db.execute(
                "SELECT inspection_id, case_ref, inspector_id FROM cases WHERE id = ?", [case_id]
            ).fetchone()
            if row is None:
                raise ValidationError(f"No case with id {case_id}; nothing was allocated.")
            inspection_id, case_ref, old = row
            if old == inspector_id:
                continue
            # The allocation is the lead's plan, not the case's content: the case revision stays.
            store.db.execute(
                "UPDATE cases SET inspector_id = ?, updated_at = ? WHERE id = ?", [inspector_id, now, case_id]
            )
            append_change(store, inspection_id, case_id, "case", case_ref, "inspector", old, inspector_id, source)
            changed += 1
    return changed


def allocation_counts(store: Store, inspection_id: str) -> list[AllocationRow]:
    """Cases per inspector, with their spread over LDU, RoSH level and sample."""
    rows: dict[str, AllocationRow] = {}
    query = (
        "SELECT COALESCE(c.inspector_id, ''), c.sample_id, "
        "(SELECT value FROM case_details d WHERE d.case_id = c.id AND d.field_id = 'ldu'), "
        "(SELECT value FROM case_details d WHERE d.case_id = c.id AND d.field_id = 'rosh') "
        "FROM cases c WHERE c.inspection_id = ?"
    )
    for inspector, sample, ldu, rosh in store.db.execute(query, [inspection_id]):
        entry = rows.setdefault(inspector, AllocationRow(inspector, 0, {}, {}, {}))
        rows[inspector] = AllocationRow(inspector, entry.cases + 1, entry.by_ldu, entry.by_rosh, entry.by_sample)
        for counts, key in (
            (entry.by_ldu, ldu or "not recorded"),
            (entry.by_rosh, rosh or "not recorded"),
            (entry.by_sample, sample),
        ):
            counts[key] = counts.get(key, 0) + 1
    return sorted(rows.values(), key=lambda r: (r.inspector_id == UNALLOCATED, r.inspector_id))
