"""Receipts that must be refused, each with its reason code, a sentence the inspector can act on,
and nothing changed in the store."""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

import pytest

from fieldwork.errors import NotFoundError
from fieldwork.handover.accept import accept_receipt, plan_receipt
from fieldwork.handover.errors import REASONS, ReceiptError
from fieldwork.handover.format import signed_file
from fieldwork.handover.issue import build_receipt, issue_receipts
from fieldwork.handover.receipts import verify_receipt
from fieldwork.identity import pin_lead, revoke_key
from fieldwork.identity.keys import generate_identity
from fieldwork.merge import list_imports

from .helpers import INSPECTION, complete_case, export, make_world, merge

_TABLES = ("cases", "answers", "case_details", "change_log", "handover_records", "receipts_accepted", "settings")


def snapshot(store) -> dict[str, list]:
    return {t: sorted(store.db.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in _TABLES}


@pytest.fixture
def merged(world, ann, tmp_path):
    """ann's H001 complete, exported, merged; the genuine receipt for it; ann's store as it was."""
    complete_case(ann, "H001")
    bundle = export(ann)
    merge(world, bundle)
    out = tmp_path / "receipts"
    out.mkdir()
    [issued] = issue_receipts(world.lead.store, INSPECTION, out, identity=world.lead.keys)
    return issued


def forged(world, tmp_path, signer=None, name="forged.fwreceipt", **changes) -> Path:
    """A receipt for ann's merged bundle with some fields changed, signed by `signer` (the lead)."""
    signer = signer or world.lead.keys
    [bundle] = [b for b in list_imports(world.lead.store, INSPECTION)][:1]
    receipt = build_receipt(world.lead.store, bundle, signer, receipt_id="11111111-2222-4333-8444-555555555555",
                            issued_at="2026-11-20T10:00:00.000Z")
    receipt = dataclasses.replace(receipt, **changes)
    path = tmp_path / name
    path.write_bytes(signed_file(receipt, signer))
    return path


def refused(person, source, code: str) -> ReceiptError:
    before = snapshot(person.store)
    with pytest.raises(ReceiptError) as caught:
        verified = verify_receipt(person.store, source)
        plan_receipt(person.store, verified)
        accept_receipt(person.store, verified, wipe=True)
    assert caught.value.code == code, caught.value.message
    assert snapshot(person.store) == before
    message = caught.value.message
    assert message.endswith(".") and len(message) > 40
    for marker in ("Featherstonehaugh", "Larkspur", "Thistlewood", "Ann"):  # ids only, no names or evidence
        assert marker not in message
    return caught.value


def test_a_receipt_signed_by_a_key_that_is_not_the_pinned_lead_is_refused(world, ann, merged, tmp_path):
    stranger = generate_identity("Sam Stranger", "lead-1", suite="x25519")  # even claiming the lead's id
    error = refused(ann, forged(world, tmp_path, signer=stranger), "unknown-signer")
    assert stranger.key_id[:8] in error.message


def test_a_receipt_from_the_lead_of_another_inspection_is_refused(world, ann, merged, tmp_path, mini_framework):
    from fieldwork.store.inspections import create_inspection

    other = generate_identity("Olga Other", "lead-2", suite="x25519")
    create_inspection(ann.store, inspection_id="H2", provider="Other CRC", provider_type="CRC",
                      framework=mini_framework)
    pin_lead(ann.store, "H2", other.public)
    refused(ann, forged(world, tmp_path, signer=other, lead_id="lead-2", lead_key_id=other.key_id), "unknown-signer")


def test_a_tampered_receipt_is_refused(world, ann, merged, tmp_path):
    envelope = json.loads(merged.path.read_bytes())
    payload = json.loads(base64.b64decode(envelope["payload"]))
    payload["cases"][0]["revision"] += 100  # claim a later revision than the lead holds
    envelope["payload"] = base64.b64encode(
        json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    ).decode()
    tampered = tmp_path / "tampered.fwreceipt"
    tampered.write_bytes(json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    refused(ann, tampered, "bad-signature")


def test_a_receipt_naming_another_lead_than_its_key_is_refused(world, ann, merged, tmp_path):
    refused(ann, forged(world, tmp_path, lead_id="lead-9"), "bad-signature")


def test_a_receipt_for_a_bundle_not_exported_here_is_refused(world, ann, merged, tmp_path):
    refused(ann, forged(world, tmp_path, bundle_id="99999999-8888-4777-8666-555555555555"), "not-exported-here")
    refused(ann, forged(world, tmp_path, name="b.fwreceipt", manifest_sha256="0" * 64), "not-exported-here")
    refused(ann, forged(world, tmp_path, name="c.fwreceipt", sequence=2), "not-exported-here")


def test_a_receipt_for_another_inspectors_bundle_is_refused(tmp_path, mini_framework):
    world = make_world(tmp_path, mini_framework, {"ann": ("H001",), "bob": ("H002",)})
    try:
        ann, bob = world.inspectors["ann"], world.inspectors["bob"]
        complete_case(bob, "H002")
        merge(world, export(bob))
        out = tmp_path / "receipts"
        out.mkdir()
        [bobs] = issue_receipts(world.lead.store, INSPECTION, out, identity=world.lead.keys)
        error = refused(ann, bobs.path, "wrong-inspector")
        assert "bob" in error.message
    finally:
        world.close()


def test_a_receipt_for_an_inspection_not_here_is_refused(world, ann, merged, tmp_path):
    error = refused(ann, forged(world, tmp_path, inspection_id="H9"), "unknown-inspection")
    assert "H9" in error.message


def test_a_receipt_is_not_accepted_into_the_central_database(world, merged):
    pin_lead(world.lead.store, INSPECTION, world.lead.keys.public)
    refused(world.lead, merged.path, "central-store")


def test_a_receipt_from_a_revoked_lead_key_is_refused(world, ann, merged):
    revoke_key(ann.store, world.lead.keys.key_id, 0)
    refused(ann, merged.path, "revoked-signer")


def test_files_that_are_not_receipts_are_refused(world, ann, merged, tmp_path):
    refused(ann, ann.outbox[0], "not-a-receipt")  # an encrypted bundle
    identity = tmp_path / "identity.json"
    identity.write_bytes(world.lead.keys.public.to_bytes())
    refused(ann, identity, "not-a-receipt")
    refused(ann, merged.path.read_bytes() + b"\n", "not-a-receipt")
    refused(ann, b"", "not-a-receipt")
    newer = json.loads(merged.path.read_bytes())
    newer["payloadType"] = "application/vnd.fieldwork.receipt-v2+json"
    refused(ann, json.dumps(newer, sort_keys=True, separators=(",", ":")).encode() + b"\n", "unsupported-version")
    refused(ann, forged(world, tmp_path, cases=tuple(reversed(forged_cases(world)))), "malformed-receipt")


def forged_cases(world):
    from fieldwork.handover.format import ReceiptCase

    return tuple(ReceiptCase(f"00000000-0000-4000-8000-00000000000{n}", 1) for n in (1, 2))


def test_an_oversized_file_is_refused_unread(ann, tmp_path):
    big = tmp_path / "big.fwreceipt"
    with open(big, "wb") as handle:
        handle.truncate(16 * 1024 * 1024 + 1)  # sparse: nothing is written, nothing should be read
    refused(ann, big, "too-large")


def test_a_missing_file_is_not_found(ann, tmp_path):
    with pytest.raises(NotFoundError):
        verify_receipt(ann.store, tmp_path / "nothing.fwreceipt")


def test_every_reason_code_is_exercised_by_a_test():
    text = Path(__file__).read_text(encoding="utf-8") + (Path(__file__).parent / "test_retention.py").read_text(
        encoding="utf-8"
    )
    missing = [code for code in REASONS if f'"{code}"' not in text]
    assert not missing, missing
