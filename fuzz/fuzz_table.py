"""atheris harness for the case-sample and answers imports (CSV and XLSX):
python fuzz/fuzz_table.py CORPUS_DIR

The first byte of an input chooses the reader, the rest is the file (read as .xlsx when it starts
like a ZIP, else as .csv):
  0  the table reader alone (`read_table`);
  1  a case sample, checked against a test inspection (`check_case_sample`, which writes nothing);
  2  an answers file, imported into that inspection (`import_answers`; a clean file is recorded).
Seeds: case samples and answers files in UTF-8 with a byte-order mark, Windows-1252 and UTF-16,
comma, semicolon and tab separated, and a workbook. Only an ImportProblem may come out.
"""

from __future__ import annotations

import atexit
import io
import shutil
import tempfile
from pathlib import Path

import _harness

with _harness.instrumented():
    from fieldwork.frameworks.loader import load_framework
    from fieldwork.imports.answers import import_answers
    from fieldwork.imports.case_sample import check_case_sample
    from fieldwork.imports.tables import read_table
    from fieldwork.store import open_store
    from fieldwork.store.inspections import add_case, create_inspection

SAMPLE = [
    ["case_ref", "sample", "inspector_id", "ldu", "rosh", "start_date"],
    ["N1001", "", "jsmith", "Northshire Central", "High", "2026-05-14"],
    ["N1002", "Unpaid work", "akhan", "Wolds Coast", "low", "2026-06-02"],
]
ANSWERS = [
    ["case_ref", "question_id", "answer", "note"],
    ["A001", "2.1.1", "no", "Call-outs were requested but never followed up."],
    ["A001", "2.1.1.b", "n/a", ""],
    ["A001", "rosh", "High", ""],
    ["U001", "3.1.1", "Sufficient", "Placement seen."],
]

FOLDER = Path(tempfile.mkdtemp(prefix="fieldwork-fuzz-table-"))
STORE = open_store(FOLDER / "store", actor="lead-1", backups=None)
INSPECTION = create_inspection(
    STORE, inspection_id="fuzz-insp", provider="Northshire CRC", provider_type="CRC",
    framework=load_framework(_harness.FIXTURES / "frameworks" / "mini.toml"),
)
add_case(STORE, INSPECTION, "A001")
add_case(STORE, INSPECTION, "U001", sample_id="unpaid_work")


@atexit.register
def _clean_up() -> None:
    STORE.close()
    shutil.rmtree(FOLDER, ignore_errors=True)


def _text(rows: list[list[str]], separator: str, line_end: str) -> str:
    return line_end.join(separator.join(row) for row in rows) + line_end


def _workbook(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def seeds() -> dict[str, bytes]:
    return {
        "table-utf8-bom": b"\x00" + _text(SAMPLE, ",", "\r\n").encode("utf-8-sig"),
        "sample-cp1252": b"\x01" + _text(SAMPLE, ";", "\n").replace("Wolds", "Wöld").encode("cp1252"),
        "sample-utf16": b"\x01" + _text(SAMPLE, "\t", "\r\n").encode("utf-16"),
        "sample-xlsx": b"\x01" + _workbook(SAMPLE),
        "answers-utf8": b"\x02" + _text(ANSWERS, ",", "\n").encode("utf-8"),
        "answers-xlsx": b"\x02" + _workbook(ANSWERS),
    }


def test_one_input(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 3, data[1:]
    path = FOLDER / ("input.xlsx" if rest.startswith(b"PK") else "input.csv")
    path.write_bytes(rest)
    if mode == 0:
        _harness.refused_or_read(read_table, path)
    elif mode == 1:
        _harness.refused_or_read(check_case_sample, STORE, INSPECTION, path)
    else:
        _harness.refused_or_read(import_answers, STORE, INSPECTION, path)


def main() -> None:
    _harness.main(test_one_input, seeds)


if __name__ == "__main__":
    main()
