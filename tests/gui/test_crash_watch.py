"""A crash is never silent: the real app, crashed in a child process, says so at its next start."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fieldwork import crash_watch

ROOT = Path(__file__).resolve().parents[2]

# Runs the real app (run_app) on a data folder. CRASH makes it die of a fatal error once its window
# shows; otherwise it quits by itself once shown, printing any message box it would have shown.
APP = textwrap.dedent(
    """
    import faulthandler, os, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox
    from fieldwork.gui import app, main_window

    def told(parent, title, text, *args, **kwargs):
        print("MESSAGE:", title, "|", text, flush=True)
        return QMessageBox.StandardButton.Ok

    QMessageBox.information = staticmethod(told)
    crash = os.environ.get("CRASH")
    if crash:
        os.environ.pop("FIELDWORK_EXIT_WHEN_SHOWN", None)
        shown = main_window.MainWindow.show
        def show_then_crash(self):
            shown(self)
            QTimer.singleShot(0, getattr(faulthandler, crash))
        main_window.MainWindow.show = show_then_crash
    sys.exit(app.run_app(sys.argv[1]))
    """
)


def run_app(data_dir: Path, tmp_path: Path, crash: str = "") -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        FIELDWORK_EXIT_WHEN_SHOWN="1",
        FIELDWORK_LOG_DIR=str(tmp_path / "logs"),
        CRASH=crash,
        PYTHONPATH=str(ROOT),
    )
    return subprocess.run(
        [sys.executable, "-c", APP, str(data_dir)], env=env, capture_output=True, text=True, timeout=120
    )


def practice_store(data_dir: Path) -> None:
    """A store holding a case reference and evidence that must never reach the crash log."""
    from fieldwork.frameworks import load_framework
    from fieldwork.store import open_store
    from fieldwork.store.assessments import set_answer
    from fieldwork.store.inspections import add_case, create_inspection
    from tests.conftest import MINI_PATH

    store = open_store(data_dir, actor="insp-1")
    inspection = create_inspection(
        store, inspection_id="T1", provider="Provider", provider_type="CRC", framework=load_framework(MINI_PATH)
    )
    case = add_case(store, inspection, "SECRETREF77")
    set_answer(store, case.id, "2.1.1", value="no", note="Evidence naming Jane Privateperson.")
    store.close()


@pytest.mark.parametrize("fatal", ["_sigsegv", "_sigabrt"])
def test_a_crash_leaves_a_log_and_a_plain_message_at_the_next_start(tmp_path, fatal):
    data_dir = tmp_path / "data"
    practice_store(data_dir)

    crashed = run_app(data_dir, tmp_path, crash=fatal)
    assert crashed.returncode != 0
    assert (data_dir / crash_watch.MARKER_NAME).exists()
    log = (data_dir / crash_watch.LOG_NAME).read_text(encoding="utf-8")
    assert "Fatal Python error" in log and "session started" in log
    # Thread ids, file and function names only: nothing the inspector wrote.
    for private in ("SECRETREF77", "Jane Privateperson", "Provider"):
        assert private not in log
    assert os.stat(data_dir / crash_watch.LOG_NAME).st_mode & 0o077 == 0

    restarted = run_app(data_dir, tmp_path)
    assert restarted.returncode == 0, restarted.stderr
    messages = [line for line in restarted.stdout.splitlines() if line.startswith("MESSAGE:")]
    assert len(messages) == 1, restarted.stdout
    assert "fieldwork closed unexpectedly at " in messages[0]
    assert "Nothing you saved was lost" in messages[0]
    assert str(data_dir / crash_watch.LOG_NAME) in messages[0]

    # Told once: the session after a clean quit starts without a word.
    again = run_app(data_dir, tmp_path)
    assert again.returncode == 0
    assert "MESSAGE:" not in again.stdout
    assert not (data_dir / crash_watch.MARKER_NAME).exists()


def test_a_kill_without_a_trace_is_still_reported(tmp_path):
    """A power cut or kill -9 leaves the marker but no log: the start time is given instead."""
    data_dir = tmp_path / "data"
    started = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    code = textwrap.dedent(
        f"""
        import datetime as dt, os, signal, sys
        from pathlib import Path
        from fieldwork import crash_watch
        crash_watch.start(Path({str(data_dir)!r}), now=dt.datetime.fromisoformat({started.isoformat()!r}))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    killed = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    assert killed.returncode != 0
    last = crash_watch._last_session(data_dir)
    assert last is not None and last.ended_at is None and last.log_path is None
    expected_clock = started.astimezone().strftime("%H:%M")
    assert f"did not close normally last time (it was started at {expected_clock})" in last.message()
    assert "Nothing you saved was lost" in last.message()


def test_the_log_keeps_only_its_newest_part(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / crash_watch.LOG_NAME).write_text("old line\n" * 100_000, encoding="utf-8")
    code = (
        "from pathlib import Path; from fieldwork import crash_watch; "
        f"crash_watch.start(Path({str(data_dir)!r}))[0].finish()"
    )
    subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)), check=True, timeout=60)
    size = (data_dir / crash_watch.LOG_NAME).stat().st_size
    assert size <= crash_watch.MAX_LOG_BYTES + 200
    assert not (data_dir / crash_watch.MARKER_NAME).exists()
