"""Which of two versions of a framework is the newer, as people number them.

Versions are free text ("2019.1", "V1.1", "2025-10"). They are compared part by part, digits as
numbers (so 1.10 is after 1.9) and letters as text, which is how the inspectorate's CARaG and
standards documents are numbered.
"""

from __future__ import annotations

import re

_PART = re.compile(r"\d+|[A-Za-z]+")


def version_key(version: str) -> tuple:
    """A key that orders versions: numbers numerically, words case-insensitively."""
    parts = []
    for part in _PART.findall(version):
        parts.append((1, int(part), "") if part.isdigit() else (0, 0, part.casefold()))
    return tuple(parts)


def is_newer(candidate: str, current: str) -> bool:
    """True when `candidate` comes after `current`."""
    return version_key(candidate) > version_key(current)
