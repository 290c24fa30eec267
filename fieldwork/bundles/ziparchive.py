"""The inner archive: a canonical ZIP written deterministically and read strictly, in memory.

We write one exact ZIP profile (docs/bundle-format.md, "Inner archive") and the reader
accepts only that profile. Hostile shapes are named first (so a refusal says what was wrong):
entry count from the end record before anything else, then names, links, directories, sizes
and ratios, overlapping entries; inflation never produces more than the declared size.
Nothing is ever written to disk.
"""

from __future__ import annotations

import hashlib
import stat
import struct
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.fields import Member
from fieldwork.bundles.format import DEFAULT_LIMITS, ENVELOPE_NAME, MEMBER_NAMES, Limits

_LOCAL = struct.Struct("<IHHHHHIIIHH")  # 30 bytes
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # 46 bytes
_END = struct.Struct("<IHHHHIIH")  # 22 bytes
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = 0x04034B50, 0x02014B50, 0x06054B50
VERSION = 20  # "2.0": deflate, no ZIP64
STORED, DEFLATED = 0, 8
DOS_DATE = 0x0021  # 1980-01-01, the earliest DOS date: no timestamps leak, output is deterministic
DOS_TIME = 0


def unsafe(detail: str) -> BundleError:
    return BundleError(
        "unsafe-archive",
        f"This bundle's contents are not laid out the way fieldwork writes them ({detail}), so "
        "nothing was read from it; ask the inspector to export again and report the file to IT "
        "security if it happens again.",
        detail=detail,
    )


def tampered(name: str, detail: str) -> BundleError:
    return BundleError(
        "tampered-member",
        f"Part of this bundle ({name}) is damaged or was altered after it was signed; do not use "
        "it and ask the inspector to export again.",
        detail=detail,
    )


def write_zip(members: list[tuple[str, bytes]], max_ratio: int = DEFAULT_LIMITS.max_ratio) -> bytes:
    """The canonical ZIP of `members` (name, content), in the order given: each deflated, or
    stored when deflating would pass `max_ratio`, the ratio every reader refuses as a zip bomb.

    Honest but repetitive text (the same sentence as evidence in many cases, a change log that
    repeats a note at each save) can deflate better than any ratio a reader can allow; stored,
    it stays readable and the reader's rule stays simple (docs/decisions/0021).
    """
    out = bytearray()
    central = bytearray()
    for name, content in members:
        name_bytes = name.encode("ascii")
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = compressor.compress(content) + compressor.flush()
        method = DEFLATED
        if len(content) > max(len(packed), 1) * max_ratio:
            method, packed = STORED, content
        crc = zlib.crc32(content)
        offset = len(out)
        out += _LOCAL.pack(
            _LOCAL_SIG, VERSION, 0, method, DOS_TIME, DOS_DATE, crc, len(packed), len(content),
            len(name_bytes), 0,
        )
        out += name_bytes + packed
        central += _CENTRAL.pack(
            _CENTRAL_SIG, VERSION, VERSION, 0, method, DOS_TIME, DOS_DATE, crc, len(packed),
            len(content), len(name_bytes), 0, 0, 0, 0, 0, offset,
        )
        central += name_bytes
    cd_offset = len(out)
    out += central
    out += _END.pack(_END_SIG, 0, 0, len(members), len(members), len(central), cd_offset, 0)
    return bytes(out)


@dataclass(frozen=True)
class Entry:
    name: str
    method: int
    crc: int
    compressed_size: int
    size: int
    data_offset: int


def _check_name(raw: bytes) -> str:
    """Refuse names that could escape a folder or mean something else on some system."""
    try:
        name = raw.decode("ascii")
    except UnicodeDecodeError:
        raise unsafe("an entry name that is not plain ASCII") from None
    if not name or "\x00" in name or any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise unsafe("an empty entry name or one with control characters")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise unsafe(f"an absolute entry name {name!r}")
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        raise unsafe(f"a path-traversal entry name {name!r}")
    if name.endswith(("/", "\\")):
        raise unsafe(f"a directory entry {name!r}")
    if "\\" in name or "" in parts or "." in parts:
        raise unsafe(f"an irregular entry name {name!r}")
    return name


def _kind_from_attributes(external: int) -> str | None:
    mode = external >> 16
    if stat.S_ISLNK(mode):
        return "a symbolic-link entry"
    if stat.S_ISDIR(mode) or external & 0x10:  # Unix mode, or the MS-DOS directory bit
        return "a directory entry"
    return None


def bundle_caps(limits: Limits) -> dict[str, int]:
    """A bundle's entries, in their order, with each one's uncompressed cap."""
    caps = dict.fromkeys(MEMBER_NAMES, limits.max_member_bytes)
    caps[ENVELOPE_NAME] = limits.max_envelope_bytes
    return caps


def read_entries(
    data: bytes, limits: Limits = DEFAULT_LIMITS, *, caps: Mapping[str, int] | None = None, what: str = "bundle"
) -> dict[str, Entry]:
    """Check the archive's structure and return its entries by name (nothing inflated yet)."""
    # `caps` lists the entries required, in order, with each one's cap (packs pass theirs);
    # `what` names the kind of file in a refusal. Counts, totals and ratio come from `limits`.
    caps = bundle_caps(limits) if caps is None else caps
    names = tuple(caps)
    size = len(data)
    if size < _END.size:
        raise unsafe("not a ZIP archive")
    end_offset = size - _END.size
    sig, disk, cd_disk, on_disk, total, cd_size, cd_offset, comment_len = _END.unpack_from(data, end_offset)
    if sig != _END_SIG:
        # The end record must be the last 22 bytes: no archive comment, nothing appended.
        window = data[max(0, size - 65_557) :]
        raise unsafe("an archive comment or trailing data" if b"PK\x05\x06" in window else "not a ZIP archive")
    # The count comes first, from 22 bytes: a 100,000-entry archive is refused without reading it.
    if total > limits.max_entries or on_disk > limits.max_entries:
        raise unsafe(f"{max(total, on_disk)} entries (at most {len(names)} are allowed)")
    if disk or cd_disk or on_disk != total or comment_len:
        raise unsafe("a multi-part archive or an archive comment")
    if 0xFFFF in (total, on_disk) or 0xFFFFFFFF in (cd_size, cd_offset):
        raise unsafe("ZIP64 records")
    if cd_offset + cd_size != end_offset:
        raise unsafe("a central directory that does not end where the archive does")
    entries: list[tuple[Entry, int, int]] = []  # entry, local header offset, end of its data
    seen: set[str] = set()
    total_size = 0
    position = cd_offset
    for _ in range(total):
        if position + _CENTRAL.size > end_offset:
            raise unsafe("a central directory shorter than its entry count")
        (
            sig, _made_by, needed, flags, method, mod_time, mod_date, crc, csize, usize, name_len,
            extra_len, comment_len, disk_start, internal, external, local_offset,
        ) = _CENTRAL.unpack_from(data, position)
        if sig != _CENTRAL_SIG:
            raise unsafe("a damaged central directory")
        name_start = position + _CENTRAL.size
        position = name_start + name_len + extra_len + comment_len
        if position > end_offset:
            raise unsafe("a central directory entry running past its end")
        name = _check_name(data[name_start : name_start + name_len])
        kind = _kind_from_attributes(external)
        if kind:
            raise unsafe(f"{kind} {name!r}")
        if name in seen:
            raise unsafe(f"a duplicate entry name {name!r}")
        seen.add(name)
        if name not in caps:
            raise unsafe(f"an unexpected entry {name!r}")
        if flags & 0x1:
            raise unsafe(f"an encrypted entry {name!r}")
        if method not in (STORED, DEFLATED):
            raise unsafe(f"an unsupported compression method {method} for {name!r}")
        cap = caps[name]
        if usize > cap:
            raise unsafe(f"entry {name!r} declares {usize} bytes, over the {cap}-byte limit")
        if method == STORED and csize != usize:
            raise unsafe(f"a stored entry {name!r} whose sizes differ")
        if usize > max(csize, 1) * limits.max_ratio:
            raise unsafe(f"entry {name!r} expands {usize // max(csize, 1)} times (a zip bomb)")
        total_size += usize
        if total_size > limits.max_total_uncompressed:
            raise unsafe(f"more uncompressed content than any {what} has")
        # Canonical profile: every other field has one fixed value (see the specification).
        if (
            needed != VERSION or flags or (mod_time, mod_date) != (DOS_TIME, DOS_DATE)
            or extra_len or comment_len or disk_start or internal or external
        ):
            raise unsafe(f"non-canonical header fields for {name!r}")
        data_start = _check_local(data, local_offset, cd_offset, name, (method, crc, csize, usize))
        entry = Entry(name, method, crc, csize, usize, data_start)
        entries.append((entry, local_offset, data_start + csize))
    if position != end_offset:
        raise unsafe("a central directory longer than its entry count")
    _check_layout(entries, cd_offset)
    if tuple(e.name for e, _, _ in entries) != names:
        raise unsafe(f"entries other than exactly {', '.join(names)} in that order")
    return {entry.name: entry for entry, _, _ in entries}


def _check_local(data: bytes, offset: int, cd_offset: int, name: str, fields: tuple) -> int:
    """Check a local header against its central entry; returns where its data starts."""
    if offset + _LOCAL.size > cd_offset:
        raise unsafe(f"entry {name!r} points outside the archive")
    sig, needed, flags, method, mod_time, mod_date, crc, csize, usize, name_len, extra_len = (
        _LOCAL.unpack_from(data, offset)
    )
    if sig != _LOCAL_SIG:
        raise unsafe(f"entry {name!r} points at something that is not an entry (overlapping entries)")
    start = offset + _LOCAL.size
    if data[start : start + name_len] != name.encode("ascii"):
        raise unsafe(f"entry {name!r} has a different name in its local header")
    if (
        (method, crc, csize, usize) != fields or needed != VERSION or flags or extra_len
        or (mod_time, mod_date) != (DOS_TIME, DOS_DATE)
    ):
        raise unsafe(f"entry {name!r} has local header fields that differ from the directory")
    data_start = start + name_len
    if data_start + csize > cd_offset:
        raise unsafe(f"entry {name!r} runs into the central directory")
    return data_start


def _check_layout(entries: list[tuple[Entry, int, int]], cd_offset: int) -> None:
    """Entries must tile the archive exactly: no overlaps, no gaps, no hidden data."""
    expected = 0
    for entry, start, end in sorted(entries, key=lambda item: item[1]):
        if start < expected:
            raise unsafe(f"overlapping entries at {entry.name!r}")
        if start > expected:
            raise unsafe(f"unlisted data before entry {entry.name!r}")
        expected = end
    if expected != cd_offset:
        raise unsafe("unlisted data before the central directory")


def read_member(data: bytes, entry: Entry) -> bytes:
    """Inflate one entry, never beyond its declared size, and check its CRC-32."""
    packed = data[entry.data_offset : entry.data_offset + entry.compressed_size]
    if entry.method == STORED:
        content = packed
    else:
        inflater = zlib.decompressobj(-15)
        try:
            # max_length caps memory: a lying header cannot make us produce more than declared.
            content = inflater.decompress(packed, entry.size + 1)
        except zlib.error:
            raise tampered(entry.name, "deflate stream is damaged") from None
        if len(content) > entry.size:
            raise unsafe(f"entry {entry.name!r} inflates past its declared size (a zip bomb)")
        if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
            raise tampered(entry.name, "deflate stream does not end where the entry does")
    if len(content) != entry.size or zlib.crc32(content) != entry.crc:
        raise tampered(entry.name, "size or CRC-32 mismatch")
    return content


def read_signed(data: bytes, entries: dict[str, Entry], members: Iterable[Member]) -> dict[str, bytes]:
    """Each member the manifest lists, inflated and checked against its signed size and SHA-256."""
    contents = {}
    for member in members:
        entry = entries[member.name]
        # A size that differs is refused before inflating: the signed size is the one trusted.
        content = read_member(data, entry) if entry.size == member.size else None
        if content is None or hashlib.sha256(content).hexdigest() != member.sha256:
            raise tampered(member.name, "size or SHA-256 differs from the manifest")
        contents[member.name] = content
    return contents
