"""What one bundle may add is bounded, and the reader refuses the rest before any database sees it
(issue 16 §2 and §4): text field caps, the records file's size and line count, LF-only lines,
format_version a true integer, a member that inflates past its signed size."""

from __future__ import annotations

import hashlib
import json

import pytest

from fieldwork.bundles import ExportError, verify_bundle
from fieldwork.bundles.export import check_bundle_size
from fieldwork.bundles.format import DEFAULT_LIMITS, MAGIC, Limits
from fieldwork.bundles.records import records_to_jsonl
from fieldwork.bundles.ziparchive import write_zip
from fieldwork.errors import ValidationError
from fieldwork.identity.encoding import canonical_json
from fieldwork.store.assessments import set_answer, set_detail
from fieldwork.store.inspections import add_case
from fieldwork.text import CASE_REF_MAX_CHARS, DETAIL_MAX_CHARS, NOTE_MAX_CHARS

from .helpers import raw_zip, seal_archive
from .test_bundle_reasons import rebuild, refused


@pytest.fixture
def parts(exported, lead_keys, trust):
    """(manifest as a dict, record lines as dicts) of the exported bundle."""
    verified = verify_bundle(exported.path, identity=lead_keys, trust=trust)
    lines = records_to_jsonl(verified.records).decode().splitlines()
    return json.loads(verified.manifest_bytes), [json.loads(line) for line in lines]


def encode(lines: list[dict]) -> bytes:
    return b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines)


def counted(manifest: dict, lines: list[dict]) -> dict:
    counts = dict.fromkeys(manifest["record_counts"], 0)
    for line in lines:
        counts[line["type"]] += 1
    return {**manifest, "record_counts": counts}


def signed(manifest: dict, records: bytes, inspector_keys, lead_keys) -> bytes:
    return rebuild(manifest, records, inspector_keys, [lead_keys.public])


def huge_changes(lines: list[dict], count: int, chars: int) -> list[dict]:
    template = next(line for line in lines if line["type"] == "change")
    return [
        {**template, "id": f"00000000-0000-4000-8000-{n:012x}", "old": None, "new": "x" * chars}
        for n in range(count)
    ]


# --- per field ------------------------------------------------------------------------------------


def test_change_records_of_a_million_characters_are_refused(parts, inspector_keys, lead_keys, trust):
    # The bundle: change records of 1,000,000 characters each, 0.65 MB on the wire.
    manifest, lines = parts
    lines = lines + huge_changes(lines, 3, 1_000_000)
    data = signed(counted(manifest, lines), encode(lines), inspector_keys, lead_keys)
    error = refused(data, lead_keys, trust)
    assert error.code == "malformed-record" and "'new'" in error.detail


@pytest.mark.parametrize(
    ("kind", "field", "limit"),
    [("answer", "note", NOTE_MAX_CHARS), ("change", "new", NOTE_MAX_CHARS), ("change", "old", NOTE_MAX_CHARS),
     ("case_detail", "value", DETAIL_MAX_CHARS), ("case", "case_ref", CASE_REF_MAX_CHARS)],
)
def test_each_text_field_is_capped_at_the_length_the_app_stores(parts, inspector_keys, lead_keys, trust, kind,
                                                                 field, limit):
    manifest, lines = parts
    index = next(i for i, line in enumerate(lines) if line["type"] == kind)
    at_limit = [*lines[:index], {**lines[index], field: "y" * limit}, *lines[index + 1:]]
    verify_bundle(signed(manifest, encode(at_limit), inspector_keys, lead_keys), identity=lead_keys, trust=trust)
    over = [*lines[:index], {**lines[index], field: "y" * (limit + 1)}, *lines[index + 1:]]
    error = refused(signed(manifest, encode(over), inspector_keys, lead_keys), lead_keys, trust)
    assert error.code == "malformed-record" and repr(field) in error.detail


# --- per bundle -----------------------------------------------------------------------------------


def test_more_records_than_one_bundle_may_add_are_refused(parts, inspector_keys, lead_keys, trust):
    manifest, lines = parts
    records = encode(lines) + b"{}\n" * (DEFAULT_LIMITS.max_records + 1 - len(lines))
    error = refused(signed(manifest, records, inspector_keys, lead_keys), lead_keys, trust)
    assert error.code == "malformed-record" and "more than 500000 records" in error.detail


def test_a_records_file_over_the_bundle_cap_is_refused_from_its_directory_entry(lead_keys, trust):
    envelope = {"name": "envelope.json", "data": b"{}"}
    records = {"name": "payload/records.jsonl", "data": b"{}\n", "declared_size": 128 * 1024 * 1024 + 1}
    with pytest.raises(Exception) as caught:
        verify_bundle(seal_archive(raw_zip([envelope, records]), [lead_keys.public]), identity=lead_keys, trust=trust)
    assert caught.value.code == "unsafe-archive" and "over the 134217728-byte limit" in caught.value.detail


def test_the_exporter_refuses_what_the_reader_would():
    check_bundle_size(b"x" * 10, 2, Limits(max_member_bytes=10, max_records=2))
    for size, count in ((11, 2), (10, 3)):
        with pytest.raises(ExportError) as caught:
            check_bundle_size(b"x" * size, count, Limits(max_member_bytes=10, max_records=2))
        assert caught.value.code == "bundle-too-large" and "nothing was written" in caught.value.message


def test_the_app_refuses_to_store_text_no_bundle_may_carry(store, inspection):
    case = add_case(store, inspection, "CRN001")
    set_answer(store, case.id, "2.1.1", note="n" * NOTE_MAX_CHARS)
    with pytest.raises(ValidationError, match="at most 100,000"):
        set_answer(store, case.id, "2.1.1", note="n" * (NOTE_MAX_CHARS + 1))
    with pytest.raises(ValidationError, match="control character"):
        set_detail(store, case.id, "ldu", "North\tside")
    with pytest.raises(ValidationError, match="at most 10,000"):
        set_detail(store, case.id, "ldu", "d" * (DETAIL_MAX_CHARS + 1))
    for ref in ("CRN\x1b[2J", "C" * (CASE_REF_MAX_CHARS + 1)):
        with pytest.raises(ValidationError, match="one line of at most 200"):
            add_case(store, inspection, ref)


# --- the shape of lines and versions ---------------------------------------------------------------


def test_record_lines_ending_in_cr_lf_are_refused(parts, inspector_keys, lead_keys, trust):
    manifest, lines = parts
    crlf = encode(lines).replace(b"\n", b"\r\n")
    error = refused(signed(manifest, crlf, inspector_keys, lead_keys), lead_keys, trust)
    assert error.code == "malformed-record" and "carriage return" in error.detail


def test_format_version_true_is_refused_in_the_manifest(parts, inspector_keys, lead_keys, trust):
    manifest, lines = parts
    manifest["format_version"] = True  # JSON true == 1 in Python: a bool is not an integer
    error = refused(signed(manifest, encode(lines), inspector_keys, lead_keys), lead_keys, trust)
    assert error.code == "malformed-manifest" and "format_version" in error.detail


def test_format_version_true_is_refused_in_the_header(lead_keys, trust):
    header = canonical_json({"encryption": "none", "format_version": True})
    data = MAGIC + len(header).to_bytes(4, "big") + header + write_zip([("envelope.json", b"{}")])
    error = refused(data, lead_keys, trust, allow_unencrypted=True)
    assert error.code == "not-a-bundle" and "format_version" in error.detail


def test_records_that_inflate_past_their_signed_size_are_an_unsafe_archive(parts, inspector_keys, lead_keys, trust):
    """The signer declares (and signs) a size smaller than what the member inflates to: the
    reader stops at the declared size and names the code docs/bundle-format.md §5 gives."""
    from fieldwork.bundles.export import sign_envelope

    manifest, lines = parts
    records = encode(lines)
    manifest = json.loads(json.dumps(manifest))
    manifest["members"][0]["size"] = len(records) - 10
    manifest_bytes = canonical_json(manifest)
    archive = raw_zip([
        {"name": "envelope.json", "data": sign_envelope(manifest_bytes, inspector_keys)},
        {"name": "payload/records.jsonl", "data": records, "declared_size": len(records) - 10},
    ])
    error = refused(seal_archive(archive, [lead_keys.public]), lead_keys, trust)
    assert error.code == "unsafe-archive" and "inflates past its declared size" in error.detail


def test_records_whose_directory_size_differs_from_the_signed_size_are_tampered(parts, inspector_keys, lead_keys,
                                                                                trust):
    """The directory's size is compared with the signed one before anything is inflated."""
    from fieldwork.bundles.export import sign_envelope

    manifest, lines = parts
    records = encode(lines)
    manifest = json.loads(json.dumps(manifest))
    manifest["members"][0].update(size=len(records), sha256=hashlib.sha256(records).hexdigest())
    archive = raw_zip([
        {"name": "envelope.json", "data": sign_envelope(canonical_json(manifest), inspector_keys)},
        {"name": "payload/records.jsonl", "data": records, "declared_size": len(records) - 10},
    ])
    error = refused(seal_archive(archive, [lead_keys.public]), lead_keys, trust)
    assert error.code == "tampered-member"


def test_an_inspection_id_the_store_cannot_hold_is_refused(parts, inspector_keys, lead_keys, trust):
    """One inspection-id pattern for bundles, packs and the store: no "@" (person ids may have one)."""
    manifest, lines = parts
    manifest["inspection_id"] = "insp@test"
    renamed = [
        {**line, **{k: "insp@test" for k in ("inspection_id",) if k in line}, **({"id": "insp@test"} if
                                                                               line["type"] == "inspection" else {})}
        for line in lines
    ]
    error = refused(signed(manifest, encode(renamed), inspector_keys, lead_keys), lead_keys, trust)
    assert error.code == "malformed-manifest" and "inspection_id" in error.detail
