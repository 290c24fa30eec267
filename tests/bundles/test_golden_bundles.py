"""The golden bundles (tests/fixtures/bundles: format v1, and manifest format 2) verify, forever, to
the same content.

If this fails after a change, the change broke bundles that inspectors have already handed
over: fix the reader, never the golden files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldwork.bundles import BundleError, verify_bundle
from fieldwork.bundles.records import record_to_json
from fieldwork.identity import TrustList, read_identity_file, unlock_keys

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
TRUST = TrustList.of(read_identity_file(GOLDEN / "inspector.identity.json"))


@pytest.fixture(scope="module")
def leads():
    names = ("lead-x25519", "lead-mlkem768-x25519")
    return {name: unlock_keys(GOLDEN / name, EXPECTED["passphrase"]) for name in names}


CASES = [
    ("v1-x25519.fwbundle", "lead-x25519"),
    ("v1-mlkem768-x25519.fwbundle", "lead-mlkem768-x25519"),
    ("v1-mlkem768-x25519.fwbundle", "lead-x25519"),  # the second recipient of the same bundle
    ("v1-unencrypted.fwbundle", None),
    ("v2-x25519.fwbundle", "lead-x25519"),
]


@pytest.mark.parametrize("filename, lead", CASES)
def test_golden_bundle_verifies_to_the_expected_content(filename, lead, leads):
    verified = verify_bundle(
        GOLDEN / filename,
        identity=leads[lead] if lead else None,
        trust=TRUST,
        inspection_id="golden-insp",
        allow_unencrypted=lead is None,
    )
    expected = EXPECTED["bundles"][filename]
    assert verified.manifest.to_json() == expected["manifest"]
    assert verified.manifest_sha256 == expected["manifest_sha256"]
    assert [record_to_json(r) for r in verified.records] == EXPECTED["records"]
    assert verified.encrypted == (lead is not None)


def test_golden_bundles_chain():
    names = ["v1-x25519.fwbundle", "v1-mlkem768-x25519.fwbundle", "v1-unencrypted.fwbundle", "v2-x25519.fwbundle"]
    manifests = [EXPECTED["bundles"][name] for name in names]
    assert [m["manifest"]["sequence"] for m in manifests] == [1, 2, 3, 4]
    for earlier, later in zip(manifests, manifests[1:], strict=False):
        assert later["manifest"]["previous_manifest_sha256"] == earlier["manifest_sha256"]


def test_the_v2_golden_bundle_lists_the_query_its_signer_had_seen(leads):
    verified = verify_bundle(GOLDEN / "v2-x25519.fwbundle", identity=leads["lead-x25519"], trust=TRUST)
    [seen] = verified.manifest.queries_seen
    second = next(r for r in EXPECTED["records"] if r["type"] == "case" and r["case_ref"] == "CRN-G002")
    assert (seen.case, seen.question_id, seen.seen_at) == (second["uuid"], "2.1.1", "2026-11-12T08:15:00.000Z")


def test_golden_content_covers_every_record_type():
    kinds = {record["type"] for record in EXPECTED["records"]}
    assert kinds == {"inspection", "case", "case_detail", "answer", "change"}
    statuses = {record["status"] for record in EXPECTED["records"] if record["type"] == "case"}
    assert {"complete", "in_progress", "not_started"} <= statuses


def test_a_changed_golden_bundle_is_refused(leads):
    data = bytearray((GOLDEN / "v1-x25519.fwbundle").read_bytes())
    data[len(data) // 2] ^= 0x40
    with pytest.raises(BundleError):
        verify_bundle(bytes(data), identity=leads["lead-x25519"], trust=TRUST)
