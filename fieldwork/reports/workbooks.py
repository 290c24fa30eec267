"""A streamed workbook (the research export): rows spooled to a file beside the target.

openpyxl's write-only workbook keeps memory flat by writing each sheet's XML to a spool file,
which it makes in the system temp folder. That file is the whole sheet in plain text (evidence,
case references), and a process killed mid-export leaves it there, where other users may read
it and nothing of fieldwork's ever removes it. So each sheet here is given its own spool file,
made by fieldwork.reports.files beside the target (owner-only, removed when the export ends, and
a killed export's is removed by the next one).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from fieldwork.reports.cells import NOTES_COLUMN, notes_text, xlsx_text

WHOLE_TEXT = "the CSV export"


def spooled_sheet(book, title: str, spool: Path, *, freeze_panes: str | None = None):
    """A write-only sheet of `book` whose XML is written to `spool` (an existing owner-only file)."""
    from openpyxl.worksheet._writer import WorksheetWriter

    class SpoolWriter(WorksheetWriter):
        """openpyxl's sheet writer, given the spool file instead of making one in the temp folder."""

        def cleanup(self) -> None:
            # openpyxl's own cleanup also unregisters a temp file it made; there is none.
            with contextlib.suppress(OSError):
                os.remove(self.out)

    sheet = book.create_sheet(title)
    if freeze_panes:
        sheet.freeze_panes = freeze_panes  # part of the sheet's head, so set before it is written
    sheet._writer = SpoolWriter(sheet, out=str(spool))
    sheet._writer.write_top()
    return sheet


def _text_cell(sheet, value):
    """Text that starts with '=' needs a cell of its own marked as text (openpyxl would store it
    as a formula); everything else goes in as it is (much faster)."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def write_workbook(temp: Path, spool: Path, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """One sheet, "Case data": the header, then each row made safe (fieldwork.reports.cells)
    and ending in its export notes."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = spooled_sheet(book, "Case data", spool, freeze_panes="A2")
    try:
        sheet.append([_text_cell(sheet, xlsx_text(c)) for c in (*columns, NOTES_COLUMN)])
        for row in rows:
            notes: list[str] = []
            cells = [xlsx_text(v, c, notes, whole_text_in=WHOLE_TEXT) for c, v in zip(columns, row, strict=True)]
            cells.append(notes_text(notes) or None)
            sheet.append([_text_cell(sheet, v) for v in cells])
    except BaseException:
        # Close the spool file now (so it can be removed, on Windows too), not when collected.
        with contextlib.suppress(Exception):
            sheet.close()
        raise
    book.save(temp)
