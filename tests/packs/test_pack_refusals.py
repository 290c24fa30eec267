"""Every way a pack is refused: the reason code, a sentence, and the workspace unchanged."""

from __future__ import annotations

import hashlib
import json

import pytest

from fieldwork.bundles import container
from fieldwork.bundles.export import build_bundle
from fieldwork.bundles.records import records_from_store
from fieldwork.identity import TrustList, add_trusted_key, load_trust_list, pinned_lead, revoke_key
from fieldwork.packs import PackError, apply_pack, export_pack, verify_pack
from fieldwork.packs.archive import write_zip
from fieldwork.packs.format import ENVELOPE_NAME, FRAMEWORK_NAME, PACK_NAME, PackLimits
from fieldwork.profile import set_profile
from fieldwork.store import open_store
from fieldwork.store.inspections import add_case, create_inspection

from .conftest import INSPECTION
from .helpers import craft, dump, envelope_with


@pytest.fixture
def parts(ann_store, ann_keys, ann_pack, mini_framework):
    """The manifest and payload of ann's real pack as JSON, and its framework bytes, to alter."""
    verified = verify_pack(ann_pack.path, identity=ann_keys, trusted_leads=load_trust_list(ann_store))
    return verified.manifest.to_json(), verified.payload.to_json(), mini_framework.source_bytes


def refused(store, source, keys, code: str, **kwargs) -> PackError:
    """Verify and apply `source` in `store`: it must be refused with `code` and change nothing."""
    before = dump(store)
    with pytest.raises(PackError) as caught:
        verified = verify_pack(source, identity=keys, trusted_leads=load_trust_list(store), **kwargs)
        apply_pack(store, verified)
    assert caught.value.code == code, (caught.value.code, caught.value.detail)
    assert caught.value.message.endswith((".", ")")) and "\n" not in caught.value.message
    assert dump(store) == before
    return caught.value


# --- not for this inspector ---------------------------------------------------------------------


def test_a_pack_for_another_inspector_is_not_for_you(lead_store, lead_keys, ann_store, ann_keys, out_dir):
    bobs = export_pack(lead_store, INSPECTION, "bob", out_dir, identity=lead_keys)
    error = refused(ann_store, bobs.path, ann_keys, "not-encrypted-for-you")
    assert "not meant for you" in error.message


def test_a_pack_without_keys_to_open_it(ann_store, ann_pack):
    error = refused(ann_store, ann_pack.path, None, "not-encrypted-for-you")
    assert "fieldwork keys init" in error.message


def test_a_pack_addressed_to_another_person_is_refused(parts, lead_keys, ann_store, ann_keys):
    manifest, payload, framework = parts
    manifest["inspector_id"] = "bob"
    data = craft(manifest, payload, framework, lead_keys, [ann_keys.public])
    assert "is for bob" in refused(ann_store, data, ann_keys, "wrong-inspector").message


def test_a_workspace_of_another_profile_is_refused(ann_store, ann_keys, ann_pack):
    set_profile(ann_store, "carol", "Carol Inspector")
    error = refused(ann_store, ann_pack.path, ann_keys, "wrong-inspector")
    assert "carol" in error.message


# --- who signed it -----------------------------------------------------------------------------


def test_an_unknown_lead_is_refused_and_named_for_checking(tmp_path, ann_keys, lead_keys, ann_pack):
    with open_store(tmp_path / "fresh", actor="ann") as store:
        set_profile(store, "ann", "Ann Inspector")
        error = refused(store, ann_pack.path, ann_keys, "unknown-signer")
        assert error.lead.key_id == lead_keys.key_id and lead_keys.public.fingerprint in error.message
        assert error.to_json()["error"]["lead"]["fingerprint"] == lead_keys.public.fingerprint
        wrong = "0000 " * 9 + "0000"
        refused(store, ann_pack.path, ann_keys, "unknown-signer", accept_lead_fingerprint=wrong)


def test_accepting_the_leads_fingerprint_trusts_and_pins_them(tmp_path, ann_keys, lead_keys, ann_pack):
    typed = lead_keys.public.fingerprint.replace(" ", "").lower()  # as read out, any case, no spaces
    with open_store(tmp_path / "fresh", actor="ann") as store:
        verified = verify_pack(ann_pack.path, identity=ann_keys, trusted_leads=TrustList(),
                               accept_lead_fingerprint=typed)
        assert verified.lead_trusted is False
        result = apply_pack(store, verified)
        assert result.lead_trusted and result.lead_pinned
        entry = load_trust_list(store).get(lead_keys.key_id)
        assert entry is not None and entry.inspections == frozenset({INSPECTION})
        assert pinned_lead(store, INSPECTION).key_id == lead_keys.key_id
        # From now on the lead is known: the same pack verifies without accepting again.
        assert verify_pack(ann_pack.path, identity=ann_keys, trusted_leads=load_trust_list(store)).lead_trusted


def test_a_lead_trusted_for_other_inspections_only_must_be_accepted(tmp_path, ann_keys, lead_keys, ann_pack):
    with open_store(tmp_path / "fresh", actor="ann") as store:
        add_trusted_key(store, lead_keys.public, ["last-year"])
        error = refused(store, ann_pack.path, ann_keys, "unknown-signer")
        assert "not for inspection insp-pack" in error.message
        verified = verify_pack(ann_pack.path, identity=ann_keys, trusted_leads=load_trust_list(store),
                               accept_lead_fingerprint=lead_keys.public.fingerprint)
        apply_pack(store, verified)
        assert load_trust_list(store).get(lead_keys.key_id).inspections == frozenset({"last-year", INSPECTION})


def test_a_pack_signed_by_a_stranger_is_refused(parts, stranger_keys, ann_store, ann_keys):
    manifest, payload, framework = parts
    manifest["lead"] = stranger_keys.public.to_json()
    manifest["signer_key_id"] = stranger_keys.key_id
    data = craft(manifest, payload, framework, stranger_keys, [ann_keys.public])
    assert refused(ann_store, data, ann_keys, "unknown-signer").lead.person_id == "lead-9"


def test_a_revoked_lead_key_is_refused(ann_store, ann_keys, lead_keys, ann_pack):
    revoke_key(ann_store, lead_keys.key_id, 0)
    refused(ann_store, ann_pack.path, ann_keys, "revoked-signer")
    refused(ann_store, ann_pack.path, ann_keys, "revoked-signer", accept_lead_fingerprint=lead_keys.public.fingerprint)


@pytest.mark.parametrize("how", ["other bytes signed", "signature by another key", "manifest names another key",
                                 "embedded identity of another key"])
def test_bad_signatures_are_refused(how, parts, lead_keys, stranger_keys, ann_store, ann_keys):
    manifest, payload, framework = parts
    manifest_bytes = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if how == "other bytes signed":
        assert b"insp-pack" in manifest_bytes
        envelope = envelope_with(manifest_bytes.replace(b"insp-pack", b"insp-pacK"), lead_keys)
        envelope = envelope.replace(
            json.loads(envelope)["payload"].encode(),
            json.loads(envelope_with(manifest_bytes, lead_keys))["payload"].encode(),
        )
        data = craft(manifest, payload, framework, lead_keys, [ann_keys.public], envelope=envelope)
    elif how == "signature by another key":
        envelope = envelope_with(manifest_bytes, stranger_keys, key_id=lead_keys.key_id)
        data = craft(manifest, payload, framework, lead_keys, [ann_keys.public], envelope=envelope)
    elif how == "manifest names another key":
        manifest["signer_key_id"] = stranger_keys.key_id
        data = craft(manifest, payload, framework, lead_keys, [ann_keys.public])
    else:
        manifest["lead"] = stranger_keys.public.to_json()
        manifest["signer_key_id"] = stranger_keys.key_id
        # signed by the lead's key, which the embedded identity does not hold
        untrusted = TrustList()
        data = craft(manifest, payload, framework, lead_keys, [ann_keys.public])
        with pytest.raises(PackError) as caught:
            verify_pack(data, identity=ann_keys, trusted_leads=untrusted)
        assert caught.value.code == "bad-signature"
    refused(ann_store, data, ann_keys, "bad-signature")


# --- what it carries ---------------------------------------------------------------------------


def test_a_member_changed_after_signing_is_tampered(parts, lead_keys, ann_store, ann_keys):
    manifest, payload, framework = parts
    signed = craft(manifest, payload, framework, lead_keys, [ann_keys.public])
    assert verify_pack(signed, identity=ann_keys, trusted_leads=load_trust_list(ann_store))
    payload["cases"][0]["case_ref"] = "CRN999"
    data = craft(manifest, payload, framework, lead_keys, [ann_keys.public], fix_hashes=False)
    refused(ann_store, data, ann_keys, "tampered-member")
    data = craft(manifest, parts[1], framework + b"\n# extra", lead_keys, [ann_keys.public], fix_hashes=False)
    refused(ann_store, data, ann_keys, "tampered-member")


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(extra=1),
        lambda m: m.pop("sequence"),
        lambda m: m.update(sequence=0),
        lambda m: m.update(pack_id="not-a-uuid"),
        lambda m: m.update(inspection_id="../etc"),
        lambda m: m.update(recipients=[]),
        lambda m: m["lead"].update(name="Someone Else"),  # breaks the identity's self-signature
    ],
)
def test_malformed_manifests_are_refused(change, parts, lead_keys, ann_store, ann_keys):
    manifest, payload, framework = parts
    change(manifest)
    data = craft(manifest, payload, framework, lead_keys, [ann_keys.public])
    refused(ann_store, data, ann_keys, "malformed-manifest")


def test_a_newer_format_is_refused_as_unsupported(parts, lead_keys, ann_store, ann_keys):
    manifest, payload, framework = parts
    manifest["format_version"] = 2
    refused(ann_store, craft(manifest, payload, framework, lead_keys, [ann_keys.public]), ann_keys,
            "unsupported-version")
    manifest["format_version"] = 1
    manifest_bytes = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    envelope = envelope_with(manifest_bytes, lead_keys, payload_type="application/vnd.fieldwork.pack-manifest-v2+json")
    refused(ann_store, craft(manifest, payload, framework, lead_keys, [ann_keys.public], envelope=envelope),
            ann_keys, "unsupported-version")


def test_re_encryption_after_signing_is_refused(parts, lead_keys, ann_store, ann_keys, bob_keys):
    manifest, payload, framework = parts
    data = craft(manifest, payload, framework, lead_keys, [ann_keys.public, bob_keys.public])
    refused(ann_store, data, ann_keys, "recipient-mismatch")


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.update(extra=[]),
        lambda p: p["cases"][0].update(sample="no_such_sample"),
        lambda p: p["cases"][0]["details"].update(rosh={**p["cases"][0]["details"]["rosh"], "value": "extreme"}),
        lambda p: p["cases"][0]["details"].update(favourite_colour={**p["cases"][0]["details"]["rosh"]}),
        lambda p: p["cases"].append(dict(p["cases"][0])),
        lambda p: p["inspection"].update(id="another-inspection"),
        lambda p: p["moderation_queries"].append(
            {"case_uuid": "00000000-0000-4000-8000-000000000000", "question_id": "2.1.1", "text": "?"}
        ),
        lambda p: p["moderation_queries"].append(
            {"case_uuid": p["cases"][0]["uuid"], "question_id": "9.9.9", "text": "?"}
        ),
        lambda p: p["cases"][0]["details"]["rosh"].update(revision=1.5),
    ],
)
def test_malformed_contents_are_refused(change, parts, lead_keys, ann_store, ann_keys):
    manifest, payload, framework = parts
    crn001 = next(c for c in payload["cases"] if c["case_ref"] == "CRN001")
    payload["cases"].remove(crn001)
    payload["cases"].insert(0, crn001)
    change(payload)
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    refused(ann_store, craft(manifest, raw, framework, lead_keys, [ann_keys.public]), ann_keys, "malformed-pack")


# --- the framework -----------------------------------------------------------------------------


def test_a_framework_other_than_the_manifest_says_is_refused(parts, lead_keys, ann_store, ann_keys, make_framework):
    manifest, payload, framework = parts
    other = make_framework(replace={'version = "1.0"': 'version = "1.1"'}).source_bytes
    error = refused(ann_store, craft(manifest, payload, other, lead_keys, [ann_keys.public]), ann_keys,
                    "framework-mismatch")
    assert "test-mini version 1.0" in error.message
    manifest["framework"]["hash"] = hashlib.sha256(other).hexdigest()  # right hash, wrong version
    refused(ann_store, craft(manifest, payload, other, lead_keys, [ann_keys.public]), ann_keys, "framework-mismatch")


def test_a_framework_the_app_cannot_read_is_refused(parts, lead_keys, ann_store, ann_keys, mini_framework):
    manifest, payload, _ = parts
    for broken in (b"format = 1\nid = [unclosed", mini_framework.source_bytes.replace(b"format = 1", b"format = 7")):
        manifest["framework"]["hash"] = hashlib.sha256(broken).hexdigest()
        error = refused(ann_store, craft(manifest, payload, broken, lead_keys, [ann_keys.public]), ann_keys,
                        "invalid-framework")
        assert "cannot be read by this fieldwork" in error.message


def test_a_workspace_with_the_inspection_under_another_framework_is_refused(
    ann_store, ann_keys, ann_pack, make_framework
):
    variant = make_framework(replace={'version = "1.0"': 'version = "0.9"'})
    create_inspection(ann_store, inspection_id=INSPECTION, provider="Mine", provider_type="CRC", framework=variant)
    error = refused(ann_store, ann_pack.path, ann_keys, "framework-mismatch")
    assert "another framework text" in error.message


def test_a_workspace_case_that_does_not_line_up_is_refused(ann_store, ann_keys, ann_pack, mini_framework):
    inspection = create_inspection(
        ann_store, inspection_id=INSPECTION, provider="Mine", provider_type="CRC", framework=mini_framework
    )
    add_case(ann_store, inspection, "CRN001")  # same reference, another case
    refused(ann_store, ann_pack.path, ann_keys, "workspace-conflict")


# --- not a pack at all --------------------------------------------------------------------------


def test_other_files_are_not_packs(ann_store, ann_keys, lead_keys, tmp_path, lead_store):
    refused(ann_store, b"PK\x03\x04 hello", ann_keys, "not-a-pack")
    refused(ann_store, b"", ann_keys, "not-a-pack")
    bundle, _ = build_bundle(
        records_from_store(lead_store, INSPECTION, "lead-1"), signer=lead_keys, recipients=[ann_keys.public],
        sequence=1, previous_manifest_sha256=None, bundle_id="00000000-0000-4000-8000-0000000000b1",
        created_at="2026-11-02T09:00:00.000Z",
    )
    assert "bundle, not an allocation pack" in refused(ann_store, bundle, ann_keys, "not-a-pack").message
    with pytest.raises(Exception) as caught:
        verify_pack(tmp_path / "missing.fwpack", identity=ann_keys, trusted_leads=TrustList())
    assert getattr(caught.value, "code", None) == "not-found"


def test_an_unencrypted_pack_is_refused(parts, lead_keys, ann_store, ann_keys):
    from fieldwork.packs.export import sign_envelope

    manifest, payload, framework = parts
    manifest_bytes = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    payload_bytes = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    archive = write_zip([
        (ENVELOPE_NAME, sign_envelope(manifest_bytes, lead_keys)), (PACK_NAME, payload_bytes),
        (FRAMEWORK_NAME, framework),
    ])
    refused(ann_store, container.wrap_unencrypted(archive), ann_keys, "unencrypted")


def test_a_file_over_the_size_cap_is_refused_unread(ann_store, ann_keys, ann_pack):
    small = PackLimits(max_pack_bytes=1000)
    before = dump(ann_store)
    with pytest.raises(PackError) as caught:
        verify_pack(ann_pack.path, identity=ann_keys, trusted_leads=load_trust_list(ann_store), limits=small)
    assert caught.value.code == "too-large" and dump(ann_store) == before


def test_a_truncated_pack_is_damaged(ann_store, ann_keys, ann_pack):
    data = ann_pack.path.read_bytes()
    refused(ann_store, data[: len(data) - 7], ann_keys, "damaged")


# --- one transaction ----------------------------------------------------------------------------


def test_a_failure_while_applying_leaves_the_workspace_as_it_was(ann_store, ann_keys, ann_pack, monkeypatch):
    import fieldwork.packs.apply as apply_module

    verified = verify_pack(ann_pack.path, identity=ann_keys, trusted_leads=load_trust_list(ann_store))
    before = dump(ann_store)

    def crash(*args, **kwargs):
        raise OSError("disk pulled out")

    monkeypatch.setattr(apply_module, "pin_lead", crash)  # the last writes but one
    with pytest.raises(OSError):
        apply_pack(ann_store, verified)
    assert dump(ann_store) == before
    monkeypatch.undo()
    assert apply_pack(ann_store, verified).created_inspection  # and it applies whole afterwards


def test_a_read_only_window_cannot_apply(ann_store, ann_keys, ann_pack, tmp_path):
    from fieldwork.errors import StoreLockedError

    verified = verify_pack(ann_pack.path, identity=ann_keys, trusted_leads=load_trust_list(ann_store))
    with open_store(tmp_path / "ann") as second:  # the fixture's store holds the lock
        assert second.read_only
        with pytest.raises(StoreLockedError):
            apply_pack(second, verified)


def test_a_pack_is_not_a_bundle(ann_pack, ann_keys, lead_keys):
    from fieldwork.bundles import BundleError, verify_bundle

    for keys, code in ((ann_keys, "unsafe-archive"), (lead_keys, "not-encrypted-for-you")):
        with pytest.raises(BundleError) as caught:
            verify_bundle(ann_pack.path, identity=keys, trust=TrustList.of(lead_keys.public))
        assert caught.value.code == code
