"""Answers captured outside the app (a paper form typed up, a laptop's spreadsheet), imported.

Long format, one value per row: `case_ref, question_id, answer, note`. `question_id` is a key
question, a prompt or a case-detail field id as written in the framework; `answer` is yes, no or
na (also "n/a", "not applicable" and the framework's own labels, any case) or, for a case detail,
its value; `note` is evidence text for a key question. Every row is checked first and every
problem reported with its row and column; then everything is written in one transaction through
the same store calls the app uses, each change logged with the file as its source.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from fieldwork.frameworks.model import Answer, Framework
from fieldwork.imports.tables import ImportProblem, Problem, Table, read_table
from fieldwork.store.assessments import set_answer, set_detail
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection
from fieldwork.store.records import Inspection
from fieldwork.text import plural

ANSWER_COLUMNS = ("case_ref", "question_id", "answer", "note")
ERROR_CODE = "invalid-answers"
_LOCKED_STATUSES = ("complete", "handed_over")
_NA_WORDS = ("na", "n/a", "n.a.", "not applicable", "not_applicable", "not-applicable")


@dataclass(frozen=True)
class _Write:
    row: int
    case_id: str
    case_ref: str
    question_id: str
    kind: str  # key_question | prompt | case_detail
    value: str | None  # None: leave the stored answer as it is (a note-only row)
    note: str | None  # None: leave the stored note as it is


@dataclass(frozen=True)
class AnswersImportResult:
    file_name: str
    inspection_id: str
    answers_set: int  # prompt answers and key-question judgements (value and/or note) changed
    details_set: int  # case details changed
    unchanged: int  # rows that matched what was already stored
    cases: tuple[str, ...]  # case refs the file changed
    warnings: tuple[str, ...]

    def to_json(self) -> dict:
        return {
            "file": self.file_name,
            "inspection": self.inspection_id,
            "answers_set": self.answers_set,
            "details_set": self.details_set,
            "unchanged": self.unchanged,
            "cases": list(self.cases),
            "warnings": list(self.warnings),
        }

    def summary(self) -> str:
        return (
            f"{self.file_name}: {plural(self.answers_set, 'answer')} and {plural(self.details_set, 'case detail')} "
            f"recorded in {plural(len(self.cases), 'case')}; {plural(self.unchanged, 'row')} already as stored."
        )


def _answer_words(framework: Framework, kind: str) -> dict[str, str]:
    words = {a.value: a.value for a in Answer}
    words.update(dict.fromkeys(_NA_WORDS, Answer.NA.value))
    labels = [framework.answer_labels]
    if kind == "key_question":
        labels.append(framework.judgement_labels)
    for mapping in labels:
        for value, label in mapping.items():
            words.setdefault(label.strip().casefold(), value)
    return words


def _plan(store: Store, inspection: Inspection, table: Table) -> tuple[list[_Write], list[Problem]]:
    framework = framework_for(store, inspection)
    heading: list[Problem] = []
    for required in ("case_ref", "question_id"):
        if required not in table.columns:
            heading.append(
                Problem(
                    table.header_row,
                    required,
                    f"there is no {required} column (headings found: {', '.join(table.columns)}); "
                    f"an answers file has the columns {', '.join(ANSWER_COLUMNS)}.",
                )
            )
    if "answer" not in table.columns and "note" not in table.columns:
        heading.append(
            Problem(table.header_row, "answer", "there is no answer or note column, so there is nothing to import.")
        )
    for column in table.columns:
        if column not in ANSWER_COLUMNS:
            heading.append(
                Problem(
                    table.header_row,
                    column,
                    f"'{column}' is not a column of an answers file; the columns are: {', '.join(ANSWER_COLUMNS)} "
                    "(one row per answer).",
                )
            )

    cases = {
        ref.casefold(): (case_id, ref, sample_id, status)
        for case_id, ref, sample_id, status in store.db.execute(
            "SELECT id, case_ref, sample_id, status FROM cases WHERE inspection_id = ?", [inspection.id]
        )
    }
    question_ids = _question_ids(framework)

    row_problems: dict[int, list[Problem]] = defaultdict(list)
    for problem in table.problems:
        row_problems[problem.row or 0].append(problem)
    writes: list[_Write] = []
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in table.rows:
        problems = row_problems[row.number]
        ref, question_text = row.get("case_ref"), row.get("question_id")
        answer_text, note = row.get("answer"), row.get("note")
        case = None
        if "case_ref" not in table.columns:
            pass  # reported once, in the heading row
        elif not ref:
            problems.append(Problem(row.number, "case_ref", "the case reference is empty; every row needs one."))
        else:
            case = cases.get(ref.casefold())
            if case is None:
                problems.append(
                    Problem(
                        row.number,
                        "case_ref",
                        f"there is no case {ref} in inspection {inspection.id}; check the reference "
                        "or add the case to the sample first.",
                    )
                )
            elif case[3] in _LOCKED_STATUSES:
                problems.append(
                    Problem(
                        row.number,
                        "case_ref",
                        f"case {case[1]} is marked {case[3].replace('_', ' ')}, so its answers cannot change; "
                        "reopen the case in the app first, or leave this row out.",
                    )
                )
        question_id = question_ids.get(question_text.casefold()) if question_text else None
        kind = framework.question_kind(question_id) if question_id else None
        if "question_id" not in table.columns:
            pass  # reported once, in the heading row
        elif not question_text:
            problems.append(Problem(row.number, "question_id", "the question id is empty; every row needs one."))
        elif kind is None:
            problems.append(
                Problem(
                    row.number,
                    "question_id",
                    f"'{question_text}' is not a key question, prompt or case detail of {framework.id} "
                    "(ids as in the framework, e.g. 2.1.1, 2.1.1.a or ldu).",
                )
            )
        elif case is not None and kind != "case_detail":
            sample_of = _sample_of(framework, question_id, kind)
            if sample_of != case[2]:
                problems.append(
                    Problem(
                        row.number,
                        "question_id",
                        f"{question_id} is not asked of case {case[1]}, which is in sample {case[2]} "
                        f"({question_id} belongs to {sample_of or 'no case sample'}).",
                    )
                )
        value: str | None = None
        if kind == "case_detail":
            field_def = framework.case_detail(question_id)
            if not answer_text:
                problems.append(
                    Problem(
                        row.number, "answer", f"no value for {field_def.label}; give the value or leave the row out."
                    )
                )
            else:
                try:
                    value = field_def.normalise(answer_text)
                except ValueError as exc:
                    problems.append(Problem(row.number, "answer", f"{field_def.label}: {exc}."))
            if note:
                problems.append(
                    Problem(row.number, "note", f"{question_id} is a case detail, which has no evidence note.")
                )
        elif kind in ("key_question", "prompt"):
            question = framework.key_question(question_id) if kind == "key_question" else framework.prompt(question_id)
            if answer_text:
                value = _answer_words(framework, kind).get(answer_text.casefold())
                allowed = [a.value for a in question.allowed()]
                if value is None:
                    problems.append(
                        Problem(
                            row.number,
                            "answer",
                            f"'{answer_text}' is not an answer to {question_id}; use one of: {', '.join(allowed)}.",
                        )
                    )
                elif value not in allowed:
                    problems.append(
                        Problem(
                            row.number,
                            "answer",
                            f"{question_id} does not allow Not applicable in {framework.id}; "
                            f"use one of: {', '.join(allowed)}.",
                        )
                    )
                    value = None
            elif not note:
                problems.append(
                    Problem(row.number, "answer", f"the row has no answer and no note for {question_id}; fill one in.")
                )
            if note and kind == "prompt":
                parent = framework.parent_key_question(question_id).id
                problems.append(
                    Problem(
                        row.number,
                        "note",
                        f"{question_id} is a prompt; evidence notes belong to its key question, so put this note "
                        f"on a row for {parent}.",
                    )
                )
        if case is not None and question_id is not None:
            seen[(case[0], question_id)].append(row.number)
        if not problems and case is not None and kind is not None:
            writes.append(_Write(row.number, case[0], case[1], question_id, kind, value, note or None))

    for (_, question_id), rows in seen.items():
        if len(rows) > 1:
            for number in rows:
                others = ", ".join(str(n) for n in rows if n != number)
                row_problems[number].append(
                    Problem(
                        number,
                        "question_id",
                        f"{question_id} for this case is also in row {others}; keep one row per case and question.",
                    )
                )
    problems = table.in_order(heading + [p for found in row_problems.values() for p in found])
    return writes, problems


def _question_ids(framework: Framework) -> dict[str, str]:
    """Every id a row may name, by its case-folded form (ids are matched ignoring case)."""
    ids = {f.id.casefold(): f.id for f in framework.case_details}
    for standard in framework.standards:
        for key_question in standard.key_questions:
            ids.update({p.id.casefold(): p.id for p in key_question.prompts})
            ids[key_question.id.casefold()] = key_question.id
    return ids


def _sample_of(framework: Framework, question_id: str, kind: str) -> str | None:
    question = (
        framework.key_question(question_id) if kind == "key_question" else framework.parent_key_question(question_id)
    )
    return framework.standard(question.standard_id).sample_id


def import_answers(
    store: Store, inspection: Inspection | str, path: str | Path, *, source: str | None = None
) -> AnswersImportResult:
    """Check every row, then record every answer, note and case detail in one transaction.

    Raises ImportProblem (code invalid-answers, with every problem found) and writes nothing when
    any row has a problem.
    """
    inspection = get_inspection(store, inspection) if isinstance(inspection, str) else inspection
    try:
        table = read_table(path)
    except ImportProblem as exc:
        raise exc.with_code(ERROR_CODE) from None
    writes, problems = _plan(store, inspection, table)
    if problems:
        raise ImportProblem(table.path, problems, code=ERROR_CODE)
    source = source or f"answers-import:{table.name}"
    answers_set = details_set = unchanged = 0
    cases: dict[str, None] = {}
    with store.transaction():
        for write in writes:
            if write.kind == "case_detail":
                changed = set_detail(store, write.case_id, write.question_id, write.value or "", source=source)
                details_set += changed is not None
            else:
                values = {}
                if write.value is not None:
                    values["value"] = write.value
                if write.note is not None:
                    values["note"] = write.note
                changed = set_answer(store, write.case_id, write.question_id, source=source, **values)
                answers_set += changed is not None
            if changed is None:
                unchanged += 1
            else:
                cases[write.case_ref] = None
    return AnswersImportResult(
        table.name, inspection.id, answers_set, details_set, unchanged, tuple(cases), table.warnings
    )
