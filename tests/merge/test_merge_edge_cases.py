"""Merge edge cases found by a review (December 2026): each states a promise of docs/merge.md and
docs/decisions/0007-merge-rules.md, and each failed before its fix.
"""

from __future__ import annotations

import datetime as dt

from fieldwork.merge import (
    add_query,
    author_choice,
    list_case_conflicts,
    list_conflicts,
    list_queries,
    merge_bundles,
    provenance,
    resolve_case_conflict,
    resolve_conflict,
)
from fieldwork.store.assessments import set_answer, set_detail
from fieldwork.store.inspections import add_case

from .helpers import INSPECTION, accept, open_conflicts, send_queries

LOW = "00000000-0000-4000-8000-000000000001"
HIGH = "ffffffff-ffff-4fff-bfff-ffffffffffff"


def merge(lead, *paths):
    return merge_bundles(lead.store, list(paths), lead.keys)


def add_by_hand(person, ref, case_id=None):
    """An inspector adds a case by hand; case_id forces its UUID (to choose which is lower)."""
    if case_id is not None:
        original, ids = person.store.new_id, iter([case_id])
        person.store.new_id = lambda: next(ids, None) or original()
    return add_case(person.store, person.inspection, ref, inspector_id=person.id)


def answer_row(lead, case_id, key="2.1.1"):
    return lead.store.db.execute(
        "SELECT value, note, updated_by FROM answers WHERE case_id = ? AND question_id = ?", [case_id, key]
    ).fetchone()


# --- 1. "same case" joins versions the lead never saw under an earlier decision's horizon ----------


def test_same_case_decision_does_not_silently_settle_versions_the_lead_never_saw(lead, ann, bob, people, sample):
    """cat's hand-added CRN002 (kept aside, so invisible in the conflicts) says "no"; the lead
    had resolved ann-vs-bob on CRN002 for ann's "yes". Deciding the kept-aside case is the same
    case brings cat's "no" in: a version the resolution never saw must contend (a conflict),
    exactly as it does when cat's bundle arrives after the resolution."""
    cat = people["cat"]
    crn002 = sample[1].id
    parked = add_by_hand(cat, "CRN002")
    set_answer(cat.store, parked.id, "2.1.1", value="no", note="cat: no plan on file")
    merge(lead, cat.export(lead))  # kept aside: reference CRN002 belongs to the lead's case
    [case_conflict] = list_case_conflicts(lead.store, INSPECTION)

    set_answer(ann.store, crn002, "2.1.1", value="yes", note="ann saw it")
    set_answer(bob.store, crn002, "2.1.1", value="no", note="bob did not")
    merge(lead, ann.export(lead), bob.export(lead))
    accept(lead)  # bob's second read of ann's case
    resolve_conflict(lead.store, crn002, "2.1.1", version_id=author_choice(lead.store, crn002, "2.1.1", "ann"),
                     reason="Ann read the plan")
    assert open_conflicts(lead.store) == set()

    resolve_case_conflict(lead.store, case_conflict.id, same=True, reason="Same person")
    # cat's "no" now belongs to CRN002 and disagrees with the decision the lead made without it.
    assert "cat: no plan on file" in {v.note for v in provenance(lead.store, crn002, "2.1.1").versions}
    assert open_conflicts(lead.store) == {("answer", crn002, "2.1.1")}, "cat's unseen 'no' was silently settled"


# --- 2. "same case" overwrites the lead's own edit without keeping it as a version ---------------------


def test_same_case_decision_keeps_the_leads_own_edit(lead, people, sample):
    """The lead's own answer on their case is overwritten by the kept-aside case's answer when the
    lead decides 'same case', and no version of the lead's edit is kept (capture_local is not run)."""
    cat = people["cat"]
    crn001 = sample[0].id
    parked = add_by_hand(cat, "CRN001")
    set_answer(cat.store, parked.id, "2.1.1", value="no", note="cat's reading")
    merge(lead, cat.export(lead))
    [case_conflict] = list_case_conflicts(lead.store, INSPECTION)

    set_answer(lead.store, crn001, "2.1.1", value="yes", note="lead's own words")
    resolve_case_conflict(lead.store, case_conflict.id, same=True, reason="Same person")

    notes = {v.note for v in provenance(lead.store, crn001, "2.1.1").versions}
    assert "lead's own words" in notes, f"the lead's edit was overwritten without a trace: {answer_row(lead, crn001)}"


def test_same_case_decision_keeps_the_leads_sample_case_detail(lead, people, sample):
    """Likewise a case detail the lead set on their sample case: replaced, with no version kept."""
    cat = people["cat"]
    crn001 = sample[0].id
    set_detail(lead.store, crn001, "rosh", "high")
    parked = add_by_hand(cat, "CRN001")
    set_detail(cat.store, parked.id, "rosh", "low")
    merge(lead, cat.export(lead))
    [case_conflict] = list_case_conflicts(lead.store, INSPECTION)

    resolve_case_conflict(lead.store, case_conflict.id, same=True, reason="Same person")
    values = {(v.author, v.value) for v in provenance(lead.store, crn001, "rosh").versions}
    assert ("lead", "high") in values, f"the lead's sample detail vanished: versions {values}"


# --- 3. a hand-added case the lead has edited is moved aside by a lower UUID --------------------------


def test_a_hand_added_case_the_lead_edited_is_not_moved_aside(lead, ann, bob, sample):
    """Decision 0007: the lower UUID takes the reference 'unless the lead has already moderated or
    decided anything on it' — and the lead's own edit is a decision. Here it is moved aside and the
    lead's answer disappears from the central tables."""
    high = add_by_hand(bob, "NEW1", HIGH)
    set_answer(bob.store, high.id, "2.1.1", value="yes")
    merge(lead, bob.export(lead))
    set_answer(lead.store, high.id, "2.1.1", value="no", note="lead corrected it")

    low = add_by_hand(ann, "NEW1", LOW)
    set_answer(ann.store, low.id, "2.1.1", value="yes")
    merge(lead, ann.export(lead))

    held = lead.store.db.execute("SELECT id FROM cases WHERE case_ref = 'NEW1'").fetchone()
    assert held == (HIGH,), "the case the lead edited lost its reference and left the central tables"
    assert answer_row(lead, HIGH) == ("no", "lead corrected it", "lead")


def test_a_lower_uuid_taking_a_separate_cases_new_reference_can_be_merged(lead, ann, bob, people, sample):
    """After the lead decided a kept-aside case is separate (new reference NEW1-B), another hand-added
    case with that reference and a lower UUID arrives: the merge tries to move the lead's separate
    case aside and fails; the bundle is refused as merge-failed, now and on every retry."""
    cat = people["cat"]
    first = add_by_hand(ann, "NEW1", "20000000-0000-4000-8000-000000000000")
    set_answer(ann.store, first.id, "2.1.1", value="yes")
    second = add_by_hand(bob, "NEW1", "30000000-0000-4000-8000-000000000000")
    set_answer(bob.store, second.id, "2.1.1", value="no")
    merge(lead, ann.export(lead), bob.export(lead))
    [case_conflict] = list_case_conflicts(lead.store, INSPECTION)
    assert case_conflict.case_id == second.id
    resolve_case_conflict(lead.store, case_conflict.id, same=False, new_ref="NEW1-B", reason="Two people")

    third = add_by_hand(cat, "NEW1-B", LOW)
    set_answer(cat.store, third.id, "2.1.1", value="yes")
    [result] = merge(lead, cat.export(lead)).results
    # _step_aside tries to insert a second merge_case_conflicts row for the separate case (case_id
    # is UNIQUE): IntegrityError, "merge-failed" -- and every later bundle of cat's fails the same way.
    assert result.status != "refused", (result.code, result.message)
    held = lead.store.db.execute("SELECT id FROM cases WHERE case_ref = 'NEW1-B'").fetchone()
    assert held == (second.id,), "the lead's 'separate case' decision was undone by a later bundle"


# --- 4. a query 'answered' by a version made before the query was raised ---------------------------


def test_a_query_is_not_answered_by_a_bundle_made_before_it(lead, ann, sample):
    """ann's bundles 1 and 2 were both exported before the lead raised the query; bundle 2 arrives
    late. Its version is newer than the query's base, yet ann never saw the query: it stays open.
    (Before, any newer revision answered it: the bundle did not say which queries it had seen.)"""
    case = sample[0].id
    set_answer(ann.store, case, "2.1.1", value="yes")
    first = ann.export(lead)
    set_answer(ann.store, case, "2.1.1", value="no", note="second thoughts")
    second = ann.export(lead)  # made now, before any query exists
    merge(lead, first)
    lead.store.clock.current += dt.timedelta(days=2)  # the query is raised well after both exports
    query = add_query(lead.store, case, "2.1.1", "Where is the evidence?")
    merge(lead, second)
    [now] = [q for q in list_queries(lead.store, INSPECTION) if q.id == query.id]
    assert now.status == "open", "answered by a version made before the inspector could see the query"

    # The pack brings the query; a bundle made after that, with nothing changed since, is no answer
    # either; an answer changed after the pack was opened is.
    send_queries(lead, ann)
    merge(lead, ann.export(lead))
    assert [q.status for q in list_queries(lead.store, INSPECTION) if q.id == query.id] == ["open"]
    set_answer(ann.store, case, "2.1.1", value="no", note="Evidence: the plan of 3 Nov")
    merge(lead, ann.export(lead))
    [now] = [q for q in list_queries(lead.store, INSPECTION) if q.id == query.id]
    assert now.status == "answered" and now.answered_version_id is not None


# --- 5. a conflict the lead settled by editing stays listed as a conflict -------------------------


def test_a_lead_edit_of_a_conflicted_answer_is_not_listed_as_a_conflict(lead, ann, bob, people, sample):
    """'Your own edits in the central database count as a decision over what you could see: they
    are not conflicts.' After the lead edits a conflicted answer, it stays in the conflict list
    (and counts) until some bundle happens to touch that answer; resolving it then says 'not in
    conflict'."""
    case = sample[1].id
    set_answer(ann.store, case, "2.1.1", value="yes", note="ann saw it")
    set_answer(bob.store, case, "2.1.1", value="no", note="bob did not")
    merge(lead, ann.export(lead), bob.export(lead))
    accept(lead)  # bob's second read of ann's case
    assert open_conflicts(lead.store) == {("answer", case, "2.1.1")}
    set_answer(lead.store, case, "2.1.1", value="yes", note="lead: checked the plan")
    listed = [(c.case_id, c.key) for c in list_conflicts(lead.store, INSPECTION)]
    assert listed == [], "the lead's edit settled it, yet it is still listed as a conflict"
