"""The record reader's two paths agree (decision 0038).

A record file exactly as fieldwork writes it is read in one compiled pass (msgspec decodes every
line into its Struct, and re-encoding must give back the file byte for byte); anything else is
read line by line with the plain reader naming the first problem. These tests hold the two to
the same verdict and the same words, and pin the day rules both paths share.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldwork.bundles import BundleError, verify_bundle
from fieldwork.bundles.fields import is_date, is_timestamp
from fieldwork.bundles.record_types import DECODER
from fieldwork.bundles.records import parse_records, record_to_json, records_to_jsonl
from fieldwork.identity import TrustList, read_identity_file, unlock_keys

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def golden():
    """A golden bundle's manifest and its record file as fieldwork writes it."""
    verified = verify_bundle(
        GOLDEN / "v2-x25519.fwbundle", identity=unlock_keys(GOLDEN / "lead-x25519", EXPECTED["passphrase"]),
        trust=TrustList.of(read_identity_file(GOLDEN / "inspector.identity.json")),
    )
    return verified.manifest, records_to_jsonl(verified.records)


def outcome(data: bytes, manifest):
    """The records read, or the refusal's code and detail."""
    try:
        return [record_to_json(r) for r in parse_records(data, manifest)]
    except BundleError as error:
        return (error.code, error.detail)


def first_answer(lines: list[bytes]) -> int:
    return next(i for i, line in enumerate(lines) if b'"type":"answer"' in line)


def line_by_line(data: bytes) -> bytes:
    """The same records written so the one-pass reader cannot take them (a space after each
    line's object is not canonical JSON, but is valid): the line-by-line reader reads them."""
    return data.replace(b"}\n", b"} \n")


def test_the_canonical_file_and_the_same_records_read_line_by_line_agree(golden):
    manifest, data = golden
    assert outcome(data, manifest) == outcome(line_by_line(data), manifest) == EXPECTED["records"]


@pytest.mark.parametrize(
    ("edit", "detail"),
    [
        # msgspec keeps the last of a repeated field; the file then no longer re-encodes to itself
        (lambda line: line[:-1] + b',"type":"answer"}', "line {n}: not valid JSON (a field appears twice)"),
        (lambda line: line + b"\n", "line {n+1}: not valid JSON (Expecting value: line 1 column 1 (char 0))"),
        (lambda line: line + b" " + line, "line {n}: not valid JSON (Extra data: line 1 column"),
        (lambda line: line + b"\r", "line {n}: a carriage return (lines end in LF only)"),
        (lambda line: line.replace(b'"revision":', b'"revision":1.0,"x":'), "line {n}: not valid JSON (numbers"),
        (lambda line: line.replace(b'"note":"', b'"note":"\\ud800'), "line {n}: answer record field 'note' has"),
        (lambda line: line.replace(b'"note":"', b'"note":"\\udc00\\ud800'), "line {n}: answer record field 'note' has"),
        (lambda line: line.replace(b'"type":"answer"', b'"type":"answer","extra":[[[[1]]]]'),
         "line {n}: answer record has unknown fields ['extra']"),
        (lambda line: b"[" + line + b"]", "line {n}: not a JSON object"),
    ],
)
def test_a_file_the_one_pass_reader_refuses_is_refused_in_the_line_readers_words(golden, edit, detail):
    manifest, data = golden
    lines = data.split(b"\n")
    answer = first_answer(lines)
    lines[answer] = edit(lines[answer])
    code, said = outcome(b"\n".join(lines), manifest)
    expected = detail.replace("{n+1}", str(answer + 2)).replace("{n}", str(answer + 1))
    assert code == "malformed-record" and said.startswith(expected), said


def test_a_field_repeated_with_its_own_value_is_still_refused(golden):
    """The re-encoding check is what catches this: msgspec reads the line as a valid answer."""
    manifest, data = golden
    lines = data.split(b"\n")
    n = first_answer(lines)
    record = json.loads(lines[n])
    lines[n] = lines[n][:-1] + b',"revision":' + str(record["revision"]).encode() + b"}"
    DECODER.decode(lines[n])  # msgspec alone would take it
    assert outcome(b"\n".join(lines), manifest) == (
        "malformed-record", f"line {n + 1}: not valid JSON (a field appears twice)"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("updated_by", "insp-1\ninsp-2"),  # each half is a valid person id: checked per column, must not pass
        ("question_id", "1.1\n1.2"),
        ("case_uuid", "\n"),
        ("updated_by", "insp-1\n"),
    ],
)
def test_a_line_feed_inside_a_value_is_not_two_values(golden, field, value):
    """The string forms are checked per column, the distinct values one per line: a value with a
    line feed of its own must still be refused, in the line reader's words."""
    manifest, data = golden
    lines = data.split(b"\n")
    n = first_answer(lines)
    record = json.loads(lines[n])
    record[field] = value
    lines[n] = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert outcome(b"\n".join(lines), manifest) == (
        "malformed-record", f"line {n + 1}: answer record field {field!r} has a value of the wrong type or form"
    )


@pytest.mark.parametrize(
    "stamp",
    [
        "٢٠٢٦-11-02T09:00:00.000Z",  # Arabic-Indic digits: strptime read them as a year
        "2026-11-02T09:00:00.000Z\n",  # a pattern ending in "$" would take the line feed
        "2026-02-29T09:00:00.000Z", "2100-02-29T09:00:00.000Z", "2026-11-31T09:00:00.000Z",
        "2026-11-02T24:00:00.000Z", "2026-11-02T09:60:00.000Z", "2026-11-02T09:00:60.000Z",
        "1999-12-31T23:59:59.999Z", "2026-11-02T09:00:00Z", "2026-11-02 09:00:00.000Z",
    ],
)
def test_a_timestamp_is_a_real_instant_in_ascii_digits(golden, stamp):
    manifest, data = golden
    assert not is_timestamp(stamp)
    lines = data.split(b"\n")
    n = first_answer(lines)
    record = json.loads(lines[n])
    record["updated_at"] = stamp
    lines[n] = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert outcome(b"\n".join(lines), manifest) == (
        "malformed-record", f"line {n + 1}: answer record field 'updated_at' has a value of the wrong type or form"
    )


def test_leap_days_follow_the_calendar():
    assert is_timestamp("2000-02-29T00:00:00.000Z") and is_timestamp("2024-02-29T12:00:00.000Z")
    assert not is_timestamp("2100-02-29T00:00:00.000Z") and not is_timestamp("2026-02-29T00:00:00.000Z")
    assert is_date("2400-02-29") and is_date("0004-02-29") and is_date("0001-01-01")
    assert not is_date("1900-02-29") and not is_date("0000-01-01") and not is_date("٢٠٢٦-01-01")


@given(st.dates())
def test_every_calendar_date_is_a_date_and_from_2000_a_timestamp_day(day):
    text = day.isoformat()
    assert is_date(text)
    assert is_timestamp(f"{text}T23:59:59.999Z") == (day.year >= 2000)
