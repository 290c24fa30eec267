"""What the results writer produces, the results reader accepts, and reads back unchanged (the
design's "one profile, tested both ways"), for any records the format allows."""

from __future__ import annotations

import hashlib
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldwork.bundles.fields import FrameworkRef, Member
from fieldwork.bundles.format import RECORDS_NAME
from fieldwork.region.results_format import (
    PduInspectionRecord,
    ResultCase,
    ResultsManifest,
    ResultsRecords,
    parse_results_manifest,
    parse_results_records,
    records_to_jsonl,
)

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)
coded = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,20}", fullmatch=True)
cases = st.builds(
    ResultCase,
    uuid=st.uuids().map(str),
    sample=ids,
    details=st.dictionaries(ids, coded, max_size=5),
    judgements=st.dictionaries(ids, st.sampled_from(["yes", "no", "na"]), max_size=8),
)
records = st.builds(
    ResultsRecords,
    inspection=st.builds(PduInspectionRecord, id=ids, provider=st.text(
        st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_characters="\x7f"), min_size=1,
        max_size=40), open_conflicts=st.integers(0, 10**6)),
    cases=st.lists(cases, max_size=12, unique_by=lambda c: c.uuid).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(records)
def test_written_results_are_read_back_unchanged(written):
    data = records_to_jsonl(written)
    manifest = ResultsManifest(
        app_version="1", bundle_id=str(uuid.uuid4()), created_at="2026-11-02T09:00:00.000Z",
        inspector_id="pdu-lead", signer_key_id="0" * 32, recipients=("1" * 32,),
        inspection_id=written.inspection.id, framework=FrameworkRef("f", "1", "a" * 64), sequence=1,
        previous_manifest_sha256=None, members=(Member(RECORDS_NAME, len(data), hashlib.sha256(data).hexdigest()),),
        record_counts=written.counts(),
    )
    assert parse_results_manifest(manifest.to_bytes()) == manifest
    assert parse_results_records(data, manifest) == written
