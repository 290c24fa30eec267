"""What an inspector feels: start-up, opening a case, and saving an answer durably."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.generate import fill_inspection
from benchmarks.harness import Result, absolute_result, median, p99, ratio_result, samples
from benchmarks.importtime import by_package, describe, describe_packages, least_times, slowest_imports

_BARE_WINDOW = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1280, 820); w.show()
QTimer.singleShot(0, app.quit)
app.exec()
"""

# The least any app on this stack must do before its window: Python, Qt, the bare window, the
# sqlite-utils import and a read of the store's cases (docs/decisions/0017-start-up-target.md).
_STACK_FLOOR = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
import platformdirs, sqlite_utils
app = QApplication(sys.argv[:1])
db = sqlite_utils.Database(str(Path(sys.argv[1]) / "fieldwork.sqlite"))
rows = list(db.execute("SELECT * FROM cases"))
w = QMainWindow(); w.resize(1280, 820); w.setWindowTitle(str(len(rows))); w.show()
QTimer.singleShot(0, app.quit)
app.exec()
"""

_APP_WINDOW = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from fieldwork.gui.app import make_application, open_store_with_progress
from fieldwork.gui.main_window import MainWindow
app = make_application()
store, error = open_store_with_progress(Path(sys.argv[1]))
w = MainWindow(store); w.show()
QTimer.singleShot(0, app.quit)
app.exec()
store.close()
"""


def _process_seconds(code: str, *args: str, repeats: int) -> list[float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    return samples(
        lambda: subprocess.run(
            [sys.executable, "-c", code, *args],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        repeats,
    )


def bench_startup(folder: Path, repeats: int) -> list[Result]:
    apps, bares, floors = [], [], []
    for _ in range(repeats):  # interleaved, so a busy moment of a shared machine hits all three alike
        apps += _process_seconds(_APP_WINDOW, str(folder), repeats=1)
        bares += _process_seconds(_BARE_WINDOW, repeats=1)
        floors += _process_seconds(_STACK_FLOOR, str(folder), repeats=1)
    app, bare, floor = median(apps), median(bares), median(floors)
    times = least_times(_APP_WINDOW, str(folder), runs=min(repeats, 5))
    slowest, packages = slowest_imports(times), by_package(times)
    print("start-up, the ten slowest imports (python -X importtime, own time, least of a few runs):")
    for name, own, cumulative in slowest:
        print(f"  {own:6.1f} ms  {name}  (with its imports {cumulative:.1f} ms)")
    print("start-up, the ten costliest packages (own times of their modules added up):")
    for name, own in packages:
        print(f"  {own:6.1f} ms  {name}")
    return [
        ratio_result(
            "start-up to main window (100-case inspection)",
            app,
            bare,
            "s",
            2,
            "baseline: a bare PySide6 QMainWindow shown, same run (issue 21); "
            f"the ten slowest imports: {describe(slowest)}; by package: {describe_packages(packages)}",
        ),
        ratio_result(
            "start-up vs bare window + sqlite-utils + reading the cases",
            app,
            floor,
            "s",
            2,
            "the least any app on this stack does before its window",
        ),
    ]


def _quiet_offscreen_warning() -> None:
    """The offscreen platform warns at every window shown that it cannot propagate size hints;
    25 opens would bury the results table in it. Other Qt messages still go to stderr."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message: str) -> None:
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


def bench_open_case(store, case_ids: list[str], repeats: int) -> Result:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QApplication

    from fieldwork.gui.app import make_application
    from fieldwork.gui.case_view import CaseView

    make_application()
    _quiet_offscreen_warning()
    undo = QUndoStack()
    opened = []

    def close_previous():
        # As in the app: the previous case view is gone before the next one opens.
        while opened:
            view = opened.pop()
            view.close()
            view.deleteLater()
        QApplication.processEvents()
        # processEvents() leaves deferred deletes for the event loop to run; the app's loop runs
        # them between user actions, so do the same here rather than inside the next timing.
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)

    def open_one():
        view = CaseView(store, case_ids[len(times_so_far) % len(case_ids)], undo)
        view.resize(1280, 800)
        view.show()
        QApplication.processEvents()  # the first frame is laid out and painted
        opened.append(view)
        times_so_far.append(1)

    times_so_far: list[int] = []
    times = samples(open_one, repeats, setup=close_previous)
    close_previous()
    return absolute_result(
        "open a case, full 2018 framework (GUI)",
        median(times) * 1000,
        "ms",
        100,
        f"p99 {p99(times) * 1000:.1f} ms over {repeats} opens",
    )


def _bare_commit_seconds(folder: Path, repeats: int) -> list[float]:
    conn = sqlite3.connect(str(folder / "bare.sqlite"), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)")
    counter = iter(range(10**9))

    def commit():
        conn.execute("BEGIN")
        conn.execute("INSERT OR REPLACE INTO t VALUES (?, ?)", ["2.1.1", str(next(counter) % 2)])
        conn.execute("COMMIT")

    times = samples(commit, repeats)
    conn.close()
    return times


def bench_answer_save(store, case_id: str, folder: Path, repeats: int) -> list[Result]:
    from fieldwork.store.assessments import set_answer

    values = iter(["yes", "no"] * repeats)
    times = samples(lambda: set_answer(store, case_id, "2.1.1", value=next(values)), repeats)
    bare = _bare_commit_seconds(folder, repeats)
    return [
        absolute_result(
            "durable answer save, median",
            median(times) * 1000,
            "ms",
            2,
            f"p99 {p99(times) * 1000:.2f} ms; bare sqlite3 commit median {median(bare) * 1000:.2f} ms",
            baseline=median(bare) * 1000,
        ),
        ratio_result(
            "durable answer save vs bare sqlite3 commit",
            median(times),
            median(bare),
            "s",
            3,
            "same settings: WAL, synchronous=FULL, one row per transaction",
        ),
    ]


def run(quick: bool = False) -> list[Result]:
    from fieldwork.store import open_store

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-") as tmp:
        folder = Path(tmp)
        store = open_store(folder / "workspace", actor="bench")
        case_ids = fill_inspection(store, "BENCH-100", 100)
        empty_case = fill_inspection(store, "BENCH-EMPTY", 1, answered=False)[0]
        results.append(bench_open_case(store, case_ids, repeats=5 if quick else 25))
        results += bench_answer_save(store, empty_case, folder, repeats=50 if quick else 300)
        store.close()
        results += bench_startup(folder / "workspace", repeats=3 if quick else 9)
    return results
