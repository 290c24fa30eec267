"""Cell text for the CSV and XLSX exports: never a formula, control characters made visible,
nothing cut without a word; every change named in the row's export notes.

Evidence, case references and case details come from inspectors and from providers' files, so
any text can arrive here. The rules (docs/decisions/0027-safe-export-files.md):

CSV
- Every field is quoted (csv.QUOTE_ALL), so a reader that honours quotes never splits a field,
  whatever its list separator.
- A spreadsheet runs a cell as a formula when it starts with = + - @ (or a tab or a carriage
  return, which it may strip first). A reader whose list separator is not the comma (a
  semicolon-list locale) may split a field at a ; inside it, or at a line break, and the piece
  after it becomes a cell of its own. So an apostrophe goes at the start of a field and after
  every , ; tab, CR or LF wherever what follows (after spaces and quotes) is one of = + - @,
  unless the piece is a plain number such as -5; and before a field that starts with a tab or
  a carriage return. A spreadsheet shows the apostrophe
  as the mark of text; analysis software shows it as a character, and the notes say where.
- Control characters (U+0000–U+001F except tab, LF and CR, and U+007F: the set the pack
  format forbids in short text) are replaced by their visible symbols from Unicode's Control
  Pictures block (U+0000 → ␀, U+001B → ␛, U+007F → ␡), since CSV readers stop at NUL or show
  nothing for the rest.

XLSX
- Text is stored as text cells, never as formulas (openpyxl would store text starting with =
  as a formula).
- The same control characters are replaced by the same symbols (XML cannot hold them).
- A carriage return cannot survive in a workbook (XML reads CR LF and CR as LF): line ends are
  written as LF, and the notes say so.
- Excel holds at most 32,767 characters (UTF-16 units) in a cell: longer text is cut with a
  visible ending that says so, and the notes give the full length; the CSV (and, for the
  ratings report, the JSON) holds the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

NOTES_COLUMN = "export_notes"
NOTES_HEADING = "Export notes"
EXCEL_CELL_LIMIT = 32_767  # Excel's own limit on the characters in one cell (UTF-16 code units)

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")  # ASCII digits: what a spreadsheet reads as a number
# Where a spreadsheet could start a formula ("CSV injection": = + - @ begin one): the start of
# the field, or after a separator at which a reader with another list separator (; , tab) or one
# that ignores quotes (a line break) may start a new cell; spaces and quotes may be skipped.
_FORMULA_AHEAD = re.compile(r"(?:^|(?<=[,;\t\r\n]))(?=[ \"]*[=+\-@])")
# One search tells the common case (nothing to change) from the rest.
_NEEDS_CARE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|^[\t\r]|(?:^|[,;\t\r\n])[ \"]*[=+\-@]")
_PIECE_END = re.compile(r"[,;\t\r\n]")


def plain_text(value) -> str:
    """A cell value as text: '' for nothing recorded, true/false for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def control_picture(match: re.Match) -> str:
    code = ord(match.group())
    return "\u2421" if code == 0x7F else chr(0x2400 + code)


def visible_controls(text: str) -> tuple[str, int]:
    """The text with each control character replaced by its Control Pictures symbol, and how many."""
    return CONTROL.subn(control_picture, text)


def _is_plain_number(text: str, start: int) -> bool:
    end = _PIECE_END.search(text, start)
    piece = text[start : end.start() if end else len(text)].strip(' "')
    return bool(_PLAIN_NUMBER.fullmatch(piece))


def neutralise_formulas(text: str) -> tuple[str, int]:
    """The text with an apostrophe wherever a spreadsheet could start a formula, and how many."""
    spots = [m.start() for m in _FORMULA_AHEAD.finditer(text) if not _is_plain_number(text, m.start())]
    if text.startswith(("\t", "\r")) and spots[:1] != [0]:
        spots.insert(0, 0)  # a spreadsheet may strip a leading tab or CR, and run what follows
    if not spots:
        return text, 0
    pieces, last = [], 0
    for spot in spots:
        pieces.append(text[last:spot])
        last = spot
    pieces.append(text[last:])
    return "'".join(pieces), len(spots)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def csv_text(value, column: str = "", notes: list[str] | None = None) -> str:
    """A CSV field's text that a spreadsheet shows as text, never runs; each change is added
    to `notes` as "<column>: what was changed"."""
    text = plain_text(value)
    if not _NEEDS_CARE.search(text):
        return text
    text, controls = visible_controls(text)
    text, spots = neutralise_formulas(text)
    if notes is not None:
        if controls:
            notes.append(f"{column}: {_plural(controls, 'control character', 'control characters')} "
                         "shown as symbols (␀–␟, ␡)")
        if spots:
            notes.append(f"{column}: apostrophe added before {_plural(spots, 'place', 'places')} "
                         "a spreadsheet would read as a formula")
    return text


def _utf16_units(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _cut(text: str, whole_text_in: str) -> tuple[str, int]:
    """Text within Excel's limit, ending in a visible mark when cut; and the full length."""
    full = _utf16_units(text)
    if full <= EXCEL_CELL_LIMIT:
        return text, full
    room = EXCEL_CELL_LIMIT - len(f" […cut: {full:,} characters in all; the rest is in {whole_text_in}]")
    kept, units = [], 0
    for ch in text:
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > room:
            break
        kept.append(ch)
    return "".join(kept) + f" […cut: {full:,} characters in all; the rest is in {whole_text_in}]", full


def xlsx_text(value, column: str = "", notes: list[str] | None = None, *, whole_text_in: str = "the CSV export"):
    """A cell value for a workbook: numbers and booleans as they are, None for empty text, text
    with visible control characters and within Excel's limit (changes added to `notes`)."""
    if not isinstance(value, str):
        return value
    if not value:
        return None
    text, controls = visible_controls(value)
    returns = text.count("\r")
    if returns:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) * 2 > EXCEL_CELL_LIMIT:
        text, full = _cut(text, whole_text_in)
    else:
        full = 0
    if notes is not None:
        if controls:
            notes.append(f"{column}: {_plural(controls, 'control character', 'control characters')} "
                         "shown as symbols (␀–␟, ␡)")
        if returns:
            notes.append(f"{column}: line ends written as line feeds (a workbook cannot hold a carriage return)")
        if full > EXCEL_CELL_LIMIT:
            notes.append(f"{column}: cut at Excel's limit of {EXCEL_CELL_LIMIT:,} characters "
                         f"({full:,} in full; {whole_text_in} holds all of it)")
    return text


def notes_text(notes: Sequence[str]) -> str:
    return "; ".join(notes)
