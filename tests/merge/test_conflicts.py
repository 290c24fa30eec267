"""Resolving conflicts: by version or by value, with a recorded decision; case references."""

from __future__ import annotations

import pytest

from fieldwork.errors import ValidationError
from fieldwork.merge import (
    author_choice,
    list_case_conflicts,
    list_conflicts,
    merge_bundles,
    provenance,
    resolve_case_conflict,
    resolve_conflict,
)
from fieldwork.store import open_store
from fieldwork.store.assessments import get_case, set_answer
from fieldwork.store.inspections import add_case

from .helpers import INSPECTION, accept, open_conflicts


@pytest.fixture
def conflicted(lead, ann, bob, sample):
    """CRN002 2.1.1: ann says yes, bob says no."""
    case = sample[1].id
    set_answer(ann.store, case, "2.1.1", value="yes", note="ann saw it")
    set_answer(bob.store, case, "2.1.1", value="no", note="bob did not")
    merge_bundles(lead.store, [ann.export(lead), bob.export(lead)], lead.keys)
    accept(lead)  # bob reads ann's case: a second read the lead accepts
    assert open_conflicts(lead.store) == {("answer", case, "2.1.1")}
    return case


def row(lead, case):
    return lead.store.db.execute(
        "SELECT value, note, updated_by FROM answers WHERE case_id = ? AND question_id = '2.1.1'", [case]
    ).fetchone()


def test_choosing_a_version_is_recorded_and_settles_the_conflict(lead, conflicted):
    chosen = author_choice(lead.store, conflicted, "2.1.1", "bob")
    resolution = resolve_conflict(lead.store, conflicted, "2.1.1", version_id=chosen, reason="Bob read the file")
    assert resolution.author == "bob" and resolution.decided_by == "lead" and resolution.reason == "Bob read the file"
    assert row(lead, conflicted) == ("no", "bob did not", "bob")
    assert list_conflicts(lead.store, INSPECTION) == []
    shown = provenance(lead.store, conflicted, "2.1.1")
    assert [r.reason for r in shown.resolutions] == ["Bob read the file"] and not shown.conflicted
    assert any(e.field == "resolved" and e.source == "conflict-resolution" for e in shown.history)


def test_a_value_of_the_leads_own_becomes_a_new_newest_version(lead, conflicted):
    resolve_conflict(lead.store, conflicted, "2.1.1", value="yes", note="Agreed at moderation", reason="Discussed")
    assert row(lead, conflicted) == ("yes", "Agreed at moderation", "lead")
    versions = provenance(lead.store, conflicted, "2.1.1").versions
    assert [v.origin for v in versions].count("local") == 1 and len(versions) == 3
    # A value that a standing version has, with no note given, chooses that version.


def test_a_value_someone_gave_chooses_their_version(lead, conflicted):
    resolve_conflict(lead.store, conflicted, "2.1.1", value="yes", reason="Ann is right")
    assert row(lead, conflicted) == ("yes", "ann saw it", "ann")


def test_decisions_are_committed_even_after_reading_conflicts_first(lead, conflicted):
    """Reading must never leave a transaction open (it would swallow the decision's own)."""
    list_conflicts(lead.store, INSPECTION)
    chosen = author_choice(lead.store, conflicted, "2.1.1", "ann")
    provenance(lead.store, conflicted, "2.1.1")
    assert not lead.store.db.conn.in_transaction
    resolve_conflict(lead.store, conflicted, "2.1.1", version_id=chosen, reason="Ann")
    lead.store.close()
    with open_store(lead.dir, actor="lead") as reopened:
        assert reopened.db.execute("SELECT COUNT(*) FROM merge_resolutions").fetchone() == (1,)
        assert reopened.db.execute("SELECT COUNT(*) FROM merge_open_conflicts").fetchone() == (0,)


def test_resolving_needs_a_reason_a_conflict_and_a_standing_version(lead, conflicted, sample):
    with pytest.raises(ValidationError, match="reason"):
        resolve_conflict(lead.store, conflicted, "2.1.1", value="yes", reason=" ")
    with pytest.raises(ValidationError, match="not in conflict"):
        resolve_conflict(lead.store, conflicted, "2.1.2", value="yes", reason="x")
    with pytest.raises(ValidationError, match="not one of those"):
        resolve_conflict(lead.store, conflicted, "2.1.1", version_id=999, reason="x")
    with pytest.raises(ValidationError, match="allowed"):
        resolve_conflict(lead.store, conflicted, "2.1.1", value="na", reason="x")  # 2.1.1 has no N/A
    assert author_choice(lead.store, conflicted, "2.1.1", "nobody") is None


def test_a_decision_holds_until_a_newer_version_arrives(lead, ann, bob, conflicted):
    resolve_conflict(lead.store, conflicted, "2.1.1", version_id=author_choice(lead.store, conflicted, "2.1.1", "bob"),
                     reason="Bob")
    merge_bundles(lead.store, [ann.export(lead), bob.export(lead)], lead.keys)  # nothing new in them
    assert open_conflicts(lead.store) == set()
    set_answer(bob.store, conflicted, "2.1.1", value="no", note="bob, more detail")
    merge_bundles(lead.store, [bob.export(lead)], lead.keys)  # bob improves his own: still settled
    assert open_conflicts(lead.store) == set() and row(lead, conflicted)[1] == "bob, more detail"
    set_answer(ann.store, conflicted, "2.1.1", value="yes", note="ann insists")
    merge_bundles(lead.store, [ann.export(lead)], lead.keys)
    assert open_conflicts(lead.store) == {("answer", conflicted, "2.1.1")}
    assert row(lead, conflicted)[2] == "bob"  # the decision stays in the row meanwhile


def test_a_lead_edit_between_merges_is_never_overwritten_unrecorded(lead, ann, conflicted):
    case = get_case(lead.store, conflicted)
    set_answer(lead.store, case.id, "2.1.1", note="lead's own words")
    set_answer(ann.store, conflicted, "2.1.1", value="yes", note="ann again")
    merge_bundles(lead.store, [ann.export(lead)], lead.keys)
    notes = {v.note for v in provenance(lead.store, conflicted, "2.1.1").versions}
    assert {"lead's own words", "ann again", "ann saw it", "bob did not"} <= notes


def _two_hand_added(lead, ann, bob):
    made = {}
    for person, value in ((ann, "yes"), (bob, "no")):
        case = add_case(person.store, person.inspection, "NEW1", inspector_id=person.id)
        set_answer(person.store, case.id, "2.1.1", value=value)
        made[person.id] = case.id
    merge_bundles(lead.store, [ann.export(lead), bob.export(lead)], lead.keys)
    accept(lead)  # the case added by hand that holds the reference
    [conflict] = list_case_conflicts(lead.store, INSPECTION)
    return made, conflict


def test_a_case_reference_conflict_decided_as_the_same_case(lead, ann, bob, sample):
    made, conflict = _two_hand_added(lead, ann, bob)
    decided = resolve_case_conflict(lead.store, conflict.id, same=True, reason="One person, one case")
    assert decided.status == "same" and list_case_conflicts(lead.store, INSPECTION) == []
    owner = conflict.owner_case_id
    assert open_conflicts(lead.store) == {("answer", owner, "2.1.1")}  # two readers now disagree
    # Later bundles about the other UUID join the same case.
    other = conflict.case_id
    who = next(p for p in (ann, bob) if made[p.id] == other)
    set_answer(who.store, other, "2.1.2", value="na")
    merge_bundles(lead.store, [who.export(lead)], lead.keys)
    assert lead.store.db.execute(
        "SELECT value FROM answers WHERE case_id = ? AND question_id = '2.1.2'", [owner]
    ).fetchone() == ("na",)
    assert lead.store.db.execute("SELECT COUNT(*) FROM cases WHERE id = ?", [other]).fetchone() == (0,)


def test_a_case_reference_conflict_decided_as_separate_cases(lead, ann, bob, sample):
    made, conflict = _two_hand_added(lead, ann, bob)
    with pytest.raises(ValidationError, match="already"):
        resolve_case_conflict(lead.store, conflict.id, same=False, new_ref="CRN001", reason="x")
    decided = resolve_case_conflict(lead.store, conflict.id, same=False, new_ref="NEW1-B", reason="Two people")
    assert decided.status == "separate" and decided.new_ref == "NEW1-B"
    case = get_case(lead.store, conflict.case_id)
    assert case.case_ref == "NEW1-B" and open_conflicts(lead.store) == set()
    with pytest.raises(ValidationError, match="already decided"):
        resolve_case_conflict(lead.store, conflict.id, same=True, reason="again")
