"""Building blocks for bundle tests: custom (even wrong) bundles signed and sealed for real."""

from __future__ import annotations

import hashlib
import struct
import zlib

from fieldwork.bundles import container
from fieldwork.bundles.export import sign_envelope
from fieldwork.bundles.format import ENVELOPE_NAME, RECORDS_NAME
from fieldwork.bundles.ziparchive import write_zip
from fieldwork.identity.keys import ScryptParams, UnlockedIdentity, generate_identity
from fieldwork.identity.public import PublicIdentity

CHEAP_SCRYPT = ScryptParams(log2_n=10)  # tests only: production uses keys.DEFAULT_SCRYPT
FIXED_TIME = "2026-11-02T09:00:00.000Z"


def make_identity(name: str, person_id: str, suite: str = "x25519", *, seed: str | None = None) -> UnlockedIdentity:
    """An in-memory identity; deterministic when `seed` is given."""
    signing_seed = hashlib.sha256(f"signing {seed}".encode()).digest() if seed else None
    return generate_identity(name, person_id, suite=suite, created_at=FIXED_TIME, signing_seed=signing_seed)


def open_archive(bundle: bytes, identity: UnlockedIdentity | None) -> bytes:
    """The inner ZIP of a bundle (decrypting when `identity` is given)."""
    return container.open_container(bundle, identity, allow_unencrypted=identity is None).archive


def pack(
    manifest_bytes: bytes,
    records_bytes: bytes,
    signer: UnlockedIdentity,
    recipients: list[PublicIdentity],
    *,
    envelope: bytes | None = None,
    encrypt: bool = True,
) -> bytes:
    """A bundle from raw manifest and record bytes, signed and sealed exactly as export does."""
    archive = write_zip(
        [(ENVELOPE_NAME, envelope or sign_envelope(manifest_bytes, signer)), (RECORDS_NAME, records_bytes)]
    )
    return container.seal(archive, recipients) if encrypt else container.wrap_unencrypted(archive)


def seal_archive(archive: bytes, recipients: list[PublicIdentity]) -> bytes:
    return container.seal(archive, recipients)


# --- raw ZIP building for hostile archives ------------------------------------------------------


def raw_zip(
    entries: list[dict],
    *,
    comment: bytes = b"",
    count: int | None = None,
    central_override: list[dict] | None = None,
) -> bytes:
    """A ZIP built field by field so tests can write what no honest writer would.

    Each entry: name (str or bytes), data (bytes), and optionally method (0/8), external,
    flags, declared_size, offset_of (index of an earlier entry whose local header to reuse) or
    offset (point the directory entry anywhere, writing no local header).
    """
    out = bytearray()
    central = bytearray()
    offsets = []
    for entry in entries:
        name = entry["name"].encode() if isinstance(entry["name"], str) else entry["name"]
        data = entry.get("data", b"")
        method = entry.get("method", 8)
        packed = zlib.compressobj(9, zlib.DEFLATED, -15) if method == 8 else None
        body = packed.compress(data) + packed.flush() if packed else data
        crc = zlib.crc32(data)
        size = entry.get("declared_size", len(data))
        flags = entry.get("flags", 0)
        if "offset_of" in entry:
            offset = offsets[entry["offset_of"]]
        elif "offset" in entry:
            offset = entry["offset"]
        else:
            offset = len(out)
            out += struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, flags, method, 0, 0x21, crc, len(body), size, len(name), 0
            )
            out += name + body
        offsets.append(offset)
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, 0, 0x21, crc, len(body), size,
            len(name), 0, 0, 0, 0, entry.get("external", 0), offset,
        )
        central += name
    cd_offset = len(out)
    out += central
    total = len(entries) if count is None else count
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, total, total, len(central), cd_offset, len(comment))
    return bytes(out + comment)


def many_entries_zip(n: int) -> bytes:
    """A valid-looking archive with `n` empty stored entries, built quickly."""
    local = bytearray()
    central = bytearray()
    for i in range(n):
        name = b"f%06d" % i
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0) + name
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0, 0, 0, 0, 0, offset
        ) + name
    count = min(n, 0xFFFF)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(local), 0)
    return bytes(local + central + end)
