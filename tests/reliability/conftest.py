"""Fixtures of the reliability tests: a prepared data folder, a folder for all they produce.

Everything these tests write (stores, bundles, child stderr, logs, refusal messages, the temp
folder their children use) goes under one session folder, which test_zz_personal_data_scan.py
scans for the fixture's personal data at the end.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from .data import build_base, soak
from .harness import KILLS


@pytest.fixture(scope="session")
def reliability_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reliability")
    for name in ("logs", "tmp", "work"):
        (root / name).mkdir()
    return root


@pytest.fixture(scope="session", autouse=True)
def _parent_log(reliability_root):
    """The fieldwork logger of the test process itself also writes into the scanned folder."""
    handler = logging.FileHandler(reliability_root / "logs" / "parent.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("fieldwork")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield
    logger.removeHandler(handler)
    logger.setLevel(old_level)
    handler.close()


@pytest.fixture(scope="session")
def base(reliability_root) -> Path:
    """The prepared folder (data/, lead/, lead.json), built once; tests copy it."""
    folder = reliability_root / "base"
    build_base(folder)
    return folder


@pytest.fixture
def workdir(reliability_root, request) -> Path:
    name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    folder = reliability_root / "work" / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def prepared(base, workdir) -> dict:
    """A fresh copy of the prepared folder for this test."""
    shutil.copytree(base, workdir / "case", symlinks=True)
    root = workdir / "case"
    out = workdir / "out"
    out.mkdir()
    return {"root": root, "data_dir": root / "data", "lead_file": root / "lead.json", "lead_dir": root / "lead",
            "out": out}


@pytest.fixture(scope="session")
def child_env(reliability_root) -> dict[str, str]:
    """Children log where the scan looks and use a temp folder of their own."""
    return {"FIELDWORK_LOG_DIR": str(reliability_root / "logs"), "TMPDIR": str(reliability_root / "tmp")}


@pytest.fixture(scope="session")
def record_message(reliability_root):
    """Keep a refusal message the user would see, for the personal-data scan."""
    path = reliability_root / "messages.txt"

    def record(text: str) -> None:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")

    return record


@pytest.fixture(scope="session")
def soak_factor() -> int:
    return soak()


def pytest_terminal_summary(terminalreporter):
    if KILLS:
        total = sum(KILLS.values())
        terminalreporter.write_sep("-", f"fault injection: {total} SIGKILLs")
        for kind, count in sorted(KILLS.items()):
            terminalreporter.write_line(f"{count:5d}  {kind}")
