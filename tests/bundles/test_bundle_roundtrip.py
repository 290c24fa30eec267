"""Export → verify → the same records as the store, and the export's promises around it."""

from __future__ import annotations

import os
import stat

import pytest

from fieldwork.bundles import BundleError, ExportError, export_bundle, list_exports, verify_bundle
from fieldwork.bundles.format import FILE_SUFFIX
from fieldwork.bundles.records import records_from_store, records_to_jsonl
from fieldwork.identity import TrustList, pin_lead
from fieldwork.store.inspections import framework_for, get_inspection


def test_round_trip_gives_back_the_stores_records(exported, filled_store, lead_keys, trust, mini_framework):
    verified = verify_bundle(
        exported.path, identity=lead_keys, trust=trust, inspection_id="insp-test", framework=mini_framework
    )
    assert verified.records == records_from_store(filled_store, "insp-test", "insp-1")
    assert verified.manifest == exported.manifest
    assert verified.manifest_sha256 == exported.manifest_sha256
    assert verified.signer.person_id == "insp-1"
    assert verified.encrypted and verified.opened_with == lead_keys.key_id


def test_bundle_holds_this_inspectors_cases_with_status_details_answers_and_history(exported, lead_keys, trust):
    records = verify_bundle(exported.path, identity=lead_keys, trust=trust).records
    refs = {c.case_ref: c for c in records.cases}
    assert set(refs) == {"CRN001", "CRN002", "CRN003", "UPW001"}  # not CRN900, another inspector's
    assert refs["CRN003"].status == "complete" and refs["CRN001"].status == "in_progress"
    assert refs["UPW001"].sample == "unpaid_work" and refs["UPW001"].inspector == "insp-1"
    answers = {(a.case_uuid, a.question_id): a for a in records.answers}
    first = answers[(refs["CRN001"].uuid, "2.1.1")]
    assert (first.value, first.note, first.updated_by) == ("yes", "Clear plan.\nSeen on 3 Nov — “good”.", "insp-1")
    draft = answers[(refs["CRN002"].uuid, "2.1.1")]
    assert draft.value is None and draft.note == "Draft, not judged yet."
    details = {(d.case_uuid, d.field_id): d.value for d in records.details}
    assert details[(refs["CRN002"].uuid, "rosh")] == "medium"
    assert details[(refs["CRN001"].uuid, "ldu")] == "North"
    assert {c.case_uuid for c in records.changes} <= {c.uuid for c in records.cases}
    assert all(len(c.id) == 36 for c in records.changes)  # change-log UUIDs, never seq
    assert records.inspection.framework_hash == exported.manifest.framework.hash


def test_manifest_describes_the_bundle(exported, inspector_keys, lead_keys, filled_store):
    manifest = exported.manifest
    inspection = get_inspection(filled_store, "insp-test")
    framework = framework_for(filled_store, inspection)
    assert manifest.inspector_id == "insp-1"
    assert manifest.signer_key_id == inspector_keys.key_id
    assert manifest.recipients == (lead_keys.key_id,)
    assert (manifest.framework.id, manifest.framework.version, manifest.framework.hash) == (
        framework.id, framework.version, framework.content_hash,
    )
    assert manifest.sequence == 1 and manifest.previous_manifest_sha256 is None
    records_bytes = records_to_jsonl(records_from_store(filled_store, "insp-test", "insp-1"))
    assert manifest.members[0].size == len(records_bytes)
    assert manifest.record_counts["case"] == 4


def test_sequences_chain_per_signer_and_inspection(exported, filled_store, tmp_path, inspector_keys, lead_keys, trust):
    second = export_bundle(
        filled_store, "insp-test", tmp_path / "out", identity=inspector_keys, recipients=[lead_keys.public]
    )
    assert second.manifest.sequence == 2
    assert second.manifest.previous_manifest_sha256 == exported.manifest_sha256
    assert second.path != exported.path
    history = list_exports(filled_store, "insp-test")
    assert [(h.sequence, h.manifest_sha256) for h in history] == [
        (1, exported.manifest_sha256), (2, second.manifest_sha256),
    ]
    assert verify_bundle(second.path, identity=lead_keys, trust=trust).manifest.sequence == 2


def test_filename_names_ids_only(exported, inspector_keys):
    name = exported.path.name
    assert name == f"insp-test_{inspector_keys.person_id}_{inspector_keys.key_id[:8]}_0001{FILE_SUFFIX}"
    assert "Ann" not in name and "CRN" not in name


def test_bundle_file_is_private_and_no_temp_files_remain(exported):
    if os.name == "posix":
        assert stat.S_IMODE(exported.path.stat().st_mode) == 0o600
    assert [p.name for p in exported.path.parent.iterdir()] == [exported.path.name]


def test_recovery_key_and_hybrid_lead_can_each_decrypt(filled_store, tmp_path, inspector_keys, hybrid_lead_keys,
                                                       recovery_keys, trust):
    result = export_bundle(
        filled_store, "insp-test", tmp_path / "b.fwbundle", identity=inspector_keys,
        recipients=[hybrid_lead_keys.public], recovery=recovery_keys.public,
    )
    assert set(result.manifest.recipients) == {hybrid_lead_keys.key_id, recovery_keys.key_id}
    for keys in (hybrid_lead_keys, recovery_keys):
        assert verify_bundle(result.path, identity=keys, trust=trust).opened_with == keys.key_id


def test_pinned_lead_is_the_default_recipient(filled_store, tmp_path, inspector_keys, lead_keys, trust):
    with pytest.raises(ExportError) as refused:
        export_bundle(filled_store, "insp-test", tmp_path / "a.fwbundle", identity=inspector_keys)
    assert refused.value.code == "no-recipient" and "--to" in refused.value.message
    assert not (tmp_path / "a.fwbundle").exists()
    pin_lead(filled_store, "insp-test", lead_keys.public)
    result = export_bundle(filled_store, "insp-test", tmp_path / "a.fwbundle", identity=inspector_keys)
    assert result.manifest.recipients == (lead_keys.key_id,)
    assert list_exports(filled_store) and result.manifest.sequence == 1  # the refusal used no number


def test_unencrypted_only_when_asked_on_both_sides(filled_store, tmp_path, inspector_keys, trust):
    plain = tmp_path / "plain.fwbundle"
    result = export_bundle(filled_store, "insp-test", plain, identity=inspector_keys, encrypt=False)
    assert result.manifest.recipients == () and not result.encrypted
    with pytest.raises(BundleError) as refused:
        verify_bundle(result.path, identity=None, trust=trust)
    assert refused.value.code == "unencrypted"
    verified = verify_bundle(result.path, identity=None, trust=trust, allow_unencrypted=True)
    assert not verified.encrypted and verified.records.counts()["case"] == 4


def test_export_refuses_to_overwrite_unless_asked(exported, filled_store, inspector_keys, lead_keys, trust):
    with pytest.raises(ExportError) as refused:
        export_bundle(filled_store, "insp-test", exported.path, identity=inspector_keys, recipients=[lead_keys.public])
    assert refused.value.code == "file-exists"
    again = export_bundle(
        filled_store, "insp-test", exported.path, identity=inspector_keys, recipients=[lead_keys.public],
        overwrite=True,
    )
    assert verify_bundle(again.path, identity=lead_keys, trust=trust).manifest.sequence == 2


def test_export_refuses_keys_of_another_profile(filled_store, tmp_path, other_inspector_keys, lead_keys):
    with pytest.raises(ExportError) as refused:
        export_bundle(filled_store, "insp-test", tmp_path, identity=other_inspector_keys, recipients=[lead_keys.public])
    assert refused.value.code == "wrong-keys"
    assert list(tmp_path.glob("*.fwbundle")) == []


def test_bytes_source_and_path_source_agree(exported, lead_keys, trust):
    from_path = verify_bundle(exported.path, identity=lead_keys, trust=trust)
    from_bytes = verify_bundle(exported.path.read_bytes(), identity=lead_keys, trust=trust)
    assert from_path.records == from_bytes.records


def test_stale_partials_of_dead_writers_are_cleaned(filled_store, tmp_path, inspector_keys, lead_keys):
    stale = tmp_path / ".old.fwbundle.999999999-0badf00d.partial"
    stale.write_bytes(b"half a bundle")
    live = tmp_path / f".mine.fwbundle.{os.getpid()}-0badf00d.partial"
    live.write_bytes(b"being written")
    new = tmp_path / "new.fwbundle"
    export_bundle(filled_store, "insp-test", new, identity=inspector_keys, recipients=[lead_keys.public])
    assert not stale.exists() and live.exists()


def test_trusting_the_signer_for_other_inspections_only_is_refused(exported, lead_keys, inspector_keys):
    narrow = TrustList.of(inspector_keys.public, inspections=["another"])
    with pytest.raises(BundleError) as refused:
        verify_bundle(exported.path, identity=lead_keys, trust=narrow)
    assert refused.value.code == "unknown-signer" and "--inspections insp-test" in refused.value.message


def test_export_preview_shows_what_goes_in(filled_store, inspector_keys, lead_keys):
    from fieldwork.bundles import export_preview

    preview = export_preview(filled_store, "insp-test", inspector_keys)
    assert preview.record_counts["case"] == 4
    assert preview.statuses == {"in_progress": 2, "complete": 1, "not_started": 1}
    assert preview.next_sequence == 1 and preview.lead is None
    pin_lead(filled_store, "insp-test", lead_keys.public)
    assert export_preview(filled_store, "insp-test", inspector_keys).lead == lead_keys.public


def test_work_recorded_under_another_name_is_not_exported(filled_store, tmp_path, inspector_keys, lead_keys):
    """The writer never writes what a reader refuses (foreign-author): an answer recorded as someone
    else (here: before the profile was set, under a login name) stops the export with a reason."""
    from fieldwork.store.assessments import find_case, set_answer

    case = find_case(filled_store, "insp-test", "CRN001")
    filled_store.actor = "login-name"
    set_answer(filled_store, case.id, "2.1.2", value="yes", note="typed before the profile was set")
    filled_store.actor = "insp-1"
    with pytest.raises(ExportError) as caught:
        export_bundle(filled_store, "insp-test", tmp_path, identity=inspector_keys, recipients=[lead_keys.public])
    assert caught.value.code == "foreign-author" and "login-name" in caught.value.message
    assert list(tmp_path.glob("*.fwbundle")) == []
