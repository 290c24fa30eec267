"""Every reason code, each provoked by the smallest change that should cause it."""

from __future__ import annotations

import hashlib
import json

import pytest

from fieldwork.bundles import REASONS, BundleError, Limits, container, verify_bundle
from fieldwork.bundles.format import MAGIC, PAYLOAD_TYPE
from fieldwork.bundles.records import records_to_jsonl
from fieldwork.bundles.ziparchive import write_zip
from fieldwork.identity import TrustedKey, TrustList
from fieldwork.identity.encoding import b64encode, canonical_json, pae

from .helpers import open_archive, pack, seal_archive


@pytest.fixture
def parts(exported, lead_keys, trust):
    """(manifest as a dict, record file bytes) of the exported bundle."""
    verified = verify_bundle(exported.path, identity=lead_keys, trust=trust)
    return json.loads(verified.manifest_bytes), records_to_jsonl(verified.records)


def rebuild(manifest: dict, records: bytes, signer, recipients, *, fix_hashes: bool = True, **kwargs) -> bytes:
    """A bundle signed by `signer` for this manifest and record file."""
    manifest = json.loads(json.dumps(manifest))
    if fix_hashes:
        manifest["members"][0]["size"] = len(records)
        manifest["members"][0]["sha256"] = hashlib.sha256(records).hexdigest()
    return pack(canonical_json(manifest), records, signer, recipients, **kwargs)


def envelope(manifest_bytes: bytes, key_id: str, signer, payload_type: str = PAYLOAD_TYPE) -> bytes:
    """A DSSE envelope naming `key_id`, signed by `signer` (who may not own that key id)."""
    signature = signer.sign(pae(payload_type, manifest_bytes))
    return canonical_json({
        "payloadType": payload_type,
        "payload": b64encode(manifest_bytes),
        "signatures": [{"keyid": key_id, "sig": b64encode(signature)}],
    })


def refused(data, keys, trust, **kwargs) -> BundleError:
    with pytest.raises(BundleError) as caught:
        verify_bundle(data, identity=keys, trust=trust, **kwargs)
    assert caught.value.code in REASONS
    assert caught.value.message.endswith(".") and caught.value.message.count(". ") == 0  # one sentence
    return caught.value


def test_rebuilt_bundle_verifies_so_the_helpers_are_sound(parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    verify_bundle(rebuild(manifest, records, inspector_keys, [lead_keys.public]), identity=lead_keys, trust=trust)


# --- size, framing, encryption --------------------------------------------------------------------


def test_too_large_from_path_is_refused_before_reading(exported, lead_keys, trust):
    error = refused(exported.path, lead_keys, trust, limits=Limits(max_bundle_bytes=100))
    assert error.code == "too-large"
    data = exported.path.read_bytes()
    assert refused(data, lead_keys, trust, limits=Limits(max_bundle_bytes=100)).code == "too-large"


@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x03\x04 a zip, not a bundle", b"hello world" * 10, MAGIC[:-1] + b"X" + bytes(20)],
)
def test_not_a_bundle(data, lead_keys, trust):
    assert refused(data, lead_keys, trust).code == "not-a-bundle"


def test_not_a_bundle_when_header_is_not_canonical_json(lead_keys, trust):
    header = b'{"format_version": 1}'
    assert refused(MAGIC + len(header).to_bytes(4, "big") + header, lead_keys, trust).code == "not-a-bundle"


def test_unsupported_version_in_header(lead_keys, trust):
    header = canonical_json({"format_version": 2, "encryption": "something-new"})
    error = refused(MAGIC + len(header).to_bytes(4, "big") + header + b"body", lead_keys, trust)
    assert error.code == "unsupported-version" and "format 2" in error.message


def test_unsupported_version_in_manifest(parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    manifest["format_version"] = 3  # 1 and 2 are read
    error = refused(rebuild(manifest, records, inspector_keys, [lead_keys.public]), lead_keys, trust)
    assert error.code == "unsupported-version"


def test_unsupported_payload_type(parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    manifest_bytes = canonical_json(manifest)
    other_type = "application/vnd.fieldwork.something-else+json"
    signed = envelope(manifest_bytes, inspector_keys.key_id, inspector_keys, other_type)
    data = pack(manifest_bytes, records, inspector_keys, [lead_keys.public], envelope=signed)
    assert refused(data, lead_keys, trust).code == "unsupported-version"


def test_unencrypted(parts, inspector_keys, trust):
    manifest, records = parts
    manifest["recipients"] = []
    data = rebuild(manifest, records, inspector_keys, [], encrypt=False)
    assert refused(data, None, trust).code == "unencrypted"
    verify_bundle(data, identity=None, trust=trust, allow_unencrypted=True)


def test_not_encrypted_for_you(exported, other_inspector_keys, trust):
    error = refused(exported.path, other_inspector_keys, trust)
    assert error.code == "not-encrypted-for-you"
    assert refused(exported.path, None, trust).code == "not-encrypted-for-you"


def test_damaged_body(exported, lead_keys, trust):
    data = bytearray(exported.path.read_bytes())
    data[-1] ^= 0x01
    assert refused(bytes(data), lead_keys, trust).code == "damaged"
    assert refused(bytes(data[:-20]), lead_keys, trust).code == "damaged"


# --- signature and signer ---------------------------------------------------------------------------


def test_unknown_signer(exported, lead_keys):
    error = refused(exported.path, lead_keys, TrustList())
    assert error.code == "unknown-signer" and "fieldwork trust add" in error.message


def test_signer_trusted_as_another_person(parts, other_inspector_keys, lead_keys):
    manifest, records = parts  # manifest says insp-1, but insp-2's key signs it
    manifest["signer_key_id"] = other_inspector_keys.key_id
    data = rebuild(manifest, records, other_inspector_keys, [lead_keys.public])
    error = refused(data, lead_keys, TrustList.of(other_inspector_keys.public))
    assert error.code == "unknown-signer" and "insp-1" in error.message


def test_bad_signature(parts, inspector_keys, other_inspector_keys, lead_keys, trust):
    manifest, records = parts
    manifest_bytes = canonical_json(manifest)
    # It names the trusted inspector's key id, but another key made the signature.
    forged = envelope(manifest_bytes, inspector_keys.key_id, other_inspector_keys)
    data = pack(manifest_bytes, records, inspector_keys, [lead_keys.public], envelope=forged)
    assert refused(data, lead_keys, trust).code == "bad-signature"


def test_bad_signature_over_altered_manifest(parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    honest = canonical_json(manifest)
    signature = inspector_keys.sign(pae(PAYLOAD_TYPE, honest))
    manifest["sequence"] = 7
    manifest["previous_manifest_sha256"] = "0" * 64
    altered = canonical_json(manifest)
    reused = canonical_json({
        "payloadType": PAYLOAD_TYPE, "payload": b64encode(altered),
        "signatures": [{"keyid": inspector_keys.key_id, "sig": b64encode(signature)}],
    })
    data = pack(altered, records, inspector_keys, [lead_keys.public], envelope=reused)
    assert refused(data, lead_keys, trust).code == "bad-signature"


def test_manifest_naming_another_signer_than_the_signature(parts, inspector_keys, other_inspector_keys, lead_keys,
                                                           trust):
    manifest, records = parts
    manifest["signer_key_id"] = other_inspector_keys.key_id
    data = rebuild(manifest, records, inspector_keys, [lead_keys.public])
    assert refused(data, lead_keys, trust).code == "bad-signature"


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(extra="field"),
        lambda m: m.pop("created_at"),
        lambda m: m.update(sequence="1"),
        lambda m: m.update(sequence=0),
        lambda m: m.update(bundle_id="not-a-uuid"),
        lambda m: m.update(recipients=["Z" * 32]),
        lambda m: m["framework"].update(hash="abc"),
        lambda m: m.update(previous_manifest_sha256="0" * 64),  # must be null for sequence 1
        lambda m: m["members"].append({"name": "payload/other", "size": 0, "sha256": "0" * 64}),
        lambda m: m["record_counts"].update(bogus=1),
    ],
)
def test_malformed_manifest(change, parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    change(manifest)
    data = pack(canonical_json(manifest), records, inspector_keys, [lead_keys.public])
    assert refused(data, lead_keys, trust).code == "malformed-manifest"


def test_malformed_manifest_not_canonical(parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    pretty = json.dumps(manifest, indent=1, sort_keys=True).encode()
    data = pack(pretty, records, inspector_keys, [lead_keys.public])
    assert refused(data, lead_keys, trust).code == "malformed-manifest"


def test_revoked_signer(exported, lead_keys, inspector_keys):
    key = TrustedKey(inspector_keys.public, None, revoked_after_sequence=0)
    error = refused(exported.path, lead_keys, TrustList([key]))
    assert error.code == "revoked-signer"
    still_fine = TrustList([TrustedKey(inspector_keys.public, None, revoked_after_sequence=1)])
    verify_bundle(exported.path, identity=lead_keys, trust=still_fine)


# --- where the bundle belongs ----------------------------------------------------------------------


def test_wrong_inspection(exported, lead_keys, trust):
    error = refused(exported.path, lead_keys, trust, inspection_id="elsewhere")
    assert error.code == "wrong-inspection" and "insp-test" in error.message


def test_recipient_mismatch_when_rewrapped_for_someone_else(exported, lead_keys, recovery_keys, trust):
    archive = open_archive(exported.path.read_bytes(), lead_keys)
    rewrapped = seal_archive(archive, [recovery_keys.public])  # a recipient re-encrypting it onwards
    assert refused(rewrapped, recovery_keys, trust).code == "recipient-mismatch"
    stripped = container.wrap_unencrypted(archive)  # or stripping the encryption
    assert refused(stripped, None, trust, allow_unencrypted=True).code == "recipient-mismatch"


def test_framework_mismatch(exported, lead_keys, trust, make_framework):
    newer = make_framework(replace={'version = "1.0"': 'version = "1.1"'})
    error = refused(exported.path, lead_keys, trust, framework=newer)
    assert error.code == "framework-mismatch"
    assert "test-mini version 1.0" in error.message and "version 1.1" in error.message


# --- members and records ------------------------------------------------------------------------------


def test_tampered_member_hash(parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    altered = records.replace(b"No contingency plan.", b"A contingency plan!!")
    assert altered != records
    data = rebuild(manifest, altered, inspector_keys, [lead_keys.public], fix_hashes=False)
    error = refused(data, lead_keys, trust)
    assert error.code == "tampered-member" and "payload/records.jsonl" in error.message


def test_tampered_member_size(parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    data = rebuild(manifest, records + b"\n", inspector_keys, [lead_keys.public], fix_hashes=False)
    assert refused(data, lead_keys, trust).code == "tampered-member"


def _with_line(records: bytes, index: int, change) -> bytes:
    lines = records.split(b"\n")[:-1]
    value = json.loads(lines[index])
    change(value)
    lines[index] = json.dumps(value).encode()  # \u escapes, so even a lone surrogate can be written
    return b"\n".join(lines) + b"\n"


def _answer_line(records: bytes) -> int:
    return next(i for i, line in enumerate(records.split(b"\n")) if b'"type":"answer"' in line)


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(extra=1),  # unknown field
        lambda r: r.pop("note"),  # missing field
        lambda r: r.update(value="maybe"),  # not an answer value
        lambda r: r.update(revision="1"),  # wrong type
        lambda r: r.update(revision=True),  # a boolean is not a number here
        lambda r: r.update(revision=0),  # answers start at revision 1
        lambda r: r.update(case_uuid="00000000-0000-0000-0000-00000000ffff"),  # dangling reference
        lambda r: r.update(updated_at="yesterday"),
        lambda r: r.update(type="comment"),  # unknown record type
        lambda r: r.update(note="\ud800"),  # text SQLite could not store
    ],
)
def test_malformed_record(change, parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    altered = _with_line(records, _answer_line(records), change)
    error = refused(rebuild(manifest, altered, inspector_keys, [lead_keys.public]), lead_keys, trust)
    assert error.code == "malformed-record"


@pytest.mark.parametrize(
    "make",
    [
        lambda r: r.replace(b'"revision":1,', b'"revision":1.0,', 1),  # a float
        lambda r: r.split(b"\n", 1)[1],  # the inspection record is missing
        lambda r: r + r.split(b"\n", 1)[0] + b"\n",  # two inspection records
        lambda r: r[:-1],  # no final line feed
        lambda r: r + b"\n",  # an empty line
        lambda r: r.replace(b"\n", b"\n\xff", 1),  # not UTF-8
        lambda r: r + b"[]\n",  # not an object
    ],
)
def test_malformed_record_file(make, parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    altered = make(records)
    assert altered != records
    manifest["record_counts"]["inspection"] = altered.count(b'"type":"inspection"')
    assert refused(rebuild(manifest, altered, inspector_keys, [lead_keys.public]), lead_keys, trust).code == (
        "malformed-record"
    )


def test_malformed_record_counts_differ(parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    manifest["record_counts"]["answer"] += 1
    assert refused(rebuild(manifest, records, inspector_keys, [lead_keys.public]), lead_keys, trust).code == (
        "malformed-record"
    )


def test_malformed_record_duplicate_answer(parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    line = records.split(b"\n")[_answer_line(records)]
    manifest["record_counts"]["answer"] += 1
    data = rebuild(manifest, records + line + b"\n", inspector_keys, [lead_keys.public])
    assert refused(data, lead_keys, trust).code == "malformed-record"


def test_malformed_record_duplicate_json_key(parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    index = _answer_line(records)
    lines = records.split(b"\n")
    lines[index] = lines[index][:-1] + b',"value":"no"}'
    data = rebuild(manifest, b"\n".join(lines), inspector_keys, [lead_keys.public])
    assert refused(data, lead_keys, trust).code == "malformed-record"


def test_malformed_record_unknown_question_for_the_framework(parts, inspector_keys, lead_keys, trust, mini_framework):
    manifest, records = parts
    altered = _with_line(records, _answer_line(records), lambda r: r.update(question_id="9.9.9"))
    data = rebuild(manifest, altered, inspector_keys, [lead_keys.public])
    verify_bundle(data, identity=lead_keys, trust=trust)  # fine without a framework to check against
    assert refused(data, lead_keys, trust, framework=mini_framework).code == "malformed-record"


def test_payload_swapped_between_bundles(exported, filled_store, tmp_path, inspector_keys, lead_keys, trust):
    from fieldwork.bundles import export_bundle
    from fieldwork.store.assessments import find_case, set_answer

    case = find_case(filled_store, "insp-test", "CRN002")
    set_answer(filled_store, case.id, "2.1.2", value="yes", note="Added later.")
    second = export_bundle(filled_store, "insp-test", tmp_path / "two.fwbundle", identity=inspector_keys,
                           recipients=[lead_keys.public])
    from fieldwork.bundles.ziparchive import read_entries, read_member

    first_zip = open_archive(exported.path.read_bytes(), lead_keys)
    second_zip = open_archive(second.path.read_bytes(), lead_keys)
    first_entries, second_entries = read_entries(first_zip), read_entries(second_zip)
    first_envelope = read_member(first_zip, first_entries["envelope.json"])
    records = read_member(second_zip, second_entries["payload/records.jsonl"])
    mixed = write_zip([("envelope.json", first_envelope), ("payload/records.jsonl", records)])
    swapped = seal_archive(mixed, [lead_keys.public])
    assert refused(swapped, lead_keys, trust).code == "tampered-member"
    # Swapping whole encrypted bodies between two containers fails authentication instead.
    one, two = exported.path.read_bytes(), second.path.read_bytes()
    header_end = len(MAGIC) + 4 + int.from_bytes(one[len(MAGIC) : len(MAGIC) + 4], "big")
    header_end_two = len(MAGIC) + 4 + int.from_bytes(two[len(MAGIC) : len(MAGIC) + 4], "big")
    assert refused(one[:header_end] + two[header_end_two:], lead_keys, trust).code == "damaged"


def test_every_reason_code_is_exercised_by_a_test():
    from pathlib import Path

    source = "".join(path.read_text(encoding="utf-8") for path in Path(__file__).parent.glob("test_*.py"))
    missing = [code for code in REASONS if f'code == "{code}"' not in source]
    assert missing == []


# --- queries_seen (manifest format 2): what the merge needs to tell an answer to a query ---------

SEEN = {"case": "6f1c4d2a-0000-4000-8000-000000000001", "question_id": "2.1.1", "seen_at": "2026-11-03T09:00:00.000Z",
        "text_sha256": "ab" * 32}


def test_a_manifest_lists_the_queries_its_signer_had_seen(parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    assert manifest["format_version"] == 2 and manifest["queries_seen"] == []  # none were sent to insp-1
    manifest["queries_seen"] = [SEEN]
    verified = verify_bundle(rebuild(manifest, records, inspector_keys, [lead_keys.public]), identity=lead_keys,
                             trust=trust)
    [seen] = verified.manifest.queries_seen
    assert seen.to_json() == SEEN


def test_a_format_1_manifest_is_still_read_as_having_seen_no_query(parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    manifest["format_version"] = 1
    del manifest["queries_seen"]
    verified = verify_bundle(rebuild(manifest, records, inspector_keys, [lead_keys.public]), identity=lead_keys,
                             trust=trust)
    assert verified.manifest.format_version == 1 and verified.manifest.queries_seen == ()


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(format_version=1),  # format 1 has no queries_seen
        lambda m: m.pop("queries_seen"),  # format 2 must have it
        lambda m: m.update(queries_seen=[{**SEEN, "extra": 1}]),
        lambda m: m.update(queries_seen=[{**SEEN, "case": "CRN001"}]),
        lambda m: m.update(queries_seen=[{**SEEN, "seen_at": "yesterday"}]),
        lambda m: m.update(queries_seen=[SEEN, SEEN]),  # not unique
        lambda m: m.update(queries_seen=[SEEN] * 1001),
        lambda m: m.update(queries_seen={"a": SEEN}),
    ],
    ids=["in-format-1", "missing", "extra-field", "bad-case", "bad-time", "duplicate", "too-many", "not-a-list"],
)
def test_a_malformed_queries_seen_is_refused(change, parts, inspector_keys, lead_keys, trust):
    manifest, records = parts
    change(manifest)
    error = refused(rebuild(manifest, records, inspector_keys, [lead_keys.public]), lead_keys, trust)
    assert error.code == "malformed-manifest"


@pytest.mark.parametrize("field", ["updated_by", "actor"])
def test_foreign_author_an_answer_or_change_in_another_persons_name(parts, inspector_keys, lead_keys, trust, field):
    """A bundle speaks only for its signer: an answer's updated_by or a change's actor naming anyone else
    is refused, however validly the bundle is signed (issue 16)."""
    manifest, records = parts
    kind = b'"type":"answer"' if field == "updated_by" else b'"type":"change"'
    lines = records.split(b"\n")
    index = next(n for n, line in enumerate(lines) if kind in line)
    value = json.loads(lines[index])
    value[field] = "someone-else"
    lines[index] = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    error = refused(rebuild(manifest, b"\n".join(lines), inspector_keys, [lead_keys.public]), lead_keys, trust)
    assert error.code == "foreign-author" and "someone-else" in error.message
