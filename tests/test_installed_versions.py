"""The suite runs on the versions in constraints.txt, the ones a fresh machine installs.

If this fails, the venv holds other versions than the ones the project ships: run scripts/test
(it reinstalls from constraints.txt), or move the lock forward with scripts/lock.
"""

import re
from importlib import metadata
from pathlib import Path

CONSTRAINTS = Path(__file__).resolve().parents[1] / "constraints.txt"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_normalise(name)] = version
    return pins


def test_constraints_pin_every_line_exactly():
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[A-Za-z0-9_.+\-]+", line), line


def test_installed_versions_are_the_locked_ones():
    pins = _pinned()
    installed = {_normalise(d.metadata["Name"]): d.version for d in metadata.distributions()}
    wrong = {
        name: (installed[name], want) for name, want in pins.items() if name in installed and installed[name] != want
    }
    assert not wrong, f"installed (got, locked): {wrong}; run scripts/test to reinstall from constraints.txt"


def test_the_crashing_pyside6_is_not_locked():
    # PySide6 6.12.0 on Python 3.11 drops a reference to None on every setEnabled() (issue 20).
    assert _pinned()["pyside6-essentials"] != "6.12.0"
    assert "<6.12" in (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
