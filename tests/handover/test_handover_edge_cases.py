"""Edge cases of handover and wipe found by a review (December 2026); each failed before its fix."""

from __future__ import annotations

from fieldwork.handover.accept import accept_receipt
from fieldwork.handover.issue import issue_receipts
from fieldwork.handover.receipts import verify_receipt
from fieldwork.handover.retention import apply_retention, review
from fieldwork.identity import load_trust_list
from fieldwork.merge import add_query
from fieldwork.packs import apply_pack, export_pack, verify_pack
from fieldwork.store.assessments import find_case, load_assessment

from .helpers import INSPECTION, at, complete_case, evidence, export, markers_in, merge

QUERY = "Please check what Featherstonehaugh said at Larkspur Row about the threats"


def _issue(world, tmp_path, name):
    out = tmp_path / name
    out.mkdir()
    issued = issue_receipts(world.lead.store, INSPECTION, out, identity=world.lead.keys)
    return max(issued, key=lambda r: r.receipt.sequence).path


def _pack(world, person, tmp_path, name):
    pack = export_pack(world.lead.store, INSPECTION, person.id, tmp_path / name, identity=world.lead.keys)
    verified = verify_pack(
        pack.path, identity=person.keys, trusted_leads=load_trust_list(person.store),
        accept_lead_fingerprint=world.lead.keys.public.fingerprint,
    )
    return apply_pack(person.store, verified)


def test_a_pack_after_the_wipe_brings_back_the_lead_query_on_a_wiped_case(world, ann, tmp_path):
    """The wipe deletes the lead's moderation queries on the case (docs 0013), but the next pack puts
    the query text back into allocation_queries for the handed-over, wiped case."""
    case_id = complete_case(ann, "H001")
    merge(world, export(ann))
    add_query(world.lead.store, world.cases["H001"], "2.1.1", QUERY)  # still open at the lead
    _pack(world, ann, tmp_path, "with-query.fwpack")
    held = ann.store.db.execute("SELECT count(*) FROM allocation_queries WHERE case_id = ?", [case_id]).fetchone()
    assert held == (1,)

    receipt = _issue(world, tmp_path, "receipts")
    result = accept_receipt(ann.store, verify_receipt(ann.store, receipt), wipe=True)
    assert result.wiped == 1
    assert not markers_in(ann.dir, ("Featherstonehaugh said",))  # the wipe took the query

    _pack(world, ann, tmp_path, "after-wipe.fwpack")  # e.g. the lead re-sends allocations
    assert load_assessment(ann.store, case_id).case.status == "handed_over"
    back = ann.store.db.execute("SELECT text FROM allocation_queries WHERE case_id = ?", [case_id]).fetchall()
    assert back == [], f"the wiped case's query came back: {back}"


def test_retention_removes_new_unreceipted_work_on_a_case_recreated_after_a_retention_wipe(world, ann, tmp_path):
    """After retention removed the inspection, a later pack re-creates it with the same case UUIDs;
    their old (wiped) handover records make _counts treat the new cases as handed over, so retention
    removes the inspection whole, new evidence included, without the explicit confirmation."""
    for ref in ("H001", "H002", "H003"):
        complete_case(ann, ref)
    merge(world, export(ann))
    receipt = _issue(world, tmp_path, "receipts")
    accept_receipt(ann.store, verify_receipt(ann.store, receipt), wipe=True)
    removed = apply_retention(ann.store, today=at("2027-03-01"))
    assert [o.removed for o in removed.outcomes] == [True]

    _pack(world, ann, tmp_path, "again.fwpack")  # the lead allocates the cases again
    case_id = find_case(ann.store, INSPECTION, "H001").id
    complete_case(ann, "H001", 50)  # new work here, never exported, never receipted
    assert load_assessment(ann.store, case_id).answers["2.1.1"].note == evidence("H001", 50)

    [item] = [i for i in review(ann.store, at("2027-03-02")).items if i.inspection_id == INSPECTION]
    apply_retention(ann.store, today=at("2027-03-02"))  # no --include-not-handed-over
    assert markers_in(ann.dir, (evidence("H001", 50),)), (
        f"unreceipted evidence deleted by retention (review said not_handed_over={item.not_handed_over})"
    )


def test_remember_my_choice_in_the_handover_dialog_is_honoured(qtbot, world, ann, tmp_path):
    """The dialog's "Remember my choice" box: choice() reads remember.isVisible(), which is False once
    exec() has returned and the dialog is hidden, so the choice is never remembered."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from fieldwork.gui.handover_dialog import HandoverChoice, HandoverDialog
    from fieldwork.handover.accept import plan_receipt

    complete_case(ann, "H001")
    merge(world, export(ann))
    plan = plan_receipt(ann.store, verify_receipt(ann.store, _issue(world, tmp_path, "receipts")))
    assert plan.wipe_setting == "ask"
    seen = []

    def answer():
        dialog = QApplication.activeModalWidget()
        seen.append(dialog.remember.isVisible())  # shown to the inspector
        dialog.keep_radio.setChecked(True)
        dialog.remember.setChecked(True)
        dialog.ok_button.click()

    QTimer.singleShot(0, answer)
    choice = HandoverDialog.ask(None, plan)
    assert seen == [True]
    assert choice == HandoverChoice(wipe=False, remember=True)


def test_the_wal_of_a_copy_set_aside_by_a_restore_is_named_to_the_inspector(world, ann, tmp_path):
    """A restore moves the old store's -wal beside the copy it sets aside; after a wipe the app names
    only the .sqlite copy (copies_kept_aside keeps suffix == '.sqlite'), so its -wal, which holds
    personal data, is left behind unmentioned when the inspector deletes what they were told to."""
    from fieldwork.store.backups import take_backup
    from fieldwork.store.recovery import restore_backup

    complete_case(ann, "H001")
    merge(world, export(ann))
    backup = take_backup(ann.store, kind="manual").path
    complete_case(ann, "H002", 7)  # in the WAL when the app dies
    wal = ann.dir / "fieldwork.sqlite-wal"
    frames = wal.read_bytes()
    assert evidence("H002", 7).encode() in frames
    ann.store.backup_policy = None
    ann.store.close()
    wal.write_bytes(frames)  # as a kill -9 leaves it
    ann.store = restore_backup(ann.dir, backup, actor="ann")

    receipt = _issue(world, tmp_path, "receipts")
    result = accept_receipt(ann.store, verify_receipt(ann.store, receipt), wipe=True)
    [aside_wal] = [p for p in ann.dir.iterdir() if "-before-restore-" in p.name and p.name.endswith("-wal")]
    assert evidence("H002", 7).encode() in aside_wal.read_bytes()
    assert str(aside_wal) in result.cleanup.copies_kept, result.cleanup.copies_kept


def _sqlite_temp_files_holding(marker: bytes, found: dict) -> int:
    """Progress handler: SQLite temp files (etilqs_*, unlinked at once) open now, and whether they hold `marker`."""
    import os
    from pathlib import Path

    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
            if "etilqs_" in target:
                found[target] = found.get(target, 0) + Path(f"/proc/self/fd/{fd}").read_bytes().count(marker)
        except OSError:
            continue
    return 0


def test_the_wipe_transaction_writes_no_copy_of_the_evidence_to_the_temp_folder(world, ann, tmp_path):
    """temp_store=MEMORY is set for VACUUM only: the wipe's DELETE FROM change_log (a trigger that can
    ABORT needs a statement journal) spills the old pages, evidence and all, to a temp file in the
    temp folder once a case's history passes 64 KiB (evidence autosaves every 500 ms pause, so each
    pause logs the whole text twice)."""
    import os

    import pytest

    from fieldwork.store.assessments import set_answer

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc")
    case_id = find_case(ann.store, INSPECTION, "H001").id
    text = evidence("H001")
    for n in range(25):  # a 1,200-character note typed with 25 pauses
        text += f" and more ({n}) " + "details " * 5
        set_answer(ann.store, case_id, "2.1.1", value="yes", note=text[:1200])
    complete_case(ann, "H001")
    merge(world, export(ann))
    receipt = _issue(world, tmp_path, "receipts")
    found: dict = {}
    conn = ann.store.db.conn
    conn.set_progress_handler(lambda: _sqlite_temp_files_holding(b"Featherstonehaugh", found), 100)
    try:
        result = accept_receipt(ann.store, verify_receipt(ann.store, receipt), wipe=True)
    finally:
        conn.set_progress_handler(None, 0)
    assert result.wiped == 1
    leaked = {name: n for name, n in found.items() if n}
    assert not leaked, f"plaintext evidence written to temp files during the wipe: {leaked}"


def test_every_older_backup_is_overwritten_with_zeros_not_only_unlinked(world, ann, tmp_path):
    """finish_wipe's fresh backup is taken with kind="auto", whose prune() unlinks the oldest automatic
    backup (keep 7) before the shredding loop sees it: that backup, holding the wiped evidence, is
    deleted without being overwritten. A hard link shows what stayed in the file's blocks."""
    import os

    from fieldwork.store.backups import list_backups, take_backup

    complete_case(ann, "H001")
    merge(world, export(ann))
    for _ in range(7):  # a week of daily automatic backups (the default keep)
        take_backup(ann.store, kind="auto")
    links = []
    for n, backup in enumerate(list_backups(ann.dir)):
        link = tmp_path / f"blocks-of-backup-{n}"
        os.link(backup.path, link)  # the same blocks: shred() overwrites them, unlink() does not
        links.append(link)
    assert all(evidence("H001").encode() in link.read_bytes() for link in links)

    receipt = _issue(world, tmp_path, "receipts")
    result = accept_receipt(ann.store, verify_receipt(ann.store, receipt), wipe=True)
    assert result.cleanup.finished
    not_zeroed = [link.name for link in links if evidence("H001").encode() in link.read_bytes()]
    assert not_zeroed == [], f"backups deleted without being overwritten: {not_zeroed}"


def test_the_banner_does_not_say_cases_not_handed_over_will_be_deleted(world, ann, tmp_path):
    """Retention keeps cases not handed over unless the inspector confirms, and the command line says
    so ("... not handed over will stay"); the app's warning banner says the whole inspection will be
    deleted on the due date."""
    from fieldwork.gui.handover_dialog import item_text

    complete_case(ann, "H001")
    merge(world, export(ann))
    accept_receipt(ann.store, verify_receipt(ann.store, _issue(world, tmp_path, "receipts")), wipe=False)
    [item] = [i for i in review(ann.store, at("2027-01-30")).items if i.inspection_id == INSPECTION]
    assert (item.state, item.not_handed_over) == ("upcoming", 2)
    assert "not handed over will stay" in item.sentence()  # the command line
    text = item_text(item, 90)
    assert "will be deleted from this laptop" not in text or "stay" in text, text
