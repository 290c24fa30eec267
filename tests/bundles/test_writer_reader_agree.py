"""What the app accepts, the exporter writes and the lead's reader accepts (issue 16 §3).

The real store API, the real export and the real verification, with real keys: honest content,
however repetitive or odd, never comes back as a zip bomb or a malformed record.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fieldwork.bundles import export_bundle, verify_bundle
from fieldwork.bundles.format import RECORDS_NAME
from fieldwork.bundles.records import records_from_store
from fieldwork.bundles.ziparchive import STORED, read_entries
from fieldwork.errors import FieldworkError
from fieldwork.identity import TrustList
from fieldwork.profile import set_profile
from fieldwork.store import open_store
from fieldwork.store.assessments import set_answer, set_detail, set_status
from fieldwork.store.inspections import add_case, create_inspection

from .helpers import open_archive

SENTENCE = "Seen. "


def _store(folder: Path, framework):
    store = open_store(folder, actor="insp-1")
    set_profile(store, "insp-1", "Ann Inspector")
    inspection = create_inspection(
        store, inspection_id="insp-test", provider="Test CRC", provider_type="CRC", framework=framework,
        lead_id="lead-1",
    )
    return store, inspection


def _export_and_verify(store, folder: Path, inspector_keys, lead_keys):
    result = export_bundle(store, "insp-test", folder / "out.fwbundle", identity=inspector_keys,
                           recipients=[lead_keys.public])
    verified = verify_bundle(result.path, identity=lead_keys, trust=TrustList.of(inspector_keys.public))
    assert verified.records == records_from_store(store, "insp-test", "insp-1")
    return result


def test_repetitive_honest_evidence_reaches_the_lead(tmp_path, mini_framework, inspector_keys, lead_keys):
    """36 notes of one long repeated sentence: refused as "expands 217 times (a zip bomb)" before."""
    store, inspection = _store(tmp_path / "store", mini_framework)
    try:
        for n in range(36):
            case = add_case(store, inspection, f"CRN{n:03d}", inspector_id="insp-1")
            set_answer(store, case.id, "2.1.1", value="no", note=SENTENCE * 15000)
        result = _export_and_verify(store, tmp_path, inspector_keys, lead_keys)
        entries = read_entries(open_archive(result.path.read_bytes(), lead_keys))
        assert entries[RECORDS_NAME].method == STORED  # deflated, it would pass the 200:1 ratio
    finally:
        store.close()


# One inspector's work, as the app's own functions take it: any text, any repetition.
_text = st.text(max_size=60)
_repeated = st.builds(lambda part, times: part * times, st.text(min_size=1, max_size=30), st.integers(1, 5000))
_note = st.one_of(_text, _repeated)
_edit = st.tuples(
    st.integers(0, 2),  # which case
    st.sampled_from(["2.1.1", "2.1.2", "2.1.1.a", "ldu", "rosh", "start_date", "complete"]),
    st.one_of(st.none(), st.sampled_from(["yes", "no", "na"])),
    _note,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(refs=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=3), edits=st.lists(_edit, max_size=25))
@example(refs=["CRN001"], edits=[(0, "2.1.1", "no", SENTENCE * 15000)] * 2)  # a bomb-like ratio, honestly
@example(refs=["CRN\t1"], edits=[(0, "ldu", None, "North\tside")])  # control characters the formats refuse
def test_any_store_the_app_accepts_exports_to_a_bundle_that_verifies(
    mini_framework, inspector_keys, lead_keys, refs, edits
):
    with tempfile.TemporaryDirectory() as folder:
        store, inspection = _store(Path(folder) / "store", mini_framework)
        try:
            cases = []
            for ref in refs:
                try:
                    cases.append(add_case(store, inspection, ref, inspector_id="insp-1"))
                except FieldworkError:
                    pass  # the app refused it (empty, a repeat, a control character): not stored
            for which, question, value, text in edits:
                if not cases:
                    break
                case = cases[which % len(cases)]
                try:
                    if question in ("ldu", "rosh", "start_date"):
                        set_detail(store, case.id, question, text)
                    elif question == "complete":
                        set_status(store, case.id, "complete")
                    elif question == "2.1.1.a":
                        set_answer(store, case.id, question, value=value)
                    else:
                        set_answer(store, case.id, question, value=value, note=text)
                except FieldworkError:
                    pass  # refused with a message: the store is unchanged
            _export_and_verify(store, Path(folder), inspector_keys, lead_keys)
        finally:
            store.close()
