"""Kill -9 a merge at random moments: the bundle is then either wholly in the store or not at
all, and the store passes integrity_check."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from fieldwork.bundles.export import build_bundle
from fieldwork.bundles.records import AnswerRecord, BundleRecords, CaseRecord, ChangeRecord, InspectionRecord
from fieldwork.merge import merge_bundles
from fieldwork.store import open_store

from .helpers import INSPECTION, central_dump, copy_store, identity, integrity_ok, make_lead

T = "2026-11-02T09:00:00.000Z"
CASES = 400

CHILD = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from merge.helpers import identity
    from fieldwork.merge import merge_bundles
    from fieldwork.store import open_store
    store = open_store(sys.argv[2], actor="lead")
    keys = identity("lead")
    print("ready", flush=True)
    sys.stdin.readline()
    merge_bundles(store, [sys.argv[3]], keys)
    print("done", flush=True)
    """
)


def big_bundle(framework, lead, path: Path) -> Path:
    inspection = InspectionRecord(
        INSPECTION, "Test CRC", "CRC", framework.id, framework.version, framework.content_hash, None, None, "lead",
        T, "lead",
    )
    cases, answers, changes = [], [], []
    for n in range(CASES):
        case_id = str(uuid.UUID(int=n + 1))
        cases.append(CaseRecord(case_id, INSPECTION, f"K{n:04d}", "supervision", "in_progress", 3, "ann", T, T))
        for question, value in (("2.1.1", "yes"), ("2.1.2", "na"), ("2.1.1.a", "no")):
            answers.append(AnswerRecord(case_id, question, value, "evidence " * 20 if "." not in question[4:] else "",
                                        1, T, "ann"))
            changes.append(ChangeRecord(str(uuid.uuid4()), T, "ann", INSPECTION, case_id, "answer", question,
                                        "value", None, value, "app"))
    # The lead set these cases up and allocated them to ann (else her work on them waits for acceptance).
    with lead.store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO cases (id, inspection_id, case_ref, sample_id, inspector_id, status, revision, created_at, "
            "updated_at) VALUES (?, ?, ?, 'supervision', 'ann', 'not_started', 0, ?, ?)",
            [(c.uuid, INSPECTION, c.case_ref, T, T) for c in cases],
        )
    records = BundleRecords(inspection, tuple(cases), (), tuple(answers), tuple(changes))
    data, _ = build_bundle(records, signer=identity("ann"), recipients=[lead.keys.public], sequence=1,
                           previous_manifest_sha256=None, bundle_id=str(uuid.uuid4()), created_at=T)
    path.write_bytes(data)
    return path


@pytest.mark.slow
def test_a_merge_killed_at_any_moment_lands_whole_or_not_at_all(tmp_path, mini_framework):
    lead = make_lead(tmp_path, mini_framework)
    bundle = big_bundle(mini_framework, lead, tmp_path / "big.fwbundle")
    lead.close()
    tests_dir = str(Path(__file__).resolve().parents[1])
    rnd = random.Random(6)
    outcomes = set()
    duration = None
    for attempt in range(6):
        where = tmp_path / f"kill{attempt}"
        copy_store(lead.dir, where)
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, tests_dir, str(where), str(bundle)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": tests_dir},
        )
        assert child.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        child.stdin.write("go\n")
        child.stdin.flush()
        if duration is None:  # the first run is not killed: it measures how long a merge takes here
            assert child.stdout.readline().strip() == "done"
            duration = time.perf_counter() - started
        else:
            time.sleep(rnd.uniform(0.0, duration))
            child.send_signal(signal.SIGKILL)
        child.wait()
        with open_store(where, actor="lead") as store:
            assert integrity_ok(store)
            imported = store.db.execute("SELECT COUNT(*) FROM merge_imports").fetchone()[0]
            rows = store.db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
            versions = store.db.execute("SELECT COUNT(*) FROM merge_versions").fetchone()[0]
            cases = store.db.execute("SELECT COUNT(*) FROM cases").fetchone()[0]
            assert (imported, rows, versions, cases) in ((0, 0, 0, CASES), (1, 3 * CASES, 3 * CASES, CASES))
            outcomes.add(imported)
            [result] = merge_bundles(store, [bundle], identity("lead")).results
            assert result.status == ("already_imported" if imported else "imported")
            assert store.db.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 3 * CASES
    assert 0 in outcomes  # killed before the commit at least once


@pytest.mark.slow
@pytest.mark.parametrize(("point", "landed"), [("merge.before_commit", 0), ("merge.after_commit", 1)])
def test_a_merge_killed_at_each_side_of_the_commit(tmp_path, mini_framework, point, landed):
    """Killed just before the commit the bundle is absent; just after, it is whole. Either way
    merging again converges on the same store as an uninterrupted merge."""
    lead = make_lead(tmp_path, mini_framework)
    bundle = big_bundle(mini_framework, lead, tmp_path / "big.fwbundle")
    lead.close()
    reference, killed = tmp_path / "reference", tmp_path / "killed"
    copy_store(lead.dir, reference)
    copy_store(lead.dir, killed)
    tests_dir = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": tests_dir, "FIELDWORK_CRASH_AT": point}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, tests_dir, str(killed), str(bundle)],
        input="go\n", capture_output=True, text=True, env=env, timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    with open_store(killed, actor="lead") as store:
        assert integrity_ok(store)
        assert store.db.execute("SELECT COUNT(*) FROM merge_imports").fetchone()[0] == landed
        [again] = merge_bundles(store, [bundle], identity("lead")).results
        assert again.status == ("already_imported" if landed else "imported")
        after_kill = central_dump(store)
    with open_store(reference, actor="lead") as store:
        merge_bundles(store, [bundle], identity("lead"))
        assert central_dump(store) == after_kill
