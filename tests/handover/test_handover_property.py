"""Property: whatever an inspector completes, exports and edits afterwards, accepting the lead's
receipt with the wipe hands over exactly the complete, unchanged cases, and every word of evidence
is then in the lead's store or still on the laptop — never in neither."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldwork.handover.accept import accept_receipt
from fieldwork.handover.issue import issue_receipts
from fieldwork.handover.receipts import verify_receipt
from fieldwork.store.assessments import set_answer, set_status

from .helpers import INSPECTION, complete_case, evidence, export, make_world, merge

REFS = ("H001", "H002", "H003", "H004")
_RUNS = itertools.count()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    completed=st.sets(st.sampled_from(REFS)),
    edited=st.sets(st.sampled_from(REFS)),
    started=st.sets(st.sampled_from(REFS)),
)
def test_a_wipe_hands_over_exactly_the_complete_unchanged_cases_and_loses_no_evidence(
    tmp_path, mini_framework, completed, edited, started
):
    world = make_world(tmp_path / f"run{next(_RUNS)}", mini_framework, {"ann": REFS})
    try:
        ann = world.inspectors["ann"]
        for ref in REFS:
            if ref in completed:
                complete_case(ann, ref)
            elif ref in started:
                set_answer(ann.store, world.cases[ref], "2.1.1", value="yes", note=evidence(ref))
        merge(world, export(ann))
        for ref in edited:  # after the export: reopen if needed, write newer evidence
            if ref in completed:
                set_status(ann.store, world.cases[ref], "in_progress")
            set_answer(ann.store, world.cases[ref], "2.1.1", note=evidence(ref, 7))
        out = world.root / "receipts"
        out.mkdir()
        [issued] = issue_receipts(world.lead.store, INSPECTION, out, identity=world.lead.keys)
        result = accept_receipt(ann.store, verify_receipt(ann.store, issued.path), wipe=True)

        assert set(result.handed_over) == completed - edited
        lead_notes = {row[0] for row in world.lead.store.db.execute("SELECT note FROM merge_versions")}
        lead_notes |= {row[0] for row in world.lead.store.db.execute("SELECT note FROM answers")}
        laptop = {row[0] for row in ann.store.db.execute("SELECT note FROM answers")}
        for ref in REFS:
            written = [evidence(ref)] if ref in completed | started else []
            written += [evidence(ref, 1)] if ref in completed else []
            written += [evidence(ref, 7)] if ref in edited else []
            for note in written:
                assert note in lead_notes or note in laptop, (ref, note)
            if ref in result.handed_over:
                assert not any(n.startswith(evidence(ref)[:-2]) for n in laptop)
    finally:
        world.close()
