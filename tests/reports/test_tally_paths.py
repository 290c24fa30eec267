"""The three ways a key question is tallied (fieldwork/reports/tallies.py, issue 21) give the same
counts as counting the answers one by one, on stores of several inspections and samples; and a
central database of one inspection is tallied without looking up each answer's case.

The work guard counts SQLite's virtual-machine steps (a progress handler), never time.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldwork.frameworks.loader import load_framework
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.reports.tallies import sample_key_questions, tally_rows
from fieldwork.store import open_store
from fieldwork.store.inspections import create_inspection

CRC_PATH = Path(__file__).resolve().parents[2] / "resources" / "frameworks" / "hmip-adult-2018-crc.toml"
NOW = "2026-11-20T10:00:00.000Z"
FRAMEWORK = load_framework(CRC_PATH)
SAMPLE_OF = sample_key_questions(FRAMEWORK)
SAMPLES = sorted(set(SAMPLE_OF.values()))
KEY_QUESTIONS = sorted(SAMPLE_OF)
INSPECTIONS = ("crc-1", "crc-2")
# Forces each way: always subtract where any case is outside, never subtract, and the default.
LOOKUP_COSTS = (0, float("inf"), 2)


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("tallies") / "store", actor="lead-1")
    for inspection_id in INSPECTIONS:
        create_inspection(store, inspection_id=inspection_id, provider="Westshire", provider_type="CRC",
                          framework=FRAMEWORK, lead_id="lead-1")
    yield store
    store.close()


def fill(store, cases: list[tuple[str, str, dict[str, str | None]]]) -> None:
    """Replace every case with `cases`: (inspection, sample, {question: value})."""
    with store.transaction() as db:
        db.execute("DELETE FROM answers")
        db.execute("DELETE FROM cases")
        db.conn.executemany(
            "INSERT INTO cases (id, inspection_id, case_ref, sample_id, inspector_id, status, revision, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, 'insp-1', 'in_progress', 1, ?, ?)",
            [(f"case-{n:05d}", inspection, f"R{n:05d}", sample, NOW, NOW)
             for n, (inspection, sample, _) in enumerate(cases)],
        )
        db.conn.executemany(
            "INSERT INTO answers (case_id, question_id, value, note, revision, updated_at, updated_by) "
            "VALUES (?, ?, ?, '', 1, ?, 'insp-1')",
            [(f"case-{n:05d}", question, value, NOW)
             for n, (_, _, answers) in enumerate(cases) for question, value in answers.items()],
        )


def counted_one_by_one(cases, inspection_id: str) -> list[tuple[str, str, int]]:
    counts: dict[tuple[str, str], int] = {}
    for inspection, sample, answers in cases:
        for question, value in answers.items():
            if inspection == inspection_id and SAMPLE_OF[question] == sample and value is not None:
                counts[(question, value)] = counts.get((question, value), 0) + 1
    return sorted((question, value, n) for (question, value), n in counts.items())


a_case = st.tuples(
    st.sampled_from(INSPECTIONS),
    st.sampled_from(SAMPLES),
    st.dictionaries(st.sampled_from(KEY_QUESTIONS), st.sampled_from(["yes", "no", "na", None]), max_size=8),
)
# Stores of one inspection and one sample are common: they take the plain count.
one_sample = st.builds(lambda answers: [("crc-1", "supervision", a) for a in answers],
                       st.lists(st.dictionaries(st.sampled_from(KEY_QUESTIONS),
                                                st.sampled_from(["yes", "no", "na", None]), max_size=8), max_size=12))


@settings(max_examples=120, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.one_of(st.lists(a_case, max_size=25), one_sample))
def test_every_way_counts_what_counting_one_by_one_counts(shared_store, cases):
    fill(shared_store, cases)
    for inspection_id, lookup_cost in itertools.product(INSPECTIONS, LOOKUP_COSTS):
        assert tally_rows(shared_store, inspection_id, FRAMEWORK, lookup_cost=lookup_cost) == counted_one_by_one(
            cases, inspection_id
        )


def test_a_few_cases_outside_are_taken_off_the_plain_count(shared_store):
    # 300 supervision cases of crc-1, and 5 cases outside: another inspection's, another sample's.
    supervision = [q for q in KEY_QUESTIONS if SAMPLE_OF[q] == "supervision"]
    cases = [("crc-1", "supervision", {q: ("yes", "no", "na")[(n + i) % 3] for i, q in enumerate(supervision)})
             for n in range(300)]
    cases += [("crc-2", "supervision", {supervision[0]: "no"}), ("crc-1", "unpaid_work", {supervision[1]: "yes"})]
    cases += [("crc-1", "unpaid_work", {}), ("crc-2", "through_the_gate", {}), ("crc-1", "through_the_gate", {})]
    fill(shared_store, cases)
    for lookup_cost in LOOKUP_COSTS:
        assert tally_rows(shared_store, "crc-1", FRAMEWORK, lookup_cost=lookup_cost) == counted_one_by_one(
            cases, "crc-1"
        )


def vm_steps(store, call) -> int:
    """SQLite virtual-machine instructions `call` runs (in tens): the work done, not the time."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    conn = store.db.conn  # (the same connection as store.conn)
    conn.set_progress_handler(tick, 10)
    try:
        call()
    finally:
        conn.set_progress_handler(None, 10)
    return steps[0] * 10


@pytest.mark.parametrize("other_samples", [0, 200])
def test_a_central_database_is_tallied_without_looking_up_each_answers_case(shared_store, other_samples):
    # The benchmark's shape (one inspection, its cases in one sample), and a realistic one with
    # cases of the other samples too. Checking each answer's case took about 26 steps an answer.
    supervision = [q for q in KEY_QUESTIONS if SAMPLE_OF[q] == "supervision"]
    cases = [("crc-1", "supervision", {q: ("yes", "no", "na")[(n + i) % 3] for i, q in enumerate(supervision)})
             for n in range(2000)]
    for sample in ("unpaid_work", "through_the_gate"):
        questions = [q for q in KEY_QUESTIONS if SAMPLE_OF[q] == sample]
        cases += [("crc-1", sample, {q: "yes" for q in questions}) for _ in range(other_samples)]
    fill(shared_store, cases)
    answers = sum(len(a) for _, _, a in cases)

    steps = vm_steps(shared_store, lambda: tally_rows(shared_store, "crc-1", FRAMEWORK))

    assert steps < 18 * answers
    assert inspection_ratings(shared_store, "crc-1").cases.total == len(cases)
