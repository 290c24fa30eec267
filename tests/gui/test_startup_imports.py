"""What the app loads to show its first window: the crypto stack and the lead's tabs wait until used.

Start-up is a benchmark (benchmarks/bench_workspace.py); this guards its largest avoidable cost,
in a fresh interpreter so that nothing imported by other tests hides a regression.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fieldwork.frameworks.catalogue import find_framework
from fieldwork.profile import set_profile
from fieldwork.store import open_store
from fieldwork.store.inspections import add_case, create_inspection

_SHOW_WINDOW = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from fieldwork.gui.app import make_application
from fieldwork.gui.main_window import MainWindow
from fieldwork.store import open_store
app = make_application()
store = open_store(Path(sys.argv[1]))
window = MainWindow(store)
window.show()
QTimer.singleShot(0, app.quit)
app.exec()
print(json.dumps({"modules": sorted(sys.modules), "view": window.current_view().__class__.__name__,
                  "tabs": window.home_tabs.count()}))
store.close()
"""

# Nothing the first screen (the cases list) does not draw (issue 21): the data library the writers
# use (sqlite-utils, with click, dateutil and pluggy), the crypto stack, charts, reports and
# spreadsheets, the command line's parsers, and the screens and dialogs opened later.
DEFERRED = ("cryptography", "fieldwork.bundles", "fieldwork.packs", "fieldwork.merge.merge", "PySide6.QtCharts",
            "fieldwork.gui.ratings_view", "fieldwork.gui.merge_view", "fieldwork.gui.allocation_view", "openpyxl",
            "sqlite_utils", "click", "dateutil", "pluggy", "matplotlib", "fieldwork.reports", "fieldwork.ratings",
            "fieldwork.cli.bundle", "fieldwork.cli.merge", "fieldwork.gui.case_view", "fieldwork.gui.dialogs",
            "fieldwork.gui.frameworks_dialog", "fieldwork.gui.question_set", "fieldwork.identity",
            "fieldwork.gui.inspection_flows", "fieldwork.gui.case_status")

# The real entry point (`fieldwork`, `python -m fieldwork`, the desktop build), stopped at the
# moment the main window is shown.
_REAL_START = r"""
import json, sys
from fieldwork.gui import main_window
shown = {}
def show(self):
    shown["modules"] = sorted(sys.modules)
    shown["view"] = self.current_view().__class__.__name__
    original(self)
original = main_window.MainWindow.show
main_window.MainWindow.show = show
sys.argv = ["fieldwork", *sys.argv[1:]]
from fieldwork.cli import run
code = run()
print(json.dumps({**shown, "code": code}))
"""


def shown_window(data_dir) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-c", _SHOW_WINDOW, str(data_dir)], env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def make_store(tmp_path, role: str):
    store = open_store(tmp_path / "store", actor="person-1")
    set_profile(store, "person-1", "Pat Person")
    inspection = create_inspection(
        store, inspection_id="T1", provider="Test provider", provider_type="CRC",
        framework=find_framework("hmip-adult-2018-crc"), lead_id="person-1" if role == "lead" else "someone-else",
    )
    for number in range(5):
        add_case(store, inspection, f"C{number:03d}")
    store.close()
    return tmp_path / "store"


@pytest.mark.parametrize("role", ["inspector", "lead"])
def test_the_first_window_loads_no_crypto_and_no_lead_tabs(tmp_path, role):
    shown = shown_window(make_store(tmp_path, role))

    assert shown["view"] == "HomeView"
    assert shown["tabs"] == (4 if role == "lead" else 1)  # the lead's tabs are there, as placeholders
    assert "fieldwork.gui.home_view" in shown["modules"]  # the list is real: what was shown is in it
    loaded = [m for m in shown["modules"] if m.startswith(DEFERRED)]
    assert loaded == []


@pytest.mark.parametrize("arguments", [["--data-dir", "{dir}"], ["--data-dir={dir}"]])
def test_the_app_started_as_a_user_does_loads_only_the_first_screen(tmp_path, arguments):
    # Through the command line's entry point, which used to build every command's parser (and so
    # import the crypto stack, bundles and the merge engine) before it opened the window.
    data_dir = make_store(tmp_path, "lead")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FIELDWORK_EXIT_WHEN_SHOWN": "1",
           "FIELDWORK_LOG_DIR": str(tmp_path / "logs")}
    args = [a.format(dir=data_dir) for a in arguments]
    run = subprocess.run([sys.executable, "-c", _REAL_START, *args], env=env, capture_output=True, text=True,
                         timeout=120, check=True)
    shown = json.loads(run.stdout.strip().splitlines()[-1])

    assert shown["code"] == 0
    assert shown["view"] == "HomeView"
    assert [m for m in shown["modules"] if m.startswith(DEFERRED)] == []
