"""Lead merge → receipt → inspector accept, end to end with real stores, packs and bundles; and the
wipe proved on raw bytes: the store file, its WAL and every backup."""

from __future__ import annotations

import pytest

from fieldwork.errors import ValidationError
from fieldwork.handover.accept import (
    ALREADY_HANDED_OVER,
    ALREADY_WIPED,
    CHANGED_SINCE,
    HAND_OVER,
    NOT_COMPLETE,
    accept_receipt,
    plan_receipt,
)
from fieldwork.handover.issue import issue_receipts, list_bundle_receipts
from fieldwork.handover.receipts import verify_receipt
from fieldwork.identity import load_trust_list
from fieldwork.packs import apply_pack, export_pack, verify_pack
from fieldwork.store.assessments import find_case, load_assessment, set_answer, set_status
from fieldwork.store.backups import list_backups, take_backup
from fieldwork.store.changelog import case_history

from .helpers import (
    INSPECTION,
    SUBJECT,
    case_markers,
    complete_case,
    evidence,
    export,
    markers_in,
    merge,
)


def issue(world, tmp_path, name="receipts", **options):
    out = tmp_path / name
    out.mkdir(exist_ok=True)
    return issue_receipts(world.lead.store, INSPECTION, out, identity=world.lead.keys, **options)


def accept(person, path, *, wipe: bool):
    return accept_receipt(person.store, verify_receipt(person.store, path), wipe=wipe)


def outcomes(person, path) -> dict[str, str]:
    plan = plan_receipt(person.store, verify_receipt(person.store, path))
    return {o.case_ref: o.outcome for o in plan.outcomes}


def test_round_trip_hands_over_and_wipes_leaving_no_personal_data_in_store_wal_or_backups(world, ann, tmp_path):
    complete_case(ann, "H001")
    complete_case(ann, "H002")
    bundle = export(ann)
    merge(world, bundle)
    take_backup(ann.store, kind="manual")  # backups that hold the evidence, before the wipe
    take_backup(ann.store, kind="auto")
    assert markers_in(ann.dir, case_markers("H001", "H002")), "the scan must see the data before the wipe"

    [issued] = issue(world, tmp_path)
    assert issued.path.stat().st_mode & 0o077 == 0  # readable by the user only
    result = accept(ann, issued.path, wipe=True)

    assert result.handed_over == ("H001", "H002") and result.wiped == 2
    assert not markers_in(ann.dir, case_markers("H001", "H002")), "wiped data is still in the raw bytes"
    assert not markers_in(ann.dir, (SUBJECT,))  # H003 was never answered: no evidence anywhere now
    assert markers_in(ann.dir, case_markers("H003"))  # H003 is not complete: kept, whole
    assert result.cleanup.finished and result.cleanup.backups_removed == 2
    assert len(list_backups(ann.dir)) == 1  # a fresh backup of the wiped store, none older
    assert (ann.dir / "fieldwork.sqlite-wal").stat().st_size == 0

    # The non-personal record of the handover remains, and the case is a row of ids.
    records = ann.store.db.execute(
        "SELECT case_id, inspection_id, revision, receipt_id, bundle_id, bundle_sequence, lead_key_id, wiped_at, "
        "wipe_reason, cleaned_at FROM handover_records ORDER BY case_id"
    ).fetchall()
    assert {r[0] for r in records} == {world.cases["H001"], world.cases["H002"]}
    assert all(r[1:7] == (INSPECTION, 5, issued.receipt.receipt_id, issued.receipt.bundle_id, 1,
                          world.lead.keys.key_id) for r in records)
    assert all(r[7] and r[8] == "receipt" and r[9] for r in records)
    wiped = load_assessment(ann.store, world.cases["H001"])
    assert wiped.case.status == "handed_over" and wiped.answers == {} and wiped.details == {}
    assert [(e.field, e.old, e.source) for e in case_history(ann.store, wiped.case.id)] == [
        ("wiped", None, "receipt")
    ]
    # The lead still holds everything.
    assert evidence("H001") in str(world.lead.store.db.execute("SELECT note FROM answers").fetchall())
    assert ann.store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_case_edited_after_export_is_neither_handed_over_nor_wiped(world, ann, tmp_path):
    complete_case(ann, "H001")
    complete_case(ann, "H002")
    merge(world, export(ann))
    case_id = world.cases["H001"]
    set_status(ann.store, case_id, "in_progress")  # reopened and edited after the bundle was made
    set_answer(ann.store, case_id, "2.1.1", note=evidence("H001", 9))
    set_status(ann.store, case_id, "complete")

    [issued] = issue(world, tmp_path)
    assert outcomes(ann, issued.path) == {"H001": CHANGED_SINCE, "H002": HAND_OVER, "H003": NOT_COMPLETE}
    result = accept(ann, issued.path, wipe=True)
    assert result.handed_over == ("H002",)
    kept = load_assessment(ann.store, case_id)
    assert kept.case.status == "complete" and kept.answers["2.1.1"].note == evidence("H001", 9)
    assert markers_in(ann.dir, (evidence("H001", 9),))
    assert "changed on this laptop after bundle 1 was made" in result.plan.having(CHANGED_SINCE)[0].reason(1)

    # The next bundle carries the edit; its receipt hands the case over.
    merge(world, export(ann))
    second = [r for r in issue(world, tmp_path, "second") if r.receipt.sequence == 2]
    assert outcomes(ann, second[0].path)["H001"] == HAND_OVER
    assert accept(ann, second[0].path, wipe=True).handed_over == ("H001",)
    assert not markers_in(ann.dir, case_markers("H001", "H002"))


def test_a_case_changed_after_export_without_a_higher_revision_is_kept(world, ann, tmp_path):
    """The lead may hold a higher revision from elsewhere (a restored or second copy of the profile):
    what counts is that nothing changed here after the receipted bundle was made."""
    complete_case(ann, "H001")
    bundle = export(ann)
    merge(world, bundle)
    [issued] = issue(world, tmp_path)
    receipt = verify_receipt(ann.store, issued.path)
    ann.store.db.execute(
        "UPDATE cases SET updated_at = '2999-01-01T00:00:00.000Z' WHERE id = ?", [world.cases["H001"]]
    )
    ann.store.db.conn.commit()
    plan = plan_receipt(ann.store, receipt)
    assert {o.case_ref: o.outcome for o in plan.outcomes}["H001"] == CHANGED_SINCE


def test_accepting_again_changes_nothing_more_and_can_wipe_what_was_kept(world, ann, tmp_path):
    complete_case(ann, "H001")
    merge(world, export(ann))
    [issued] = issue(world, tmp_path)
    first = accept(ann, issued.path, wipe=False)
    assert first.handed_over == ("H001",) and first.wiped == 0 and first.cleanup is None
    assert markers_in(ann.dir, case_markers("H001"))  # kept, read-only
    with pytest.raises(ValidationError):
        set_answer(ann.store, world.cases["H001"], "2.1.1", note="changed after handover")
    revision = find_case(ann.store, INSPECTION, "H001").revision

    again = accept(ann, issued.path, wipe=False)
    assert again.handed_over == () and outcomes(ann, issued.path)["H001"] == ALREADY_HANDED_OVER
    assert find_case(ann.store, INSPECTION, "H001").revision == revision

    later = accept(ann, issued.path, wipe=True)
    assert later.wiped == 1 and not markers_in(ann.dir, case_markers("H001"))
    assert outcomes(ann, issued.path)["H001"] == ALREADY_WIPED
    assert accept(ann, issued.path, wipe=True).wiped == 0
    counts = ann.store.db.execute("SELECT handed_over, wiped FROM receipts_accepted").fetchone()
    assert counts == (1, 1)


def test_the_lead_issues_each_bundle_once_unless_asked_for_all(world, ann, tmp_path):
    complete_case(ann, "H001")
    merge(world, export(ann))
    merge(world, export(ann))
    first = issue(world, tmp_path)
    assert sorted(r.receipt.sequence for r in first) == [1, 2]
    assert issue(world, tmp_path, "again") == []
    with pytest.raises(Exception) as caught:
        issue(world, tmp_path, every=True)  # the same folder: files in the way
    assert getattr(caught.value, "code", "") == "file-exists"
    assert len(issue(world, tmp_path, every=True, overwrite=True)) == 2
    assert [len(b.receipts) for b in list_bundle_receipts(world.lead.store, INSPECTION)] == [2, 2]


def test_bundles_exported_after_the_wipe_merge_without_losing_anything_at_the_lead(world, ann, tmp_path):
    complete_case(ann, "H001")
    merge(world, export(ann))
    [issued] = issue(world, tmp_path)
    accept(ann, issued.path, wipe=True)
    complete_case(ann, "H002")
    merge(world, export(ann))  # carries the wiped case as a row of ids with no answers
    notes = [row[0] for row in world.lead.store.db.execute(
        "SELECT note FROM answers WHERE case_id = ?", [world.cases["H001"]]
    )]
    assert evidence("H001") in notes and evidence("H001", 1) in notes


def test_a_pack_issued_after_the_wipe_does_not_bring_the_data_back(world, ann, tmp_path):
    complete_case(ann, "H001")
    merge(world, export(ann))
    [issued] = issue(world, tmp_path)
    accept(ann, issued.path, wipe=True)
    pack = export_pack(world.lead.store, INSPECTION, "ann", tmp_path / "again.fwpack", identity=world.lead.keys)
    verified = verify_pack(pack.path, identity=ann.keys, trusted_leads=load_trust_list(ann.store))
    result = apply_pack(ann.store, verified)
    assert "H001" not in result.added
    assert load_assessment(ann.store, world.cases["H001"]).details == {}


def test_the_wipe_runs_with_secure_delete_and_vacuums_without_a_temp_file(world, ann, tmp_path):
    """secure_delete is on for the deletes, VACUUM builds its copy in memory (temp_store=MEMORY: no
    plaintext copy of the store in the temp folder), and the WAL is truncated; settings restored."""
    complete_case(ann, "H001")
    merge(world, export(ann))
    [issued] = issue(world, tmp_path)
    conn = ann.store.db.conn
    before = (conn.execute("PRAGMA secure_delete").fetchone()[0], conn.execute("PRAGMA temp_store").fetchone()[0])
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        accept(ann, issued.path, wipe=True)
    finally:
        conn.set_trace_callback(None)
    text = [s.strip() for s in statements]
    on = text.index("PRAGMA main.secure_delete = ON")
    delete = text.index(next(s for s in text if s.startswith("DELETE FROM answers")))
    memory, vacuum = text.index("PRAGMA temp_store = MEMORY"), text.index("VACUUM")
    assert on < delete and memory < vacuum < text.index("PRAGMA wal_checkpoint(TRUNCATE)")
    after = (conn.execute("PRAGMA secure_delete").fetchone()[0], conn.execute("PRAGMA temp_store").fetchone()[0])
    assert after == before
