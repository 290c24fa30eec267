"""The results bundle's manifest and records (decision 0035; docs/bundle-format.md, "Results bundles").

A results bundle is a bundle like an inspector's (same container, envelope, payload type and
checks) whose manifest is format 3 with `kind` "results". It carries a PDU inspection's merged
case results for a region inspection: per case its sample, its non-personal coded case details
and its key-question judgements. Never evidence text, case references, prompts or personal
details: the region does not need them, and a record has no field to hold them.

An inspector's work bundle stays manifest format 1 or 2 (kind "work"); a fieldwork that predates
results bundles refuses a format-3 manifest as made by a newer version, never misreads it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from fieldwork.bundles import fields
from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.fields import (
    ID_PATTERN,
    INSPECTION_ID_PATTERN,
    KEY_ID_PATTERN,
    SHA256_PATTERN,
    UUID_PATTERN,
    VERSION_TEXT,
    FrameworkRef,
    Member,
)
from fieldwork.bundles.format import DEFAULT_LIMITS, RECORDS_NAME, Limits
from fieldwork.identity.encoding import canonical_json

RESULTS_FORMAT_VERSION = 3
RESULTS_KIND = "results"
RESULTS_RECORD_TYPES = ("pdu_inspection", "result_case")
# Bounds on one case: far above any framework's key questions and case details.
MAX_JUDGEMENTS_PER_CASE = 256
MAX_DETAILS_PER_CASE = 64
MAX_DETAIL_CHARS = 64  # coded values only: a choice, true/false, a whole number, a date
MAX_PROVIDER_CHARS = 200
_QUESTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_CODED_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f\ud800-\udfff]+$")
_JUDGEMENTS = ("yes", "no", "na")

_MANIFEST_KEYS = {
    "format_version", "kind", "app_version", "bundle_id", "created_at", "inspector_id", "signer_key_id",
    "recipients", "inspection_id", "framework", "sequence", "previous_manifest_sha256", "members",
    "record_counts",
}


@dataclass(frozen=True)
class ResultsManifest:
    """The signed description of a results bundle. `inspection_id` is the PDU inspection's."""

    app_version: str
    bundle_id: str
    created_at: str
    inspector_id: str  # the PDU lead who signs
    signer_key_id: str
    recipients: tuple[str, ...]
    inspection_id: str
    framework: FrameworkRef
    sequence: int
    previous_manifest_sha256: str | None
    members: tuple[Member, ...]
    record_counts: dict[str, int]
    format_version: int = RESULTS_FORMAT_VERSION
    kind: str = RESULTS_KIND

    def to_json(self) -> dict:
        return {
            "format_version": self.format_version,
            "kind": self.kind,
            "app_version": self.app_version,
            "bundle_id": self.bundle_id,
            "created_at": self.created_at,
            "inspector_id": self.inspector_id,
            "signer_key_id": self.signer_key_id,
            "recipients": list(self.recipients),
            "inspection_id": self.inspection_id,
            "framework": {"id": self.framework.id, "version": self.framework.version, "hash": self.framework.hash},
            "sequence": self.sequence,
            "previous_manifest_sha256": self.previous_manifest_sha256,
            "members": [{"name": m.name, "size": m.size, "sha256": m.sha256} for m in self.members],
            "record_counts": dict(self.record_counts),
        }

    def to_bytes(self) -> bytes:
        return canonical_json(self.to_json())


@dataclass(frozen=True)
class PduInspectionRecord:
    """The first line: which PDU inspection, and what the PDU lead had still not decided."""

    id: str
    provider: str
    open_conflicts: int


@dataclass(frozen=True)
class ResultCase:
    """One case of the PDU inspection as merged: identity, sample, coded details, judgements."""

    uuid: str
    sample: str
    details: dict[str, str]
    judgements: dict[str, str]


@dataclass(frozen=True)
class ResultsRecords:
    inspection: PduInspectionRecord
    cases: tuple[ResultCase, ...]

    def counts(self) -> dict[str, int]:
        return {"pdu_inspection": 1, "result_case": len(self.cases)}

    def cases_per_sample(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for case in self.cases:
            counts[case.sample] = counts.get(case.sample, 0) + 1
        return dict(sorted(counts.items()))


def bad_manifest(detail: str) -> BundleError:
    return BundleError(
        "malformed-manifest",
        f"This results bundle's manifest is not valid ({detail}); ask the PDU lead to export it again with "
        "the current fieldwork.",
        detail=detail,
    )


def _newer(version: int) -> BundleError:
    return BundleError(
        "unsupported-version",
        f"This bundle uses manifest format {version}, newer than this fieldwork reads "
        f"({RESULTS_FORMAT_VERSION}); install the newer fieldwork to read it.",
        detail=f"manifest format {version}",
    )


def manifest_kind(data: bytes) -> str:
    """'results' for a results manifest, else 'work' (the strict parse that follows says what is wrong)."""
    try:
        value = fields.parse_canonical_json(data)
    except fields.EncodingError:
        return "work"
    if not isinstance(value, dict):
        return "work"
    version, kind = value.get("format_version"), value.get("kind")
    return RESULTS_KIND if fields.is_int(version) and version == RESULTS_FORMAT_VERSION and kind == RESULTS_KIND \
        else "work"


def parse_results_manifest(data: bytes) -> ResultsManifest:
    """Strictly parse a results manifest: canonical JSON, exactly its fields, each well formed."""
    value = fields.manifest_object(data, RESULTS_FORMAT_VERSION, _MANIFEST_KEYS, bad_manifest, _newer)
    if value["kind"] != RESULTS_KIND:
        raise bad_manifest("kind is not 'results'")
    recipients = fields.key_ids(
        value["recipients"], bad_manifest, least=0, most=DEFAULT_LIMITS.max_recipients,
        not_a_list="recipients is not a list",
    )
    framework = fields.framework_object(value["framework"], bad_manifest)
    sequence, previous = fields.sequence(value["sequence"], bad_manifest), value["previous_manifest_sha256"]
    if (previous is None) != (sequence == 1):
        raise bad_manifest("previous_manifest_sha256 must be null exactly when sequence is 1")
    if previous is not None:
        fields.match(previous, SHA256_PATTERN, "previous_manifest_sha256", bad_manifest)
    members = fields.members(value["members"], (RECORDS_NAME,), bad_manifest, size_problem="a member size is not valid")
    counts = value["record_counts"]
    if not isinstance(counts, dict) or set(counts) != set(RESULTS_RECORD_TYPES) or not all(
        fields.is_int(n) and n >= 0 for n in counts.values()
    ) or counts["pdu_inspection"] != 1:
        raise bad_manifest("record_counts is not valid")
    if not fields.is_timestamp(value["created_at"]):
        raise bad_manifest(f"created_at is not a valid time from {fields.EARLIEST_TIMESTAMP[:10]} on")
    return ResultsManifest(
        app_version=fields.match(value["app_version"], VERSION_TEXT, "app_version", bad_manifest),
        bundle_id=fields.match(value["bundle_id"], UUID_PATTERN, "bundle_id", bad_manifest),
        created_at=value["created_at"],
        inspector_id=fields.match(value["inspector_id"], ID_PATTERN, "inspector_id", bad_manifest),
        signer_key_id=fields.match(value["signer_key_id"], KEY_ID_PATTERN, "signer_key_id", bad_manifest),
        recipients=tuple(recipients),
        inspection_id=fields.match(value["inspection_id"], INSPECTION_ID_PATTERN, "inspection_id", bad_manifest),
        framework=fields.framework_ref(framework, ID_PATTERN, bad_manifest),
        sequence=sequence,
        previous_manifest_sha256=previous,
        members=members,
        record_counts=dict(counts),
    )


# --- records -------------------------------------------------------------------------------------

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _bad_record(line: int, detail: str) -> BundleError:
    where = f"line {line}" if line else "the record file"
    return BundleError(
        "malformed-record",
        f"This results bundle's records are not valid ({where}: {detail}); ask the PDU lead to export it "
        "again with the current fieldwork, and report the file if it happens again.",
        detail=f"{where}: {detail}",
    )


def _record_json(record) -> dict:
    if isinstance(record, PduInspectionRecord):
        return {"type": "pdu_inspection", "id": record.id, "provider": record.provider,
                "open_conflicts": record.open_conflicts}
    return {"type": "result_case", "uuid": record.uuid, "sample": record.sample,
            "details": dict(record.details), "judgements": dict(record.judgements)}


def records_to_jsonl(records: ResultsRecords) -> bytes:
    """One canonical JSON object per line; refuses what `parse_results_records` would refuse."""
    lines = []
    for number, record in enumerate((records.inspection, *records.cases), start=1):
        value = _record_json(record)
        _check(value, number)
        lines.append(_ENCODER.encode(value).encode("utf-8") + b"\n")
    return b"".join(lines)


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("a field appears twice")
    return result


def _reject(_text: str):
    raise ValueError("numbers must be whole numbers")


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_float=_reject, parse_constant=_reject)


def _check(value: object, number: int) -> str:
    """The record's type after checking it has exactly its fields, each well formed."""
    if not isinstance(value, dict):
        raise _bad_record(number, "not a JSON object")
    kind = value.get("type")
    if kind == "pdu_inspection":
        if set(value) != {"type", "id", "provider", "open_conflicts"}:
            raise _bad_record(number, "a pdu_inspection record has other fields than id, provider, open_conflicts")
        ok = (isinstance(value["id"], str) and INSPECTION_ID_PATTERN.fullmatch(value["id"])
              and isinstance(value["provider"], str) and len(value["provider"]) <= MAX_PROVIDER_CHARS
              and _PRINTABLE.fullmatch(value["provider"])
              and fields.is_int(value["open_conflicts"]) and 0 <= value["open_conflicts"] < 2**31)
        if not ok:
            raise _bad_record(number, "a pdu_inspection field has a value of the wrong type or form")
        return kind
    if kind != "result_case":
        raise _bad_record(number, f"unknown record type {kind!r}")
    # Exactly these fields: a results record has nowhere to carry evidence text or a case reference.
    if set(value) != {"type", "uuid", "sample", "details", "judgements"}:
        raise _bad_record(number, "a result_case record has other fields than type, uuid, sample, details, judgements")
    if not (isinstance(value["uuid"], str) and UUID_PATTERN.fullmatch(value["uuid"])):
        raise _bad_record(number, "uuid is not valid")
    if not (isinstance(value["sample"], str) and _QUESTION_ID.fullmatch(value["sample"])):
        raise _bad_record(number, "sample is not valid")
    details, judgements = value["details"], value["judgements"]
    if not isinstance(details, dict) or len(details) > MAX_DETAILS_PER_CASE or not all(
        isinstance(k, str) and _QUESTION_ID.fullmatch(k) and isinstance(v, str) and _CODED_VALUE.fullmatch(v)
        for k, v in details.items()
    ):
        raise _bad_record(number, "details must map case-detail ids to coded values (no free text)")
    if not isinstance(judgements, dict) or len(judgements) > MAX_JUDGEMENTS_PER_CASE or not all(
        isinstance(k, str) and _QUESTION_ID.fullmatch(k) and v in _JUDGEMENTS for k, v in judgements.items()
    ):
        raise _bad_record(number, "judgements must map key-question ids to yes, no or na")
    return kind


def parse_results_records(data: bytes, manifest: ResultsManifest, limits: Limits = DEFAULT_LIMITS) -> ResultsRecords:
    """The record file, strictly: the PDU inspection first (and once), then unique cases, matching
    the manifest's counts and its inspection id."""
    if not data.endswith(b"\n"):
        raise _bad_record(0, "the file does not end with a line feed")
    lines = data[:-1].split(b"\n")
    if len(lines) > limits.max_records:
        raise _bad_record(0, f"more than {limits.max_records} records")
    inspection, cases, seen = None, [], set()
    for number, line in enumerate(lines, start=1):
        if len(line) > limits.max_line_bytes or b"\r" in line:
            raise _bad_record(number, "the line is too long or has a carriage return")
        try:
            value = _DECODER.decode(line.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise _bad_record(number, f"not valid JSON ({exc})") from None
        kind = _check(value, number)
        if (number == 1) != (kind == "pdu_inspection"):
            raise _bad_record(number, "the PDU inspection must be the first record, and only the first")
        if kind == "pdu_inspection":
            inspection = PduInspectionRecord(value["id"], value["provider"], value["open_conflicts"])
            continue
        if value["uuid"] in seen:
            raise _bad_record(number, f"case {value['uuid']} appears twice")
        seen.add(value["uuid"])
        cases.append(ResultCase(value["uuid"], value["sample"], value["details"], value["judgements"]))
    if inspection is None:
        raise _bad_record(0, "there is no pdu_inspection record")
    if inspection.id != manifest.inspection_id:
        raise _bad_record(
            1, f"the records are for inspection {inspection.id}, the manifest for {manifest.inspection_id}"
        )
    records = ResultsRecords(inspection, tuple(cases))
    if records.counts() != manifest.record_counts:
        raise _bad_record(0, "the number of records differs from the manifest's record_counts")
    return records
