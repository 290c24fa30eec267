"""Key-question percentages broken down by case details (LDU, RoSH level, gender, sentence type).

Every case-detail field the framework marks `breakdown = true` is broken down, with a
"Not recorded" group for cases without a value. The same cases count as for the ratings:
cases of the standard's sample, key-question judgements only. One aggregate query gives the
recorded groups; "Not recorded" is the whole inspection's tally minus them.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.frameworks.model import CaseDetailField, Framework
from fieldwork.merge.held import waiting_case
from fieldwork.ratings import KeyQuestionTally
from fieldwork.reports.tallies import add_counts, detail_tally_rows, key_question_tallies, sample_key_questions
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection

NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class BreakdownGroup:
    """One group of cases: those with one value of the field (value None: not recorded)."""

    value: str | None
    label: str
    cases: int  # cases of the inspection in the group, any sample, any status
    key_questions: tuple[KeyQuestionTally, ...]  # every case-rated key question, framework order

    def tally(self, kq_id: str) -> KeyQuestionTally:
        return next(t for t in self.key_questions if t.id == kq_id)


@dataclass(frozen=True)
class Breakdown:
    field: CaseDetailField
    groups: tuple[BreakdownGroup, ...]  # recorded values in the field's order, then not recorded


def _value_order(field: CaseDetailField, values: set[str]) -> list[str]:
    """Choices in the framework's order, yes before no, numbers by size, text alphabetically."""
    if field.type == "choice":
        order = {c.value: i for i, c in enumerate(field.choices)}
        return sorted(values, key=lambda v: (order.get(v, len(order)), v.casefold(), v))
    if field.type == "boolean":
        return sorted(values, key=lambda v: ({"true": 0, "false": 1}.get(v, 2), v))
    if field.type == "integer":

        def number(v: str):
            try:
                return (0, int(v), v)
            except ValueError:
                return (1, 0, v)

        return sorted(values, key=number)
    return sorted(values, key=lambda v: (v.casefold(), v))


def breakdowns(store: Store, inspection_id: str, framework: Framework | None = None) -> tuple[Breakdown, ...]:
    """Key-question tallies per group of every breakdown field, in the framework's field order."""
    if framework is None:
        framework = framework_for(store, get_inspection(store, inspection_id))
    fields = tuple(f for f in framework.case_details if f.breakdown)
    if not fields:
        return ()
    field_ids = tuple(f.id for f in fields)
    kq_order = list(sample_key_questions(framework))

    # Tallies of the recorded groups: field → value → key question → [yes, no, na].
    grouped: dict[str, dict[str, dict[str, list[int]]]] = {f: {} for f in field_ids}
    for field_id, value, kq_id, answer, n in detail_tally_rows(store, inspection_id, framework, field_ids):
        add_counts(grouped[field_id].setdefault(value, {}), kq_id, answer, n)

    # Cases per recorded group; the rest of the inspection's cases are not recorded.
    marks = ", ".join("?" * len(field_ids))
    case_counts: dict[str, dict[str, int]] = {f: {} for f in field_ids}
    for field_id, value, n in store.db.execute(
        "SELECT d.field_id, d.value, COUNT(*) FROM cases c JOIN case_details d ON d.case_id = c.id "
        f"WHERE c.inspection_id = ? AND d.field_id IN ({marks}) AND d.value <> '' GROUP BY d.field_id, d.value",
        [inspection_id, *field_ids],
    ):
        case_counts[field_id][value] = n
    total_cases = store.db.execute(  # a case added by hand counts once the lead accepts it (decision 0019)
        f"SELECT COUNT(*) FROM cases c WHERE inspection_id = ? AND NOT {waiting_case('c')}", [inspection_id]
    ).fetchone()[0]
    whole = key_question_tallies(store, inspection_id, framework)

    result = []
    for field in fields:
        by_value = grouped[field.id]
        values = set(by_value) | set(case_counts[field.id])
        groups = []
        recorded = {kq: [0, 0, 0] for kq in kq_order}
        for value in _value_order(field, values):
            counts = by_value.get(value, {})
            tallies = tuple(KeyQuestionTally(kq, *counts.get(kq, (0, 0, 0))) for kq in kq_order)
            for t in tallies:
                row = recorded[t.id]
                row[0], row[1], row[2] = row[0] + t.yes, row[1] + t.no, row[2] + t.na
            groups.append(
                BreakdownGroup(value, field.label_for(value) or value, case_counts[field.id].get(value, 0), tallies)
            )
        missing = []
        for kq in kq_order:
            all_ = whole.get(kq, KeyQuestionTally(kq))
            yes, no, na = recorded[kq]
            missing.append(KeyQuestionTally(kq, all_.yes - yes, all_.no - no, all_.na - na))
        unrecorded_cases = total_cases - sum(case_counts[field.id].values())
        groups.append(BreakdownGroup(None, NOT_RECORDED, unrecorded_cases, tuple(missing)))
        result.append(Breakdown(field, tuple(groups)))
    return tuple(result)
