"""The mini test framework as a format-2 file, for tests of format 2 and of the ratings rules."""

from __future__ import annotations

from pathlib import Path

from fieldwork.frameworks import parse_framework

MINI_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks" / "mini.toml"

FORMAT_2_HEAD = 'format = 2\nstatus = "current"\napplies_from = "2025-07"\n'


def mini2_text(replace: dict[str, str] | None = None, append: str = "") -> str:
    """mini.toml as a format-2 file, with some text replaced (each `old` must occur) and text appended."""
    text = MINI_PATH.read_text(encoding="utf-8").replace("format = 1\n", FORMAT_2_HEAD, 1)
    for old, new in (replace or {}).items():
        assert old in text, f"test set-up: {old!r} is not in mini.toml"
        text = text.replace(old, new, 1)
    return text + append


def mini2(replace: dict[str, str] | None = None, append: str = ""):
    return parse_framework(mini2_text(replace, append).encode("utf-8"), source_name="mini2.toml")
