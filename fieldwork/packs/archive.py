"""The pack's inner archive: the bundle's canonical ZIP profile, read with the bundle's strict checks.

Writing is `fieldwork.bundles.ziparchive.write_zip` itself. Reading is the bundle reader's
`read_entries` with the pack's member names and caps: the same checks in the same order, built
from the same helpers (names, links and directories, local headers, tiling), so a hostile
archive is refused the same way in both. (`ziparchive.read_entries` hard-codes the bundle's two
names; if it grows a `names` parameter this module shrinks to a call.) Errors are the bundle
reader's BundleErrors; `fieldwork.packs.verify` words them for packs.
"""

from __future__ import annotations

from fieldwork.bundles import ziparchive
from fieldwork.bundles.ziparchive import (
    _CENTRAL,
    _CENTRAL_SIG,
    _END,
    _END_SIG,
    DEFLATED,
    DOS_DATE,
    DOS_TIME,
    STORED,
    VERSION,
    Entry,
    _check_layout,
    _check_local,
    _check_name,
    _kind_from_attributes,
    read_member,
    unsafe,
    write_zip,
)
from fieldwork.packs.format import DEFAULT_PACK_LIMITS, MEMBER_NAMES, PackLimits

__all__ = ["Entry", "read_entries", "read_member", "write_zip"]


def read_entries(data: bytes, limits: PackLimits = DEFAULT_PACK_LIMITS) -> dict[str, Entry]:
    """Check the archive's structure and return its entries by name (nothing inflated yet).

    Mirrors `fieldwork.bundles.ziparchive.read_entries` check for check (docs/bundle-format.md
    §5), with the pack's names (docs/pack-format.md §5) and per-member caps.
    """
    caps = limits.member_caps()
    size = len(data)
    if size < _END.size:
        raise unsafe("not a ZIP archive")
    end_offset = size - _END.size
    sig, disk, cd_disk, on_disk, total, cd_size, cd_offset, comment_len = _END.unpack_from(data, end_offset)
    if sig != _END_SIG:
        window = data[max(0, size - 65_557) :]
        raise unsafe("an archive comment or trailing data" if b"PK\x05\x06" in window else "not a ZIP archive")
    # The count comes first, from 22 bytes: a 100,000-entry archive is refused without reading it.
    if total > limits.max_entries or on_disk > limits.max_entries:
        raise unsafe(f"{max(total, on_disk)} entries (at most {len(MEMBER_NAMES)} are allowed)")
    if disk or cd_disk or on_disk != total or comment_len:
        raise unsafe("a multi-part archive or an archive comment")
    if 0xFFFF in (total, on_disk) or 0xFFFFFFFF in (cd_size, cd_offset):
        raise unsafe("ZIP64 records")
    if cd_offset + cd_size != end_offset:
        raise unsafe("a central directory that does not end where the archive does")
    entries: list[tuple[Entry, int, int]] = []
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
        if name not in MEMBER_NAMES:
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
            raise unsafe("more uncompressed content than any pack has")
        if (
            needed != VERSION or flags or (mod_time, mod_date) != (DOS_TIME, DOS_DATE)
            or extra_len or comment_len or disk_start or internal or external
        ):
            raise unsafe(f"non-canonical header fields for {name!r}")
        data_start = _check_local(data, local_offset, cd_offset, name, (method, crc, csize, usize))
        entries.append((Entry(name, method, crc, csize, usize, data_start), local_offset, data_start + csize))
    if position != end_offset:
        raise unsafe("a central directory longer than its entry count")
    _check_layout(entries, cd_offset)
    if [e.name for e, _, _ in entries] != list(MEMBER_NAMES):
        raise unsafe(f"entries other than exactly {', '.join(MEMBER_NAMES)} in that order")
    return {entry.name: entry for entry, _, _ in entries}


# The bundle reader this mirrors; referenced so a rename there fails loudly here.
_MIRRORS = ziparchive.read_entries
