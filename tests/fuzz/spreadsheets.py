"""Hostile CSV files and XLSX workbooks for the case-sample and answers imports: hostile cells
(formulas, quotes, NUL, byte-order marks, huge fields), ragged rows and heading problems, every
encoding, separator, quoting and line end; workbooks with edited XML parts or members.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st

from .mutations import FORMULAS, ODD_TEXT, byte_mutations, member_edits, python_zip, read_members

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "mac_roman",
             "shift_jis")
DELIMITERS = (",", ";", "\t", "|")
LINE_ENDS = ("\r\n", "\n", "\r")


def hostile_cells() -> st.SearchStrategy[str]:
    """Cell texts: formulas, quotes, separators, line breaks, NUL, byte-order marks, huge fields
    (past the CSV reader's field limit), numbers and dates of odd forms."""
    return st.one_of(
        st.sampled_from(FORMULAS),
        st.sampled_from(ODD_TEXT),
        st.sampled_from(('"', '"unbalanced', 'a"b', "a,b", "a;b", "a\tb", "a\nb", "a\rb", "\x00x", "\ufeffx")),
        st.sampled_from(("2026-02-30", "0001-01-01", "+002026-01-01", "2026-1-1", "9" * 5_000, "1_000", "٣", "1e3")),
        st.sampled_from((1_000, 131_073, 300_000)).map(lambda n: "y" * n),
        st.text(max_size=20),
    )


CSV_OPS = ("cell", "add-cell", "drop-cell", "duplicate-heading", "blank-heading", "unknown-heading",
           "drop-column", "blank-row", "duplicate-row", "drop-row")


@st.composite
def csv_tables(draw, header: Sequence[str], rows: Sequence[Sequence[str]], max_steps: int = 4) -> list[list[str]]:
    """A table (heading row first) with hostile cells, ragged rows and heading problems."""
    table = [list(header), *(list(r) for r in rows)]
    for _ in range(draw(st.integers(0, max_steps), label="table steps")):
        op = draw(st.sampled_from(CSV_OPS), label="table op")
        r = draw(st.integers(0, len(table) - 1), label="row")
        row = table[r]
        c = draw(st.integers(0, max(len(row) - 1, 0)), label="column")
        if op == "cell" and row:
            row[c] = draw(hostile_cells(), label="cell")
        elif op == "add-cell":
            row.append(draw(hostile_cells()))
        elif op == "drop-cell" and row:
            del row[c]
        elif op == "duplicate-heading" and table[0]:
            table[0].append(table[0][c % len(table[0])])
        elif op == "blank-heading" and table[0]:
            table[0][c % len(table[0])] = ""
        elif op == "unknown-heading" and table[0]:
            table[0][c % len(table[0])] = draw(st.sampled_from(("rosh_level", "Case Ref", "notes", "=1+1", "é")))
        elif op == "drop-column":
            for each in table:
                if c < len(each):
                    del each[c]
        elif op == "blank-row":
            table.insert(r, [""] * len(row))
        elif op == "duplicate-row":
            table.insert(r, list(row))
        elif op == "drop-row" and len(table) > 1:
            del table[r]
    return table


@st.composite
def csv_files(draw, header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """A CSV file of a hostile table in any separator, quoting, line end and encoding (with or
    without a byte-order mark), sometimes blindly mutated after that."""
    table = draw(csv_tables(header, rows))
    quoting = draw(st.sampled_from((csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE)), label="quoting")
    options = {
        "delimiter": draw(st.sampled_from(DELIMITERS), label="delimiter"), "escapechar": "\\",
        "lineterminator": draw(st.sampled_from(LINE_ENDS), label="line end"),
    }
    buffer = io.StringIO(newline="")
    try:
        csv.writer(buffer, quoting=quoting, **options).writerows(table)
    except csv.Error:  # unquoted, a row of one empty value cannot be written
        buffer = io.StringIO(newline="")
        csv.writer(buffer, quoting=csv.QUOTE_ALL, **options).writerows(table)
    data = buffer.getvalue().encode(draw(st.sampled_from(ENCODINGS), label="encoding"), "replace")
    if draw(st.integers(0, 3), label="then blind") == 0:
        data = draw(byte_mutations(data, max_steps=2))
    return data


def xlsx_workbook(rows: Sequence[Sequence[Any]], *, extra_sheet: bool = False) -> bytes:
    """An .xlsx file with `rows` on its first sheet, written by openpyxl as Excel would read it."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    if extra_sheet:
        book.create_sheet("Second").append(["x"])
    buffer = io.BytesIO()
    book.save(buffer)
    # openpyxl stamps the time of saving; a fixed one makes the seed the same on every run.
    members = [
        (name, re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", content))
        for name, content in read_members(buffer.getvalue())
    ]
    return python_zip(members)


XML_EDITS: tuple[Callable[[bytes], bytes], ...] = (
    lambda x: x[: len(x) // 2],
    lambda x: x.replace(b't="inlineStr"', b't="s"', 1),
    lambda x: x.replace(b't="inlineStr"', b't="n"', 1),
    lambda x: x.replace(b't="inlineStr"', b't="d"', 1),
    lambda x: x.replace(b't="inlineStr"', b't="b"', 1),
    lambda x: x.replace(b't="inlineStr"', b't="e"', 1),
    lambda x: x.replace(b'r="A2"', b'r="A"', 1),
    lambda x: x.replace(b'r="A2"', b'r="XFE1048577"', 1),
    lambda x: x.replace(b'<row r="2"', b'<row r="-1"', 1),
    lambda x: x.replace(b'<row r="2"', b'<row r="99999999999999999999"', 1),
    lambda x: x.replace(b"<v>", b"<v>abc", 1),
    lambda x: x.replace(b"<sheetData>", b"<sheetData>" + b"<x>" * 5_000 + b"</x>" * 5_000, 1),
    lambda x: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    + x.split(b"?>", 1)[-1].replace(b"<t>", b"<t>&d;", 1),
    lambda x: x.replace(b"<t>", b"<t>\x01", 1),
    lambda x: x.replace(b"<t>", b"<t>&#xD800;", 1),
    lambda x: x.replace(b"utf-8", b"utf-16", 1).replace(b"UTF-8", b"UTF-16", 1),
)


@st.composite
def xlsx_part_edits(draw, workbook: bytes) -> bytes:
    """A workbook written again with an XML part edited (truncated, wrong cell types and
    references, nesting, entity expansion, bad characters), or its members edited."""
    members = read_members(workbook)
    if draw(st.booleans(), label="edit xml"):
        xml_parts = [i for i, (name, _) in enumerate(members) if name.endswith(".xml")]
        i = draw(st.sampled_from(xml_parts), label="part")
        name, content = members[i]
        edit = draw(st.sampled_from(XML_EDITS), label="xml edit")
        members[i] = (name, edit(content))
    else:
        members = draw(member_edits(members, max_steps=2))
    return python_zip(members, stored=draw(st.booleans(), label="stored"))
