"""Moving an inspection to a newer version of its framework, in one store (decision 0042)."""

from __future__ import annotations

import pytest
from helpers.moved_framework import mini_1_1, version_text
from packs.helpers import dump

from fieldwork.errors import FrameworkError, ValidationError
from fieldwork.frameworks.loader import parse_framework
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.store.assessments import load_assessment, set_answer
from fieldwork.store.changelog import case_history
from fieldwork.store.framework_move import (
    chain_from,
    compose_renames,
    kept_answers,
    move_inspection,
    moves_of,
    plan_move,
)
from fieldwork.store.inspections import add_case, framework_for, get_inspection


@pytest.fixture
def answered(store, inspection):
    case = add_case(store, inspection, "CRN001")
    set_answer(store, case.id, "2.1.1", value="yes", note="Clear evidence.")
    set_answer(store, case.id, "2.1.1.a", value="no")
    set_answer(store, case.id, "2.1.1.b", value="na", note="")
    return case


def test_answers_keep_their_id_follow_a_rename_and_removed_ones_are_kept(store, inspection, answered):
    plan = move_inspection(store, inspection.id, mini_1_1())
    assert plan.renamed == {"2.1.1.a": "2.1.1.m"} and plan.removed == {"2.1.1.b": 1}
    assert (plan.kept_by_id, plan.carried_renamed) == (1, 1)
    moved = get_inspection(store, inspection.id)
    assert framework_for(store, moved).version == "1.1"
    answers = load_assessment(store, answered.id).answers
    assert answers["2.1.1"].value == "yes" and answers["2.1.1"].note == "Clear evidence."
    renamed = answers["2.1.1.m"]
    # The same answer under its new id: value, evidence, revision and author unchanged.
    assert (renamed.value, renamed.note, renamed.revision, renamed.updated_by) == (
        "no", "", 1, "insp-1")
    assert "2.1.1.a" not in answers
    assert kept_answers(store, answered.id, framework_for(store, moved)) == [("2.1.1.b", "na", "")]


def test_the_move_is_in_every_case_history_and_recorded(store, inspection, answered):
    other = add_case(store, inspection, "CRN002")
    move_inspection(store, inspection.id, mini_1_1())
    for case in (answered, other):
        entries = [(e.target, e.field, e.old, e.new) for e in case_history(store, case.id)]
        assert ("case", "framework", "test-mini version 1.0", "test-mini version 1.1") in entries
    assert ("answer", "renamed_from", "2.1.1.a", "2.1.1.m") in [
        (e.target, e.field, e.old, e.new) for e in case_history(store, answered.id)]
    [move] = moves_of(store, inspection.id)
    assert move.renamed == {"2.1.1.a": "2.1.1.m"} and move.moved_by == "insp-1"


def test_removed_questions_do_not_count_in_ratings(store, inspection, answered):
    before = inspection_ratings(store, inspection.id)
    move_inspection(store, inspection.id, mini_1_1())
    after = inspection_ratings(store, inspection.id)
    assert after.framework.version == "1.1" and before.framework.version == "1.0"
    assert after.standard("2.1").rating == before.standard("2.1").rating  # the key question kept its id


@pytest.mark.parametrize(
    ("framework", "words"),
    [
        (lambda: mini_1_1(version="0.9"), "older than version 1.0"),
        (lambda: mini_1_1(version="1.0"), "same version (1.0)"),
        (lambda: parse_framework(version_text(**{'id = "test-mini"': 'id = "other"'}).encode()), "another"),
    ],
)
def test_refusals_change_nothing(store, inspection, answered, framework, words):
    before = dump(store)
    with pytest.raises(ValidationError) as refused:
        move_inspection(store, inspection.id, framework())
    assert (words in str(refused.value) or "'other'" in str(refused.value)) and "Nothing was changed" in str(
        refused.value)
    assert dump(store) == before


def test_the_same_text_is_refused(store, inspection, mini_framework):
    with pytest.raises(ValidationError, match="already uses this text"):
        plan_move(store, inspection, mini_framework)


def test_a_sample_the_cases_use_must_stay(store, inspection):
    add_case(store, inspection, "UPW1", sample_id="unpaid_work")
    text = version_text()
    text = text.replace('[[samples]]\nid = "unpaid_work"\ntitle = "Unpaid work"\n', "")
    text = text.replace('sample = "unpaid_work"', 'sample = "supervision"')
    before = dump(store)
    with pytest.raises(ValidationError, match="sample 'unpaid_work'"):
        move_inspection(store, inspection.id, parse_framework(text.encode()))
    assert dump(store) == before


def test_a_file_cannot_rename_to_a_question_it_still_has():
    text = version_text(**{'renamed_from = ["2.1.1.a"]': 'renamed_from = ["2.1.2"]'})
    with pytest.raises(FrameworkError, match="'2.1.2' is a question of this framework"):
        parse_framework(text.encode())


def test_renames_compose_over_several_moves():
    from fieldwork.store.framework_move import FrameworkMove

    first = FrameworkMove("m1", "i", "h0", "h1", {"a": "b"}, "t1", "lee", "app")
    second = FrameworkMove("m2", "i", "h1", "h2", {"b": "c", "x": "y"}, "t2", "lee", "app")
    chain = chain_from([second, first], "h0", "h2")
    assert chain == [first, second]
    assert compose_renames(chain) == {"a": "c", "b": "c", "x": "y"}
    assert chain_from([first], "h9", "h1") is None


def test_a_case_detail_with_values_must_stay(store, inspection):
    from fieldwork.store.assessments import set_detail

    case = add_case(store, inspection, "CRN001")
    set_detail(store, case.id, "start_date", "2026-01-05")
    text = version_text(**{'[[case_details]]\nid = "start_date"\nlabel = "Start date"\ntype = "date"\n': ""})
    before = dump(store)
    with pytest.raises(ValidationError, match="case detail 'start_date'"):
        move_inspection(store, inspection.id, parse_framework(text.encode()))
    assert dump(store) == before


def test_an_open_query_on_a_removed_question_must_be_closed_first(store, inspection, answered):
    from fieldwork.merge.moderation import add_query, close_query

    store.db.execute("UPDATE cases SET inspector_id = 'ann' WHERE id = ?", [answered.id])
    query = add_query(store, answered.id, "2.1.1.b", "Why not applicable?")
    before = dump(store)
    with pytest.raises(ValidationError, match="moderation query about 2.1.1.b is still open"):
        move_inspection(store, inspection.id, mini_1_1())
    assert dump(store) == before
    close_query(store, query.id)
    assert move_inspection(store, inspection.id, mini_1_1()).removed == {"2.1.1.b": 1}


def test_an_open_query_on_a_renamed_question_follows_it(store, inspection, answered):
    from fieldwork.merge.moderation import add_query, get_query

    store.db.execute("UPDATE cases SET inspector_id = 'ann' WHERE id = ?", [answered.id])
    query = add_query(store, answered.id, "2.1.1.a", "Say more?")
    move_inspection(store, inspection.id, mini_1_1())
    assert get_query(store, query.id).question_id == "2.1.1.m"


def test_renamed_from_survives_a_workbook_round_trip_and_a_bad_id_is_named():
    import io

    import openpyxl

    from fieldwork.frameworks.workbook_export import build_workbook
    from fieldwork.frameworks.workbook_import import WorkbookError, read_workbook

    buffer = io.BytesIO()
    build_workbook(mini_1_1()).save(buffer)
    imported = read_workbook(buffer.getvalue()).framework
    assert imported.prompt("2.1.1.m").renamed_from == ("2.1.1.a",)
    assert imported.renamed_ids() == {"2.1.1.a": "2.1.1.m"}
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book["Questions"]
    column = next(c.column for c in sheet[1] if c.value == "renamed_from")
    row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[1].value == "2.1.1.m")
    sheet.cell(row, column).value = "2.1.1.a not/an/id"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(WorkbookError) as refused:
        read_workbook(out.getvalue())
    [problem] = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("Questions", row, "renamed_from")
    assert "'not/an/id' is not a valid id" in problem.message


def test_a_value_typed_for_a_removed_question_is_refused_in_words(store, inspection, answered):
    from fieldwork.merge.conflicts import resolve_conflict

    move_inspection(store, inspection.id, mini_1_1())
    with pytest.raises(ValidationError, match="2.1.1.b is no longer a question of test-mini 1.1"):
        resolve_conflict(store, answered.id, "2.1.1.b", reason="checked", value="yes", kind="answer")
