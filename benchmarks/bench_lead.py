"""The lead's side at regional scale: merging 50 bundles (10,000 cases), ratings, memory."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.generate import benchmark_framework, fill_inspection
from benchmarks.harness import Result, absolute_result, median, ratio_result, samples, time_once

INSPECTION = "REGION-1"


def _make_bundles(folder: Path, bundles: int, cases_each: int):
    """`bundles` inspectors' stores, `cases_each` fully answered cases each, one bundle each."""
    from fieldwork.bundles import export_bundle
    from fieldwork.identity import create_keys
    from fieldwork.identity.keys import ScryptParams
    from fieldwork.store import open_store

    cheap = ScryptParams(log2_n=10)  # key unlocking is not what is measured
    lead = create_keys(folder / "lead", name="Lead", person_id="lead", passphrase="benchmark passphrase", scrypt=cheap)
    inspectors, paths, allocated = [], [], []
    for number in range(bundles):
        person = f"insp{number:02d}"
        keys = create_keys(
            folder / person, name=person, person_id=person, passphrase="benchmark passphrase", scrypt=cheap
        )
        store = open_store(folder / person, actor=person)
        fill_inspection(store, INSPECTION, cases_each, seed=number, case_prefix=f"{person}-")
        store.db.execute("UPDATE cases SET inspector_id = ?", [person])
        allocated += store.db.execute("SELECT id, case_ref, sample_id, inspector_id, created_at FROM cases").fetchall()
        paths.append(
            str(
                export_bundle(
                    store, INSPECTION, folder / f"{person}.fwbundle", identity=keys, recipients=[lead.public]
                ).path
            )
        )
        store.close()
        inspectors.append(keys.public)
    return lead, inspectors, paths, allocated


def _set_up_cases(store, allocated) -> None:
    """The lead's own set-up: the cases of the sample, each allocated to its inspector (as the packs
    carried them), so the merge counts their work at once instead of holding it for acceptance."""
    with store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO cases (id, inspection_id, case_ref, sample_id, inspector_id, status, revision, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, 'not_started', 0, ?, ?)",
            [(case_id, INSPECTION, ref, sample, person, at, at) for case_id, ref, sample, person, at in allocated],
        )


def _lead_store(folder: Path, name: str, inspectors):
    from fieldwork.identity import add_trusted_key
    from fieldwork.store import open_store
    from fieldwork.store.inspections import create_inspection

    store = open_store(folder / name, actor="lead")
    create_inspection(
        store,
        inspection_id=INSPECTION,
        provider="Benchmark region",
        provider_type="CRC",
        framework=benchmark_framework(),
        lead_id="lead",
    )
    for identity in inspectors:
        add_trusted_key(store, identity)
    return store


def _executemany_baseline(folder: Path, lead, inspectors, paths) -> float:
    """The same rows inserted with plain sqlite3.executemany in one transaction (same schema)."""
    from fieldwork.bundles import verify_bundle
    from fieldwork.identity import TrustList
    from fieldwork.store.rowhash import register as register_row_hash

    trust = TrustList.of(*inspectors)
    records = [verify_bundle(p, identity=lead, trust=trust).records for p in paths]
    store = _lead_store(folder, "baseline", inspectors)
    path = store.path
    store.close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    register_row_hash(conn)  # the store's checksum triggers call it (issue 20), as in the app
    case_rows = [tuple(c.to_row().values()) for r in records for c in r.cases]
    detail_rows = [
        (d.case_uuid, d.field_id, d.value, d.revision, d.updated_at, d.updated_by) for r in records for d in r.details
    ]
    answer_rows = [
        (a.case_uuid, a.question_id, a.value, a.note, a.revision, a.updated_at, a.updated_by)
        for r in records
        for a in r.answers
    ]
    case_columns = ", ".join(records[0].cases[0].to_row())

    def insert():
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO cases ({case_columns}) VALUES ({', '.join('?' * len(case_rows[0]))})", case_rows)
        conn.executemany(
            "INSERT INTO case_details (case_id, field_id, value, revision, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            detail_rows,
        )
        conn.executemany(
            "INSERT INTO answers (case_id, question_id, value, note, revision, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            answer_rows,
        )
        conn.execute("COMMIT")

    seconds = time_once(insert)
    conn.close()
    return seconds


_PEAK = """
import json, os, resource, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
mode, folder = sys.argv[1], sys.argv[2]
if mode == "gui":
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from fieldwork.gui.app import make_application
    from fieldwork.gui.main_window import MainWindow
    from fieldwork.store import open_store
    app = make_application()
    store = open_store(Path(folder), actor="bench")
    window = MainWindow(store); window.show(); QApplication.processEvents()
    from PySide6.QtCore import QEvent
    for summary in window.home_view.table_model.summaries()[:20]:
        window.open_case(summary.case.id); QApplication.processEvents()
        # As the app's event loop does: closed case views are really deleted.
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
else:
    from fieldwork.identity import unlock_keys
    from fieldwork.merge import merge_bundles
    from fieldwork.store import open_store
    data = json.loads(sys.argv[3])
    store = open_store(__import__("pathlib").Path(folder), actor="lead")
    merge_bundles(store, data["paths"], unlock_keys(data["lead_dir"], "benchmark passphrase"))
# VmHWM is this process's own peak. ru_maxrss is not: Linux carries it over from the parent
# across fork and exec, so a child of a large benchmark process would report the parent's peak.
try:
    with open("/proc/self/status") as status:
        print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024)
except OSError:  # not Linux: ru_maxrss (bytes on macOS, KiB elsewhere) is the best there is
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale)
"""


def _peak_mb(*args: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", _PEAK, *args], env=env, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> list[Result]:
    from fieldwork.merge import merge_bundles
    from fieldwork.reports.inspection_ratings import inspection_ratings
    from fieldwork.store import open_store

    bundles, cases_each = (10, 20) if quick else (50, 200)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-") as tmp:
        folder = Path(tmp)
        lead, inspectors, paths, allocated = _make_bundles(folder, bundles, cases_each)
        baseline = _executemany_baseline(folder, lead, inspectors, paths)
        store = _lead_store(folder, "central", inspectors)
        _set_up_cases(store, allocated)
        first = time_once(lambda: merge_bundles(store, paths, lead))
        again = time_once(lambda: merge_bundles(store, paths, lead))
        scale = f"{bundles} bundles, {bundles * cases_each} cases"
        results.append(
            ratio_result(
                f"merge {scale}",
                first,
                baseline,
                "s",
                2,
                f"{first:.1f} s; baseline: the same rows by sqlite3.executemany, one transaction",
            )
        )
        results.append(ratio_result("re-merge the same bundles", again, first, "s", 0.01, "ratio to the first merge"))
        ratings = samples(lambda: inspection_ratings(store, INSPECTION), 9)
        results.append(
            absolute_result(
                f"ratings for a {bundles * cases_each}-case central database",
                median(ratings) * 1000,
                "ms",
                50,
                f"median of 9; fastest {min(ratings) * 1000:.1f} ms (issue 21)",
            )
        )
        store.close()
        merge_folder = folder / "memory-merge"
        memory_store = _lead_store(folder, "memory-merge", inspectors)
        _set_up_cases(memory_store, allocated)
        memory_store.close()
        merge_mb = _peak_mb("merge", str(merge_folder), json.dumps({"paths": paths, "lead_dir": str(folder / "lead")}))
        gui_store = open_store(folder / "gui", actor="bench")
        fill_inspection(gui_store, "GUI-200", 200)
        gui_store.close()
        gui_mb = _peak_mb("gui", str(folder / "gui"))
    results.append(absolute_result("peak memory: GUI with a 200-case inspection, 20 cases opened", gui_mb, "MB", 200))
    results.append(absolute_result(f"peak memory: merge of {scale}", merge_mb, "MB", 150))
    return results
