"""The headless core never imports Qt: proved in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import fieldwork

PACKAGE_DIR = Path(fieldwork.__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
QT_ROOTS = ("PySide6", "shiboken6")


def core_modules() -> list[str]:
    """Every module of the package except the GUI front and the entry point."""
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR)
        if rel.parts[0] in ("gui", "resources") or rel.name == "__main__.py":
            continue
        parts = ("fieldwork", *rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


_PROBE = r"""
import importlib, json, sys
names = json.loads(sys.argv[1])
failed = {}
for name in names:
    try:
        importlib.import_module(name)
    except Exception as exc:  # reported, not hidden
        failed[name] = f"{type(exc).__name__}: {exc}"
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print(json.dumps({"failed": failed, "qt": qt}))
"""


def _run_probe(code: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_discovery_covers_the_known_core_modules():
    names = set(core_modules())
    expected = {
        "fieldwork",
        "fieldwork.errors",
        "fieldwork.paths",
        "fieldwork.assessment",
        "fieldwork.ratings",
        "fieldwork.profile",
        "fieldwork.frameworks",
        "fieldwork.frameworks.loader",
        "fieldwork.frameworks.model",
        "fieldwork.frameworks.catalogue",
        "fieldwork.frameworks.describe",
        "fieldwork.store",
        "fieldwork.store.db",
        "fieldwork.store.migrations",
        "fieldwork.store.assessments",
        "fieldwork.store.inspections",
        "fieldwork.store.changelog",
        "fieldwork.store.records",
        "fieldwork.cli",
        "fieldwork.cli.frameworks",
        "fieldwork.cli.inspections",
    }
    assert expected <= names
    assert not any(n.startswith("fieldwork.gui") or n.endswith("__main__") for n in names)


def test_core_modules_import_without_qt():
    names = core_modules()
    outcome = _run_probe(_PROBE, json.dumps(names))
    assert outcome["failed"] == {}, f"core modules failed to import: {outcome['failed']}"
    assert outcome["qt"] == [], f"importing the core loaded Qt modules: {outcome['qt']}"


_CLI_PROBE = r"""
import contextlib, io, json, sys
from fieldwork.cli import run
with contextlib.redirect_stdout(io.StringIO()):
    code = run(["frameworks", "list", "--json", "--data-dir", sys.argv[1]])
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print(json.dumps({"code": code, "qt": qt}))
"""


def test_cli_frameworks_list_runs_without_qt(tmp_path):
    outcome = _run_probe(_CLI_PROBE, str(tmp_path))
    assert outcome["code"] == 0
    assert outcome["qt"] == [], f"the CLI loaded Qt modules: {outcome['qt']}"
