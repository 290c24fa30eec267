"""The aggregate queries behind the ratings: key-question tallies straight from SQLite.

Aggregate queries over the `answers_by_question` index (question, value, case) in GROUP BY
order, never a Python loop over answers: no table row is read and nothing is sorted.

What costs is telling which answers count: only those of the inspection's cases in the key
question's sample. Checking each answer's case is one index search per answer (120,000 for a
central database of 10,000 cases), about three quarters of the time. So (issue 21) each key
question is tallied the cheapest of three exact ways, chosen from one walk of the cases index:

- every case in the store is one of the inspection's cases in the question's sample (a lead's
  central database of one sample, an inspector's single inspection): the plain count of the
  question's answers, no case looked at;
- the cases outside are few beside the question's answers: the plain count, less the answers
  of those cases (looked up case by case);
- otherwise: each answer's case checked, as before.

All three give the same counts because every answer has its case (a foreign key, enforced on
every store connection). tests/reports/test_tally_paths.py compares them on random stores.
"""

from __future__ import annotations

from fieldwork.frameworks.model import Answer, Framework
from fieldwork.ratings import KeyQuestionTally
from fieldwork.store.db import Store

# Looking up one answer of one case (a search of the answers' key, then its row) costs about
# twice checking one answer's case; the subtraction is taken where it is cheaper than that.
LOOKUP_COST = 2


def sample_key_questions(framework: Framework) -> dict[str, str]:
    """Key question id → the sample whose cases answer it (case-rated standards only), in order."""
    return {kq.id: s.sample_id for s in framework.standards if s.basis == "cases" for kq in s.key_questions}


def _sample_filter(sample_of: dict[str, str]) -> tuple[str, list[str]]:
    """SQL (and its parameters) true when the answer's case is in the key question's sample."""
    whens = " ".join("WHEN ? THEN ?" for _ in sample_of)
    params = [part for pair in sample_of.items() for part in pair]
    return f"c.sample_id = CASE a.question_id {whens} END", params


def _marks(items) -> str:
    return ", ".join("?" * len(items))


def _cases_in_samples(store: Store, inspection_id: str) -> tuple[dict[str, int], int]:
    """The inspection's cases by sample, and every case in the store (one walk of `cases_by_sample`)."""
    mine: dict[str, int] = {}
    everything = 0
    for is_mine, sample_id, n in store.conn.execute(
        "SELECT inspection_id = ?, sample_id, COUNT(*) FROM cases INDEXED BY cases_by_sample GROUP BY 1, 2",
        [inspection_id],
    ):
        everything += n
        if is_mine:
            mine[sample_id] = n
    return mine, everything


def _all_answers(store: Store, kq_ids: list[str]) -> dict[tuple[str, str], int]:
    """(question, value) → answers of every case in the store, from the index alone."""
    rows = store.conn.execute(
        f"SELECT question_id, value, COUNT(*) FROM answers WHERE question_id IN ({_marks(kq_ids)}) "
        "AND value IS NOT NULL GROUP BY question_id, value",
        kq_ids,
    )
    return {(kq_id, value): n for kq_id, value, n in rows}


def _answers_outside(store: Store, inspection_id: str, sample_id: str, kq_ids: list[str]):
    """(question, value, count) of the answers of the cases that are not the inspection's in `sample_id`."""
    # CROSS JOIN: the cases (a walk of their index) are the outer loop, each answer found by its key.
    return store.conn.execute(
        "SELECT a.question_id, a.value, COUNT(*) FROM cases c CROSS JOIN answers a "
        f"ON a.case_id = c.id AND a.question_id IN ({_marks(kq_ids)}) "
        "WHERE NOT (c.inspection_id = ? AND c.sample_id = ?) AND a.value IS NOT NULL "
        "GROUP BY a.question_id, a.value",
        [*kq_ids, inspection_id, sample_id],
    ).fetchall()


def _answers_checked(store: Store, inspection_id: str, sample_of: dict[str, str]):
    """(question, value, count) with each answer's case checked."""
    same_sample, sample_params = _sample_filter(sample_of)
    # CROSS JOIN keeps answers (by the covering index) as the outer loop, so GROUP BY needs no sort.
    sql = (
        "SELECT a.question_id, a.value, COUNT(*) FROM answers a CROSS JOIN cases c ON c.id = a.case_id "
        f"WHERE a.question_id IN ({_marks(sample_of)}) AND a.value IS NOT NULL AND c.inspection_id = ? "
        f"AND {same_sample} GROUP BY a.question_id, a.value"
    )
    return store.conn.execute(sql, [*sample_of, inspection_id, *sample_params]).fetchall()


def tally_rows(
    store: Store, inspection_id: str, framework: Framework, *, lookup_cost: float = LOOKUP_COST
) -> list[tuple[str, str, int]]:
    """(key question, value, count) over the cases of the inspection that belong to its sample,
    in (question, value) order; `lookup_cost` only chooses the way (tests force each one)."""
    sample_of = sample_key_questions(framework)
    if not sample_of:
        return []
    mine, everything = _cases_in_samples(store, inspection_id)
    totals = _all_answers(store, list(sample_of))
    answered: dict[str, int] = {}
    for (kq_id, _), n in totals.items():
        answered[kq_id] = answered.get(kq_id, 0) + n
    counts = dict(totals)
    subtract: dict[str, list[str]] = {}  # sample → its key questions tallied by subtraction
    checked: dict[str, str] = {}
    for kq_id, sample_id in sample_of.items():
        outside = everything - mine.get(sample_id, 0)
        if outside == 0:
            continue  # the plain count is the tally
        if outside * lookup_cost < answered.get(kq_id, 0):
            subtract.setdefault(sample_id, []).append(kq_id)
        else:
            checked[kq_id] = sample_id
    for key in [key for key in counts if key[0] in checked]:
        del counts[key]
    for sample_id, kq_ids in subtract.items():
        for kq_id, value, n in _answers_outside(store, inspection_id, sample_id, kq_ids):
            counts[(kq_id, value)] -= n
    if checked:
        counts.update({(kq_id, value): n for kq_id, value, n in _answers_checked(store, inspection_id, checked)})
    return sorted((kq_id, value, n) for (kq_id, value), n in counts.items() if n > 0)


def detail_tally_rows(
    store: Store, inspection_id: str, framework: Framework, field_ids: tuple[str, ...]
) -> list[tuple[str, str, str, str, int]]:
    """(field, detail value, key question, value, count) for cases with a non-empty value."""
    sample_of = sample_key_questions(framework)
    if not sample_of or not field_ids:
        return []
    marks = ", ".join("?" * len(sample_of))
    field_marks = ", ".join("?" * len(field_ids))
    same_sample, sample_params = _sample_filter(sample_of)
    sql = (
        "SELECT d.field_id, d.value, a.question_id, a.value, COUNT(*) "
        "FROM answers a CROSS JOIN cases c ON c.id = a.case_id "
        f"JOIN case_details d ON d.case_id = c.id AND d.field_id IN ({field_marks}) AND d.value <> '' "
        f"WHERE a.question_id IN ({marks}) AND a.value IS NOT NULL AND c.inspection_id = ? AND {same_sample} "
        "GROUP BY d.field_id, d.value, a.question_id, a.value"
    )
    return store.conn.execute(sql, [*field_ids, *sample_of, inspection_id, *sample_params]).fetchall()


def add_counts(counts: dict[str, list[int]], kq_id: str, value: str, n: int) -> None:
    row = counts.setdefault(kq_id, [0, 0, 0])
    if value == Answer.YES:
        row[0] += n
    elif value == Answer.NO:
        row[1] += n
    elif value == Answer.NA:
        row[2] += n


def key_question_tallies(store: Store, inspection_id: str, framework: Framework) -> dict[str, KeyQuestionTally]:
    """Yes / No / Not applicable per key question, counting only cases of the standard's sample."""
    counts: dict[str, list[int]] = {}
    for kq_id, value, n in tally_rows(store, inspection_id, framework):
        add_counts(counts, kq_id, value, n)
    return {kq_id: KeyQuestionTally(kq_id, *row) for kq_id, row in counts.items()}
