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

DEFERRED = ("cryptography", "fieldwork.bundles", "fieldwork.packs", "fieldwork.merge.merge", "PySide6.QtCharts",
            "fieldwork.gui.ratings_view", "fieldwork.gui.merge_view", "fieldwork.gui.allocation_view", "openpyxl")


def shown_window(data_dir) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-c", _SHOW_WINDOW, str(data_dir)], env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("role", ["inspector", "lead"])
def test_the_first_window_loads_no_crypto_and_no_lead_tabs(tmp_path, role):
    store = open_store(tmp_path / "store", actor="person-1")
    set_profile(store, "person-1", "Pat Person")
    inspection = create_inspection(
        store, inspection_id="T1", provider="Test provider", provider_type="CRC",
        framework=find_framework("hmip-adult-2018-crc"), lead_id="person-1" if role == "lead" else "someone-else",
    )
    for number in range(5):
        add_case(store, inspection, f"C{number:03d}")
    store.close()

    shown = shown_window(tmp_path / "store")

    assert shown["view"] == "HomeView"
    assert shown["tabs"] == (4 if role == "lead" else 1)  # the lead's tabs are there, as placeholders
    assert "fieldwork.gui.home_view" in shown["modules"]  # the list is real: what was shown is in it
    loaded = [m for m in shown["modules"] if m.startswith(DEFERRED)]
    assert loaded == []
