"""The provider's case sample: check every row against the framework, then add or update cases.

Columns: `case_ref` (required, unique), `sample` (a sample id or title; when absent or blank,
the sample the framework's sample rules choose from the row's details, else the default
sample), `inspector_id` (optional allocation) and any of the framework's case-detail fields by
id. Every problem is reported with its row and column. Nothing is written unless the whole file
is clean, or the caller asks for the clean rows only, in which case the rows left out are
recorded in the change log.

Re-importing (docs/decisions/0006-reimporting-a-case-sample.md): a case already in the
inspection is matched by its reference (ignoring case); new cases are added; case details and
allocations that differ are reported and applied, each change logged with the file as its
source; a blank cell never clears a stored value; a case never moves to another sample by a
`sample` cell, though changed details may move it by the framework's sample rules while it has
no answer and no one chose its set by hand (decision 0034); cases missing from the file are
kept and listed. Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fieldwork.frameworks.model import Framework
from fieldwork.imports.tables import ImportProblem, Problem, Table, read_table
from fieldwork.store.assessments import get_case
from fieldwork.store.case_samples import reapply_rule
from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store
from fieldwork.store.inspections import add_case, create_inspection, framework_for, get_inspection
from fieldwork.store.records import Inspection
from fieldwork.text import is_one_line, plural

SAMPLE_COLUMNS = ("case_ref", "sample", "inspector_id")
ERROR_CODE = "invalid-sample"
MAX_REF_LENGTH = 100
_LOCKED_STATUSES = ("complete", "handed_over")


@dataclass(frozen=True)
class DetailChange:
    """A stored value that the file changes: a case detail, or the allocation (`inspector_id`)."""

    row: int
    case_ref: str
    field_id: str
    old: str
    new: str

    def to_json(self) -> dict:
        return {"row": self.row, "case_ref": self.case_ref, "field": self.field_id, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class _CleanRow:
    row: int
    case_ref: str
    sample_id: str | None  # None: blank (the default sample for a new case; unchanged for a known one)
    inspector_id: str | None  # None: blank or no column (unchanged)
    details: Mapping[str, str]  # stored form, non-empty values only


@dataclass(frozen=True)
class _Existing:
    id: str
    case_ref: str
    sample_id: str
    inspector_id: str | None
    status: str
    details: dict[str, str]


@dataclass(frozen=True)
class SamplePlan:
    """What importing a sample file would do: checked, nothing written."""

    path: Path
    inspection_id: str
    table_format: str
    to_add: tuple[_CleanRow, ...]
    changes: tuple[DetailChange, ...]
    unchanged: tuple[str, ...]  # case refs already in the inspection exactly as in the file
    not_in_file: tuple[str, ...]  # case refs in the inspection that the file does not list
    problems: tuple[Problem, ...]
    heading_problems: bool  # problems in the heading row: no row can be imported
    skipped_rows: tuple[int, ...]  # rows with problems, left out by a clean-rows-only import
    warnings: tuple[str, ...]
    case_ids: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def clean(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class SampleImportResult:
    file_name: str
    inspection_id: str
    added: tuple[str, ...]  # case refs, in file order
    unchanged: tuple[str, ...]
    changes: tuple[DetailChange, ...]  # applied, each logged
    not_in_file: tuple[str, ...]  # kept, never deleted
    problems: tuple[Problem, ...]  # only with clean_rows_only: the reasons rows were skipped
    skipped_rows: tuple[int, ...]
    warnings: tuple[str, ...]

    @property
    def changed_cases(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.case_ref for c in self.changes))

    def to_json(self) -> dict:
        return {
            "file": self.file_name,
            "inspection": self.inspection_id,
            "added": list(self.added),
            "unchanged": list(self.unchanged),
            "changed": [c.to_json() for c in self.changes],
            "not_in_file": list(self.not_in_file),
            "skipped_rows": list(self.skipped_rows),
            "problems": [p.to_json() for p in self.problems],
            "warnings": list(self.warnings),
        }

    def summary(self) -> str:
        parts = [f"{plural(len(self.added), 'case')} added", f"{len(self.unchanged)} unchanged"]
        if self.changes:
            parts.append(f"{plural(len(self.changes), 'value')} changed in {plural(len(self.changed_cases), 'case')}")
        if self.skipped_rows:
            parts.append(f"{plural(len(self.skipped_rows), 'row')} with problems skipped")
        if self.not_in_file:
            parts.append(f"{plural(len(self.not_in_file), 'case')} in the inspection but not in the file (kept)")
        return f"{self.file_name}: " + ", ".join(parts) + "."


# --- checking ----------------------------------------------------------------------------


def sample_columns(framework: Framework) -> tuple[str, ...]:
    """Every column a case sample for this framework may have."""
    return SAMPLE_COLUMNS + tuple(f.id for f in framework.case_details)


def _suggest(column: str, known: tuple[str, ...]) -> str | None:
    """The known column a mistyped heading most likely meant ('rosh_level' → 'rosh'), if any."""
    close = difflib.get_close_matches(column, known, n=1, cutoff=0.7)
    if close:
        return close[0]
    containing = [k for k in known if len(k) >= 3 and len(column) >= 3 and (k in column or column in k)]
    return max(containing, key=len) if containing else None


def _sample_key(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.strip()).casefold()


def _sample_lookup(framework: Framework) -> dict[str, str]:
    lookup = {_sample_key(s.title): s.id for s in framework.samples}
    lookup.update({_sample_key(s.id): s.id for s in framework.samples})  # ids win over titles
    return lookup


def _existing_cases(store: Store, inspection_id: str) -> dict[str, _Existing]:
    """The inspection's cases by reference folded to one case."""
    cases: dict[str, _Existing] = {}
    by_id: dict[str, _Existing] = {}
    for case_id, ref, sample_id, inspector_id, status in store.db.execute(
        "SELECT id, case_ref, sample_id, inspector_id, status FROM cases WHERE inspection_id = ? ORDER BY case_ref",
        [inspection_id],
    ):
        case = _Existing(case_id, ref, sample_id, inspector_id, status, {})
        cases[ref.casefold()] = case
        by_id[case_id] = case
    for case_id, field_id, value in store.db.execute(
        "SELECT d.case_id, d.field_id, d.value FROM case_details d JOIN cases c ON c.id = d.case_id "
        "WHERE c.inspection_id = ?",
        [inspection_id],
    ):
        by_id[case_id].details[field_id] = value
    return cases


def _resolve(store: Store, inspection: Inspection | str) -> Inspection:
    return get_inspection(store, inspection) if isinstance(inspection, str) else inspection


def check_case_sample(store: Store, inspection: Inspection | str, path: str | Path) -> SamplePlan:
    """Read and check a sample file against the inspection; writes nothing.

    Raises ImportProblem (code invalid-sample) only when the file cannot be read as a table;
    every other problem is in the plan.
    """
    inspection = _resolve(store, inspection)
    try:
        table = read_table(path)
    except ImportProblem as exc:
        raise exc.with_code(ERROR_CODE) from None
    return _plan(store, inspection, table)


def _plan(store: Store, inspection: Inspection, table: Table) -> SamplePlan:
    framework = framework_for(store, inspection)
    known = sample_columns(framework)
    heading: list[Problem] = []
    if "case_ref" not in table.columns:
        found = ", ".join(table.columns)
        heading.append(
            Problem(
                table.header_row,
                "case_ref",
                f"there is no case_ref column (headings found: {found}); "
                "every case sample needs a case_ref column with one case reference per row.",
            )
        )
    for column in table.columns:
        if column not in known:
            close = _suggest(column, known)
            hint = f" (did you mean '{close}'?)" if close else ""
            heading.append(
                Problem(
                    table.header_row,
                    column,
                    f"'{column}' is not a column of a case sample for {framework.id}{hint}; "
                    f"the columns are: {', '.join(known)}.",
                )
            )
    detail_columns = [c for c in table.columns if c in known and c not in SAMPLE_COLUMNS]
    samples = _sample_lookup(framework)
    sample_names = ", ".join(f"{s.id} ('{s.title}')" for s in framework.samples)

    row_problems: dict[int, list[Problem]] = defaultdict(list)
    for problem in table.problems:
        row_problems[problem.row or 0].append(problem)
    candidates: list[_CleanRow] = []
    refs_seen: dict[str, list[int]] = defaultdict(list)
    for row in table.rows:
        problems = row_problems[row.number]
        ref = row.get("case_ref")
        if "case_ref" in table.columns:
            if not ref:
                problems.append(Problem(row.number, "case_ref", "the case reference is empty; every row needs one."))
            elif len(ref) > MAX_REF_LENGTH:
                problems.append(
                    Problem(row.number, "case_ref", f"the case reference is longer than {MAX_REF_LENGTH} characters.")
                )
            elif not is_one_line(ref, MAX_REF_LENGTH):  # the store's own rule, said here per row
                problems.append(
                    Problem(row.number, "case_ref", "the case reference holds a control character (a line break, "
                            "a tab or another invisible character); correct it in the file.")
                )
            else:
                refs_seen[ref.casefold()].append(row.number)
        sample_text = row.get("sample")
        sample_id = None
        if sample_text:
            sample_id = samples.get(_sample_key(sample_text))
            if sample_id is None:
                problems.append(
                    Problem(
                        row.number,
                        "sample",
                        f"'{sample_text}' is not a sample of {framework.id}; use one of: {sample_names}, "
                        f"or leave it blank for {framework.default_sample.id}.",
                    )
                )
        inspector_id = row.get("inspector_id") or None
        if inspector_id and (len(inspector_id) > MAX_REF_LENGTH or not inspector_id.isprintable()):
            problems.append(
                Problem(row.number, "inspector_id", "the inspector id is not a usable person id (too long or odd).")
            )
        details: dict[str, str] = {}
        for column in detail_columns:
            field_def = framework.case_detail(column)
            try:
                value = field_def.normalise(row.get(column))
            except ValueError as exc:
                problems.append(Problem(row.number, column, f"{field_def.label}: {exc}."))
                continue
            if value:
                details[column] = value
        candidates.append(_CleanRow(row.number, ref, sample_id, inspector_id, details))

    for rows in refs_seen.values():
        if len(rows) > 1:
            for number in rows:
                others = ", ".join(str(n) for n in rows if n != number)
                ref = next(c.case_ref for c in candidates if c.row == number)
                row_problems[number].append(
                    Problem(
                        number,
                        "case_ref",
                        f"case {ref} is also in row {others}; each case may appear once, so keep one of these rows.",
                    )
                )

    existing = _existing_cases(store, inspection.id)
    matched: set[str] = set()
    to_add: list[_CleanRow] = []
    changes: list[DetailChange] = []
    unchanged: list[str] = []
    case_ids: dict[str, str] = {}
    for candidate in candidates:
        case = existing.get(candidate.case_ref.casefold()) if candidate.case_ref else None
        if case is not None:
            matched.add(case.case_ref)  # in the file, even on a row with problems
        if row_problems[candidate.row] or not candidate.case_ref:
            continue
        if case is None:
            to_add.append(candidate)
            continue
        case_ids[case.case_ref] = case.id
        row_changes, problems = _compare(candidate, case, framework)
        if problems:
            row_problems[candidate.row].extend(problems)
        elif row_changes:
            changes.extend(row_changes)
        else:
            unchanged.append(case.case_ref)

    problems = table.in_order(heading + [p for found in row_problems.values() for p in found])
    skipped = tuple(sorted(n for n, found in row_problems.items() if found))
    return SamplePlan(
        path=table.path,
        inspection_id=inspection.id,
        table_format=table.describe_format(),
        to_add=tuple(to_add),
        changes=tuple(changes),
        unchanged=tuple(unchanged),
        not_in_file=tuple(c.case_ref for c in existing.values() if c.case_ref not in matched),
        problems=tuple(problems),
        heading_problems=bool(heading),
        skipped_rows=skipped,
        warnings=table.warnings,
        case_ids=case_ids,
    )


def _compare(row: _CleanRow, case: _Existing, framework: Framework) -> tuple[list[DetailChange], list[Problem]]:
    changes: list[DetailChange] = []
    problems: list[Problem] = []
    if row.sample_id and row.sample_id != case.sample_id:
        problems.append(
            Problem(
                row.row,
                "sample",
                f"case {case.case_ref} is already in the inspection in sample {case.sample_id}; a case cannot move "
                f"to {row.sample_id} by re-importing: leave the cell as {case.sample_id} or blank.",
            )
        )
    for field_id, value in row.details.items():
        old = case.details.get(field_id, "")
        if value == old:
            continue
        if case.status in _LOCKED_STATUSES:
            label = framework.case_detail(field_id).label
            problems.append(
                Problem(
                    row.row,
                    field_id,
                    f"case {case.case_ref} is marked {case.status.replace('_', ' ')}, so its {label} cannot change "
                    f"from '{old}' to '{value}'; reopen the case first, or keep the value as it was.",
                )
            )
            continue
        changes.append(DetailChange(row.row, case.case_ref, field_id, old, value))
    if row.inspector_id and row.inspector_id != (case.inspector_id or ""):
        changes.append(DetailChange(row.row, case.case_ref, "inspector_id", case.inspector_id or "", row.inspector_id))
    return changes, problems


# --- importing ---------------------------------------------------------------------------


def import_case_sample(
    store: Store,
    inspection: Inspection | str,
    path: str | Path,
    *,
    clean_rows_only: bool = False,
    source: str | None = None,
) -> SampleImportResult:
    """Check the file, then add and update its cases in one transaction.

    Raises ImportProblem (code invalid-sample, with every problem) and writes nothing when the file
    has problems, unless `clean_rows_only`: then the clean rows are imported and the others are
    recorded in the change log. Problems in the heading row are refused either way.
    """
    inspection = _resolve(store, inspection)
    plan = check_case_sample(store, inspection, path)
    return apply_sample_plan(store, inspection, plan, clean_rows_only=clean_rows_only, source=source)


def apply_sample_plan(
    store: Store,
    inspection: Inspection,
    plan: SamplePlan,
    *,
    clean_rows_only: bool = False,
    source: str | None = None,
) -> SampleImportResult:
    """Write a checked plan (see `check_case_sample`) in one transaction."""
    if plan.problems and (plan.heading_problems or not clean_rows_only):
        raise ImportProblem(plan.path, plan.problems, code=ERROR_CODE)
    source = source or f"sample-import:{plan.file_name}"
    framework = framework_for(store, inspection)
    with store.transaction():
        for row in plan.to_add:
            add_case(
                store,
                inspection,
                row.case_ref,
                sample_id=row.sample_id,
                inspector_id=row.inspector_id,
                details=row.details,
                source=source,
            )
        now = store.now()
        touched: dict[str, str] = {}
        for change in plan.changes:
            case_id = plan.case_ids[change.case_ref]
            touched[case_id] = change.case_ref
            if change.field_id == "inspector_id":
                store.db.execute("UPDATE cases SET inspector_id = ? WHERE id = ?", [change.new, case_id])
                append_change(
                    store,
                    inspection.id,
                    case_id,
                    "case",
                    change.case_ref,
                    "inspector_id",
                    change.old or None,
                    change.new,
                    source,
                )
                continue
            store.db.execute(
                "INSERT INTO case_details (case_id, field_id, value, revision, updated_at, updated_by) "
                "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (case_id, field_id) DO UPDATE SET "
                "value = excluded.value, revision = case_details.revision + 1, "
                "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                [case_id, change.field_id, change.new, now, store.actor],
            )
            append_change(
                store, inspection.id, case_id, "detail", change.field_id, "value", change.old, change.new, source
            )
        for case_id in touched:
            # Changed details may choose another question set, while no answer pins it (decision 0034).
            reapply_rule(store, framework, get_case(store, case_id), source)
            # A new revision of the case (so a re-issued pack carries it); its status is the inspector's.
            store.db.execute("UPDATE cases SET revision = revision + 1, updated_at = ? WHERE id = ?", [now, case_id])
        by_row: dict[int, list[Problem]] = defaultdict(list)
        for problem in plan.problems:
            by_row[problem.row or 0].append(problem)
        for number in plan.skipped_rows:
            reasons = "; ".join(f"{p.column}: {p.message}" if p.column else p.message for p in by_row[number])
            append_change(
                store,
                inspection.id,
                None,
                "inspection",
                f"row {number}",
                "sample-import-skipped",
                None,
                reasons,
                source,
            )
    return SampleImportResult(
        file_name=plan.file_name,
        inspection_id=inspection.id,
        added=tuple(r.case_ref for r in plan.to_add),
        unchanged=plan.unchanged,
        changes=plan.changes,
        not_in_file=plan.not_in_file,
        problems=plan.problems,
        skipped_rows=plan.skipped_rows,
        warnings=plan.warnings,
    )


def create_inspection_with_sample(
    store: Store,
    sample_path: str | Path,
    *,
    clean_rows_only: bool = False,
    source: str | None = None,
    **inspection_fields,
) -> tuple[Inspection, SampleImportResult]:
    """Create an inspection (see `create_inspection`) and import its sample: both, or neither."""
    try:
        table = read_table(sample_path)  # an unreadable file is refused before anything else
    except ImportProblem as exc:
        raise exc.with_code(ERROR_CODE) from None
    with store.transaction():
        inspection = create_inspection(store, **inspection_fields)
        plan = _plan(store, inspection, table)
        result = apply_sample_plan(store, inspection, plan, clean_rows_only=clean_rows_only, source=source)
    return inspection, result
