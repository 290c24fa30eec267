"""Export a PDU inspection's merged results as a signed, encrypted results bundle for the region.

The PDU lead signs with their own key and encrypts to the region lead's identity, exactly as an
inspector's bundle goes to their lead; the same container, envelope, ZIP writer and atomic file
writer are used. Numbering: per (signer key, PDU inspection) in the store's export history,
shared with any work bundle that key exported for the same inspection, so the chain and the
region's "older is refused" rule hold whatever else the key signed.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from fieldwork import __version__
from fieldwork.bundles import container
from fieldwork.bundles.export import ExportError, check_bundle_size, sign_envelope
from fieldwork.bundles.exportfile import check_exporter, target_path, write_whole
from fieldwork.bundles.fields import FrameworkRef, Member
from fieldwork.bundles.format import ENVELOPE_NAME, FILE_SUFFIX, RECORDS_NAME
from fieldwork.bundles.history import ExportRecord, next_sequence, record_export
from fieldwork.bundles.ziparchive import write_zip
from fieldwork.frameworks.model import Framework
from fieldwork.identity.keys import UnlockedIdentity
from fieldwork.identity.public import PublicIdentity
from fieldwork.merge.conflicts import count_open_conflicts
from fieldwork.merge.held import waiting_case
from fieldwork.region.results_format import (
    MAX_PROVIDER_CHARS,
    PduInspectionRecord,
    ResultCase,
    ResultsManifest,
    ResultsRecords,
    records_to_jsonl,
)
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection


@dataclass(frozen=True)
class ResultsExport:
    path: Path
    manifest: ResultsManifest
    manifest_sha256: str
    size: int
    cases_per_sample: dict[str, int]
    open_conflicts: int

    def summary(self) -> dict:
        m = self.manifest
        return {
            "path": str(self.path), "kind": m.kind, "bundle_id": m.bundle_id, "pdu_inspection_id": m.inspection_id,
            "signer": m.inspector_id, "signer_key_id": m.signer_key_id, "sequence": m.sequence,
            "recipients": list(m.recipients), "size": self.size, "manifest_sha256": self.manifest_sha256,
            "cases": m.record_counts["result_case"], "cases_per_sample": self.cases_per_sample,
            "open_conflicts": self.open_conflicts,
            "framework": {"id": m.framework.id, "version": m.framework.version, "hash": m.framework.hash},
        }


def _shareable_details(framework: Framework) -> tuple[str, ...]:
    """Case details the region may receive: coded (no free text) and not personal."""
    return tuple(f.id for f in framework.case_details if not f.personal and f.type != "text")


def results_from_store(store: Store, inspection_id: str) -> ResultsRecords:
    """Every counted case of the inspection as merged: sample, coded non-personal details and the
    key-question judgements its sample is asked (never prompts, evidence text or references)."""
    inspection = get_inspection(store, inspection_id)
    framework = framework_for(store, inspection)
    cases = store.db.execute(
        f"SELECT id, sample_id FROM cases c WHERE inspection_id = ? AND NOT {waiting_case('c')} ORDER BY id",
        [inspection_id],
    ).fetchall()
    asked = {s.id: {kq.id for kq in framework.key_questions_for_sample(s.id)} for s in framework.samples}
    shareable = set(_shareable_details(framework))
    judgements: dict[str, dict[str, str]] = {}
    for case_id, question_id, value in store.db.execute(
        "SELECT a.case_id, a.question_id, a.value FROM answers a JOIN cases c ON c.id = a.case_id "
        "WHERE c.inspection_id = ? AND a.value IS NOT NULL",
        [inspection_id],
    ):
        judgements.setdefault(case_id, {})[question_id] = value
    details: dict[str, dict[str, str]] = {}
    for case_id, field_id, value in store.db.execute(
        "SELECT d.case_id, d.field_id, d.value FROM case_details d JOIN cases c ON c.id = d.case_id "
        "WHERE c.inspection_id = ? AND d.value <> ''",
        [inspection_id],
    ):
        if field_id in shareable:
            details.setdefault(case_id, {})[field_id] = value
    result_cases = tuple(
        ResultCase(
            case_id, sample,
            dict(sorted(details.get(case_id, {}).items())),
            {q: v for q, v in sorted(judgements.get(case_id, {}).items()) if q in asked.get(sample, ())},
        )
        for case_id, sample in cases
    )
    record = PduInspectionRecord(
        inspection_id, inspection.provider[:MAX_PROVIDER_CHARS], count_open_conflicts(store, inspection_id)
    )
    return ResultsRecords(record, result_cases)


def suggested_results_filename(inspection_id: str, signer_key_id: str, sequence: int) -> str:
    return f"{inspection_id}_results_{signer_key_id[:8]}_{sequence:04d}{FILE_SUFFIX}"


def export_results(
    store: Store,
    inspection_id: str,
    out: str | os.PathLike,
    *,
    identity: UnlockedIdentity,
    region_lead: PublicIdentity,
    overwrite: bool = False,
) -> ResultsExport:
    """Write the PDU inspection's results bundle, encrypted to the region lead, to `out` (a file,
    or a folder to get the suggested name). Whole or nothing at the final path."""
    check_exporter(store, identity, ExportError, what="results bundle")
    inspection = get_inspection(store, inspection_id)
    if inspection.lead_id and inspection.lead_id != identity.person_id:
        raise ExportError(
            f"Inspection {inspection_id} is led by {inspection.lead_id}; only its lead signs its results for the "
            f"region, and these keys are {identity.person_id}'s.",
            code="not-the-lead",
        )
    region_lead.verify_self_signature()
    framework = framework_for(store, inspection)
    records = results_from_store(store, inspection_id)
    records_bytes = records_to_jsonl(records)
    check_bundle_size(records_bytes, len(records.cases) + 1)
    sequence, previous = next_sequence(store, identity.key_id, inspection_id)
    final = target_path(
        out, suggested_results_filename(inspection_id, identity.key_id, sequence), ExportError,
        overwrite=overwrite, suffix=FILE_SUFFIX,
    )
    manifest = ResultsManifest(
        app_version=__version__, bundle_id=str(uuid.uuid4()), created_at=store.now(),
        inspector_id=identity.person_id, signer_key_id=identity.key_id, recipients=(region_lead.key_id,),
        inspection_id=inspection_id,
        framework=FrameworkRef(framework.id, framework.version, framework.content_hash),
        sequence=sequence, previous_manifest_sha256=previous,
        members=(Member(RECORDS_NAME, len(records_bytes), hashlib.sha256(records_bytes).hexdigest()),),
        record_counts=records.counts(),
    )
    manifest_bytes = manifest.to_bytes()
    archive = write_zip([(ENVELOPE_NAME, sign_envelope(manifest_bytes, identity)), (RECORDS_NAME, records_bytes)])
    data = container.seal(archive, [region_lead])
    manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
    history = ExportRecord(
        identity.key_id, inspection_id, sequence, manifest.bundle_id, manifest_sha256, manifest.recipients,
        manifest.created_at,
    )
    write_whole(
        final, data, lambda: record_export(store, history), ExportError, what="results bundle",
        race="Another export of this inspection finished at the same moment; export again.",
    )
    return ResultsExport(
        final, manifest, manifest_sha256, len(data), records.cases_per_sample(), records.inspection.open_conflicts
    )
