"""Version 1.1 of the mini test framework, for moving an inspection (decision 0042): prompt
2.1.1.a renamed to 2.1.1.m (renamed_from), prompt 2.1.1.b removed, prompt 2.1.1.c added."""

from __future__ import annotations

from pathlib import Path

from fieldwork.frameworks.loader import parse_framework
from fieldwork.frameworks.model import Framework

MINI_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks" / "mini.toml"

_REPLACE = {
    "format = 1": "format = 2",
    'version = "1.0"': 'version = "1.1"',
    'provenance = "recalled"\n': 'provenance = "recalled"\nstatus = "current"\napplies_from = "2026"\n',
    'id = "2.1.1.a"\ntext = "Analyse motivation and readiness to engage."':
        'id = "2.1.1.m"\ntext = "Analyse motivation and readiness to engage, in the person\'s own words."\n'
        'renamed_from = ["2.1.1.a"]',
    'id = "2.1.1.b"\ntext = "Involve other agencies where appropriate."\nallow_na = true':
        'id = "2.1.1.c"\ntext = "Record how the person sees their own risks."',
}


def version_text(version: str = "1.1", **extra: str) -> str:
    """The text of the moved mini framework at `version`; `extra` replaces more text."""
    text = MINI_PATH.read_text(encoding="utf-8")
    for old, new in {**_REPLACE, 'version = "1.0"': f'version = "{version}"', **extra}.items():
        assert old in text, f"test set-up: {old!r} is not in mini.toml"
        text = text.replace(old, new, 1)
    return text


def mini_1_1(version: str = "1.1", name: str = "mini-1.1.toml") -> Framework:
    return parse_framework(version_text(version).encode("utf-8"), source_name=name)
