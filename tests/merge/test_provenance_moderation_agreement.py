"""Provenance of a value, moderation with queries that travel and come back, and agreement."""

from __future__ import annotations

from fractions import Fraction

import pytest

from fieldwork.errors import ValidationError
from fieldwork.merge import (
    add_query,
    agreement,
    case_moderation,
    clear_case_moderation,
    close_query,
    list_moderation,
    list_open_queries,
    list_queries,
    merge_bundles,
    provenance,
    set_case_moderation,
)
from fieldwork.merge.agreement import score
from fieldwork.store.assessments import set_answer, set_detail

from .helpers import INSPECTION, accept, hand_out, send_queries


def merge(lead, *paths):
    return merge_bundles(lead.store, list(paths), lead.keys)


def test_provenance_names_every_version_its_bundle_and_the_history(lead, ann, sample):
    case = sample[0].id
    set_answer(ann.store, case, "2.1.1", value="yes", note="one")
    first = ann.export(lead)
    set_answer(ann.store, case, "2.1.1", value="no", note="two")
    second = ann.export(lead)
    merge(lead, second, first)
    shown = provenance(lead.store, case, "2.1.1")
    assert [(v.value, v.revision, v.sequence, v.bundle_inspector) for v in shown.versions] == [
        ("yes", 1, 1, "ann"), ("no", 2, 2, "ann")
    ]
    assert shown.held_version.value == "no" and shown.held_version.file_name == second.name
    assert shown.current["value"] == "no" and not shown.conflicted
    assert [(e.field, e.new) for e in shown.history if e.field == "value"] == [("value", "yes"), ("value", "no")]
    assert shown.to_json()["versions"][0]["bundle_id"] is not None
    set_detail(ann.store, case, "ldu", "North")
    merge(lead, ann.export(lead))
    detail = provenance(lead.store, case, "ldu")
    assert detail.kind == "detail" and detail.held_version.value == "North"
    with pytest.raises(ValidationError):
        provenance(lead.store, case, "9.9.9")


def test_moderation_state_is_kept_and_logged(lead, sample):
    case = sample[0].id
    assert case_moderation(lead.store, case) is None
    set_case_moderation(lead.store, case, "moderated", "Read in full")
    state = set_case_moderation(lead.store, case, "agreed")
    assert state.state == "agreed" and state.set_by == "lead"
    assert list(list_moderation(lead.store, INSPECTION)) == [case]
    with pytest.raises(ValidationError):
        set_case_moderation(lead.store, case, "finished")
    changes = lead.store.db.execute(
        "SELECT old, new FROM change_log WHERE case_id = ? AND field = 'moderation' ORDER BY seq", [case]
    ).fetchall()
    assert changes == [(None, "moderated"), ("moderated", "agreed")]


def test_a_mark_set_by_mistake_can_be_cleared_and_the_log_keeps_it(lead, sample):
    case = sample[0].id
    assert clear_case_moderation(lead.store, case) is None  # nothing to clear: nothing changes
    set_case_moderation(lead.store, case, "agreed", "Clicked the wrong case")
    cleared = clear_case_moderation(lead.store, case)
    assert cleared.state == "agreed" and case_moderation(lead.store, case) is None
    assert list(list_moderation(lead.store, INSPECTION)) == []
    changes = lead.store.db.execute(
        "SELECT old, new FROM change_log WHERE case_id = ? AND field = 'moderation' ORDER BY seq", [case]
    ).fetchall()
    assert changes == [(None, "agreed"), ("agreed", None)]


def test_a_query_is_answered_by_that_inspectors_newer_version_only(lead, ann, bob, sample):
    case = sample[1].id  # read by ann and bob
    set_answer(ann.store, case, "2.1.1", value="yes")
    set_answer(bob.store, case, "2.1.1", value="yes")
    old_ann = ann.export(lead)
    merge(lead, old_ann, bob.export(lead))
    query = add_query(lead.store, case, "2.1.1", "Where is the evidence?")
    assert query.inspector_id == "ann" and query.status == "open"  # the allocated inspector by default
    assert case_moderation(lead.store, case).state == "queries"
    assert [q.id for q in list_open_queries(lead.store, INSPECTION, "ann")] == [query.id]
    assert list_open_queries(lead.store, INSPECTION, "bob") == []
    # The allocation pack reads the open queries from this table.
    from fieldwork.packs.export import open_moderation_queries

    [carried] = open_moderation_queries(lead.store, INSPECTION, "ann", [case])
    assert (carried.case_uuid, carried.question_id, carried.text) == (case, "2.1.1", "Where is the evidence?")

    set_answer(bob.store, case, "2.1.1", note="bob adds a note")
    merge(lead, bob.export(lead))  # someone else's version does not answer ann's query
    assert list_queries(lead.store, INSPECTION)[0].status == "open"
    set_answer(ann.store, case, "2.1.1", note="Evidence: the plan of 3 Nov")
    merge(lead, ann.export(lead))  # changed before the query reached ann: not an answer to it
    assert list_queries(lead.store, INSPECTION)[0].status == "open"
    send_queries(lead, ann)  # the next allocation pack brings it
    set_answer(ann.store, case, "2.1.1", note="Evidence: the plan of 3 Nov, page 2")
    merge(lead, ann.export(lead))
    [answered] = list_queries(lead.store, INSPECTION)
    assert answered.status == "answered" and answered.answered_version_id is not None
    assert list_open_queries(lead.store, INSPECTION, "ann") == []
    assert close_query(lead.store, query.id).status == "closed"


def test_query_needs_text_a_question_and_someone_to_ask(lead, sample, mini_framework):
    from fieldwork.store.inspections import add_case

    with pytest.raises(ValidationError):
        add_query(lead.store, sample[0].id, "2.1.1", "  ")
    with pytest.raises(ValidationError):
        add_query(lead.store, sample[0].id, "ldu", "a case detail is not a question")
    nobody = add_case(lead.store, lead.inspection, "CRN009")
    with pytest.raises(ValidationError, match="not allocated"):
        add_query(lead.store, nobody.id, "2.1.1", "Who read this?")
    assert add_query(lead.store, nobody.id, "2.1.1", "Who read this?", inspector_id="bob").inspector_id == "bob"


def test_kappa_matches_a_worked_example_and_handles_the_degenerate_cases():
    # 50 pairs: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no → p_o = 0.7, p_e = 0.5, kappa = 0.4.
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    result = score("2.1.1", pairs, 50)
    assert result.percent == 70.0 and result.kappa == pytest.approx(0.4) and result.kappa_note is None
    assert score("q", [("yes", "yes")] * 4, 4).kappa is None  # p_e = 1: undefined, with a reason
    assert "undefined" in score("q", [("yes", "yes")] * 4, 4).kappa_note
    assert score("q", [("yes", "yes")] * 4, 4).percent == 100.0
    assert score("q", [], 0).percent is None and score("q", [], 0).kappa_note == "no double-read cases"
    perfect = score("q", [("yes", "yes"), ("no", "no"), ("na", "na")], 3)
    assert perfect.kappa == 1.0
    total_disagreement = score("q", [("yes", "no"), ("no", "yes")], 2)
    assert total_disagreement.kappa == float(Fraction(-1))


def test_agreement_over_double_read_cases(people, sample):
    lead, ann, bob, cat = (people[p] for p in ("lead", "ann", "bob", "cat"))
    hand_out(lead, cat, [sample[1].id])
    set_answer(ann.store, sample[1].id, "2.1.1", value="yes")
    set_answer(bob.store, sample[1].id, "2.1.1", value="yes")
    set_answer(cat.store, sample[1].id, "2.1.1", value="no")
    set_answer(ann.store, sample[1].id, "2.1.2", value="na")
    set_answer(bob.store, sample[2].id, "2.1.1", value="no")  # read once: not double-read
    merge(lead, ann.export(lead), bob.export(lead), cat.export(lead))
    accept(lead)  # bob and cat read ann's CRN002 as well
    report = agreement(lead.store, INSPECTION)
    by_question = {q.question_id: q for q in report.questions}
    assert set(by_question) == {"2.1.1", "2.1.2", "3.1.1"}  # case-rated key questions only
    first = by_question["2.1.1"]
    assert (first.double_read, first.pairs, first.agreed) == (1, 3, 1)
    assert first.percent == pytest.approx(33.3)
    assert by_question["2.1.2"].double_read == 0 and by_question["2.1.2"].kappa is None
    assert report.overall.pairs == 3 and report.to_json()["overall"]["agreed"] == 1
