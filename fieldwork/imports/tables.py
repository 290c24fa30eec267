"""Reading a CSV or XLSX file into rows of text, numbered as the user sees them.

The heading row is the first row that is not blank; row numbers are the spreadsheet's own (the
number Excel shows beside the row), so a problem reported at "row 7" is found at row 7. Cells
are trimmed, headings are case-insensitive, blank rows are skipped.

CSV: UTF-8 with or without a byte-order mark; otherwise Windows-1252 (what Excel on Windows
saves as "CSV"), with a warning; UTF-16 with a byte-order mark (Excel's "Unicode text").
Comma, semicolon or tab between values, detected from the heading row.
XLSX: the first sheet, through openpyxl, read-only with the values last calculated (formulas
are never evaluated); dates become YYYY-MM-DD, whole numbers lose their ".0".

Anything else, an empty or heading-only file, repeated headings or a file too big is refused
with one `ImportProblem` naming the file, the row and the column.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import string
import warnings
import xml.parsers.expat
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fieldwork.errors import FieldworkError
from fieldwork.regular_files import NotARegularFile, read_regular_file

MAX_BYTES = 20 * 1024 * 1024  # a case sample is kilobytes; this is a bound, not a target
MAX_ROWS = 100_000  # rows of data (blank rows are not counted)
MAX_COLUMNS = 500
MAX_XLSX_UNPACKED_BYTES = 400 * 1024 * 1024  # the workbook's parts once unzipped
MAX_XLSX_RATIO = 100  # unzipped / zipped, for parts over 1 MiB: real workbooks' XML is 5 to 20 times; a zip bomb more
MAX_XLSX_ROWS = 2 * MAX_ROWS  # row elements in a part, blank ones included
MAX_XLSX_ROW_CELLS = 16_384  # Excel's own limit (column XFD)
EXCEL_LAST_ROW = 1_048_576  # openpyxl walks every row number up to the last one named
MAX_XLSX_CELLS = 2_000_000  # e.g. 100,000 rows of 20 columns
DELIMITERS = ",;\t"
_SNIFF_CHARS = 2048  # of the heading row, for csv.Sniffer

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary Office files (.xls)
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an imported file, where the user will find it."""

    row: int | None  # the spreadsheet row (heading = the first non-blank row, usually 1)
    column: str | None  # the column heading as normalised, or a column letter when unnamed
    message: str

    def describe(self) -> str:
        place = ", ".join(
            part
            for part in (f"row {self.row}" if self.row else "", f"column {self.column}" if self.column else "")
            if part
        )
        return f"{place}: {self.message}" if place else self.message

    def to_json(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportProblem(FieldworkError):
    """A file that cannot be imported as it is; carries every problem found, each with its place."""

    code = "invalid-table"

    def __init__(self, path: str | Path, problems: Iterable[Problem], *, code: str | None = None):
        self.path = Path(path)
        self.problems = tuple(problems)
        name = self.path.name
        if len(self.problems) == 1:
            message = f"{name}, {self.problems[0].describe()}"
        else:
            first = self.problems[0].describe() if self.problems else "unknown problem"
            message = f"{name} has {len(self.problems)} problems (first, {first}); fix them and import it again."
        super().__init__(message, code=code)

    @property
    def file_name(self) -> str:
        return self.path.name

    def with_code(self, code: str) -> ImportProblem:
        return ImportProblem(self.path, self.problems, code=code)

    def lines(self) -> list[str]:
        """One line per problem, 'file: row N, column C: message', for people."""
        return [f"{self.file_name}: {p.describe()}" for p in self.problems]

    def to_json(self) -> dict:
        body = super().to_json()
        body["error"]["file"] = self.file_name
        body["error"]["problems"] = [p.to_json() for p in self.problems]
        return body


@dataclass(frozen=True)
class TableRow:
    number: int  # the spreadsheet row number
    values: Mapping[str, str]  # normalised heading → trimmed text ("" when empty)

    def get(self, column: str, default: str = "") -> str:
        return self.values.get(column, default)


@dataclass(frozen=True)
class Table:
    path: Path
    format: str  # "csv" or "xlsx"
    columns: tuple[str, ...]  # normalised headings in file order (unnamed empty columns left out)
    header_row: int
    rows: tuple[TableRow, ...]
    # Row-level problems found while reading (a value under no heading); the importers add them.
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    letters: Mapping[str, str] = field(default_factory=dict)  # heading → column letter

    @property
    def name(self) -> str:
        return self.path.name

    def in_order(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems sorted as the user reads the file: by row, then column left to right."""

        def key(problem: Problem) -> tuple[int, int]:
            column = problem.column or ""
            letter = self.letters.get(column, column)
            position = column_index(letter) if re.fullmatch(r"[A-Z]{1,3}", letter) else 10**6
            return (problem.row or 0, position)

        return sorted(problems, key=key)

    def describe_format(self) -> str:
        if self.format == "xlsx":
            return "Excel workbook (.xlsx)"
        return f"CSV, {self.encoding}, {_DELIMITER_NAMES.get(self.delimiter or ',', 'comma')}-separated"


def normalise_heading(text: str) -> str:
    """'  Case Ref ' → 'case_ref': trimmed, lower-case, inner spaces as underscores."""
    return re.sub(r"\s+", "_", text.strip()).casefold()


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA, as a spreadsheet names its columns."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26: the inverse of column_letter."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - ord("A") + 1
    return index - 1


def read_table(path: str | Path, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Table:
    """The file's heading and rows; ImportProblem when it cannot be read as a table."""
    path = Path(path)
    refuse = _refuser(path)
    try:
        data = read_regular_file(path, max_bytes)  # a folder, FIFO or device is refused before reading
    except IsADirectoryError:
        raise refuse(None, None, "this is not a file; choose a CSV or XLSX file.") from None
    except NotARegularFile as exc:
        raise refuse(None, None, f"this is not a file ({exc.strerror}); choose a CSV or XLSX file.") from None
    except OSError as exc:
        raise refuse(None, None, f"the file cannot be read ({exc.strerror or exc}); check the path.") from None
    if len(data) > max_bytes:
        size = path.stat().st_size
        raise refuse(
            None,
            None,
            f"the file is {size / 1_048_576:.1f} MB, more than the {max_bytes / 1_048_576:.0f} MB this import reads; "
            "a case sample or answers file is far smaller, so check that this is the right file.",
        )
    if not data.strip():
        raise refuse(None, None, "the file is empty; it needs a heading row and one row per line of data.")
    if data.startswith(_OLE_MAGIC):
        raise refuse(
            None, None, "this is an old-style Excel file (.xls); open it in Excel and save it as .xlsx or as CSV."
        )
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(path, data, max_rows)
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        raise refuse(
            None, None, "the file is named as an Excel workbook but is not one; save it again as .xlsx or CSV."
        )
    return _read_csv(path, data, max_rows)


# --- CSV ---------------------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    refuse = _refuser(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16", []
        except UnicodeDecodeError as exc:
            raise refuse(
                _row_of_offset(data, exc.start),
                None,
                "the text is damaged (it starts as UTF-16 but is not); save the file again as CSV UTF-8.",
            ) from None
    if b"\x00" in data:
        raise refuse(None, None, "this is not a CSV or XLSX file (it holds binary data); choose the CSV or XLSX file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if data.startswith(b"\xef\xbb\xbf"):
            raise refuse(
                _row_of_offset(data, exc.start),
                None,
                "the file says it is UTF-8 but this row is not valid UTF-8 (text pasted from elsewhere?); "
                "save the file again as CSV UTF-8.",
            ) from None
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc2:
            raise refuse(
                _row_of_offset(data, exc2.start),
                None,
                "the text is neither UTF-8 nor Windows-1252; open the file in Excel and save it as CSV UTF-8.",
            ) from None
        return text, "Windows-1252", ["not UTF-8"]
    return text, ("UTF-8 with byte-order mark" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"), []


def _row_of_offset(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def _sniff_delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    try:
        # Only the start of the line: the sniffer's quote-finding regex takes quadratic time,
        # minutes on a hostile heading row of a few hundred kilobytes.
        delimiter = csv.Sniffer().sniff(header[:_SNIFF_CHARS], delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    counts = {d: _column_count(header, d) for d in DELIMITERS}
    if delimiter not in counts or counts[delimiter] < max(counts.values()):
        # The sniffer guesses; the heading row split into the most columns decides.
        delimiter = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return delimiter if counts[delimiter] > 1 else ","


def _column_count(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:  # e.g. a value over the csv module's size limit: reading the rows refuses it, with its row
        return 0


def _read_csv(path: Path, data: bytes, max_rows: int) -> Table:
    text, encoding, notes = _decode(path, data)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def records() -> Iterator[tuple[int, list[str]]]:
        number = 0
        try:
            for cells in reader:
                number += 1
                yield number, cells
        except csv.Error as exc:
            raise _refuser(path)(
                number + 1, None, f"this row cannot be read as CSV ({exc}); check its quotes."
            ) from None

    table = _build_table(path, "csv", records(), max_rows, encoding=encoding, delimiter=delimiter)
    if notes:
        where = _first_non_ascii(table)
        example = f" (row {where[0]}: '{where[1]}')" if where else ""
        warning = (
            f"{path.name} is not UTF-8, so it was read as Windows-1252 (what Excel on Windows saves as CSV); "
            f"check that names with accents look right{example}, or save the file as CSV UTF-8."
        )
        table = _with_warnings(table, [warning])
    return table


def _first_non_ascii(table: Table) -> tuple[int, str] | None:
    for row in table.rows:
        for value in row.values.values():
            if not value.isascii():
                return row.number, value
    return None


# --- XLSX --------------------------------------------------------------------------------


def _read_xlsx(path: Path, data: bytes, max_rows: int) -> Table:
    """The workbook from the bytes already read (the path is named in messages only)."""
    refuse = _refuser(path)
    damaged = "the file looks like a workbook but is damaged; save it again as .xlsx or CSV."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
                raise refuse(None, None, "this is an OpenDocument spreadsheet; save it as .xlsx or as CSV.")
            if "xl/workbook.xml" not in names:
                raise refuse(
                    None, None, "this is a ZIP file but not an Excel workbook; choose the .xlsx or CSV file."
                )
            if sum(info.file_size for info in infos) > MAX_XLSX_UNPACKED_BYTES or any(
                info.file_size > max(info.compress_size * MAX_XLSX_RATIO, 1024 * 1024) for info in infos
            ):
                raise refuse(
                    None, None, "the workbook unpacks to more than this import reads; save the sheet as CSV."
                )
            for info in infos:
                problem = _part_shape_problem(archive, info)
                if problem:
                    raise refuse(None, None, f"the workbook has {problem}; save the sheet as CSV.")
    except ImportProblem:
        raise
    except Exception:  # zipfile raises many types for a damaged archive (BadZipFile, EOFError, zlib.error...)
        raise refuse(None, None, damaged) from None

    import openpyxl  # imported here: only XLSX imports need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise refuse(
            None, None, f"the workbook cannot be read ({type(exc).__name__}); open it in Excel and save it again."
        ) from None
    try:
        sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
        if not sheets:
            raise refuse(None, None, "the workbook has no worksheet; put the table on the first sheet.")
        sheet = sheets[0]
        notes = []
        if len(workbook.worksheets) > 1:
            notes.append(
                f"{path.name} has {len(workbook.worksheets)} sheets; only the first, '{sheet.title}', was read."
            )
        sheet.reset_dimensions()  # some programs write a wrong size; read what is there

        def records() -> Iterator[tuple[int, list[str]]]:
            rows = sheet.iter_rows(values_only=True)
            number = 0
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                while True:
                    try:
                        values = next(rows, None)
                    except Exception as exc:  # read-only openpyxl parses the sheet only now, row by row
                        raise refuse(
                            number + 1,
                            None,
                            f"the workbook is damaged from this row on ({type(exc).__name__}); open it in Excel "
                            "and save it again, or save the sheet as CSV.",
                        ) from None
                    if values is None:
                        return
                    number += 1
                    yield number, [_cell_text(v) for v in values]

        table = _build_table(path, "xlsx", records(), max_rows)
    finally:
        workbook.close()
    return _with_warnings(table, notes)


class _TooBig(Exception):
    pass


def _part_shape_problem(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    """What makes one part of the workbook too costly to read, found by a streaming parse (no
    tree, constant memory), before openpyxl builds each row in full: about 1 KB of memory and
    15 µs a cell, so a small hostile file could otherwise take minutes and gigabytes."""
    rows = cells = row_cells = row_width = padded_cells = 0

    def start(tag: str, attributes) -> None:
        nonlocal rows, cells, row_cells, row_width, padded_cells
        local = tag.rpartition(" ")[2]
        if local == "row":
            rows, row_cells, row_width = rows + 1, 0, 0
            if rows > MAX_XLSX_ROWS:
                raise _TooBig(f"more than {MAX_XLSX_ROWS:,} rows")
            # openpyxl yields an empty row for each row number skipped: a row numbered in the
            # billions would be a loop of billions.
            if _reference_number(attributes.get("r", "")) > EXCEL_LAST_ROW:
                raise _TooBig(f"a row numbered beyond Excel's last row, {EXCEL_LAST_ROW:,}")
        elif local == "c":
            cells, row_cells = cells + 1, row_cells + 1
            # openpyxl pads each row with empty cells out to its last cell's column: count those too.
            column = max(_reference_column(attributes.get("r", "")), row_width + 1)
            padded_cells += column - row_width
            row_width = column
            if row_width > MAX_XLSX_ROW_CELLS:
                raise _TooBig(f"a row of more than {MAX_XLSX_ROW_CELLS:,} cells")
            if cells > MAX_XLSX_CELLS or padded_cells > MAX_XLSX_CELLS:
                raise _TooBig(f"more than {MAX_XLSX_CELLS:,} cells")

    def doctype(*_args) -> None:
        # Spreadsheet programs never declare one; entities defined in it can expand without end.
        raise _TooBig("an XML document type declaration, which spreadsheet programs never write")

    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        with archive.open(info) as stream:
            parser.ParseFile(stream)
    except _TooBig as exc:
        return str(exc)
    except xml.parsers.expat.ExpatError:
        return None  # not XML (an image, a binary part) or damaged: openpyxl refuses it if it matters
    return None


def _reference_number(reference: str) -> int:
    """The row number of a row's `r` attribute ("12") or a cell reference ("B12"); 0 when absent."""
    digits = reference.lstrip(string.ascii_letters)
    if not (digits.isascii() and digits.isdigit()):
        return 0
    return int(digits) if len(digits) <= 7 else EXCEL_LAST_ROW + 1  # eight digits are past the last row


def _reference_column(reference: str) -> int:
    """The column number of a cell reference ("B12" is 2, "XFD1" is 16,384); 0 when absent."""
    letters = reference[: len(reference) - len(reference.lstrip(string.ascii_uppercase))]
    number = 0
    for letter in letters[:4]:  # four letters already pass Excel's last column
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# --- shared ------------------------------------------------------------------------------


def _refuser(path: Path):
    def refuse(row: int | None, column: str | None, message: str) -> ImportProblem:
        return ImportProblem(path, [Problem(row, column, message)])

    return refuse


def _build_table(
    path: Path,
    fmt: str,
    records: Iterable[tuple[int, list[str]]],
    max_rows: int,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Table:
    refuse = _refuser(path)
    header_row = 0
    headings: list[str] = []
    rows: list[TableRow] = []
    problems: list[Problem] = []
    for number, raw_cells in records:
        cells = [cell.strip() for cell in raw_cells]
        if not any(cells):
            continue
        if not header_row:
            header_row = number
            if len(cells) > MAX_COLUMNS:  # before any work per column: a hostile row may have millions
                raise refuse(number, None, f"the heading row has {len(cells)} columns; at most {MAX_COLUMNS} are read.")
            headings = [normalise_heading(cell) for cell in cells]
            _check_headings(path, number, headings)
            continue
        if len(rows) >= max_rows:
            raise refuse(
                number,
                None,
                f"the file has more than {max_rows:,} rows of data, more than this import reads; "
                "check that this is the right file.",
            )
        values: dict[str, str] = {}
        for index, cell in enumerate(cells):
            heading = headings[index] if index < len(headings) else ""
            if heading:
                values[heading] = cell
            elif cell:
                problems.append(
                    Problem(
                        number,
                        column_letter(index),
                        f"'{_clip(cell)}' is in a column with no heading; "
                        "give the column a heading or delete the value.",
                    )
                )
        for heading in headings:
            if heading:
                values.setdefault(heading, "")
        rows.append(TableRow(number, values))
    if not header_row:
        raise refuse(None, None, "the file is empty; it needs a heading row and one row per line of data.")
    if not rows:
        raise refuse(header_row + 1, None, "the file has a heading row but no rows of data below it.")
    named = tuple(h for h in headings if h)
    letters = {h: column_letter(i) for i, h in enumerate(headings) if h}
    return Table(path, fmt, named, header_row, tuple(rows), tuple(problems), (), encoding, delimiter, letters)


def _check_headings(path: Path, row: int, headings: list[str]) -> None:
    problems = []
    seen: dict[str, int] = {}
    for index, heading in enumerate(headings):
        if not heading:
            continue
        if heading in seen:
            problems.append(
                Problem(
                    row,
                    heading,
                    f"the heading '{heading}' appears twice (columns {column_letter(seen[heading])} and "
                    f"{column_letter(index)}); keep one column per heading.",
                )
            )
        else:
            seen[heading] = index
    if problems:
        raise ImportProblem(path, problems)


def _with_warnings(table: Table, notes: list[str]) -> Table:
    return dataclasses.replace(table, warnings=table.warnings + tuple(notes)) if notes else table


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
