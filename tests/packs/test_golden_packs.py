"""The golden packs of format v1 (tests/fixtures/packs) verify, forever, to the same content, and an
independent reader written from docs/pack-format.md reads them too.

If this fails after a change, the change broke packs leads have already handed out: fix the
reader, never the golden files.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from bundles.test_spec_reader import MAGIC, open_base
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from fieldwork.identity import TrustList, read_identity_file, unlock_keys
from fieldwork.packs import PackError, apply_pack, verify_pack
from fieldwork.store import open_store
from fieldwork.store.assessments import list_case_summaries

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "packs"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
LEAD = read_identity_file(GOLDEN / "lead.identity.json")
TRUST = TrustList.of(LEAD)
FILES = sorted(EXPECTED["packs"])


@pytest.fixture(scope="module")
def inspectors():
    return {
        spec["keys"]: unlock_keys(GOLDEN / spec["keys"], EXPECTED["passphrase"]) for spec in EXPECTED["packs"].values()
    }


@pytest.mark.parametrize("filename", FILES)
def test_golden_pack_verifies_to_the_expected_content(filename, inspectors):
    expected = EXPECTED["packs"][filename]
    verified = verify_pack(GOLDEN / filename, identity=inspectors[expected["keys"]], trusted_leads=TRUST)
    assert verified.manifest.to_json() == expected["manifest"]
    assert verified.manifest_sha256 == expected["manifest_sha256"]
    assert verified.payload.to_json() == expected["payload"]
    assert verified.framework.content_hash == EXPECTED["framework_sha256"]
    assert verified.lead == LEAD and verified.lead_trusted


@pytest.mark.parametrize("filename", FILES)
def test_golden_pack_opens_by_fingerprint_into_an_empty_workspace(filename, inspectors, tmp_path):
    expected = EXPECTED["packs"][filename]
    keys = inspectors[expected["keys"]]
    verified = verify_pack(
        GOLDEN / filename, identity=keys, trusted_leads=TrustList(), accept_lead_fingerprint=LEAD.fingerprint
    )
    with open_store(tmp_path / "workspace", actor=keys.person_id) as store:
        result = apply_pack(store, verified)
        assert result.created_inspection and result.lead_trusted
        cases = {s.case.case_ref: s.case.id for s in list_case_summaries(store, "golden-insp")}
    assert cases == {case["case_ref"]: case["uuid"] for case in expected["payload"]["cases"]}


def test_golden_packs_are_not_for_each_other(inspectors):
    with pytest.raises(PackError) as caught:
        verify_pack(GOLDEN / "v1-x25519.fwpack", identity=inspectors["inspector-mlkem768-x25519"], trusted_leads=TRUST)
    assert caught.value.code == "not-encrypted-for-you"


def test_golden_content_covers_the_format():
    ann = EXPECTED["packs"]["v1-x25519.fwpack"]["payload"]
    assert ann["moderation_queries"] and "\n" in ann["moderation_queries"][0]["text"]
    assert {c["sample"] for c in ann["cases"]} == {"supervision", "unpaid_work"}
    assert any(d["revision"] > 1 for c in ann["cases"] for d in c["details"].values())
    assert any(not c["details"] for c in ann["cases"])
    suites = {EXPECTED["packs"][f]["manifest"]["lead"]["encryption_key"]["suite"] for f in FILES}
    assert suites == {"x25519"}  # the lead's suite; the inspectors' cover both (see the key folders)


def test_a_changed_golden_pack_is_refused(inspectors):
    data = bytearray((GOLDEN / "v1-x25519.fwpack").read_bytes())
    data[len(data) // 2] ^= 0x40
    with pytest.raises(PackError):
        verify_pack(bytes(data), identity=inspectors["inspector-x25519"], trusted_leads=TRUST)


# --- an independent reader, from docs/pack-format.md and general-purpose libraries only --------------


def read_pack(data: bytes, my_key_id: str, my_private: bytes, lead_identity: dict) -> dict:
    assert data[:8] == MAGIC  # the bundle container (pack-format §3)
    length = int.from_bytes(data[8:12], "big")
    preamble, body = data[: 12 + length], data[12 + length :]
    header = json.loads(preamble[12:])
    assert header["format_version"] == 1 and header["encryption"] == "hpke"
    mine = next(r for r in header["recipients"] if r["key_id"] == my_key_id)
    content_key = open_base(mine["kem_id"], base64.b64decode(mine["sealed_key"]), my_private)
    archive = ChaCha20Poly1305(content_key).decrypt(base64.b64decode(header["nonce"]), body, preamble)
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        assert zipped.namelist() == ["envelope.json", "payload/pack.json", "payload/framework.toml"]
        envelope = json.loads(zipped.read("envelope.json"))
        members = {name: zipped.read(name) for name in ("payload/pack.json", "payload/framework.toml")}
    assert envelope["payloadType"] == "application/vnd.fieldwork.pack-manifest+json"
    manifest_bytes = base64.b64decode(envelope["payload"])
    payload_type = envelope["payloadType"].encode()
    pae = b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(manifest_bytes), manifest_bytes)
    (signature,) = envelope["signatures"]
    public = base64.b64decode(lead_identity["signing_key"]["public"])
    assert signature["keyid"] == hashlib.sha256(public).hexdigest()[:32] == lead_identity["key_id"]
    Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(signature["sig"]), pae)  # raises if bad
    manifest = json.loads(manifest_bytes)
    assert manifest["lead"] == lead_identity and manifest["signer_key_id"] == signature["keyid"]
    assert manifest["members"] == [
        {"name": name, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        for name, content in members.items()
    ]
    assert manifest["framework"]["hash"] == hashlib.sha256(members["payload/framework.toml"]).hexdigest()
    assert sorted(r["key_id"] for r in header["recipients"]) == manifest["recipients"]
    return {"manifest": manifest, "payload": json.loads(members["payload/pack.json"])}


@pytest.mark.parametrize("filename", FILES)
def test_independent_reader_reads_the_golden_packs(filename, inspectors):
    expected = EXPECTED["packs"][filename]
    keys = inspectors[expected["keys"]]
    lead = json.loads((GOLDEN / "lead.identity.json").read_text(encoding="utf-8"))
    result = read_pack((GOLDEN / filename).read_bytes(), keys.key_id, keys._encryption_private, lead)
    assert result["manifest"] == expected["manifest"]
    assert result["payload"] == expected["payload"]
