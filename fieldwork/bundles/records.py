"""Records that travel in bundles: read from the store, written as JSON lines, parsed strictly.

One JSON object per line, each with a "type" and exactly the fields of its record type
(docs/bundle-format.md, "Records"). Records carry UUIDs and revisions, never autoincrement ids.
`to_row()` gives the store's column names, for the merge.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass, fields
from typing import ClassVar

from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.fields import is_date, is_timestamp, later_by
from fieldwork.bundles.format import (
    DEFAULT_LIMITS,
    INSPECTION_ID_PATTERN,
    RECORD_TYPES,
    SHA256_PATTERN,
    UUID_PATTERN,
    Limits,
    Manifest,
)
from fieldwork.store.db import Store
from fieldwork.store.person_records import CHANGE_FIELD as PROFILE_MOVE_FIELD
from fieldwork.store.records import CASE_STATUSES
from fieldwork.text import CASE_REF_MAX_CHARS, DETAIL_MAX_CHARS, NOTE_MAX_CHARS

ANSWER_VALUES = ("yes", "no", "na")
CHANGE_TARGETS = ("answer", "detail", "case", "inspection")


@dataclass(frozen=True)
class InspectionRecord:
    TYPE: ClassVar[str] = "inspection"
    id: str
    provider: str
    provider_type: str
    framework_id: str
    framework_version: str
    framework_hash: str
    fieldwork_start: str | None
    fieldwork_end: str | None
    lead_id: str | None
    created_at: str
    created_by: str


@dataclass(frozen=True)
class CaseRecord:
    TYPE: ClassVar[str] = "case"
    uuid: str
    inspection_id: str
    case_ref: str
    sample: str
    status: str
    revision: int
    inspector: str | None
    created_at: str
    updated_at: str

    def to_row(self) -> dict:
        return {
            "id": self.uuid, "inspection_id": self.inspection_id, "case_ref": self.case_ref,
            "sample_id": self.sample, "inspector_id": self.inspector, "status": self.status,
            "revision": self.revision, "created_at": self.created_at, "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class CaseDetailRecord:
    TYPE: ClassVar[str] = "case_detail"
    case_uuid: str
    field_id: str
    value: str
    revision: int
    updated_at: str
    updated_by: str

    def to_row(self) -> dict:
        return {
            "case_id": self.case_uuid, "field_id": self.field_id, "value": self.value,
            "revision": self.revision, "updated_at": self.updated_at, "updated_by": self.updated_by,
        }


@dataclass(frozen=True)
class AnswerRecord:
    TYPE: ClassVar[str] = "answer"
    case_uuid: str
    question_id: str
    value: str | None
    note: str
    revision: int
    updated_at: str
    updated_by: str

    def to_row(self) -> dict:
        return {
            "case_id": self.case_uuid, "question_id": self.question_id, "value": self.value,
            "note": self.note, "revision": self.revision, "updated_at": self.updated_at,
            "updated_by": self.updated_by,
        }


@dataclass(frozen=True)
class ChangeRecord:
    TYPE: ClassVar[str] = "change"
    id: str
    at: str
    actor: str
    inspection_id: str
    case_uuid: str | None
    target: str
    key: str
    field: str
    old: str | None
    new: str | None
    source: str

    def to_row(self) -> dict:
        """A change_log row without `seq`, which the importing store assigns."""
        return {
            "id": self.id, "at": self.at, "actor": self.actor, "inspection_id": self.inspection_id,
            "case_id": self.case_uuid, "target": self.target, "key": self.key, "field": self.field,
            "old": self.old, "new": self.new, "source": self.source,
        }


Record = InspectionRecord | CaseRecord | CaseDetailRecord | AnswerRecord | ChangeRecord
RECORD_CLASSES: dict[str, type] = {
    cls.TYPE: cls for cls in (InspectionRecord, CaseRecord, CaseDetailRecord, AnswerRecord, ChangeRecord)
}
assert tuple(RECORD_CLASSES) == RECORD_TYPES


@dataclass(frozen=True)
class BundleRecords:
    """Everything a bundle carries, grouped by type, in file order."""

    inspection: InspectionRecord
    cases: tuple[CaseRecord, ...]
    details: tuple[CaseDetailRecord, ...]
    answers: tuple[AnswerRecord, ...]
    changes: tuple[ChangeRecord, ...]

    def __iter__(self) -> Iterator[Record]:
        yield self.inspection
        yield from self.cases
        yield from self.details
        yield from self.answers
        yield from self.changes

    def counts(self) -> dict[str, int]:
        return {
            "inspection": 1, "case": len(self.cases), "case_detail": len(self.details),
            "answer": len(self.answers), "change": len(self.changes),
        }


# --- from the store -----------------------------------------------------------------------


def records_from_store(store: Store, inspection_id: str, inspector_id: str) -> BundleRecords:
    """The inspection and every case of `inspector_id` (or allocated to nobody), with details,
    answers and change log; the order is the one written to the file."""
    from fieldwork.store.assessments import check_case_rows
    from fieldwork.store.inspections import framework_for, get_inspection

    inspection = get_inspection(store, inspection_id)
    framework = framework_for(store, inspection)
    check_case_rows(store)  # issue 20: never sign evidence that changed on the disk since it was saved
    db = store.db
    cases = tuple(
        CaseRecord(*row)
        for row in db.execute(
            "SELECT id, inspection_id, case_ref, sample_id, status, revision, inspector_id, "
            "created_at, updated_at FROM cases WHERE inspection_id = ? "
            "AND (inspector_id = ? OR inspector_id IS NULL) ORDER BY case_ref, id",
            [inspection_id, inspector_id],
        )
    )
    # The case list goes in as a JSON array so any number of cases is one query.
    case_ids = json.dumps([c.uuid for c in cases])
    details = tuple(
        CaseDetailRecord(*row)
        for row in db.execute(
            "SELECT d.case_id, d.field_id, d.value, d.revision, d.updated_at, d.updated_by "
            "FROM case_details d JOIN cases c ON c.id = d.case_id "
            "WHERE d.case_id IN (SELECT value FROM json_each(?)) ORDER BY c.case_ref, d.case_id, d.field_id",
            [case_ids],
        )
    )
    answers = tuple(
        AnswerRecord(*row)
        for row in db.execute(
            "SELECT a.case_id, a.question_id, a.value, a.note, a.revision, a.updated_at, a.updated_by "
            "FROM answers a JOIN cases c ON c.id = a.case_id "
            "WHERE a.case_id IN (SELECT value FROM json_each(?)) ORDER BY c.case_ref, a.case_id, a.question_id",
            [case_ids],
        )
    )
    # Entries this person recorded under an earlier id of this profile (the login name, before keys
    # were made: decision 0023) go out in the signer's name: the move's own entry in the case's log,
    # made later, ties the two. The store's log keeps them as written (it is append-only), and a
    # bundle speaks only for its signer (decision 0019).
    changes = tuple(
        ChangeRecord(*row)
        for row in db.execute(
            "SELECT l.id, l.at, CASE WHEN EXISTS (SELECT 1 FROM change_log m WHERE m.case_id = l.case_id "
            f"AND m.field = '{PROFILE_MOVE_FIELD}' AND m.old = l.actor AND m.seq > l.seq) THEN ? ELSE l.actor END, "
            "l.inspection_id, l.case_id, l.target, l.key, l.field, l.old, l.new, l.source "
            "FROM change_log l WHERE l.case_id IN (SELECT value FROM json_each(?)) "
            # A set change a pack brought is logged here in the name of its maker, who has it (decision 0036).
            "AND NOT (l.source LIKE 'pack:%' AND l.field IN ('sample_override', 'sample_reason') AND l.actor != ?) "
            "ORDER BY l.seq",
            [inspector_id, case_ids, inspector_id],
        )
    )
    return BundleRecords(
        InspectionRecord(
            id=inspection.id,
            provider=inspection.provider,
            provider_type=inspection.provider_type,
            framework_id=framework.id,
            framework_version=framework.version,
            framework_hash=framework.content_hash,
            fieldwork_start=inspection.fieldwork_start,
            fieldwork_end=inspection.fieldwork_end,
            lead_id=inspection.lead_id,
            created_at=inspection.created_at,
            created_by=inspection.created_by,
        ),
        cases, details, answers, changes,
    )


# --- to and from JSON lines ---------------------------------------------------------------


_FIELD_NAMES = {cls: tuple(f.name for f in fields(cls)) for cls in RECORD_CLASSES.values()}


def record_to_json(record: Record) -> dict:
    """The record as written: its type plus every field, under the field's own name."""
    value = {name: getattr(record, name) for name in _FIELD_NAMES[type(record)]}
    value["type"] = record.TYPE
    return value


# Canonical form (sorted keys, no whitespace, UTF-8); one encoder reused for speed. Every
# record is checked against SCHEMA first, which admits only strings, integers and null, so no
# float can reach the encoder.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def records_to_jsonl(records: BundleRecords) -> bytes:
    """One canonical JSON object per line, each line ending in LF; refuses records that
    would not pass `parse_record` (we never write what we would refuse to read)."""
    lines = []
    for number, record in enumerate(records, start=1):
        value = record_to_json(record)
        _check_fields(value, number)
        line = _ENCODER.encode(value).encode("utf-8")
        if len(line) > DEFAULT_LIMITS.max_line_bytes:  # unreachable within the field caps; kept as the reader's rule
            raise _malformed(number, "the line is too long")
        lines.append(line + b"\n")
    return b"".join(lines)


Check = Callable[[object], bool]
_FRAMEWORK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f\ud800-\udfff]*$")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # "\ud800" escapes decode to text SQLite cannot store


def _text(max_len: int, *, empty: bool = False) -> Check:
    """A single-line string of at most `max_len` characters."""
    return lambda v: (
        isinstance(v, str) and (empty or v != "") and len(v) <= max_len and _PRINTABLE.fullmatch(v) is not None
    )


def _long_text(max_len: int) -> Check:
    """Free text (newlines allowed), e.g. evidence notes."""
    return lambda v: isinstance(v, str) and len(v) <= max_len and _SURROGATE.search(v) is None


def _pattern(pattern: re.Pattern) -> Check:
    return lambda v: isinstance(v, str) and pattern.fullmatch(v) is not None


def _one_of(*values) -> Check:
    return lambda v: isinstance(v, str) and v in values


def _nullable(check: Check) -> Check:
    return lambda v: v is None or check(v)


def _count(minimum: int) -> Check:
    return lambda v: type(v) is int and minimum <= v < 2**53


_UUID, _ID = _pattern(UUID_PATTERN), _pattern(INSPECTION_ID_PATTERN)
_STAMP: Check = is_timestamp  # a real instant from 2000 on, not only the right shape (no Feb 30)
_PERSON = _text(200)  # actors may be login names from before the profile was set
_NOTE = _long_text(NOTE_MAX_CHARS)  # what the app stores; bounds what one record adds

# The record schema: for each type, every field and the check its value must pass.
SCHEMA: dict[str, dict[str, Check]] = {
    "inspection": {
        "id": _ID, "provider": _text(500), "provider_type": _text(200),
        "framework_id": _pattern(_FRAMEWORK_ID), "framework_version": _text(100),
        "framework_hash": _pattern(SHA256_PATTERN), "fieldwork_start": _nullable(is_date),
        "fieldwork_end": _nullable(is_date), "lead_id": _nullable(_PERSON),
        "created_at": _STAMP, "created_by": _PERSON,
    },
    "case": {
        "uuid": _UUID, "inspection_id": _ID, "case_ref": _text(CASE_REF_MAX_CHARS),
        "sample": _pattern(_FRAMEWORK_ID), "status": _one_of(*CASE_STATUSES), "revision": _count(0),
        "inspector": _nullable(_PERSON), "created_at": _STAMP, "updated_at": _STAMP,
    },
    "case_detail": {
        "case_uuid": _UUID, "field_id": _pattern(_FRAMEWORK_ID), "value": _text(DETAIL_MAX_CHARS, empty=True),
        "revision": _count(1), "updated_at": _STAMP, "updated_by": _PERSON,
    },
    "answer": {
        "case_uuid": _UUID, "question_id": _pattern(_FRAMEWORK_ID),
        "value": _nullable(_one_of(*ANSWER_VALUES)), "note": _NOTE, "revision": _count(1),
        "updated_at": _STAMP, "updated_by": _PERSON,
    },
    "change": {
        "id": _UUID, "at": _STAMP, "actor": _PERSON, "inspection_id": _ID,
        "case_uuid": _nullable(_UUID), "target": _one_of(*CHANGE_TARGETS), "key": _text(200),
        "field": _text(64), "old": _nullable(_NOTE), "new": _nullable(_NOTE), "source": _text(64),
    },
}
_KEYS = {kind: {"type", *checks} for kind, checks in SCHEMA.items()}


def _malformed(line: int, detail: str) -> BundleError:
    where = f"line {line}" if line else "the record file"
    return BundleError(
        "malformed-record",
        f"This bundle's records are not valid ({where}: {detail}); ask the inspector to export "
        "again with the current fieldwork.",
        detail=f"{where}: {detail}",
    )


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("a field appears twice")
    return result


def _reject(_text: str):
    raise ValueError("numbers must be whole numbers")


# Built once: json.loads with hooks would build a new decoder for every line.
_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_float=_reject, parse_constant=_reject)


def parse_record(line: bytes, number: int = 0) -> Record:
    """One line to a record, refusing unknown types, unknown or missing fields and bad values."""
    try:
        value = _DECODER.decode(line.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError too
        raise _malformed(number, f"not valid JSON ({exc})") from None
    kind = _check_fields(value, number)
    return RECORD_CLASSES[kind](**{name: value[name] for name in SCHEMA[kind]})


def _check_fields(value: object, number: int) -> str:
    """The record's type, after checking it has exactly its type's fields, each well formed."""
    if not isinstance(value, dict):
        raise _malformed(number, "not a JSON object")
    kind = value.get("type")
    checks = SCHEMA.get(kind) if isinstance(kind, str) else None
    if checks is None:
        raise _malformed(number, f"unknown record type {kind!r}")
    if value.keys() != _KEYS[kind]:
        unknown = sorted(value.keys() - _KEYS[kind])
        problem = f"unknown fields {unknown}" if unknown else f"missing fields {sorted(_KEYS[kind] - value.keys())}"
        raise _malformed(number, f"{kind} record has {problem}")
    for name, check in checks.items():
        if not check(value[name]):
            raise _malformed(number, f"{kind} record field {name!r} has a value of the wrong type or form")
    return kind


def parse_records(data: bytes, manifest: Manifest, limits: Limits = DEFAULT_LIMITS) -> BundleRecords:
    """Parse the whole record file and check it hangs together and matches the manifest."""
    if not data.endswith(b"\n"):
        raise _malformed(0, "the file does not end with a line feed")
    lines = data[:-1].split(b"\n")
    if len(lines) > limits.max_records:
        raise _malformed(0, f"more than {limits.max_records} records")
    grouped: dict[str, list] = {kind: [] for kind in RECORD_TYPES}
    for number, line in enumerate(lines, start=1):
        if len(line) > limits.max_line_bytes:
            raise _malformed(number, "the line is too long")
        # Lines end in LF alone. JSON would take a CR as trailing whitespace; a raw CR can never be
        # inside a record (strings escape it), so any CR is a line ending the format does not have.
        if b"\r" in line:
            raise _malformed(number, "a carriage return (lines end in LF only)")
        record = parse_record(line, number)
        if number == 1 and record.TYPE != "inspection":
            raise _malformed(1, "the first record must be the inspection")
        grouped[record.TYPE].append(record)
    result = BundleRecords(
        grouped["inspection"][0],  # line 1 is always one (checked above); more are refused below
        *(tuple(grouped[kind]) for kind in RECORD_TYPES[1:]),
    )
    check_consistency(result, manifest, len(grouped["inspection"]))
    return result


# How far a record's time may lie after the bundle's created_at (both come from the signer's clock,
# which may be adjusted while they work): more is a made-up time, which could otherwise decide
# which of two people's versions is shown.
RECORD_TIME_SLACK_DAYS = 1


def foreign_author(records: BundleRecords, signer: str) -> str | None:
    """The first person other than `signer` that an answer or change-log entry names as its
    author, or None. Case details may name others: they are copies of the lead's rows that an
    allocation pack carried (the merge never stores those as anyone's new version)."""
    for answer in records.answers:
        if answer.updated_by != signer:
            return answer.updated_by
    for change in records.changes:
        if change.actor != signer:
            return change.actor
    return None


def _foreign(signer: str, other: str) -> BundleError:
    return BundleError(
        "foreign-author",
        f"This bundle is signed by {signer} but carries answers or change-log entries in the name of "
        f"{other}, so nothing of it was merged (a bundle may speak only for the person who signed it); "
        f"ask {signer} about it, and report the file to IT security.",
        detail=f"records name {other}",
    )


def _record_times(records: BundleRecords) -> Iterator[str]:
    yield records.inspection.created_at
    for case in records.cases:
        yield case.created_at
        yield case.updated_at
    for item in (*records.details, *records.answers):
        yield item.updated_at
    for change in records.changes:
        yield change.at


def check_consistency(records: BundleRecords, manifest: Manifest, inspection_records: int = 1) -> None:
    """Cross-record rules: one inspection, matching ids, no duplicates, no dangling references,
    no time after the bundle was made, every answer and change in the signer's name."""
    if inspection_records != 1:
        raise _malformed(0, f"{inspection_records} inspection records (exactly one is allowed)")
    latest = later_by(manifest.created_at, RECORD_TIME_SLACK_DAYS)
    if any(stamp > latest for stamp in _record_times(records)):
        raise _malformed(
            0, f"a record's time is more than {RECORD_TIME_SLACK_DAYS} day after the bundle was made "
            f"({manifest.created_at})"
        )
    inspection = records.inspection
    if inspection.id != manifest.inspection_id:
        raise _malformed(1, "the inspection record is for another inspection than the manifest")
    framework = (inspection.framework_id, inspection.framework_version, inspection.framework_hash)
    if framework != astuple(manifest.framework):
        raise _malformed(1, "the inspection record names another framework than the manifest")
    if records.counts() != manifest.record_counts:
        raise _malformed(0, "the record counts differ from the manifest")
    case_ids: set[str] = set()
    refs: set[str] = set()
    for case in records.cases:
        if case.inspection_id != inspection.id:
            raise _malformed(0, f"case {case.case_ref} belongs to another inspection")
        if case.uuid in case_ids or case.case_ref in refs:
            raise _malformed(0, f"case {case.case_ref} appears twice")
        case_ids.add(case.uuid)
        refs.add(case.case_ref)
    for kind, items, key in (
        ("case detail", records.details, lambda r: (r.case_uuid, r.field_id)),
        ("answer", records.answers, lambda r: (r.case_uuid, r.question_id)),
    ):
        seen: set[tuple[str, str]] = set()
        for item in items:
            if item.case_uuid not in case_ids:
                raise _malformed(0, f"a {kind} refers to a case that is not in the bundle")
            if key(item) in seen:
                raise _malformed(0, f"a {kind} appears twice ({key(item)[1]})")
            seen.add(key(item))
    change_ids: set[str] = set()
    for change in records.changes:
        if change.inspection_id != inspection.id:
            raise _malformed(0, "a change-log entry belongs to another inspection")
        if change.case_uuid is not None and change.case_uuid not in case_ids:
            raise _malformed(0, "a change-log entry refers to a case that is not in the bundle")
        if change.id in change_ids:
            raise _malformed(0, "a change-log entry appears twice")
        change_ids.add(change.id)
    other = foreign_author(records, manifest.inspector_id)
    if other is not None:
        raise _foreign(manifest.inspector_id, other)
