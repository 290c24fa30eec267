"""Writing one case assessment: answers, evidence, details, status, and the change log."""

from __future__ import annotations

import sqlite3

import pytest

from fieldwork.errors import NotFoundError, StoreLockedError, ValidationError
from fieldwork.store import open_store
from fieldwork.store.assessments import (
    find_case,
    get_case,
    list_case_summaries,
    load_assessment,
    set_answer,
    set_detail,
    set_status,
)
from fieldwork.store.changelog import case_history
from fieldwork.store.inspections import add_case, create_inspection

EXTRA_DETAILS = """
[[case_details]]
id = "female"
label = "Female"
type = "boolean"

[[case_details]]
id = "age"
label = "Age at sentence"
type = "integer"
"""


@pytest.fixture
def case(store, inspection):
    return add_case(store, inspection, "C001", inspector_id="insp-1")


@pytest.fixture
def uw_case(store, inspection):
    return add_case(store, inspection, "U001", sample_id="unpaid_work")


def state(store) -> dict:
    """Everything an assessment write could touch."""
    db = store.db
    return {
        "answers": db.execute("SELECT * FROM answers ORDER BY case_id, question_id").fetchall(),
        "details": db.execute("SELECT * FROM case_details ORDER BY case_id, field_id").fetchall(),
        "cases": db.execute("SELECT * FROM cases ORDER BY id").fetchall(),
        "log": db.execute("SELECT * FROM change_log ORDER BY seq").fetchall(),
    }


def entries(store, case_id, target=None):
    return [
        (e.target, e.key, e.field, e.old, e.new, e.actor, e.source)
        for e in case_history(store, case_id)
        if target is None or e.target == target
    ]


def complete_supervision_case(store, case_id):
    set_answer(store, case_id, "2.1.1", value="yes")
    set_answer(store, case_id, "2.1.2", value="na", note="No risk indicators; RoSH screening was sound.")


# --- answers ---------------------------------------------------------------------------------


def test_first_answer_is_written_with_revision_and_history(store, case):
    assert case.status == "not_started"
    change = set_answer(store, case.id, "2.1.1", value="yes")
    assert change.old is None
    assert (change.new.value, change.new.note, change.new.revision) == ("yes", "", 1)
    assert change.new.updated_by == "insp-1"
    assert change.case_status == "in_progress"

    stored = load_assessment(store, case.id)
    assert stored.answers["2.1.1"].value == "yes"
    assert stored.answers["2.1.1"].revision == 1
    assert stored.case.status == "in_progress"
    assert stored.case.revision == case.revision + 1

    assert entries(store, case.id) == [
        ("case", "C001", "added", None, "supervision", "insp-1", "app"),
        ("answer", "2.1.1", "value", None, "yes", "insp-1", "app"),
        ("case", "C001", "status", "not_started", "in_progress", "insp-1", "app"),
    ]


def test_changing_value_and_note_bumps_revisions_and_logs_old_to_new(store, case):
    set_answer(store, case.id, "2.1.1", value="yes")
    change = set_answer(store, case.id, "2.1.1", value="no", note="Motivation was not analysed.", source="import")
    assert change.old.value == "yes"
    assert change.new.revision == 2
    assert change.new.note == "Motivation was not analysed."
    change = set_answer(store, case.id, "2.1.1", note="Motivation was not analysed at all.")
    assert change.new.value == "no"
    assert change.new.revision == 3

    assert entries(store, case.id, "answer") == [
        ("answer", "2.1.1", "value", None, "yes", "insp-1", "app"),
        ("answer", "2.1.1", "value", "yes", "no", "insp-1", "import"),
        ("answer", "2.1.1", "note", "", "Motivation was not analysed.", "insp-1", "import"),
        ("answer", "2.1.1", "note", "Motivation was not analysed.", "Motivation was not analysed at all.",
         "insp-1", "app"),
    ]
    assert get_case(store, case.id).revision == 3
    times = [e.at for e in case_history(store, case.id)]
    assert times == sorted(times)


def test_the_same_answer_again_changes_nothing(store, case):
    set_answer(store, case.id, "2.1.1", value="yes", note="Good analysis.")
    before = state(store)
    assert set_answer(store, case.id, "2.1.1", value="yes", note="Good analysis.") is None
    assert set_answer(store, case.id, "2.1.1") is None
    assert set_answer(store, case.id, "2.1.2", value=None) is None  # clearing what was never set
    assert state(store) == before


def test_clearing_an_answer(store, case):
    set_answer(store, case.id, "2.1.1", value="no", note="Evidence.")
    change = set_answer(store, case.id, "2.1.1", value=None)
    assert change.new.value is None
    assert change.new.note == "Evidence."
    assert change.new.revision == 2
    assert load_assessment(store, case.id).answers["2.1.1"].value is None
    assert entries(store, case.id, "answer")[-1] == ("answer", "2.1.1", "value", "no", None, "insp-1", "app")
    set_answer(store, case.id, "2.1.1", note="")
    assert entries(store, case.id, "answer")[-1] == ("answer", "2.1.1", "note", "Evidence.", "", "insp-1", "app")
    summary = list_case_summaries(store, case.inspection_id)[0]
    assert (summary.judged, summary.required) == (0, 2)


def test_prompts_are_answered_without_evidence_and_may_allow_na(store, case):
    assert set_answer(store, case.id, "2.1.1.a", value="yes").new.value == "yes"
    assert set_answer(store, case.id, "2.1.1.b", value="na").new.value == "na"
    assert set_answer(store, case.id, "2.1.1.a", note="") is None  # an empty note is no note


@pytest.mark.parametrize(
    ("question", "kwargs", "words"),
    [
        ("9.9.9", {"value": "yes"}, "not a key question or prompt"),
        ("rosh", {"value": "yes"}, "not a key question or prompt"),
        ("3.1.1", {"value": "yes"}, "not asked of cases in this case's sample"),
        ("1.1.1", {"value": "yes"}, "not asked of cases in this case's sample"),
        ("2.1.1", {"value": "na"}, "not an allowed answer"),
        ("2.1.1.a", {"value": "na"}, "not an allowed answer"),
        ("2.1.1", {"value": "maybe"}, "not an allowed answer"),
        ("2.1.1", {"value": "YES"}, "not an allowed answer"),
        ("2.1.1.a", {"value": "yes", "note": "Evidence on a prompt."}, "belongs to the key question"),
        ("2.1.1.a", {"note": "Evidence on a prompt."}, "belongs to the key question"),
    ],
)
def test_invalid_answers_are_refused_and_change_nothing(store, case, question, kwargs, words):
    set_answer(store, case.id, "2.1.2", value="yes")
    before = state(store)
    with pytest.raises(ValidationError) as caught:
        set_answer(store, case.id, question, **kwargs)
    assert words in caught.value.message
    assert state(store) == before


def test_a_question_of_another_sample_is_refused_for_prompts_too(store, uw_case):
    before = state(store)
    with pytest.raises(ValidationError):
        set_answer(store, uw_case.id, "2.1.1.a", value="yes")
    with pytest.raises(ValidationError):
        set_answer(store, uw_case.id, "2.1.1", value="yes")
    assert state(store) == before
    assert set_answer(store, uw_case.id, "3.1.1", value="yes").new.value == "yes"


def test_unknown_case_is_not_found(store, inspection):
    with pytest.raises(NotFoundError):
        set_answer(store, "no-such-case", "2.1.1", value="yes")
    with pytest.raises(NotFoundError):
        find_case(store, inspection.id, "C404")


def test_a_read_only_store_refuses_answers(store, store_dir, case):
    before = state(store)
    with open_store(store_dir, actor="insp-2") as second:
        assert second.read_only
        with pytest.raises(StoreLockedError):
            set_answer(second, case.id, "2.1.1", value="yes")
    assert state(store) == before


# --- status ----------------------------------------------------------------------------------


def test_complete_is_refused_with_what_is_missing(store, case):
    set_answer(store, case.id, "2.1.1", value="no")
    before = state(store)
    with pytest.raises(ValidationError) as caught:
        set_status(store, case.id, "complete")
    message = caught.value.message
    assert "C001" in message
    assert "2 items missing" in message
    assert "2.1.1 is judged insufficient without evidence" in message
    assert state(store) == before
    problems = load_assessment(store, case.id).completion_problems()
    assert [(p.question_id, p.kind) for p in problems] == [
        ("2.1.1", "no_without_evidence"),
        ("2.1.2", "unanswered"),
    ]


def test_complete_is_accepted_when_nothing_is_missing(store, case):
    complete_supervision_case(store, case.id)
    done = set_status(store, case.id, "complete")
    assert done.status == "complete"
    assert get_case(store, case.id).status == "complete"
    assert entries(store, case.id, "case")[-1] == (
        "case", "C001", "status", "in_progress", "complete", "insp-1", "app",
    )
    assert set_status(store, case.id, "complete") == done  # already complete: no change


def test_a_complete_case_refuses_edits_until_reopened(store, case):
    complete_supervision_case(store, case.id)
    set_status(store, case.id, "complete")
    before = state(store)
    with pytest.raises(ValidationError) as caught:
        set_answer(store, case.id, "2.1.1", value="no", note="Changed my mind.")
    assert "reopen" in caught.value.message
    with pytest.raises(ValidationError):
        set_detail(store, case.id, "rosh", "High")
    assert state(store) == before

    reopened = set_status(store, case.id, "in_progress", source="app")
    assert reopened.status == "in_progress"
    assert entries(store, case.id, "case")[-1] == (
        "case", "C001", "reopened", "complete", "in_progress", "insp-1", "app",
    )
    assert set_answer(store, case.id, "2.1.1", value="no", note="Changed my mind.").new.value == "no"


def test_a_handed_over_case_is_locked(store, case):
    complete_supervision_case(store, case.id)
    set_status(store, case.id, "complete")
    set_status(store, case.id, "handed_over")
    with pytest.raises(ValidationError):
        set_status(store, case.id, "in_progress")
    with pytest.raises(ValidationError):
        set_answer(store, case.id, "2.1.1", value="no")
    assert get_case(store, case.id).status == "handed_over"


def test_unknown_status_is_refused(store, case):
    with pytest.raises(ValidationError) as caught:
        set_status(store, case.id, "finished")
    assert "not_started" in caught.value.message


# --- case details ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "raw", "stored"),
    [
        ("rosh", "High", "high"),
        ("rosh", "  very HIGH ", "very_high"),
        ("rosh", "very_high", "very_high"),
        ("start_date", "2026-01-05", "2026-01-05"),
        ("start_date", " 2026-01-05 ", "2026-01-05"),
        ("ldu", "  Northshire Central ", "Northshire Central"),
    ],
)
def test_set_detail_normalises(store, case, field, raw, stored):
    assert set_detail(store, case.id, field, raw) == stored
    assert load_assessment(store, case.id).details[field] == stored
    assert entries(store, case.id, "detail") == [("detail", field, "value", "", stored, "insp-1", "app")]
    assert get_case(store, case.id).status == "in_progress"


@pytest.mark.parametrize(
    ("field", "raw", "words"),
    [
        ("rosh", "extreme", "not one of"),
        ("start_date", "05/01/2026", "YYYY-MM-DD"),
        ("start_date", "2026-02-30", "YYYY-MM-DD"),
        ("nope", "x", "not a case detail"),
    ],
)
def test_set_detail_refuses_bad_values(store, case, field, raw, words):
    before = state(store)
    with pytest.raises(ValidationError) as caught:
        set_detail(store, case.id, field, raw)
    assert words in caught.value.message
    assert state(store) == before


def test_set_detail_unchanged_and_cleared(store, case):
    assert set_detail(store, case.id, "rosh", "High") == "high"
    before = state(store)
    assert set_detail(store, case.id, "rosh", "high") is None
    assert state(store) == before
    assert set_detail(store, case.id, "rosh", "") == ""
    assert entries(store, case.id, "detail")[-1] == ("detail", "rosh", "value", "high", "", "insp-1", "app")


@pytest.fixture
def extended_case(store, make_framework):
    framework = make_framework(append=EXTRA_DETAILS)
    ext = create_inspection(
        store, inspection_id="insp-ext", provider="Extended CRC", provider_type="CRC", framework=framework
    )
    return add_case(store, ext, "E001")


@pytest.mark.parametrize(
    ("field", "raw", "stored"),
    [
        ("female", "Yes", "true"),
        ("female", "y", "true"),
        ("female", "TRUE", "true"),
        ("female", "No", "false"),
        ("female", "0", "false"),
        ("age", "34", "34"),
        ("age", " 034 ", "34"),
        ("age", "-1", "-1"),
    ],
)
def test_set_detail_normalises_booleans_and_integers(store, extended_case, field, raw, stored):
    assert set_detail(store, extended_case.id, field, raw) == stored


@pytest.mark.parametrize(
    ("field", "raw", "words"),
    [("female", "maybe", "not yes or no"), ("age", "thirty", "not a whole number"), ("age", "3.5", "whole")],
)
def test_set_detail_refuses_bad_booleans_and_integers(store, extended_case, field, raw, words):
    before = state(store)
    with pytest.raises(ValidationError) as caught:
        set_detail(store, extended_case.id, field, raw)
    assert words in caught.value.message
    assert state(store) == before


def test_add_case_normalises_and_checks_details(store, inspection):
    case = add_case(store, inspection, " C002 ", details={"rosh": "Medium", "ldu": ""})
    assert case.case_ref == "C002"
    assert load_assessment(store, case.id).details == {"rosh": "medium"}
    before = state(store)
    with pytest.raises(ValidationError):
        add_case(store, inspection, "C003", details={"rosh": "enormous"})
    with pytest.raises(ValidationError):
        add_case(store, inspection, "C004", sample_id="court_reports")
    with pytest.raises(ValidationError):
        add_case(store, inspection, "C002")
    assert state(store) == before


# --- summaries and the change log -------------------------------------------------------------


def test_case_summaries_count_progress(store, inspection, case, uw_case):
    set_detail(store, case.id, "rosh", "High")
    set_answer(store, case.id, "2.1.1.a", value="yes")  # a prompt is not a judgement
    summaries = {s.case.case_ref: s for s in list_case_summaries(store, inspection.id)}
    assert list(summaries) == ["C001", "U001"]
    assert (summaries["C001"].judged, summaries["C001"].required) == (0, 2)
    assert (summaries["U001"].judged, summaries["U001"].required) == (0, 1)
    assert summaries["C001"].details == {"rosh": "high"}

    set_answer(store, case.id, "2.1.1", value="no")
    set_answer(store, case.id, "2.1.2", value="na")  # Not applicable is a judgement
    set_answer(store, uw_case.id, "3.1.1", value="yes")
    summaries = {s.case.case_ref: s for s in list_case_summaries(store, inspection.id)}
    assert (summaries["C001"].judged, summaries["C001"].required) == (2, 2)
    assert (summaries["U001"].judged, summaries["U001"].required) == (1, 1)
    assert load_assessment(store, case.id).progress() == (2, 2)


def test_the_change_log_refuses_update(store, case):
    set_answer(store, case.id, "2.1.1", value="yes")
    before = state(store)["log"]
    with pytest.raises(sqlite3.DatabaseError) as caught:
        store.db.execute("UPDATE change_log SET new = 'no' WHERE key = '2.1.1'")
    assert "append-only" in str(caught.value)
    assert state(store)["log"] == before


def test_the_change_log_refuses_delete(store, case):
    set_answer(store, case.id, "2.1.1", value="yes")
    before = state(store)["log"]
    with pytest.raises(sqlite3.DatabaseError):
        store.db.execute("DELETE FROM change_log")
    assert state(store)["log"] == before


def test_the_automatic_status_entry_keeps_the_source_of_the_change(store, case):
    set_answer(store, case.id, "2.1.1", value="yes", source="import")
    assert {e.source for e in case_history(store, case.id) if e.field != "added"} == {"import"}
