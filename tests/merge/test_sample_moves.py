"""An inspector's change of a case's question set, merged into the lead's store (decision 0036).

Honest moves through the real export and merge; hostile ones as validly signed bundles written by
hand (as in test_hostile_signed_bundles.py). The framework is mini with a third sample ("court"),
so that the lead and an inspector can move one case to two different sets.
"""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from fieldwork.bundles.records import ChangeRecord
from fieldwork.cli import run
from fieldwork.merge import accept_held, count_open_conflicts, merge_bundles
from fieldwork.merge.sample_moves import decide_move, list_sample_moves
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.store.assessments import change_sample, get_case, set_answer
from fieldwork.store.changelog import case_history
from fieldwork.store.inspections import add_case

from .helpers import INSPECTION, Person, hand_out, make_lead
from .test_hostile_signed_bundles import CREATED, merge_bytes, own_records, signed, snapshot

THREE_SETS = {
    '[[samples]]\nid = "unpaid_work"': '[[samples]]\nid = "court"\ntitle = "Court reports"\n\n'
    '[[samples]]\nid = "unpaid_work"',
}


@pytest.fixture
def team(tmp_path, make_framework):
    framework = make_framework(replace=THREE_SETS)
    lead = make_lead(tmp_path, framework)
    ann, bob = Person(tmp_path, "ann", framework), Person(tmp_path, "bob", framework)
    crn001 = add_case(lead.store, lead.inspection, "CRN001", inspector_id="ann")
    crn003 = add_case(lead.store, lead.inspection, "CRN003", inspector_id="bob")
    hand_out(lead, ann, [crn001.id])
    hand_out(lead, bob, [crn003.id])
    yield lead, ann, bob, crn001.id, crn003.id
    for person in (lead, ann, bob):
        person.close()


def merge(lead, *paths):
    return merge_bundles(lead.store, list(paths), lead.keys).results


def sample_of(person, case_id) -> str:
    return get_case(person.store, case_id).sample_id


def sample_log(person, case_id):
    entries = case_history(person.store, case_id)
    return [(e.actor, e.field, e.old, e.new) for e in entries if e.field.startswith("sample")]


def kq_tally(lead, kq="2.1.1"):
    report = inspection_ratings(lead.store, INSPECTION)
    found = next((t for s in report.ratings.standards for t in s.key_questions if t.id == kq), None)
    return (found.yes, found.no) if found else (0, 0)


def test_an_inspectors_change_of_set_moves_the_case_at_the_lead_in_their_name(team):
    lead, ann, _, crn001, _ = team
    set_answer(ann.store, crn001, "2.1.1", value="yes")
    [first] = merge(lead, ann.export(lead))
    assert first.status == "imported" and kq_tally(lead) == (1, 0)

    change_sample(ann.store, crn001, "unpaid_work", "An unpaid work requirement only")
    [result] = merge(lead, ann.export(lead))

    assert result.status == "imported" and result.conflicts == 0
    assert sample_of(lead, crn001) == "unpaid_work"
    assert sample_log(lead, crn001)[-2:] == [
        ("ann", "sample_override", "supervision", "unpaid_work"),
        ("ann", "sample_reason", None, "An unpaid work requirement only"),
    ]
    assert kq_tally(lead) == (0, 0)  # her answer is kept, and no longer counts
    assert lead.store.db.execute(
        "SELECT value, updated_by FROM answers WHERE case_id = ? AND question_id = '2.1.1'", [crn001]
    ).fetchone() == ("yes", "ann")
    [move] = list_sample_moves(lead.store, INSPECTION, status="applied")
    assert (move.case_ref, move.inspector_id, move.old_sample, move.new_sample) == (
        "CRN001", "ann", "supervision", "unpaid_work"
    )


def test_the_lead_and_the_inspector_moving_a_case_differently_is_the_leads_to_decide(team, tmp_path):
    lead, ann, _, crn001, _ = team
    change_sample(lead.store, crn001, "court", "A pre-sentence report case")
    change_sample(ann.store, crn001, "unpaid_work", "An unpaid work requirement only")
    bundle = ann.export(lead)
    [result] = merge(lead, bundle)

    assert result.status == "imported_with_conflicts" and result.conflicts == 1
    assert any("question set" in note for note in result.notes)
    assert sample_of(lead, crn001) == "court"  # nothing moves until the lead decides
    assert count_open_conflicts(lead.store, INSPECTION) == 1
    [move] = list_sample_moves(lead.store, INSPECTION)
    assert (move.old_sample, move.new_sample, move.lead_sample, move.reason) == (
        "supervision", "unpaid_work", "court", "An unpaid work requirement only"
    )

    assert merge(lead, bundle)[0].status == "already_imported"
    assert count_open_conflicts(lead.store, INSPECTION) == 1

    decided = decide_move(lead.store, move.id, take=False, reason="The PSR is what we inspect here")
    assert decided.status == "declined" and sample_of(lead, crn001) == "court"
    assert count_open_conflicts(lead.store, INSPECTION) == 0
    assert sample_log(lead, crn001)[-2:] == [
        ("lead", "sample_override", "unpaid_work", "court"),
        ("lead", "sample_reason", None, "The PSR is what we inspect here"),
    ]
    # A later bundle repeating the same move does not reopen what the lead decided.
    set_answer(ann.store, crn001, "3.1.1", value="yes")
    assert merge(lead, ann.export(lead))[0].conflicts == 0
    assert sample_of(lead, crn001) == "court" and count_open_conflicts(lead.store, INSPECTION) == 0


def test_the_lead_may_take_the_inspectors_set(team):
    lead, ann, _, crn001, _ = team
    change_sample(lead.store, crn001, "court", "A pre-sentence report case")
    change_sample(ann.store, crn001, "unpaid_work", "An unpaid work requirement only")
    merge(lead, ann.export(lead))
    [move] = list_sample_moves(lead.store, INSPECTION)
    decide_move(lead.store, move.id, take=True, reason="Ann read the file")
    assert sample_of(lead, crn001) == "unpaid_work"
    assert sample_log(lead, crn001)[-2:] == [
        ("lead", "sample_override", "court", "unpaid_work"), ("lead", "sample_reason", None, "Ann read the file"),
    ]
    with pytest.raises(Exception, match="not waiting for a decision"):
        decide_move(lead.store, move.id, take=False, reason="Changed my mind")


def test_the_same_move_from_both_sides_is_agreement(team):
    lead, ann, _, crn001, _ = team
    change_sample(lead.store, crn001, "court", "A pre-sentence report case")
    change_sample(ann.store, crn001, "court", "It is a court report")
    [result] = merge(lead, ann.export(lead))
    assert result.conflicts == 0 and sample_of(lead, crn001) == "court"
    assert [m.status for m in list_sample_moves(lead.store, INSPECTION, status="agreed")] == ["agreed"]


def test_two_moves_between_bundles_apply_as_one(team):
    """Supervision → court → unpaid work before her next bundle: the lead's set (supervision) is
    one her moves passed through, so the case moves, with no conflict."""
    lead, ann, _, crn001, _ = team
    change_sample(ann.store, crn001, "court", "Looked like a court report")
    change_sample(ann.store, crn001, "unpaid_work", "No: unpaid work only")
    [result] = merge(lead, ann.export(lead))
    assert result.conflicts == 0 and sample_of(lead, crn001) == "unpaid_work"


@pytest.mark.parametrize("order", ["in order", "newer first"])
def test_bundles_arriving_in_any_order_end_in_the_inspectors_latest_set(team, order):
    lead, ann, _, crn001, _ = team
    change_sample(ann.store, crn001, "court", "Looked like a court report")
    older = ann.export(lead)
    change_sample(ann.store, crn001, "unpaid_work", "No: unpaid work only")
    newer = ann.export(lead)
    for path in ([older, newer] if order == "in order" else [newer, older]):
        merge(lead, path)
    assert sample_of(lead, crn001) == "unpaid_work"
    assert count_open_conflicts(lead.store, INSPECTION) == 0


def test_conflicts_list_and_resolve_set_on_the_command_line(team, capsys):
    lead, ann, _, crn001, _ = team
    change_sample(lead.store, crn001, "court", "A pre-sentence report case")
    change_sample(ann.store, crn001, "unpaid_work", "An unpaid work requirement only")
    merge(lead, ann.export(lead))
    data = ["--data-dir", str(lead.dir)]
    lead.store.close()
    capsys.readouterr()
    assert run([*data, "conflicts", "list", "--inspection", INSPECTION]) == 0
    out = capsys.readouterr().out
    assert "CRN001" in out and "question set" in out and "resolve-set --id 1" in out
    assert run([*data, "conflicts", "resolve-set", "--inspection", INSPECTION, "--id", "1", "--take",
                "--reason", "Ann read the file"]) == 0
    assert "unpaid_work" in capsys.readouterr().out
    assert run([*data, "conflicts", "resolve-set", "--inspection", INSPECTION, "--id", "1", "--keep",
                "--reason", "again"]) == 1
    assert "not waiting for a decision" in capsys.readouterr().err


# --- hostile, validly signed bundles ---------------------------------------------------------------


def forged_move(records, person_id, case_id, old, new, *, reason="Because", at=CREATED):
    """A change-of-set entry and its reason, in `person_id`'s name, added to the bundle's records."""
    entries = (
        ChangeRecord(str(uuid.uuid4()), at, person_id, INSPECTION, case_id, "case", "CRN", "sample_override", old,
                     new, "app"),
        ChangeRecord(str(uuid.uuid4()), at, person_id, INSPECTION, case_id, "case", "CRN", "sample_reason", None,
                     reason, "app"),
    )
    return dataclasses.replace(records, changes=(*records.changes, *entries))


def with_case_sample(records, case_id, sample):
    return dataclasses.replace(
        records, cases=tuple(dataclasses.replace(c, sample=sample) if c.uuid == case_id else c for c in records.cases)
    )


def test_an_inspector_cannot_move_a_colleagues_case_until_the_lead_accepts(team, tmp_path):
    """ann's key moves bob's CRN003: held like any work beyond her own cases, never moved by itself."""
    lead, ann, bob, crn001, crn003 = team
    set_answer(bob.store, crn003, "2.1.1", value="no")
    merge(lead, bob.export(lead))
    mine = own_records(ann)
    theirs = own_records(bob)
    bobs_case = next(c for c in theirs.cases if c.uuid == crn003)
    hostile = dataclasses.replace(mine, cases=(*mine.cases, dataclasses.replace(bobs_case, sample="unpaid_work")))
    hostile = forged_move(hostile, "ann", crn003, "supervision", "unpaid_work")
    result = merge_bytes(lead, tmp_path, signed(ann, lead, hostile))

    assert result.status == "imported" and result.held
    assert sample_of(lead, crn003) == "supervision" and kq_tally(lead) == (0, 1)
    assert [m.status for m in list_sample_moves(lead.store, INSPECTION, status="held")] == ["held"]

    accept_held(lead.store, INSPECTION)  # the lead decides ann's work on CRN003 counts
    assert sample_of(lead, crn003) == "unpaid_work"
    assert list_sample_moves(lead.store, INSPECTION, status="applied")[0].inspector_id == "ann"


def test_a_move_to_a_sample_the_framework_lacks_is_refused_and_changes_nothing(team, tmp_path):
    lead, ann, _, crn001, _ = team
    merge(lead, ann.export(lead))
    before = snapshot(lead)
    hostile = forged_move(with_case_sample(own_records(ann), crn001, "imaginary"), "ann", crn001, "supervision",
                          "imaginary")
    result = merge_bytes(lead, tmp_path, signed(ann, lead, hostile))
    assert (result.status, result.code) == ("refused", "malformed-record")
    assert "unknown sample" in result.message
    assert snapshot(lead) == before


def test_a_move_the_case_record_does_not_show_moves_nothing(team, tmp_path):
    """The entry says unpaid work, the signed case record still says supervision: not the bundle's word."""
    lead, ann, _, crn001, _ = team
    hostile = forged_move(own_records(ann), "ann", crn001, "supervision", "unpaid_work")
    result = merge_bytes(lead, tmp_path, signed(ann, lead, hostile))
    assert result.status == "imported"
    assert sample_of(lead, crn001) == "supervision"
    assert lead.store.db.execute("SELECT COUNT(*) FROM merge_sample_moves").fetchone() == (0,)


def test_a_move_in_the_leads_name_is_refused(team, tmp_path):
    lead, ann, _, crn001, _ = team
    before = snapshot(lead)
    hostile = forged_move(with_case_sample(own_records(ann), crn001, "court"), "lead", crn001, "supervision", "court")
    result = merge_bytes(lead, tmp_path, signed(ann, lead, hostile))
    assert (result.status, result.code) == ("refused", "foreign-author")
    assert snapshot(lead) == before and sample_of(lead, crn001) == "supervision"
