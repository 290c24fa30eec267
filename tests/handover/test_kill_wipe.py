"""Kill -9 at each crash point of a wipe: the store opens and passes integrity_check, the wipe is
whole or absent, and the next start (or accepting again) finishes it, leaving no personal data in
the store, its WAL or its backups."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from fieldwork.faults import CRASH_AT
from fieldwork.handover.accept import accept_receipt
from fieldwork.handover.cleanup import finish_wipe, pending
from fieldwork.handover.issue import issue_receipts
from fieldwork.handover.receipts import verify_receipt
from fieldwork.profile import open_profile_store
from fieldwork.store.backups import list_backups, take_backup

from .helpers import INSPECTION, case_markers, complete_case, export, markers_in, merge

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

CHILD = textwrap.dedent(
    """
    import datetime as dt, sys
    from pathlib import Path
    from fieldwork.profile import open_profile_store
    store = open_profile_store(Path(sys.argv[1]))
    if sys.argv[2] == "retention":
        from fieldwork.handover.retention import apply_retention
        apply_retention(store, today=dt.date(2027, 3, 1))
    else:
        from fieldwork.handover.accept import accept_receipt
        from fieldwork.handover.receipts import verify_receipt
        accept_receipt(store, verify_receipt(store, sys.argv[2]), wipe=True)
    print("finished", flush=True)
    """
)

POINTS = [
    ("handover.before_commit", False),
    ("handover.after_commit", True),
    ("wipe.after_vacuum", True),
    ("wipe.before_old_backups_removed", True),
]


def _prepare(world, ann, tmp_path):
    complete_case(ann, "H001")
    complete_case(ann, "H002")
    merge(world, export(ann))
    out = tmp_path / "receipts"
    out.mkdir()
    [issued] = issue_receipts(world.lead.store, INSPECTION, out, identity=world.lead.keys)
    take_backup(ann.store, kind="manual")
    ann.store.close()
    return issued.path


def _kill_at(point: str, data_dir, argument) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir), str(argument)],
        env={**os.environ, CRASH_AT: point}, capture_output=True, text=True, timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, (child.returncode, child.stderr[-2000:])
    assert "finished" not in child.stdout


@pytest.mark.parametrize("point, landed", POINTS)
def test_a_wipe_killed_at_each_crash_point_is_whole_or_absent_and_finishes_next_time(
    world, ann, tmp_path, point, landed
):
    receipt = _prepare(world, ann, tmp_path)
    _kill_at(point, ann.dir, receipt)
    with open_profile_store(ann.dir) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        records = store.db.execute("SELECT count(*), count(wiped_at) FROM handover_records").fetchone()
        assert records == ((2, 2) if landed else (0, 0))
        notes = store.db.execute("SELECT count(*) FROM answers").fetchone()[0]
        assert notes == (0 if landed else 8)  # the wipe's transaction landed whole, or not at all
        assert pending(store) == landed
        if landed:
            assert finish_wipe(store).finished  # what the next start (or any receipt command) does
        else:
            assert accept_receipt(store, verify_receipt(store, receipt), wipe=True).wiped == 2
        assert not pending(store)
        assert len(list_backups(ann.dir)) == 1
    assert not markers_in(ann.dir, case_markers("H001", "H002"))


def test_retention_killed_before_its_commit_changes_nothing(world, ann, tmp_path):
    receipt = _prepare(world, ann, tmp_path)
    with open_profile_store(ann.dir) as store:
        accept_receipt(store, verify_receipt(store, receipt), wipe=False)
    _kill_at("retention.before_commit", ann.dir, "retention")
    with open_profile_store(ann.dir) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.db.execute("SELECT count(wiped_at) FROM handover_records").fetchone() == (0,)
        assert store.db.execute("SELECT count(*) FROM answers").fetchone()[0] == 8
    assert markers_in(ann.dir, case_markers("H001", "H002"))
