"""Hostile inner archives, sealed to the lead so they reach the ZIP checks: all refused, fast,
in bounded memory, with nothing written to disk."""

from __future__ import annotations

import stat
import struct
import tempfile
import time
import tracemalloc
import zlib

import pytest

from fieldwork.bundles import BundleError, container, verify_bundle

from .helpers import many_entries_zip, raw_zip, seal_archive

ENVELOPE = {"name": "envelope.json", "data": b"{}"}
RECORDS = {"name": "payload/records.jsonl", "data": b"{}\n"}


def refused_as_unsafe(archive: bytes, lead_keys, trust) -> BundleError:
    with pytest.raises(BundleError) as caught:
        verify_bundle(seal_archive(archive, [lead_keys.public]), identity=lead_keys, trust=trust)
    assert caught.value.code == "unsafe-archive", caught.value.detail
    return caught.value


def _inner_local_header(name: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(data)
    header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, crc, len(data), len(data), len(name), 0)
    return header + name + data


HOSTILE = {
    "path traversal": ([ENVELOPE, {**RECORDS, "name": "../payload/records.jsonl"}], "path-traversal"),
    "nested traversal": ([ENVELOPE, {**RECORDS, "name": "payload/../../etc/cron.d/x"}], "path-traversal"),
    "absolute name": ([ENVELOPE, {**RECORDS, "name": "/etc/passwd"}], "absolute"),
    "drive letter": ([ENVELOPE, {**RECORDS, "name": "C:/Windows/evil.dll"}], "absolute"),
    "backslash absolute": ([ENVELOPE, {**RECORDS, "name": "\\\\server\\share"}], "absolute"),
    "backslash traversal": ([ENVELOPE, {**RECORDS, "name": "payload\\..\\..\\x"}], "path-traversal"),
    "duplicate names": ([ENVELOPE, ENVELOPE, RECORDS], "duplicate"),
    "symlink entry": (
        [ENVELOPE, {**RECORDS, "external": (stat.S_IFLNK | 0o777) << 16, "data": b"/etc/shadow"}], "symbolic-link"
    ),
    "directory by name": ([ENVELOPE, {"name": "payload/", "data": b""}, RECORDS], "directory"),
    "directory by mode": ([ENVELOPE, {**RECORDS, "external": (stat.S_IFDIR | 0o755) << 16}], "directory"),
    "directory by dos bit": ([ENVELOPE, {**RECORDS, "external": 0x10}], "directory"),
    "unexpected member": ([ENVELOPE, RECORDS, {"name": "payload/extra.bin", "data": b"x"}], "unexpected entry"),
    "wrong order": ([RECORDS, ENVELOPE], "in that order"),
    "encrypted entry": ([ENVELOPE, {**RECORDS, "flags": 1}], "encrypted entry"),
    "data descriptor": ([ENVELOPE, {**RECORDS, "flags": 8}], "non-canonical"),
    "bzip2 method": ([ENVELOPE, {**RECORDS, "method": 12}], "compression method"),
    "non-ascii name": ([ENVELOPE, {**RECORDS, "name": "payload/récords.jsonl".encode()}], "ASCII"),
    "control character": ([ENVELOPE, {**RECORDS, "name": "payload/\x01records.jsonl"}], "control"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archive_is_refused(case, lead_keys, trust):
    entries, detail = HOSTILE[case]
    assert detail in refused_as_unsafe(raw_zip(entries), lead_keys, trust).detail


def test_zip_bomb_by_ratio_is_refused_before_inflating(lead_keys, trust):
    bomb = raw_zip([ENVELOPE, {**RECORDS, "data": bytes(20 * 1024 * 1024)}])
    assert len(bomb) < 100_000
    assert "zip bomb" in refused_as_unsafe(bomb, lead_keys, trust).detail


def test_lying_size_inflates_no_further_than_declared(lead_keys, trust):
    lying = raw_zip([{**ENVELOPE, "data": bytes(50 * 1024 * 1024), "declared_size": 60_000}, RECORDS])
    sealed = seal_archive(lying, [lead_keys.public])
    tracemalloc.start()
    try:
        with pytest.raises(BundleError) as caught:
            verify_bundle(sealed, identity=lead_keys, trust=trust)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == "unsafe-archive" and "inflates past" in caught.value.detail
    assert peak < 5 * 1024 * 1024  # the 50 MiB it would inflate to never exists in memory


def test_overlapping_entries_are_refused(lead_keys, trust):
    hidden = _inner_local_header(b"payload/records.jsonl", b"{}\n")
    offset = 30 + len("envelope.json")  # the records entry points inside the envelope's data
    archive = raw_zip([{**ENVELOPE, "method": 0, "data": hidden}, {**RECORDS, "method": 0, "offset": offset}])
    assert "overlapping" in refused_as_unsafe(archive, lead_keys, trust).detail


def test_entries_sharing_one_local_header_are_refused(lead_keys, trust):
    archive = raw_zip([ENVELOPE, {**RECORDS, "offset_of": 0}])
    refused_as_unsafe(archive, lead_keys, trust)


@pytest.mark.parametrize("count", [None, 100_000 % 65_536])
def test_hundred_thousand_entries_are_refused_quickly(count, lead_keys, trust):
    archive = many_entries_zip(100_000)
    if count is not None:  # what a writer without ZIP64 leaves in the 16-bit count field
        archive = archive[:-22] + archive[-22:-14] + struct.pack("<HH", count, count) + archive[-10:]
    sealed = seal_archive(archive, [lead_keys.public])
    started = time.perf_counter()
    with pytest.raises(BundleError) as caught:
        verify_bundle(sealed, identity=lead_keys, trust=trust)
    elapsed = time.perf_counter() - started
    assert caught.value.code == "unsafe-archive" and "entries" in caught.value.detail
    assert elapsed < 0.25, f"took {elapsed:.3f} s"


def test_end_record_understating_the_entry_count_is_refused(lead_keys, trust):
    archive = many_entries_zip(1000)
    archive = archive[:-22] + archive[-22:-14] + struct.pack("<HH", 2, 2) + archive[-10:]
    refused_as_unsafe(archive, lead_keys, trust)


@pytest.mark.parametrize(
    "archive, detail",
    [
        (b"not a zip at all, but encrypted correctly", "not a ZIP"),
        (raw_zip([ENVELOPE, RECORDS], comment=b"hello"), "comment"),
        (raw_zip([ENVELOPE, RECORDS]) + b"trailing", "comment or trailing data"),
        (b"prefix" + raw_zip([ENVELOPE, RECORDS]), "central directory"),
        (raw_zip([]), "in that order"),
    ],
)
def test_malformed_archive_shapes(archive, detail, lead_keys, trust):
    assert detail in refused_as_unsafe(archive, lead_keys, trust).detail


def test_zip64_markers_are_refused(lead_keys, trust):
    archive = raw_zip([ENVELOPE, RECORDS])
    patched = archive[:-22] + archive[-22:-10] + struct.pack("<I", 0xFFFFFFFF) + archive[-6:]
    assert "ZIP64" in refused_as_unsafe(patched, lead_keys, trust).detail


def test_hostile_archive_in_an_unencrypted_bundle_is_refused_too(trust):
    wrapped = container.wrap_unencrypted(raw_zip([ENVELOPE, {**RECORDS, "name": "../x"}]))
    with pytest.raises(BundleError) as caught:
        verify_bundle(wrapped, identity=None, trust=trust, allow_unencrypted=True)
    assert caught.value.code == "unsafe-archive"


def test_nothing_is_written_to_disk(tmp_path, monkeypatch, exported, lead_keys, trust):
    workdir, tempdir = tmp_path / "cwd", tmp_path / "tmp"
    workdir.mkdir()
    tempdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setattr(tempfile, "tempdir", str(tempdir))
    for entries, _ in HOSTILE.values():
        with pytest.raises(BundleError):
            verify_bundle(seal_archive(raw_zip(entries), [lead_keys.public]), identity=lead_keys, trust=trust)
    verify_bundle(exported.path, identity=lead_keys, trust=trust)
    assert list(workdir.iterdir()) == [] and list(tempdir.iterdir()) == []
    assert sorted(p.name for p in exported.path.parent.iterdir()) == [exported.path.name]
