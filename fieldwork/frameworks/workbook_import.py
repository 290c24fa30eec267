"""Read a framework workbook back into a framework file (decision 0032).

A workbook is untrusted input: it is read from a regular file under a size cap, its zip parts
are measured before openpyxl builds anything, its sheets may hold at most MAX_ROWS rows and
MAX_COLUMNS columns, and a formula is refused (a framework's text is typed, never computed).
Every problem is collected and named by sheet, row and column, with what to do; the result is
then checked by the normal framework loader, whose problems are mapped back to the workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from fieldwork.errors import FieldworkError, FrameworkError
from fieldwork.frameworks import toml_writer
from fieldwork.frameworks.loader import parse_framework
from fieldwork.frameworks.model import Framework
from fieldwork.frameworks.workbook_layout import README_SHEET, SHEETS, Sheet
from fieldwork.regular_files import read_regular_file

MAX_WORKBOOK_BYTES = 5 * 1024 * 1024  # an exported shipped framework is about 40 KiB
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 5_000  # per sheet; the largest shipped framework has about 300 questions and prompts
MAX_COLUMNS = 30
MAX_PROBLEMS = 200  # a workbook of garbage should not print a million lines
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_LOADER_PROBLEM = re.compile(r"^(?:line \d+, )?(?P<path>\S+): (?P<message>.*)$", re.DOTALL)
_PATH_PART = re.compile(r"([A-Za-z_]+)|\[(\d+)\]")
_FORMULA = object()  # a cell refused for holding a formula: reported once, not again as empty


@dataclass(frozen=True)
class WorkbookProblem:
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def describe(self) -> str:
        where = []
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


class WorkbookError(FieldworkError):
    """A framework workbook that cannot be imported; carries every problem found."""

    code = "invalid-workbook"

    def __init__(self, path: str, problems: list[WorkbookProblem]):
        self.path = path
        # In the order the officer reads the workbook: sheet by sheet, row by row.
        order = {sheet.name: index for index, sheet in enumerate(SHEETS)}
        self.problems = sorted(problems, key=lambda p: (order.get(p.sheet, -1 if p.sheet is None else len(order)),
                                                        p.row or 0))
        problems = self.problems
        first = problems[0].describe() if len(problems) == 1 else f"{len(problems)} problems"
        super().__init__(f"{path}: {first}")


@dataclass(frozen=True)
class Imported:
    framework: Framework
    toml: bytes


class _Rows:
    """The rows of one sheet as {heading: value}, each with its spreadsheet row number."""

    def __init__(self, layout: Sheet, rows: list[tuple[int, dict]]):
        self.layout = layout
        self.rows = rows


class _Reader:
    def __init__(self, source: str):
        self.source = source
        self.problems: list[WorkbookProblem] = []
        self.origins: dict[tuple, tuple[str, int | None]] = {}

    def problem(self, sheet, row, column, message) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(WorkbookProblem(sheet, row, column, message))

    # --- cells ---------------------------------------------------------------------------

    def value(self, sheet: str, number: int, row: dict, column, *, required_here: bool | None = None):
        """The typed value of one cell, or None when blank (a problem when it is required)."""
        raw = row.get(column.heading)
        required = column.required if required_here is None else required_here
        if raw is _FORMULA:
            return None
        if raw is None or (isinstance(raw, str) and raw == ""):
            if required:
                self.problem(sheet, number, column.heading, "is empty; fill it in (see the Read me sheet).")
            return None
        if isinstance(raw, (dt.datetime, dt.date, dt.time)):
            self.problem(sheet, number, column.heading, "Excel turned this into a date or time; type the value "
                         "with an apostrophe first (for example '2025-10) so it stays text.")
            return None
        kind = column.kind
        if kind in ("integer", "number"):
            if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
                raw = str(raw)
            if isinstance(raw, str):
                try:
                    raw = int(raw.strip()) if kind == "integer" else float(raw.strip())
                except ValueError:
                    kind_words = "a whole number" if kind == "integer" else "a number"
                    self.problem(sheet, number, column.heading, f"'{raw}' is not {kind_words}; type {kind_words}.")
                    return None
            if kind == "integer" and isinstance(raw, float):
                if not raw.is_integer():
                    self.problem(sheet, number, column.heading, f"{raw} is not a whole number; type a whole number.")
                    return None
                raw = int(raw)
            if kind == "number" and isinstance(raw, float) and raw.is_integer():
                raw = int(raw)
            return raw
        if isinstance(raw, float):
            # Excel keeps a typed 2.10 or 2025.10 as the number 2.1 or 2025.1: an id or a version
            # would silently become another one.
            self.problem(sheet, number, column.heading, f"Excel stored this as the number {raw:g}, which loses "
                         "digits such as a final 0 (2.10 becomes 2.1); type it with an apostrophe first "
                         "(for example '2.10) so it stays text.")
            return None
        text = _as_text(raw)
        if kind == "yes_no":
            lowered = text.strip().casefold()
            if lowered in ("yes", "true"):
                return True
            if lowered in ("no", "false"):
                return False
            self.problem(sheet, number, column.heading, f"'{text}' is not yes or no; type yes or no.")
            return None
        if kind == "choice":
            wanted = text.strip().casefold()
            match = next((c for c in column.choices if c.casefold() == wanted), None)
            if match is None:
                self.problem(sheet, number, column.heading,
                             f"'{text}' is not allowed; choose one of: {', '.join(column.choices)}.")
            return match
        if kind == "ids":
            ids = text.replace(",", " ").split()
            bad = [item for item in ids if not _ID.match(item) or len(item) > 64]
            if bad:
                self.problem(sheet, number, column.heading, f"'{bad[0]}' is not a valid id; list ids separated by "
                             "spaces, each up to 64 letters, digits, '.', '_' or '-'.")
                return None
            return ids or None
        if kind == "id":
            text = text.strip()
            if not _ID.match(text) or len(text) > 64:
                self.problem(sheet, number, column.heading, f"'{text}' is not a valid id; use up to 64 letters, "
                             "digits, '.', '_' or '-', starting with a letter or digit.")
                return None
        return text

    # --- sheets ---------------------------------------------------------------------------

    def read_sheet(self, worksheet, layout: Sheet) -> _Rows:
        headings: dict[int, str] = {}
        rows: list[tuple[int, dict]] = []
        for number, cells in enumerate(worksheet.iter_rows(), start=1):
            if number > MAX_ROWS + 1:
                self.problem(layout.name, number, None, f"the sheet has more than {MAX_ROWS:,} rows; a framework "
                             "needs far fewer. Delete the rows below the table.")
                break
            values = {}
            for index, cell in enumerate(cells, start=1):
                value = getattr(cell, "value", None)
                if value is None:
                    continue
                if index > MAX_COLUMNS:
                    self.problem(layout.name, number, None, f"the sheet has values beyond column {MAX_COLUMNS}; "
                                 "delete them.")
                    break
                if getattr(cell, "data_type", None) == "f":
                    heading = headings.get(index, f"column {index}")
                    self.problem(layout.name, number, heading, "holds a formula; type the value itself "
                                 "(a framework's text is never computed).")
                    value = _FORMULA
                values[index] = value
            if number == 1:
                headings = self._headings(layout, values)
                continue
            if not any(not (isinstance(v, str) and v.strip() == "") for v in values.values()):
                continue  # a blank row
            row = {}
            for index, value in values.items():
                if index in headings:
                    row[headings[index]] = value
                elif not (isinstance(value, str) and value.strip() == ""):
                    self.problem(layout.name, number, f"column {index}", "holds a value under no heading; move it "
                                 "under the right heading or delete it.")
            rows.append((number, row))
        if not headings and layout.columns:
            self._headings(layout, {})
        return _Rows(layout, rows)

    def _headings(self, layout: Sheet, values: dict) -> dict[int, str]:
        known = {c.heading for c in layout.columns}
        found: dict[int, str] = {}
        for index, value in values.items():
            heading = _as_text(value).strip().casefold()
            if heading in known and heading not in found.values():
                found[index] = heading
            elif heading in found.values():
                self.problem(layout.name, 1, heading, "this heading appears twice; delete one of the columns.")
            elif heading == "":
                continue
            else:
                self.problem(layout.name, 1, _as_text(value), f"is not a column of this sheet; the columns are: "
                             f"{', '.join(c.heading for c in layout.columns)}.")
        for column in layout.columns:
            if column.heading not in found.values() and (column.required or column.heading in _NEEDED_COLUMNS):
                self.problem(layout.name, 1, column.heading, "this column is missing; add it back with this heading "
                             "in row 1.")
        return found


# Optional values whose column must still be there (a missing column would drop data silently).
_NEEDED_COLUMNS = {"description", "statement", "number", "sample", "statement_provenance", "lens",
                   "na_reason_required", "rated", "guidance", "help", "out_of", "value"}


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_archive(data: bytes, problem) -> bool:
    """False (with a problem) when the bytes are not a workbook this reader may open."""
    from fieldwork.imports.tables import _part_shape_problem  # the same streaming measure as case imports

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if "xl/workbook.xml" not in {i.filename for i in infos}:
                problem("this is not an Excel workbook (.xlsx); export a framework with "
                        "'fieldwork frameworks export ID --xlsx FILE' and edit that.")
                return False
            if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                problem("the workbook unpacks to more than a framework workbook can be; start from an exported one.")
                return False
            for info in infos:
                shape = _part_shape_problem(archive, info)
                if shape:
                    problem(f"the workbook has {shape}; start from an exported framework workbook.")
                    return False
    except Exception:  # zipfile raises many types for a damaged archive
        problem("the file is not a readable .xlsx workbook; open it in Excel and save it again as .xlsx.")
        return False
    return True


def read_workbook_file(path: str | Path) -> Imported:
    """The framework in the workbook at `path`; WorkbookError lists every problem."""
    path = Path(path)
    try:
        data = read_regular_file(path, MAX_WORKBOOK_BYTES)
    except OSError as exc:
        raise WorkbookError(str(path), [WorkbookProblem(None, None, None, f"cannot be read ({exc.strerror}); "
                                                        "check the path.")]) from None
    if len(data) > MAX_WORKBOOK_BYTES:
        raise WorkbookError(str(path), [WorkbookProblem(None, None, None, f"is larger than a framework workbook may "
                                                        f"be ({MAX_WORKBOOK_BYTES // (1024 * 1024)} MiB); check "
                                                        "this is the right file.")])
    return read_workbook(data, str(path))


def read_workbook(data: bytes, source: str = "<workbook>") -> Imported:
    reader = _Reader(source)

    def whole(message):
        reader.problem(None, None, None, message)

    if not _check_archive(data, whole):
        raise WorkbookError(source, reader.problems)
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        whole(f"the workbook cannot be read ({type(exc).__name__}); open it in Excel and save it again.")
        raise WorkbookError(source, reader.problems) from None
    try:
        sheets: dict[str, _Rows] = {}
        names = {ws.title: ws for ws in book.worksheets}
        for title in names:
            if title != README_SHEET and title not in {s.name for s in SHEETS}:
                reader.problem(title, None, None, "is not a sheet of a framework workbook; move what it holds to "
                               "the right sheet, or delete it (the Read me sheet lists them).")
        for layout in SHEETS:
            if layout.name not in names:
                reader.problem(layout.name, None, None, "this sheet is missing; add it back (export the framework "
                               "again to see its columns).")
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    sheets[layout.name] = reader.read_sheet(names[layout.name], layout)
            except Exception as exc:  # read-only openpyxl parses each sheet only now
                reader.problem(layout.name, None, None, f"the sheet is damaged ({type(exc).__name__}); open the "
                               "workbook in Excel and save it again.")
    finally:
        book.close()
    if len(sheets) < len(SHEETS):  # a sheet missing or unreadable: the rest cannot be cross-checked
        raise WorkbookError(source, reader.problems)
    from fieldwork.frameworks.workbook_document import build_document

    document = build_document(reader, sheets)
    if reader.problems:
        raise WorkbookError(source, reader.problems)
    text = toml_writer.dumps(document, comment=_HEADER.format(source=Path(source).name))
    data_out = text.encode("utf-8")
    try:
        framework = parse_framework(data_out, source_name=source)
    except FrameworkError as error:
        for message in error.problems:
            _map_loader_problem(reader, message)
        raise WorkbookError(source, reader.problems) from None
    return Imported(framework, data_out)


_HEADER = (
    "Framework file imported by fieldwork from the workbook {source}.\n"
    "Edit the workbook and import it again rather than editing this file (docs/framework-format.md)."
)


def _map_loader_problem(reader: _Reader, message: str) -> None:
    """A loader problem ("standards[2].key_questions[0]: ...") named by the workbook row it came from."""
    match = _LOADER_PROBLEM.match(message)
    if not match:
        reader.problem(None, None, None, message)
        return
    parts = tuple(int(i) if i else name for name, i in _PATH_PART.findall(match.group("path")))
    for end in range(len(parts), -1, -1):
        origin = reader.origins.get(parts[:end])
        if origin is not None:
            sheet, row = origin
            rest = [p for p in parts[end:] if isinstance(p, str)]
            column = rest[0] if rest else None
            reader.problem(sheet, row, column, match.group("message"))
            return
    reader.problem(None, None, None, message)


__all__ = ["Imported", "WorkbookError", "WorkbookProblem", "read_workbook", "read_workbook_file"]
