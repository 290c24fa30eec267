"""Records that travel in bundles: read from the store, written as JSON lines, parsed strictly.

One JSON object per line, each with a "type" and exactly the fields of its record type
(docs/bundle-format.md, "Records"); the types and every field's rule are the Structs of
record_types.py. Records carry UUIDs and revisions, never autoincrement ids. `to_row()` gives
the store's column names, for the merge.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from operator import attrgetter

import msgspec

from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.fields import later_by
from fieldwork.bundles.format import DEFAULT_LIMITS, RECORD_TYPES, Limits, Manifest
from fieldwork.bundles.record_types import (  # noqa: F401  (re-exported: the record types live there)
    ANSWER_VALUES,
    CHANGE_TARGETS,
    DECODER,
    ENCODER,
    FIELD_NAMES,
    FIELD_TYPES,
    RECORD_CLASSES,
    AnswerRecord,
    CaseDetailRecord,
    CaseRecord,
    ChangeRecord,
    InspectionRecord,
    Record,
    first_bad_form,
    forms_hold,
    has_lone_surrogate,
    value_of_form,
)
from fieldwork.store.db import Store
from fieldwork.store.person_records import CHANGE_FIELD as PROFILE_MOVE_FIELD
from fieldwork.store.records import CASE_STATUSES

assert tuple(RECORD_CLASSES) == RECORD_TYPES
assert FIELD_TYPES["case"]["status"].__args__ == CASE_STATUSES  # one list of statuses


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


def record_to_json(record: Record) -> dict:
    """The record as written: its type plus every field, under the field's own name."""
    value = {name: getattr(record, name) for name in FIELD_NAMES[type(record)]}
    value["type"] = record.TYPE
    return value


# Canonical form (sorted keys, no whitespace, UTF-8); one encoder reused for speed. Every
# record is checked against its Struct first, which admits only strings, integers and null, so
# no float can reach the encoder.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def records_to_jsonl(records: BundleRecords) -> bytes:
    """One canonical JSON object per line, each line ending in LF; refuses records that
    would not pass `parse_record` (we never write what we would refuse to read).

    Written by msgspec's canonical encoder and read back by the reader's own one-pass check;
    only records that fail it are written again one by one, to name the first one at fault."""
    items = list(records)
    try:
        data = ENCODER.encode_lines(items)
    except (msgspec.EncodeError, UnicodeEncodeError, TypeError, OverflowError):  # e.g. a lone surrogate
        data = None
    if data is not None:
        read = _read_canonical(data, data[:-1].split(b"\n"), DEFAULT_LIMITS)
        if read is not None and len(read) == len(items) and forms_hold(_grouped(read)):
            return data
    return _written_one_by_one(items)


def _written_one_by_one(records: list[Record]) -> bytes:
    lines = []
    for number, record in enumerate(records, start=1):
        value = record_to_json(record)
        _check_value(value, number)
        line = _ENCODER.encode(value).encode("utf-8")
        if len(line) > DEFAULT_LIMITS.max_line_bytes:  # unreachable within the field caps; kept as the reader's rule
            raise _malformed(number, "the line is too long")
        lines.append(line + b"\n")
    data = b"".join(lines)
    if _read_canonical(data, data[:-1].split(b"\n"), DEFAULT_LIMITS) is None:  # not expected: each line passed
        raise _malformed(0, "the records could not be written as they would be read")
    return data


def _check_value(value: dict, number: int) -> None:
    """The reader's own check, on the values as they are (the JSON decoder is not there to
    refuse a lone surrogate, so that is looked for here)."""
    if any(map(has_lone_surrogate, value.values())):  # first: msgspec cannot even quote such text
        raise _refusal(value, number, "a lone surrogate")
    try:
        record = msgspec.convert(value, Record, strict=True)
    except msgspec.ValidationError as exc:
        raise _refusal(value, number, str(exc)) from None
    if first_bad_form(record) is not None:
        raise _refusal(value, number, "a field not of its form")


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


# The plain reader, for what msgspec does not say the way the format's refusals are worded: a
# refused line is read again with it to name the first problem (a repeated field, a float, the
# unknown or missing fields, then the first field at fault in the record's order), and a line
# that is not canonical is read with it to refuse a repeated field (msgspec keeps the last).
# Built once: json.loads with hooks would build a new decoder for every line.
_PLAIN_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_float=_reject, parse_constant=_reject)


def parse_record(line: bytes, number: int = 0) -> Record:
    """One line to a record, refusing unknown types, unknown or missing fields and bad values."""
    try:
        record = DECODER.decode(line)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:  # ValidationError is a DecodeError
        raise _diagnosis(line, number, str(exc)) from None
    if ENCODER.encode(record) != line:  # not canonical: may repeat a field, which msgspec would not see
        try:
            _PLAIN_DECODER.decode(line.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise _malformed(number, f"not valid JSON ({exc})") from None
    bad = first_bad_form(record)
    if bad is not None:
        raise _malformed(number, f"{record.TYPE} record field {bad!r} has a value of the wrong type or form")
    return record


def _diagnosis(line: bytes, number: int, decoder_said: str) -> BundleError:
    """The refusal for a line msgspec refused, in the words of the plain reader."""
    try:
        value = _PLAIN_DECODER.decode(line.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError too
        return _malformed(number, f"not valid JSON ({exc})")
    return _refusal(value, number, decoder_said)


def _refusal(value: object, number: int, decoder_said: str) -> BundleError:
    """What is wrong with a record msgspec refused: its type, its field names, then the first
    field (in the record's order) whose value its Struct refuses."""
    if not isinstance(value, dict):
        return _malformed(number, "not a JSON object")
    kind = value.get("type")
    types = FIELD_TYPES.get(kind) if isinstance(kind, str) else None
    if types is None:
        return _malformed(number, f"unknown record type {kind!r}")
    keys = {"type", *types}
    if value.keys() != keys:
        unknown = sorted(value.keys() - keys)
        problem = f"unknown fields {unknown}" if unknown else f"missing fields {sorted(keys - value.keys())}"
        return _malformed(number, f"{kind} record has {problem}")
    for name, field_type in types.items():
        try:
            if has_lone_surrogate(value[name]):  # first: msgspec cannot even quote such text in its message
                raise msgspec.ValidationError("a lone surrogate")
            msgspec.convert(value[name], field_type, strict=True)
            if not value_of_form(value[name], field_type):
                raise msgspec.ValidationError("not of its form")
        except msgspec.ValidationError:
            return _malformed(number, f"{kind} record field {name!r} has a value of the wrong type or form")
    return _malformed(number, f"{kind} record is not valid ({decoder_said})")  # not expected: every rule is per field


def parse_records(data: bytes, manifest: Manifest, limits: Limits = DEFAULT_LIMITS) -> BundleRecords:
    """Parse the whole record file and check it hangs together and matches the manifest."""
    if not data.endswith(b"\n"):
        raise _malformed(0, "the file does not end with a line feed")
    lines = data[:-1].split(b"\n")
    if len(lines) > limits.max_records:
        raise _malformed(0, f"more than {limits.max_records} records")
    records = _read_canonical(data, lines, limits)
    grouped = _grouped(records) if records is not None else None
    if grouped is None or not forms_hold(grouped):
        # Not as fieldwork writes it, or refused: line by line, and the first problem decides.
        records = [_read_line(line, number, limits) for number, line in enumerate(lines, start=1)]
        grouped = _grouped(records)
    if records[0].TYPE != "inspection":
        raise _malformed(1, "the first record must be the inspection")
    result = BundleRecords(
        grouped[InspectionRecord][0],  # line 1 is always one (checked above); more are refused below
        *(tuple(grouped[RECORD_CLASSES[kind]]) for kind in RECORD_TYPES[1:]),
    )
    check_consistency(result, manifest, len(grouped[InspectionRecord]))
    return result


def _read_canonical(data: bytes, lines: list[bytes], limits: Limits) -> list[Record] | None:
    """Every record in one compiled pass when the file is exactly as fieldwork writes it, else None.

    `decode_lines` checks every field of every record but the forms of its strings (`forms_hold`,
    by the caller, per column); re-encoding them gives back `data` byte
    for byte only if each line is the canonical JSON of exactly one record: no blank line, no
    second value on a line, no carriage return, no field twice (msgspec would keep the last)."""
    if max(map(len, lines)) > limits.max_line_bytes:
        return None
    try:
        records = DECODER.decode_lines(data)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):  # deep nesting in an unknown field
        return None
    return records if records and ENCODER.encode_lines(records) == data else None


def _grouped(records: list[Record]) -> dict[type, list]:
    grouped: dict[type, list] = {cls: [] for cls in RECORD_CLASSES.values()}
    for record in records:
        grouped[type(record)].append(record)
    return grouped


def _read_line(line: bytes, number: int, limits: Limits) -> Record:
    if len(line) > limits.max_line_bytes:
        raise _malformed(number, "the line is too long")
    # Lines end in LF alone. JSON would take a CR as trailing whitespace; a raw CR can never be
    # inside a record (strings escape it), so any CR is a line ending the format does not have.
    if b"\r" in line:
        raise _malformed(number, "a carriage return (lines end in LF only)")
    record = parse_record(line, number)
    if number == 1 and record.TYPE != "inspection":
        raise _malformed(1, "the first record must be the inspection")
    return record


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


def _latest_time(records: BundleRecords) -> str:
    """The latest time any record names (one max per column: no Python call per record)."""
    columns = (("created_at", records.cases), ("updated_at", records.cases), ("updated_at", records.details),
               ("updated_at", records.answers), ("at", records.changes))
    latest = (max(map(attrgetter(name), items), default="") for name, items in columns)
    return max(records.inspection.created_at, *latest)


def check_consistency(records: BundleRecords, manifest: Manifest, inspection_records: int = 1) -> None:
    """Cross-record rules: one inspection, matching ids, no duplicates, no dangling references,
    no time after the bundle was made, every answer and change in the signer's name."""
    if inspection_records != 1:
        raise _malformed(0, f"{inspection_records} inspection records (exactly one is allowed)")
    latest = later_by(manifest.created_at, RECORD_TIME_SLACK_DAYS)
    if _latest_time(records) > latest:
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
    if not _hangs_together(records, manifest.inspector_id):
        _first_inconsistency(records, manifest.inspector_id)


_uuid, _case_uuid, _inspection_id = attrgetter("uuid"), attrgetter("case_uuid"), attrgetter("inspection_id")


def _hangs_together(records: BundleRecords, signer: str) -> bool:
    """The rules below in one pass of set operations per column (no Python call per record):
    True when every one holds; `_first_inconsistency` then has nothing to say."""
    inspection = {records.inspection.id}
    cases, details, answers, changes = records.cases, records.details, records.answers, records.changes
    case_ids = set(map(_uuid, cases))
    change_cases = set(map(_case_uuid, changes))
    change_cases.discard(None)
    return (
        set(map(_inspection_id, cases)) <= inspection
        and len(case_ids) == len(cases)
        and len(set(map(attrgetter("case_ref"), cases))) == len(cases)
        and set(map(_case_uuid, details)) <= case_ids
        and len(set(map(attrgetter("case_uuid", "field_id"), details))) == len(details)
        and set(map(_case_uuid, answers)) <= case_ids
        and len(set(map(attrgetter("case_uuid", "question_id"), answers))) == len(answers)
        and set(map(_inspection_id, changes)) <= inspection
        and change_cases <= case_ids
        and len(set(map(attrgetter("id"), changes))) == len(changes)
        and set(map(attrgetter("updated_by"), answers)) <= {signer}
        and set(map(attrgetter("actor"), changes)) <= {signer}
    )


def _first_inconsistency(records: BundleRecords, signer: str) -> None:
    """Record by record, in the file's order: refuse with the first rule broken."""
    inspection = records.inspection
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
    other = foreign_author(records, signer)
    if other is not None:
        raise _foreign(signer, other)
