"""Fuzzed bundles: every mutation of a valid bundle is either read or refused with a BundleError
(a reason code and a sentence), within the deadline; a bundle that is read still hangs together.

Beyond tests/bundles/test_bundle_tamper.py (one flipped byte, one truncation, appended bytes of
one built bundle): stacked blind mutations and splices of all the golden bundles; the inner ZIP
rebuilt with edited members and sealed again, so the edits meet the archive checks; and envelopes,
manifests and records edited as JSON and signed with a trusted key, so they meet the strict
schema and consistency checks behind the signature.
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from fieldwork.bundles import BundleError, container, verify_bundle
from fieldwork.bundles.errors import REASONS
from fieldwork.bundles.format import ENVELOPE_NAME, RECORDS_NAME
from fieldwork.bundles.records import records_to_jsonl
from fieldwork.bundles.ziparchive import write_zip
from fieldwork.identity import TrustList

from .conftest import fuzz_settings
from .mutations import dump_json, json_values, line_edits, mutated_seeds, tree_edits, zip_member_edits
from .readers import (
    bundle_leads,
    bundle_trust,
    framework_ids,
    fuzz_identity,
    golden_bundle_archives,
    golden_bundles,
    golden_records,
    mini,
    read_or_refuse,
)
from .signed import HOSTILE_LINES, bundle_manifest, count_records, record_edits, records_file, seal_bundle

SIGNER = fuzz_identity("Ann Inspector", "insp-1", "bundle signer")
LEAD = fuzz_identity("Lee Lead", "lead-1", "bundle lead")
TRUST = TrustList.of(SIGNER.public)
INSPECTION = "golden-insp"


def verify(data: bytes, **kwargs):
    """verify_bundle, which may only read the bundle or refuse it with one of its reason codes."""
    outcome = read_or_refuse(verify_bundle, data, **kwargs)
    if isinstance(outcome, BundleError):
        assert outcome.code in REASONS
    elif not isinstance(outcome, Exception):
        check_read(outcome)
    else:  # a FieldworkError that is not a BundleError: only for a file that cannot be read at all
        raise AssertionError(f"verify_bundle refused bytes with {outcome!r}, not a BundleError")
    return outcome


def check_read(verified) -> None:
    """A bundle that passed is exactly what fieldwork could have written."""
    assert records_to_jsonl(verified.records).count(b"\n") == sum(verified.manifest.record_counts.values())
    assert verified.records.counts() == verified.manifest.record_counts


def base_records() -> list[dict]:
    """The golden records, made under the current test framework text (so the records are checked
    against it, question by question)."""
    records = golden_records()
    framework = mini()
    records[0].update(framework_id=framework.id, framework_version=framework.version,
                      framework_hash=framework.content_hash)
    return records


FRAMEWORK_REF = (mini().id, mini().version, mini().content_hash)


def signed(records_data: bytes, counts: dict[str, int], manifest_edit=None, *, encrypt: bool = True) -> bytes:
    manifest = bundle_manifest(
        records_data, signer=SIGNER, recipients=[LEAD.public] if encrypt else [], inspection_id=INSPECTION,
        framework=FRAMEWORK_REF, counts=counts,
    )
    if manifest_edit is not None:
        manifest = manifest_edit(manifest)
    return seal_bundle(dump_json(manifest), records_data, signer=SIGNER, recipients=[LEAD.public], encrypt=encrypt)


def test_the_unmutated_inputs_are_read():
    """Each fuzz test starts from files that verify, so what it finds is the mutation's doing."""
    for data in golden_bundles():
        verified = verify_bundle(data, identity=bundle_leads()["lead-x25519"], trust=bundle_trust(),
                                 allow_unencrypted=True)
        check_read(verified)
    records = base_records()
    data = signed(records_file(records), count_records(records))
    check_read(verify_bundle(data, identity=LEAD, trust=TRUST, inspection_id=INSPECTION, framework=mini()))


@fuzz_settings(150)
@given(data=mutated_seeds(golden_bundles()), lead=st.sampled_from(("lead-x25519", "lead-mlkem768-x25519")))
def test_golden_bundles_mutated_blindly(data, lead):
    verify(data, identity=bundle_leads()[lead], trust=bundle_trust(), allow_unencrypted=True)


@fuzz_settings(150)
@given(
    archive=st.sampled_from(golden_bundle_archives()).flatmap(zip_member_edits),
    encrypt=st.booleans(),
)
def test_inner_archive_rebuilt_with_edited_members(archive, encrypt):
    """The golden inner ZIPs with members dropped, repeated, renamed, mutated, added; sealed again
    (or left unencrypted), so every edit reaches the archive checks."""
    lead = bundle_leads()["lead-x25519"]
    data = container.seal(archive, [lead.public]) if encrypt else container.wrap_unencrypted(archive)
    verify(data, identity=lead, trust=bundle_trust(), allow_unencrypted=True)


@fuzz_settings(100)
@given(archive=st.sampled_from(golden_bundle_archives()), data=st.data())
def test_envelope_edited(archive, data):
    """envelope.json as JSON with fields dropped, added, of the wrong type; the manifest intact."""
    members = dict(archive)
    envelope = json.loads(members[ENVELOPE_NAME])
    edited = dump_json(data.draw(tree_edits(envelope, json_values()), label="envelope"))
    inner = write_zip([(ENVELOPE_NAME, edited), (RECORDS_NAME, members[RECORDS_NAME])])
    lead = bundle_leads()["lead-x25519"]
    verify(container.seal(inner, [lead.public]), identity=lead, trust=bundle_trust())


@fuzz_settings(150)
@given(data=st.data())
def test_signed_manifest_edited(data):
    """A manifest with hostile fields, signed by a trusted key: refused as malformed-manifest (or
    whatever the edit made it), never anything but a BundleError."""
    records = base_records()
    records_data = records_file(records)

    def edit(manifest: dict) -> dict:
        return data.draw(tree_edits(manifest, json_values()), label="manifest")

    encrypt = data.draw(st.booleans(), label="encrypt")
    bundle = signed(records_data, count_records(records), edit, encrypt=encrypt)
    verify(bundle, identity=LEAD, trust=TRUST, inspection_id=data.draw(st.sampled_from((None, INSPECTION))),
           framework=data.draw(st.sampled_from((None, mini()))), allow_unencrypted=True)


@fuzz_settings(250)
@given(records=record_edits(base_records(), known_ids=framework_ids(mini())), framework=st.booleans())
def test_signed_records_edited(records, framework):
    """Records with wrong types, huge strings, negative numbers, NaN, deep nesting, unknown and
    missing fields, duplicate ids, unknown question ids, dangling references and invalid UTF-8,
    signed by a trusted key with counts that agree: refused as malformed-record, or read."""
    bundle = signed(records_file(records), count_records(records))
    verify(bundle, identity=LEAD, trust=TRUST, inspection_id=INSPECTION, framework=mini() if framework else None)


@fuzz_settings(100)
@given(data=st.data())
def test_signed_record_lines_edited(data):
    """records.jsonl edited line by line: blank, repeated, joined and swapped lines, CR LF, a
    byte-order mark, NaN, a line nested 10,000 deep, no final line feed."""
    records = base_records()
    text = data.draw(line_edits(records_file(records), HOSTILE_LINES), label="records.jsonl")
    lines = [line for line in text.split(b"\n") if line]
    counts = count_records([json.loads(line) if _is_json(line) else None for line in lines])
    verify(signed(text, counts), identity=LEAD, trust=TRUST, inspection_id=INSPECTION, framework=mini())


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True
