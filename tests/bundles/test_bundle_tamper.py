"""Any change to a bundle's bytes is refused with a BundleError: flips, truncations, swaps."""

from __future__ import annotations

import functools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldwork.bundles import BundleError, verify_bundle
from fieldwork.bundles.export import build_bundle
from fieldwork.bundles.records import (
    AnswerRecord,
    BundleRecords,
    CaseRecord,
    ChangeRecord,
    InspectionRecord,
)
from fieldwork.identity import TrustList

from .helpers import FIXED_TIME, make_identity

SIGNER = make_identity("Ann Inspector", "insp-1", seed="tamper-signer")
LEAD = make_identity("Lee Lead", "lead-1", seed="tamper-lead")
TRUST = TrustList.of(SIGNER.public)


def _records() -> BundleRecords:
    case_id = "00000000-0000-4000-8000-000000000001"
    inspection = InspectionRecord(
        "insp-t", "Provider", "CRC", "test-mini", "1.0", "a" * 64, "2026-11-02", None, "lead-1", FIXED_TIME, "lead-1"
    )
    case = CaseRecord(case_id, "insp-t", "CRN1", "supervision", "in_progress", 3, "insp-1", FIXED_TIME, FIXED_TIME)
    answers = tuple(
        AnswerRecord(case_id, q, v, f"Evidence for {q}. " * 5, 1, FIXED_TIME, "insp-1")
        for q, v in (("2.1.1", "yes"), ("2.1.1.a", "no"), ("2.1.2", "na"))
    )
    change = ChangeRecord(
        "00000000-0000-4000-8000-0000000000c1", FIXED_TIME, "insp-1", "insp-t", case_id, "answer", "2.1.1",
        "value", None, "yes", "app",
    )
    return BundleRecords(inspection, (case,), (), answers, (change,))


@functools.cache
def bundle(encrypt: bool = True) -> bytes:
    data, _ = build_bundle(
        _records(), signer=SIGNER, recipients=[LEAD.public], sequence=1, previous_manifest_sha256=None,
        bundle_id="00000000-0000-4000-8000-00000000b001", created_at=FIXED_TIME, encrypt=encrypt,
    )
    return data


def test_the_untouched_bundles_verify():
    assert verify_bundle(bundle(), identity=LEAD, trust=TRUST).records == _records()
    assert verify_bundle(bundle(False), identity=None, trust=TRUST, allow_unencrypted=True).records == _records()


def _flipped(data: bytes, offset: int, mask: int) -> bytes:
    changed = bytearray(data)
    changed[offset] ^= mask
    return bytes(changed)


def test_every_header_byte_and_sampled_body_bytes_flipped_are_refused():
    data = bundle()
    rng = random.Random(4)
    header_end = 12 + int.from_bytes(data[8:12], "big")
    offsets = list(range(header_end + 16)) + rng.sample(range(header_end + 16, len(data)), 300)
    for offset in offsets:
        with pytest.raises(BundleError):
            verify_bundle(_flipped(data, offset, 1 << rng.randrange(8)), identity=LEAD, trust=TRUST)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_one_byte_change_is_refused(data):
    original = bundle()
    offset = data.draw(st.integers(0, len(original) - 1), label="offset")
    mask = data.draw(st.integers(1, 255), label="xor")
    with pytest.raises(BundleError):
        verify_bundle(_flipped(original, offset, mask), identity=LEAD, trust=TRUST)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_truncation_anywhere_is_refused(data):
    original = bundle()
    length = data.draw(st.integers(0, len(original) - 1), label="length")
    with pytest.raises(BundleError):
        verify_bundle(original[:length], identity=LEAD, trust=TRUST)


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=64))
def test_appended_bytes_are_refused(extra):
    with pytest.raises(BundleError):
        verify_bundle(bundle() + extra, identity=LEAD, trust=TRUST)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_unencrypted_flips_are_refused_or_change_nothing(data):
    """Without encryption nothing authenticates the ZIP's framing bytes, but the canonical-ZIP
    rules, CRC-32, the signed member hashes and the signature leave a flip two outcomes only:
    refused, or (deflate padding bits) exactly the same records."""
    original = bundle(False)
    offset = data.draw(st.integers(0, len(original) - 1), label="offset")
    mask = data.draw(st.integers(1, 255), label="xor")
    try:
        verified = verify_bundle(_flipped(original, offset, mask), identity=None, trust=TRUST, allow_unencrypted=True)
    except BundleError:
        return
    assert verified.records == _records()
