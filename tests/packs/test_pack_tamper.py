"""Any change to a pack's bytes is refused with a PackError: flips, truncations, appended bytes,
and every hostile inner archive the bundle reader refuses (with the pack's member names)."""

from __future__ import annotations

import functools
import stat
import struct
import time

import pytest
from bundles.helpers import many_entries_zip, raw_zip, seal_archive
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldwork.identity import TrustList
from fieldwork.packs import PackError, verify_pack
from fieldwork.packs.export import build_pack
from fieldwork.packs.format import PackCase, PackDetail, PackInspection, PackPayload, PackQuery

from .helpers import FIXED_TIME, make_identity

LEAD = make_identity("Lee Lead", "lead-1", seed="tamper-lead")
INSPECTOR = make_identity("Ann Inspector", "ann", seed="tamper-ann")
TRUST = TrustList.of(LEAD.public)
CASE = "00000000-0000-4000-8000-000000000001"


@functools.cache
def pack(mini_source: bytes) -> bytes:
    from fieldwork.frameworks.loader import parse_framework

    framework = parse_framework(mini_source)
    payload = PackPayload(
        PackInspection("insp-t", "Provider", "CRC", "2026-11-02", None, "lead-1", FIXED_TIME, "lead-1"),
        (
            PackCase(CASE, "CRN1", "supervision", FIXED_TIME, (PackDetail("rosh", "high", 1, FIXED_TIME, "lead-1"),)),
            PackCase("00000000-0000-4000-8000-000000000002", "UPW1", "unpaid_work", FIXED_TIME, ()),
        ),
        (PackQuery(CASE, "2.1.1", "Is this judgement supported?"),),
    )
    data, _ = build_pack(
        payload, framework, signer=LEAD, inspector_id="ann", recipients=[INSPECTOR.public], sequence=1,
        pack_id="00000000-0000-4000-8000-0000000000f1", issued_at=FIXED_TIME,
    )
    return data


@pytest.fixture(scope="module")
def original(mini_framework) -> bytes:
    return pack(mini_framework.source_bytes)


def verify(data: bytes):
    return verify_pack(data, identity=INSPECTOR, trusted_leads=TRUST)


def _flipped(data: bytes, offset: int, mask: int) -> bytes:
    changed = bytearray(data)
    changed[offset] ^= mask
    return bytes(changed)


def test_the_untouched_pack_verifies(original):
    verified = verify(original)
    assert [c.case_ref for c in verified.payload.cases] == ["CRN1", "UPW1"]
    assert verified.payload.moderation_queries[0].text == "Is this judgement supported?"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_one_byte_change_is_refused(original, data):
    offset = data.draw(st.integers(0, len(original) - 1), label="offset")
    mask = data.draw(st.integers(1, 255), label="xor")
    with pytest.raises(PackError):
        verify(_flipped(original, offset, mask))


def test_every_header_byte_flipped_is_refused(original):
    header_end = 12 + int.from_bytes(original[8:12], "big")
    for offset in range(header_end + 16):
        with pytest.raises(PackError):
            verify(_flipped(original, offset, 0x01))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_truncation_anywhere_is_refused(original, data):
    length = data.draw(st.integers(0, len(original) - 1), label="length")
    with pytest.raises(PackError):
        verify(original[:length])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=1, max_size=64))
def test_appended_bytes_are_refused(original, extra):
    with pytest.raises(PackError):
        verify(original + extra)


# --- hostile inner archives, sealed to the inspector so they reach the ZIP checks ----------------

ENVELOPE = {"name": "envelope.json", "data": b"{}"}
PAYLOAD = {"name": "payload/pack.json", "data": b"{}"}
FRAMEWORK = {"name": "payload/framework.toml", "data": b"format = 1\n"}

HOSTILE = {
    "path traversal": ([ENVELOPE, {**PAYLOAD, "name": "../payload/pack.json"}, FRAMEWORK], "path-traversal"),
    "nested traversal": ([ENVELOPE, {**PAYLOAD, "name": "payload/../../etc/cron.d/x"}, FRAMEWORK], "path-traversal"),
    "absolute name": ([ENVELOPE, {**PAYLOAD, "name": "/etc/passwd"}, FRAMEWORK], "absolute"),
    "drive letter": ([ENVELOPE, {**PAYLOAD, "name": "C:/Windows/evil.dll"}, FRAMEWORK], "absolute"),
    "backslash traversal": ([ENVELOPE, {**PAYLOAD, "name": "payload\\..\\..\\x"}, FRAMEWORK], "path-traversal"),
    "duplicate names": ([ENVELOPE, PAYLOAD, PAYLOAD, FRAMEWORK], "duplicate"),
    "symlink entry": (
        [ENVELOPE, {**PAYLOAD, "external": (stat.S_IFLNK | 0o777) << 16, "data": b"/etc/shadow"}, FRAMEWORK],
        "symbolic-link",
    ),
    "directory by name": ([ENVELOPE, {"name": "payload/", "data": b""}, PAYLOAD, FRAMEWORK], "directory"),
    "directory by dos bit": ([ENVELOPE, {**PAYLOAD, "external": 0x10}, FRAMEWORK], "directory"),
    "unexpected member": ([ENVELOPE, PAYLOAD, FRAMEWORK, {"name": "payload/extra.bin", "data": b"x"}],
                          "unexpected entry"),
    "wrong order": ([ENVELOPE, FRAMEWORK, PAYLOAD], "in that order"),
    "missing framework": ([ENVELOPE, PAYLOAD], "in that order"),
    "encrypted entry": ([ENVELOPE, {**PAYLOAD, "flags": 1}, FRAMEWORK], "encrypted entry"),
    "data descriptor": ([ENVELOPE, {**PAYLOAD, "flags": 8}, FRAMEWORK], "non-canonical"),
    "bzip2 method": ([ENVELOPE, {**PAYLOAD, "method": 12}, FRAMEWORK], "compression method"),
    "non-ascii name": ([ENVELOPE, {**PAYLOAD, "name": "payload/pãck.json".encode()}, FRAMEWORK], "ASCII"),
    "zip bomb": ([ENVELOPE, {**PAYLOAD, "data": bytes(8 * 1024 * 1024)}, FRAMEWORK], "zip bomb"),
    "framework over its cap": (
        [ENVELOPE, PAYLOAD, {**FRAMEWORK, "data": b"#" * 100, "declared_size": 5 * 1024 * 1024}], "limit"
    ),
    "shared local header": ([ENVELOPE, {**PAYLOAD, "offset_of": 0}, FRAMEWORK], ""),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archive_is_refused(case):
    entries, detail = HOSTILE[case]
    with pytest.raises(PackError) as caught:
        verify(seal_archive(raw_zip(entries), [INSPECTOR.public]))
    assert caught.value.code == "unsafe-archive", caught.value.detail
    assert detail in caught.value.detail and "pack" in caught.value.message


def test_a_hundred_thousand_entries_are_refused_quickly():
    sealed = seal_archive(many_entries_zip(100_000), [INSPECTOR.public])
    started = time.perf_counter()
    with pytest.raises(PackError) as caught:
        verify(sealed)
    assert caught.value.code == "unsafe-archive" and time.perf_counter() - started < 0.25


def test_trailing_data_and_zip64_markers_are_refused():
    archive = raw_zip([ENVELOPE, PAYLOAD, FRAMEWORK])
    zip64 = archive[:-22] + archive[-22:-10] + struct.pack("<I", 0xFFFFFFFF) + archive[-6:]
    for hostile in (archive + b"trailing", zip64, raw_zip([ENVELOPE, PAYLOAD, FRAMEWORK], comment=b"hi")):
        with pytest.raises(PackError) as caught:
            verify(seal_archive(hostile, [INSPECTOR.public]))
        assert caught.value.code == "unsafe-archive"
