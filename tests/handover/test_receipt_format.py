"""The receipt format: known-answer test of the signed bytes, the golden receipt, an independent
reader written from docs/receipt-format.md, strict parsing, and domain separation."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldwork.bundles.envelope import sign as sign_envelope
from fieldwork.handover.errors import REASONS, ReceiptError
from fieldwork.handover.format import PAYLOAD_TYPE, Receipt, ReceiptCase, parse_receipt, signed_file
from fieldwork.handover.receipts import verify_receipt
from fieldwork.identity import pin_lead, read_identity_file
from fieldwork.identity.encoding import canonical_json, pae
from fieldwork.store import open_store
from fieldwork.store.inspections import create_inspection

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "receipts"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
GOLDEN_BYTES = (GOLDEN / "v1.fwreceipt").read_bytes()


def _make_golden():
    spec = importlib.util.spec_from_file_location("make_golden_receipt", GOLDEN / "make_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def golden_store(tmp_path_factory, mini_framework):
    """A store with inspection golden-insp whose pinned lead signed the golden receipt."""
    store = open_store(tmp_path_factory.mktemp("golden") / "data", actor="insp-1")
    create_inspection(store, inspection_id="golden-insp", provider="Golden CRC", provider_type="CRC",
                      framework=mini_framework)
    pin_lead(store, "golden-insp", read_identity_file(GOLDEN / "lead.identity.json"))
    yield store
    store.close()


# --- known answers ------------------------------------------------------------------------------


def test_known_answer_of_the_signed_bytes():
    """The signed message is PAE(receipt type, canonical payload), byte for byte, and the lead's
    deterministic Ed25519 signature over it is the recorded one."""
    golden = _make_golden()
    keys = golden.lead()
    receipt = golden.golden_receipt(keys.key_id)
    payload = receipt.to_bytes()
    assert hashlib.sha256(payload).hexdigest() == EXPECTED["payload_sha256"]
    message = pae(PAYLOAD_TYPE, payload)
    assert message == EXPECTED["signed_message"].encode("ascii")
    assert message.startswith(b"DSSEv1 38 application/vnd.fieldwork.receipt+json 706 {")
    assert base64.b64encode(keys.sign(message)).decode() == EXPECTED["signature"]
    assert signed_file(receipt, keys) == GOLDEN_BYTES
    assert hashlib.sha256(GOLDEN_BYTES).hexdigest() == EXPECTED["file_sha256"]


def test_make_golden_reproduces_every_byte():
    assert _make_golden().main(["--check"]) == 0


def test_the_golden_receipt_verifies_to_the_expected_receipt(golden_store):
    verified = verify_receipt(golden_store, GOLDEN / "v1.fwreceipt")
    assert verified.receipt.to_json() == EXPECTED["receipt"]
    assert verified.lead.key_id == EXPECTED["lead"]["key_id"]
    assert verified.sha256 == EXPECTED["file_sha256"]


# --- an independent reader, from docs/receipt-format.md alone --------------------------------------

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
_KEY = re.compile(r"^[0-9a-f]{32}$")
_PERSON = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def spec_read(data: bytes, lead_identity: dict) -> dict:
    """§3 → §5 → §4, with json, base64, hashlib and an Ed25519 verifier; raises ValueError."""
    if len(data) > 16 * 1024 * 1024 or not data.endswith(b"\n") or data.endswith(b"\n\n"):
        raise ValueError("not-a-receipt")
    envelope = json.loads(data[:-1])
    if _canonical(envelope) != data[:-1] or set(envelope) != {"payload", "payloadType", "signatures"}:
        raise ValueError("not-a-receipt")
    if envelope["payloadType"] != "application/vnd.fieldwork.receipt+json" or len(envelope["signatures"]) != 1:
        raise ValueError("bad-signature")
    entry = envelope["signatures"][0]
    public = base64.b64decode(lead_identity["signing_key"]["public"], validate=True)
    if entry["keyid"] != hashlib.sha256(public).hexdigest()[:32]:
        raise ValueError("unknown-signer")
    payload = base64.b64decode(envelope["payload"], validate=True)
    kind = envelope["payloadType"].encode()
    message = b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)
    Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(entry["sig"], validate=True), message)
    receipt = json.loads(payload)
    if _canonical(receipt) != payload or receipt["format_version"] != 1:
        raise ValueError("malformed-receipt")
    assert set(receipt) == {
        "format_version", "app_version", "receipt_id", "issued_at", "inspection_id", "lead_id", "lead_key_id",
        "inspector_id", "inspector_key_id", "bundle_id", "manifest_sha256", "sequence", "merged_at", "cases",
    }
    assert receipt["lead_key_id"] == entry["keyid"] and receipt["lead_id"] == lead_identity["person_id"]
    assert _UUID.match(receipt["receipt_id"]) and _UUID.match(receipt["bundle_id"])
    assert _TIME.match(receipt["issued_at"]) and _TIME.match(receipt["merged_at"])
    assert _KEY.match(receipt["inspector_key_id"]) and _PERSON.match(receipt["inspector_id"])
    assert re.fullmatch(r"[0-9a-f]{64}", receipt["manifest_sha256"]) and receipt["sequence"] >= 1
    uuids = [c["case_uuid"] for c in receipt["cases"]]
    assert uuids == sorted(set(uuids)) and all(_UUID.match(u) for u in uuids)
    assert all(set(c) == {"case_uuid", "revision"} and c["revision"] >= 0 for c in receipt["cases"])
    return receipt


def test_the_independent_reader_reads_the_golden_receipt():
    identity = json.loads((GOLDEN / "lead.identity.json").read_text(encoding="utf-8"))
    assert spec_read(GOLDEN_BYTES, identity) == EXPECTED["receipt"]


def test_the_independent_reader_reads_what_fieldwork_issues(world, ann, tmp_path):
    from fieldwork.handover.issue import issue_receipts

    from .helpers import INSPECTION, complete_case, export, merge

    complete_case(ann, "H001")
    merge(world, export(ann))
    out = tmp_path / "receipts"
    out.mkdir()
    [issued] = issue_receipts(world.lead.store, INSPECTION, out, identity=world.lead.keys)
    read = spec_read(issued.path.read_bytes(), world.lead.keys.public.to_json())
    assert read == issued.receipt.to_json()
    assert issued.path.name == f"{INSPECTION}_{ann.id}_{ann.keys.key_id[:8]}_0001.fwreceipt"


# --- strictness ---------------------------------------------------------------------------------


def _receipt(**changes) -> Receipt:
    golden = _make_golden()
    return Receipt(**{**golden.golden_receipt("371a94bb81a6a9c88f5d27c3c73bf299").__dict__, **changes})


@pytest.mark.parametrize(
    "mutate, code",
    [
        (lambda v: v.update(extra=1), "malformed-receipt"),
        (lambda v: v.pop("merged_at"), "malformed-receipt"),
        (lambda v: v.update(format_version=2), "unsupported-version"),
        (lambda v: v.update(sequence=0), "malformed-receipt"),
        (lambda v: v.update(sequence=True), "malformed-receipt"),
        (lambda v: v.update(cases=list(reversed(v["cases"]))), "malformed-receipt"),
        (lambda v: v.update(cases=v["cases"] + v["cases"][:1]), "malformed-receipt"),
        (lambda v: v["cases"][0].update(revision=-1), "malformed-receipt"),
        (lambda v: v["cases"][0].update(case_uuid="H001"), "malformed-receipt"),
        (lambda v: v["cases"][0].update(case_ref="H001"), "malformed-receipt"),
        (lambda v: v.update(issued_at="2026-11-20 16:30"), "malformed-receipt"),
        (lambda v: v.update(inspection_id="../etc"), "malformed-receipt"),
    ],
)
def test_the_payload_is_parsed_strictly(mutate, code):
    value = _receipt().to_json()
    mutate(value)
    with pytest.raises(ReceiptError) as caught:
        parse_receipt(canonical_json(value))
    assert caught.value.code == code


def test_a_payload_that_is_not_canonical_is_refused():
    text = _receipt().to_bytes().replace(b'"format_version":1', b'"format_version": 1')
    with pytest.raises(ReceiptError) as caught:
        parse_receipt(text)
    assert caught.value.code == "malformed-receipt"


def test_round_trip_of_a_receipt_with_no_cases():
    receipt = _receipt(cases=())
    assert parse_receipt(receipt.to_bytes()) == receipt


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0, max_value=len(GOLDEN_BYTES) - 1), flip=st.integers(1, 255))
def test_any_one_byte_change_is_refused(golden_store, position, flip):
    data = bytearray(GOLDEN_BYTES)
    data[position] ^= flip
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(golden_store, bytes(data))
    assert caught.value.code in REASONS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=len(GOLDEN_BYTES) - 1))
def test_truncation_anywhere_is_refused(golden_store, cut):
    with pytest.raises(ReceiptError):
        verify_receipt(golden_store, GOLDEN_BYTES[:cut])


def test_domain_separation_a_bundle_signature_is_no_receipt_signature(golden_store):
    """The lead's signature over the very same payload, made as a bundle manifest, does not verify
    as a receipt; nor does a receipt type claimed over it."""
    keys = _make_golden().lead()
    payload = _receipt(lead_key_id=keys.key_id).to_bytes()
    as_bundle = sign_envelope("application/vnd.fieldwork.bundle-manifest+json", payload, keys)
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(golden_store, as_bundle + b"\n")
    assert caught.value.code == "not-a-receipt"
    envelope = json.loads(as_bundle)
    envelope["payloadType"] = PAYLOAD_TYPE
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(golden_store, canonical_json(envelope) + b"\n")
    assert caught.value.code == "bad-signature"


def test_receipt_cases_hold_uuids_and_revisions_only():
    """No case reference, name or detail can travel in a receipt: the schema has no place for one."""
    assert set(ReceiptCase.__dataclass_fields__) == {"case_uuid", "revision"}
