"""The damaged-store choices in the app's dialog and on the command line (issue 7, item 2)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from fieldwork.paths import STORE_FILENAME
from fieldwork.store import open_store
from fieldwork.store.backups import list_backups
from fieldwork.store.recovery import StoreDamagedError

from .checks import open_and_check

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX")

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def damaged_store(prepared):
    data_dir = prepared["data_dir"]
    open_and_check(data_dir).close()  # takes the first automatic backup
    with open_store(data_dir) as store:
        for number in range(40):
            store.set_meta(f"filler-{number}", "x" * 2000)
    damage_a_filler_page(data_dir / STORE_FILENAME, seed=3)
    with pytest.raises(StoreDamagedError) as caught:
        open_store(data_dir)
    return data_dir, caught.value


def damage_a_filler_page(path: Path, seed: int) -> None:
    """Random bytes over the table page holding one of the fillers: damaged, yet still readable.

    Chosen by content, not by position: a page "in the middle" of the file is a schema or index
    page as soon as the schema grows a table, and the store is then unreadable, not just damaged."""
    data = path.read_bytes()
    page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    page = data.index(b"filler-20" + b"x" * 64) // page_size  # the row itself, not an index entry
    assert page > 0, "the filler must not be on the first page (the schema's)"
    with open(path, "r+b") as handle:
        handle.seek(page * page_size)
        handle.write(random.Random(seed).randbytes(page_size))


def cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fieldwork", *args, "--data-dir", str(data_dir)],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )


def test_cli_check_backups_and_restore(damaged_store, record_message):
    data_dir, _ = damaged_store
    check = cli("store", "check", data_dir=data_dir)
    assert check.returncode == 1 and "damaged" in check.stdout
    record_message(check.stdout + check.stderr)
    refused = cli("answers", "list", "--json", data_dir=data_dir)
    assert refused.returncode in (1, 2)
    listing = json.loads(cli("store", "backups", "--json", data_dir=data_dir).stdout)
    assert [b["kind"] for b in listing] == ["automatic"]
    restored = cli("store", "restore", "--json", data_dir=data_dir)
    assert restored.returncode == 0, restored.stderr
    outcome = json.loads(restored.stdout)
    assert outcome["check"] == "ok" and len(outcome["damaged_store_kept_as"]) == 1
    assert cli("store", "check", "--full", data_dir=data_dir).returncode == 0
    manual = cli("store", "backup", "--json", data_dir=data_dir)
    assert manual.returncode == 0 and json.loads(manual.stdout)["kind"] == "manual"
    assert {b.kind for b in list_backups(data_dir)} == {"automatic", "manual"}


def test_the_dialog_offers_restore_read_only_and_quit(qtbot, damaged_store):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from fieldwork.gui import app as gui_app

    data_dir, error = damaged_store
    seen: dict = {}

    def answer():
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        seen["buttons"] = [b.text() for b in box.buttons()]
        next(b for b in box.buttons() if b.text() == "Open read-only").click()

    QTimer.singleShot(50, answer)
    assert gui_app.ask_about_damaged_store(error) == gui_app.READ_ONLY
    latest = list_backups(data_dir)[0]
    assert sorted(seen["buttons"]) == sorted([f"Restore the backup from {latest.when()}", "Open read-only", "Quit"])


@pytest.mark.parametrize("choice", ["read-only", "restore", "quit"])
def test_each_choice_of_the_dialog(qtbot, damaged_store, choice):
    from fieldwork.gui import app as gui_app

    data_dir, error = damaged_store
    damaged_bytes = (data_dir / STORE_FILENAME).read_bytes()
    store = gui_app.recover_damaged_store(data_dir, error, ask=lambda _error: choice)
    if choice == "quit":
        assert store is None
        assert (data_dir / STORE_FILENAME).read_bytes() == damaged_bytes
        return
    try:
        assert store.actor == "insp-1"
        if choice == "read-only":
            assert store.read_only and store.damaged
        else:
            assert not store.read_only and not store.damaged
            assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()


def test_log_dir_follows_the_environment(monkeypatch, tmp_path):
    from fieldwork.gui import app as gui_app

    monkeypatch.setenv("FIELDWORK_LOG_DIR", str(tmp_path / "logs"))
    assert gui_app.log_dir() == tmp_path / "logs"
