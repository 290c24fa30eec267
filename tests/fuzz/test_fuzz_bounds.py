"""Bounded time and memory for representative hostile inputs of each reader, measured with
tracemalloc (which slows the code down, so the time bounds are generous).

Already covered elsewhere: a 100,000-entry bundle archive is refused in < 0.25 s and a lying
entry size inflates no further than declared, in < 5 MiB
(tests/bundles/test_hostile_archives.py); the pack's 100,000 entries in < 0.25 s
(tests/packs/test_pack_tamper.py). Here: the memory of those 100,000 entries in both, and the
inputs the fuzzing found costly: records and framework files nested beyond any parser's depth,
a CSV heading row that sent the delimiter sniffer into quadratic time, workbooks that unzip or
parse to far more than their size (zip bombs, one row of a million cells, endless rows).
"""

from __future__ import annotations

import io
import os
import random
import time
import tracemalloc
import zipfile
from contextlib import contextmanager

import pytest
from bundles.helpers import many_entries_zip

from fieldwork.bundles import BundleError, container, verify_bundle
from fieldwork.errors import FrameworkError
from fieldwork.frameworks.loader import MAX_FRAMEWORK_BYTES, parse_framework
from fieldwork.identity import TrustList
from fieldwork.imports.tables import ImportProblem, read_table
from fieldwork.packs import PackError, verify_pack

from .mutations import dump_json, python_zip, read_members
from .readers import fuzz_identity, mini
from .signed import bundle_manifest, seal_bundle
from .spreadsheets import xlsx_workbook

MIB = 1024 * 1024
SIGNER = fuzz_identity("Ann Inspector", "insp-1", "bounds signer")
LEAD = fuzz_identity("Lee Lead", "lead-1", "bounds lead")
ANN = fuzz_identity("Ann Inspector", "ann", "bounds inspector")


@contextmanager
def bounded(seconds: float, mebibytes: int):
    """The block must finish within `seconds` and allocate at most `mebibytes` at its peak."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    assert peak < mebibytes * MIB, f"peak {peak / MIB:.1f} MiB"


def test_a_hundred_thousand_entries_cost_little_memory_in_a_bundle_and_a_pack():
    archive = many_entries_zip(100_000)
    bundle = container.seal(archive, [LEAD.public])
    pack = container.seal(archive, [ANN.public])
    with bounded(2, 64), pytest.raises(BundleError) as refused:
        verify_bundle(bundle, identity=LEAD, trust=TrustList.of(SIGNER.public))
    assert refused.value.code == "unsafe-archive"
    with bounded(2, 64), pytest.raises(PackError) as refused:
        verify_pack(pack, identity=ANN, trusted_leads=TrustList.of(LEAD.public))
    assert refused.value.code == "unsafe-archive"


def test_a_record_nested_two_hundred_thousand_deep():
    """A signed records line of '[' nested 200,000 deep (with random blanks, so it does not
    compress like a zip bomb and reaches the JSON parser): one malformed-record refusal."""
    rng = random.Random(7)
    line = "".join("[" + rng.choice(" \t\r") for _ in range(200_000)).encode("ascii")
    records = dump_json({"type": "inspection"}) + b"\n" + line + b"\n"
    manifest = bundle_manifest(
        records, signer=SIGNER, recipients=[LEAD.public], inspection_id="golden-insp",
        framework=(mini().id, mini().version, mini().content_hash),
        counts={"answer": 0, "case": 0, "case_detail": 0, "change": 0, "inspection": 2},
    )
    bundle = seal_bundle(dump_json(manifest), records, signer=SIGNER, recipients=[LEAD.public])
    with bounded(2, 64), pytest.raises(BundleError) as refused:
        verify_bundle(bundle, identity=LEAD, trust=TrustList.of(SIGNER.public))
    assert refused.value.code == "malformed-record", refused.value.detail


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 500_000 + "]" * 500_000,
        "x = " + "{a=" * 200_000 + "1" + "}" * 200_000,
        "format = " + "9" * 1_000_000,
        "format = " + "9" * (MAX_FRAMEWORK_BYTES - 9),
        "format = 0x" + "f" * (MAX_FRAMEWORK_BYTES - 11),
        "format = " + "9" * 4_300,
    ],
    ids=["arrays nested 500,000 deep", "tables nested 200,000 deep", "a million digits", "512 KiB of digits",
         "512 KiB of hex digits", "4,300 digits"],
)
def test_framework_files_beyond_any_parser(text):
    """tomllib takes up to 150 bytes of memory per digit of a long number: the loader's size cap
    (512 KiB, against 30 KiB for the shipped frameworks) bounds it."""
    with bounded(2, 96), pytest.raises(FrameworkError) as refused:
        parse_framework(text.encode("ascii"))
    assert refused.value.problems


def test_a_heading_row_that_made_the_sniffer_quadratic(tmp_path):
    """',"' repeated: csv.Sniffer's quote regex took 36 s on 64 KB of it, hours on a few MB."""
    path = tmp_path / "sample.csv"
    path.write_bytes(b',"' * (2 * MIB) + b"\nx,y\n")
    with bounded(3, 128):
        try:
            read_table(path)
        except ImportProblem:
            pass


def _workbook_with_sheet(sheet_xml: bytes) -> bytes:
    members = dict(read_members(xlsx_workbook([["case_ref", "ldu"], ["A1", "x"]])))
    members["xl/worksheets/sheet1.xml"] = sheet_xml
    return python_zip(list(members.items()))


def _sheet(rows: bytes) -> bytes:
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>case_ref</t></is></c></row>' + rows + b"</sheetData></worksheet>"
    )


def _random_cells(count: int) -> bytes:
    return b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % os.urandom(6).hex().encode() for _ in range(count))


@pytest.mark.parametrize(
    "sheet",
    [
        pytest.param(lambda: _sheet(b"<row/>" * 20_000_000), id="zip bomb: 120 MB of rows in a small file"),
        pytest.param(lambda: _sheet(b'<row r="2">' + _random_cells(20_000) + b"</row>"),
                     id="one row of 20,000 cells (openpyxl: 1 KB each)"),
        pytest.param(lambda: _sheet(b"".join(b'<row r="2"><c t="inlineStr"><is><t>%s</t></is></c></row>'
                                             % os.urandom(4).hex().encode() for _ in range(210_000))),
                     id="210,000 rows that all say they are row 2"),
        pytest.param(lambda: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>' + _sheet(b""),
                     id="a document type declaration"),
    ],
)
def test_workbooks_that_cost_far_more_than_their_size(tmp_path, sheet):
    """Each was minutes or gigabytes before the reader counted rows and cells with a streaming
    parser and refused compression ratios over 100."""
    path = tmp_path / "sample.xlsx"
    path.write_bytes(_workbook_with_sheet(sheet()))
    # 30 s: about 8 times the slowest case here under tracemalloc on a busy 2-core machine, and
    # far below the minutes each took unbounded (a guard against a hang, not a speed target).
    with bounded(30, 64), pytest.raises(ImportProblem) as refused:
        read_table(path)
    assert "save the sheet as CSV" in refused.value.message


def test_an_honest_workbook_is_still_read(tmp_path):
    rows = [["case_ref", "ldu"], *([f"N{i:05d}", "North"] for i in range(2_000))]
    path = tmp_path / "sample.xlsx"
    path.write_bytes(xlsx_workbook(rows))
    assert len(read_table(path).rows) == 2_000
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size < sheet.compress_size * 100
