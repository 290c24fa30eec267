"""An independent reader written from docs/bundle-format.md alone: HPKE (RFC 9180) by hand from
primitives, Python's own zipfile, DSSE PAE by hand. It must read what fieldwork writes, golden
bundles included, and agree with verify_bundle; if it cannot, the specification is wrong."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import io
import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from fieldwork.bundles import verify_bundle
from fieldwork.bundles.export import build_bundle
from fieldwork.bundles.records import record_to_json, records_from_store
from fieldwork.identity import TrustList, read_identity_file, unlock_keys
from fieldwork.identity.keys import generate_identity

from .helpers import FIXED_TIME

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"
MAGIC = bytes.fromhex("894657420d0a1a0a")
INFO = b"fieldwork bundle v1 content key"


# --- RFC 9180, base mode, from the RFC's own definitions ------------------------------------------


def labeled_extract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt, b"HPKE-v1" + suite_id + label + ikm, hashlib.sha256).digest()


def labeled_expand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    labeled_info = length.to_bytes(2, "big") + b"HPKE-v1" + suite_id + label + info
    return HKDFExpand(hashes.SHA256(), length, labeled_info).derive(prk)


def decap_x25519(enc: bytes, private: bytes) -> bytes:
    """DHKEM(X25519, HKDF-SHA256), RFC 9180 section 4.1."""
    key = x25519.X25519PrivateKey.from_private_bytes(private)
    dh = key.exchange(x25519.X25519PublicKey.from_public_bytes(enc))
    kem_context = enc + key.public_key().public_bytes_raw()
    suite_id = b"KEM" + (0x0020).to_bytes(2, "big")
    return labeled_expand(suite_id, labeled_extract(suite_id, b"", b"eae_prk", dh), b"shared_secret", kem_context, 32)


def decap_xwing(enc: bytes, private: bytes) -> bytes:
    """MLKEM768-X25519 (0x647A); our private key file holds ML-KEM seed (64) ‖ X25519 secret (32)."""
    ct_pq, ct_t = enc[:1088], enc[1088:1120]
    ss_pq = mlkem.MLKEM768PrivateKey.from_seed_bytes(private[:64]).decapsulate(ct_pq)
    classic = x25519.X25519PrivateKey.from_private_bytes(private[64:])
    ss_t = classic.exchange(x25519.X25519PublicKey.from_public_bytes(ct_t))
    ek_t = classic.public_key().public_bytes_raw()
    return hashlib.sha3_256(ss_pq + ss_t + ct_t + ek_t + b"\\.//^\\").digest()


def open_base(kem_id: int, sealed: bytes, private: bytes) -> bytes:
    nenc, decap = {0x0020: (32, decap_x25519), 0x647A: (1120, decap_xwing)}[kem_id]
    shared = decap(sealed[:nenc], private)
    suite_id = b"HPKE" + kem_id.to_bytes(2, "big") + (1).to_bytes(2, "big") + (3).to_bytes(2, "big")
    context = b"\x00" + labeled_extract(suite_id, b"", b"psk_id_hash", b"") + labeled_extract(
        suite_id, b"", b"info_hash", INFO
    )
    secret = labeled_extract(suite_id, shared, b"secret", b"")
    key = labeled_expand(suite_id, secret, b"key", context, 32)
    nonce = labeled_expand(suite_id, secret, b"base_nonce", context, 12)
    return ChaCha20Poly1305(key).decrypt(nonce, sealed[nenc:], b"")


# --- the reader -----------------------------------------------------------------------------------------


def read_bundle(data: bytes, my_key_id: str | None, my_private: bytes | None, signer_identity: dict) -> dict:
    assert data[:8] == MAGIC
    length = int.from_bytes(data[8:12], "big")
    preamble, body = data[: 12 + length], data[12 + length :]
    header = json.loads(preamble[12:])
    assert header["format_version"] == 1
    if header["encryption"] == "none":
        archive = body
    else:
        mine = next(r for r in header["recipients"] if r["key_id"] == my_key_id)
        content_key = open_base(mine["kem_id"], base64.b64decode(mine["sealed_key"]), my_private)
        archive = ChaCha20Poly1305(content_key).decrypt(base64.b64decode(header["nonce"]), body, preamble)
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        assert zipped.namelist() == ["envelope.json", "payload/records.jsonl"]
        envelope = json.loads(zipped.read("envelope.json"))
        records_bytes = zipped.read("payload/records.jsonl")
    manifest_bytes = base64.b64decode(envelope["payload"])
    payload_type = envelope["payloadType"].encode()
    pae = b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(manifest_bytes), manifest_bytes)
    (signature,) = envelope["signatures"]
    public = base64.b64decode(signer_identity["signing_key"]["public"])
    assert signature["keyid"] == hashlib.sha256(public).hexdigest()[:32] == signer_identity["key_id"]
    Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(signature["sig"]), pae)  # raises if bad
    manifest = json.loads(manifest_bytes)
    (member,) = manifest["members"]
    assert member == {
        "name": "payload/records.jsonl", "size": len(records_bytes),
        "sha256": hashlib.sha256(records_bytes).hexdigest(),
    }
    assert sorted(r["key_id"] for r in header.get("recipients", [])) == manifest["recipients"]
    lines = records_bytes.decode("utf-8").split("\n")
    assert lines[-1] == ""
    records = [json.loads(line) for line in lines[:-1]]
    check_times_and_authors(manifest, records)
    return {"manifest": manifest, "records": records}


_TIME_FIELDS = {"inspection": ("created_at",), "case": ("created_at", "updated_at"), "case_detail": ("updated_at",),
                "answer": ("updated_at",), "change": ("at",)}


def _instant(text: str) -> datetime.datetime:
    """bundle-format §2: a real UTC instant, three fraction digits, from 2000 on (raises otherwise)."""
    assert len(text) == 24 and text[10] == "T" and text.endswith("Z") and text[19] == "."
    moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    assert moment >= datetime.datetime(2000, 1, 1)
    return moment


def check_times_and_authors(manifest: dict, records: list[dict]) -> None:
    """bundle-format §7: no record time more than a day after created_at; answers and changes
    in the signer's name only (case details may be copies of the lead's rows)."""
    latest = _instant(manifest["created_at"]) + datetime.timedelta(days=1)
    for record in records:
        for name in _TIME_FIELDS[record["type"]]:
            assert _instant(record[name]) <= latest
        if record["type"] == "answer":
            assert record["updated_by"] == manifest["inspector_id"]
        if record["type"] == "change":
            assert record["actor"] == manifest["inspector_id"]


GOLDEN_CASES = [
    ("v1-x25519.fwbundle", "lead-x25519"),
    ("v1-mlkem768-x25519.fwbundle", "lead-mlkem768-x25519"),
    ("v1-mlkem768-x25519.fwbundle", "lead-x25519"),
    ("v1-unencrypted.fwbundle", None),
    ("v2-x25519.fwbundle", "lead-x25519"),  # manifest format 2: queries_seen
]


@pytest.mark.parametrize("filename, lead_dir", GOLDEN_CASES)
def test_independent_reader_reads_the_golden_bundles(filename, lead_dir):
    expected = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
    signer = json.loads((GOLDEN / "inspector.identity.json").read_text(encoding="utf-8"))
    lead = unlock_keys(GOLDEN / lead_dir, expected["passphrase"]) if lead_dir else None
    result = read_bundle(
        (GOLDEN / filename).read_bytes(),
        lead.key_id if lead else None,
        lead._encryption_private if lead else None,  # the raw private key, as a reader's own key store holds it
        signer,
    )
    assert result["manifest"] == expected["bundles"][filename]["manifest"]
    assert result["records"] == expected["records"]


@pytest.mark.parametrize("suite", ["x25519", "mlkem768-x25519"])
def test_independent_reader_agrees_with_verify_bundle(suite, filled_store, inspector_keys):
    private = bytes(range(32)) if suite == "x25519" else bytes(range(64)) + bytes(range(100, 132))
    lead = generate_identity("Lee Lead", "lead-1", suite=suite, created_at=FIXED_TIME, encryption_private=private)
    records = records_from_store(filled_store, "insp-test", "insp-1")
    data, _ = build_bundle(
        records, signer=inspector_keys, recipients=[lead.public], sequence=4,
        previous_manifest_sha256="ab" * 32, bundle_id="00000000-0000-4000-8000-000000000abc", created_at=FIXED_TIME,
    )
    independent = read_bundle(data, lead.key_id, private, inspector_keys.public.to_json())
    ours = verify_bundle(data, identity=lead, trust=TrustList.of(inspector_keys.public))
    assert independent["manifest"] == ours.manifest.to_json()
    assert independent["records"] == [record_to_json(r) for r in ours.records]


def test_golden_identity_file_matches_the_documented_derivations():
    document = json.loads((GOLDEN / "inspector.identity.json").read_text(encoding="utf-8"))
    signing = base64.b64decode(document["signing_key"]["public"])
    encryption = base64.b64decode(document["encryption_key"]["public"])
    digest = hashlib.sha256(
        b"fieldwork identity v1\x00" + signing + document["encryption_key"]["kem_id"].to_bytes(2, "big") + encryption
    ).hexdigest()[:40].upper()
    assert document["fingerprint"] == " ".join(digest[i : i + 4] for i in range(0, 40, 4))
    body = {k: v for k, v in document.items() if k != "self_signature"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    payload_type = b"application/vnd.fieldwork.identity+json"
    pae = b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(canonical), canonical)
    Ed25519PublicKey.from_public_bytes(signing).verify(base64.b64decode(document["self_signature"]), pae)
    assert read_identity_file(GOLDEN / "inspector.identity.json").fingerprint == document["fingerprint"]
