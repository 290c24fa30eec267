"""Scan everything the reliability tests produced for the fixture's personal data (issue 7, item 5).

Runs last in this folder (pytest collects files in name order). The subject's name and the
evidence may be in the store and its backups (and damaged copies kept aside), nowhere else: not
in logs, child stderr, refusal messages, ACK files, temp folders, file names, nor in bundles
(which are encrypted). The inspector's name is in their public identity file by design, and only
there. Run alone, the test first does a small session of its own so that there is something to scan.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from fieldwork.errors import FieldworkError
from fieldwork.store import open_store
from fieldwork.store.recovery import StoreDamagedError

from .data import INSPECTOR_NAME, PERSONAL_MARKERS
from .harness import run_child, wait_for_kill

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")

# SQLite files of a store: the store, its journals, backups, copies kept aside after a restore.
STORE_FILE = re.compile(r"\.sqlite(-wal|-shm|-journal)?$")
INSPECTOR_ONLY = (INSPECTOR_NAME, "Vennacombe")


def _allowed(path: Path) -> tuple[str, ...]:
    """Markers that may appear in this file."""
    if STORE_FILE.search(path.name):
        return PERSONAL_MARKERS
    if path.parent.name == "keys" and path.name in ("identity.json", "private.json"):
        return INSPECTOR_ONLY  # the public identity names its owner; private.json holds no name
    return ()


def _own_session(prepared, workdir, child_env, record_message) -> None:
    """A working session killed at random, a refused damaged store, a bundle: all of it logged."""
    outcome = run_child(
        "mixed", workdir, kill_after=0.25, env=child_env, data_dir=str(prepared["data_dir"]),
        out=str(prepared["out"]), lead_file=str(prepared["lead_file"]), seed=1, start=10,
    )
    wait_for_kill(outcome)
    path = prepared["data_dir"] / "fieldwork.sqlite"
    open_store(prepared["data_dir"]).close()
    with open(path, "r+b") as handle:
        handle.seek(path.stat().st_size // 2 // 4096 * 4096)
        handle.write(b"\xff" * 4096)
    try:
        open_store(prepared["data_dir"])
    except FieldworkError as error:
        assert isinstance(error, StoreDamagedError)
        record_message(error.message)
    # The app's own opener meets it too, and logs it (the test's log handler is in logs/).
    from fieldwork.gui.app import _StoreOpener

    opener = _StoreOpener(prepared["data_dir"])
    caught = []
    opener.damaged.connect(caught.append)
    opener.run()
    assert caught and isinstance(caught[0], StoreDamagedError)


def scan(root: Path) -> tuple[list[str], dict[str, int]]:
    """Every place under `root` where personal data is where it should not be."""
    counts: dict[str, int] = {"files": 0, "bundles": 0, "logs": 0, "messages": 0}
    found = []
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        found += [f"file name {relative}" for marker in PERSONAL_MARKERS if marker in relative]
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        counts["files"] += 1
        counts["bundles"] += path.suffix == ".fwbundle"
        counts["logs"] += path.parent.name == "logs" and path.stat().st_size > 0
        counts["messages"] += path.name == "messages.txt"
        allowed = _allowed(path)
        for marker in PERSONAL_MARKERS:
            if marker not in allowed and (marker.encode() in data or marker.encode("utf-16-le") in data):
                found.append(f"{marker!r} in {relative}")
    return found, counts


def test_the_scan_finds_what_it_looks_for(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "fieldwork.log").write_text(f"opened case of {PERSONAL_MARKERS[0]}\n")
    (tmp_path / "fieldwork.sqlite").write_text(PERSONAL_MARKERS[0])  # allowed: the store
    (tmp_path / f"{PERSONAL_MARKERS[2]}.fwbundle").write_bytes(b"sealed")
    found, _ = scan(tmp_path)
    assert any(f.startswith("file name") and f.endswith(".fwbundle") for f in found)
    assert any(f.endswith("in logs/fieldwork.log") for f in found)
    assert not any("fieldwork.sqlite" in f for f in found)


def test_no_personal_data_outside_the_store(prepared, workdir, child_env, record_message, reliability_root):
    _own_session(prepared, workdir, child_env, record_message)
    found, counts = scan(reliability_root)
    assert not found, "personal data outside the store:\n" + "\n".join(found[:20])
    assert counts["bundles"] >= 1 and counts["logs"] >= 1 and counts["messages"] >= 1, counts
    assert counts["files"] > 20, counts
