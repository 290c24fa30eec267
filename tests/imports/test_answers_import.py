"""Importing answers captured outside the app: every row checked first, then one transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldwork.imports.answers import import_answers
from fieldwork.imports.tables import ImportProblem
from fieldwork.store.assessments import find_case, load_assessment, set_answer, set_status
from fieldwork.store.inspections import add_case

HEAD = "case_ref,question_id,answer,note\n"


def write(tmp_path: Path, text: str, name: str = "answers.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def counts(store) -> dict[str, int]:
    return {
        table: store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("cases", "case_details", "answers", "change_log")
    }


@pytest.fixture
def cases(store, inspection):
    """C1, C2 (supervision), U1 (unpaid work), DONE (complete) and GONE (handed over)."""
    made = {ref: add_case(store, inspection, ref) for ref in ("C1", "C2", "DONE", "GONE")}
    made["U1"] = add_case(store, inspection, "U1", sample_id="unpaid_work")
    for ref in ("DONE", "GONE"):
        for question in ("2.1.1", "2.1.2"):
            set_answer(store, made[ref].id, question, value="yes")
    set_status(store, made["DONE"].id, "complete")
    set_status(store, made["GONE"].id, "handed_over")
    return made


def test_answers_notes_and_details_are_recorded_and_logged(store, inspection, cases, tmp_path):
    text = HEAD + (
        "C1,2.1.1,YES,Clear analysis of motivation.\n"
        "C1,2.1.1.a,yes,\n"
        "C1,2.1.1.b,N/A,\n"
        "C1,2.1.2,Not applicable,No risk indicators.\n"
        "c2,2.1.1,Insufficient,Generic plan.\n"
        "C2,2.1.1.A,no,\n"
        "C2,ROSH,Very high,\n"
        "C2,start_date,2026-01-31,\n"
        "U1,3.1.1,Sufficient,\n"
    )
    result = import_answers(store, inspection.id, write(tmp_path, text))
    assert (result.answers_set, result.details_set, result.unchanged) == (7, 2, 0)
    assert result.cases == ("C1", "C2", "U1")
    c1 = load_assessment(store, cases["C1"].id)
    assert {q: (a.value, a.note) for q, a in c1.answers.items()} == {
        "2.1.1": ("yes", "Clear analysis of motivation."),
        "2.1.1.a": ("yes", ""),
        "2.1.1.b": ("na", ""),
        "2.1.2": ("na", "No risk indicators."),
    }
    c2 = load_assessment(store, cases["C2"].id)
    assert c2.answers["2.1.1"].value == "no" and c2.answers["2.1.1.a"].value == "no"
    assert c2.details == {"rosh": "very_high", "start_date": "2026-01-31"}
    assert load_assessment(store, cases["U1"].id).answers["3.1.1"].value == "yes"
    logged = store.db.execute(
        "SELECT target, key, field, new FROM change_log WHERE source = 'answers-import:answers.csv' ORDER BY seq"
    ).fetchall()
    assert ("answer", "2.1.1", "note", "Clear analysis of motivation.") in logged
    assert ("detail", "rosh", "value", "very_high") in logged
    assert len([e for e in logged if e[0] == "answer" and e[2] == "value"]) == 7

    before = counts(store)
    again = import_answers(store, inspection.id, write(tmp_path, text))
    assert (again.answers_set, again.details_set, again.unchanged) == (0, 0, 9)
    assert counts(store) == before


def test_note_only_row_keeps_the_answer(store, inspection, cases, tmp_path):
    set_answer(store, cases["C1"].id, "2.1.1", value="no")
    result = import_answers(store, inspection.id, write(tmp_path, HEAD + "C1,2.1.1,,Evidence typed up later.\n"))
    assert result.answers_set == 1
    answer = load_assessment(store, cases["C1"].id).answers["2.1.1"]
    assert (answer.value, answer.note) == ("no", "Evidence typed up later.")


def test_answer_column_alone_is_enough(store, inspection, cases, tmp_path):
    path = write(tmp_path, "case_ref;question_id;answer\nC1;2.1.1;no\n", encoding="cp1252")
    assert import_answers(store, inspection, path).answers_set == 1


def test_every_problem_is_reported_and_nothing_is_written(store, inspection, cases, tmp_path):
    text = HEAD + (
        "C9,2.1.1,yes,\n"  # 2: unknown case
        "C1,9.9.9,yes,\n"  # 3: unknown question
        "C1,3.1.1,yes,\n"  # 4: unpaid-work question for a supervision case
        "U1,2.1.1,yes,\n"  # 5: supervision question for an unpaid-work case
        "C1,2.1.1,na,\n"  # 6: 2.1.1 does not allow na
        "C1,2.1.1.a,n/a,\n"  # 7: neither does its prompt a
        "C1,2.1.2,maybe,\n"  # 8: not an answer
        "C1,2.1.1.b,yes,A note on a prompt\n"  # 9: note on a prompt
        "C1,rosh,huge,\n"  # 10: not a RoSH level
        "C1,ldu,North,a note\n"  # 11: note on a case detail
        "C2,2.1.2,yes,\n"  # 12: duplicate of 13
        "C2,2.1.2,no,\n"  # 13
        "DONE,2.1.1,no,\n"  # 14: complete
        "GONE,2.1.1,no,\n"  # 15: handed over
        "C2,2.1.1,,\n"  # 16: nothing to record
        ",2.1.1,yes,\n"  # 17: no case ref
        "C2,,yes,\n"  # 18: no question
        "C2,start_date,31/01/2026,\n"  # 19: bad date
        "C2,1.1.1,yes,\n"  # 20: a judgement-based key question, not asked of cases
        "C2,ldu,,\n"  # 21: no value for a detail
        "U1,3.1.1,yes,fine\n"  # 22: clean
    )
    before = counts(store)
    with pytest.raises(ImportProblem) as caught:
        import_answers(store, inspection.id, write(tmp_path, text))
    error = caught.value
    assert error.code == "invalid-answers"
    places = [(p.row, p.column) for p in error.problems]
    assert places == [
        (2, "case_ref"),
        (3, "question_id"),
        (4, "question_id"),
        (5, "question_id"),
        (6, "answer"),
        (7, "answer"),
        (8, "answer"),
        (9, "note"),
        (10, "answer"),
        (11, "note"),
        (12, "question_id"),
        (13, "question_id"),
        (14, "case_ref"),
        (15, "case_ref"),
        (16, "answer"),
        (17, "case_ref"),
        (18, "question_id"),
        (19, "answer"),
        (20, "question_id"),
        (21, "answer"),
    ]
    message = {p.row: p.message for p in error.problems}
    assert "no case C9" in message[2]
    assert "not a key question, prompt or case detail" in message[3]
    assert "not asked of case C1" in message[4] and "unpaid_work" in message[4]
    assert "does not allow Not applicable" in message[6] and "yes, no" in message[6]
    assert "does not allow Not applicable" in message[7]
    assert "'maybe'" in message[8] and "yes, no, na" in message[8]
    assert "key question" in message[9] and "2.1.1" in message[9]
    assert "very_high" in message[10]
    assert "also in row 13" in message[12] and "also in row 12" in message[13]
    assert "marked complete" in message[14] and "reopen" in message[14]
    assert "marked handed over" in message[15]
    assert "YYYY-MM-DD" in message[19]
    assert counts(store) == before


def test_unknown_and_missing_columns_are_refused(store, inspection, cases, tmp_path):
    with pytest.raises(ImportProblem) as caught:
        import_answers(store, inspection.id, write(tmp_path, "case,question_id,answer,evidence\nC1,2.1.1,yes,x\n"))
    assert sorted(p.column for p in caught.value.problems) == ["case", "case_ref", "evidence"]
    assert all(p.row == 1 for p in caught.value.problems)


def test_unreadable_answers_file_has_the_answers_code(store, inspection, tmp_path):
    with pytest.raises(ImportProblem) as caught:
        import_answers(store, inspection.id, write(tmp_path, HEAD))
    assert caught.value.code == "invalid-answers"
    assert "no rows of data" in caught.value.message


def test_status_of_a_not_started_case_moves_on_when_answers_arrive(store, inspection, cases, tmp_path):
    import_answers(store, inspection.id, write(tmp_path, HEAD + "C1,2.1.1,yes,\n"))
    assert find_case(store, inspection.id, "C1").status == "in_progress"
    statuses = store.db.execute(
        "SELECT old, new, source FROM change_log WHERE target = 'case' AND field = 'status' AND key = 'C1'"
    ).fetchall()
    assert statuses == [("not_started", "in_progress", "answers-import:answers.csv")]
