"""Text rules the whole app shares: count-aware wording ("1 case", "3 cases"), the longest text
the app stores, what a control character is, and text made safe to print on a terminal."""

from __future__ import annotations

import re


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """Return the count followed by the singular or plural noun: "1 case", "3 cases", "2 queries"."""
    return f"{count} {singular if count == 1 else (plural if plural is not None else singular + 's')}"


# --- limits and control characters, shared by the store, the formats and the fronts -----------

# "Control characters" as the bundle and pack formats define them (docs/bundle-format.md §2):
# U+0000–U+001F and U+007F. Single-line text fields may hold none of them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
SURROGATES = re.compile(r"[\ud800-\udfff]")  # lone surrogates: not text, SQLite cannot store them

# The longest text the app stores, and so the longest a bundle carries (docs/bundle-format.md §7):
NOTE_MAX_CHARS = 100_000  # evidence for one key question (a change-log entry's old and new too)
DETAIL_MAX_CHARS = 10_000  # one case-detail value
CASE_REF_MAX_CHARS = 200


def is_one_line(text: str, max_chars: int) -> bool:
    """Single-line text the store and the formats accept: at most `max_chars`, no control
    character (line breaks and tabs included), no lone surrogate."""
    return len(text) <= max_chars and not CONTROL_CHARACTERS.search(text) and not SURROGATES.search(text)

# What a terminal may act on rather than show: every C0 control but tab and line feed (ESC starts
# escape sequences, BEL, CR overwrites a line), DEL, the C1 controls (U+009B is a one-character
# CSI on some terminals), and the characters that reorder or hide text (bidirectional overrides,
# embeddings and isolates, the marks, the line and paragraph separators).
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def for_terminal(text: str) -> str:
    """`text` with every character a terminal could act on written as a visible \\uXXXX escape.

    The escape is JSON's own, so JSON passed through this stays valid JSON with the same values
    (json.dumps already escapes U+0000–U+001F; the rest would otherwise reach the terminal raw).
    """
    return _TERMINAL_UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
