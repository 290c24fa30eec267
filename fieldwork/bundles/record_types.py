"""The record types a bundle carries, one msgspec Struct each, with the rule for every field.

This is the record schema of docs/bundle-format.md §7 in one place (decision 0038). Decoding a
line into these Structs checks, in compiled code, each field's JSON type (strict: no coercion,
`true` is not an integer), its length, its allowed values and integer range, and refuses unknown
and missing fields. The forms of strings (ids, timestamps, "no control characters") are regular
expressions, declared beside the type as `Form(...)` and checked after decoding once per column
of distinct values (`forms_hold`), not once per record: a pattern in msgspec's own `Meta` is a
Python call for every value, which cost more than all the rest of reading.

To add a record type: one Struct below (its `tag` is the record's "type"), added to
`RECORD_CLASSES`, `format.RECORD_TYPES` and `BundleRecords` (records.py).
"""

from __future__ import annotations

import dataclasses
import re
from operator import attrgetter
from typing import Annotated, ClassVar, Literal, Union, get_args, get_origin, get_type_hints

import msgspec

from fieldwork.bundles.fields import DATE_REGEX, TIMESTAMP_REGEX
from fieldwork.text import CASE_REF_MAX_CHARS, DETAIL_MAX_CHARS, NOTE_MAX_CHARS

ANSWER_VALUES = ("yes", "no", "na")
CHANGE_TARGETS = ("answer", "detail", "case", "inspection")

_PRINTABLE = r"[^\x00-\x1f\x7f\ud800-\udfff]*"  # no control characters, no lone surrogates


@dataclasses.dataclass(frozen=True)
class Form:
    """The regular expression a string field must match as a whole (msgspec ignores this
    annotation; `forms_hold` and `first_bad_form` check it). None of them admits a line feed,
    which is what lets a column be checked as one text with its values on separate lines (after
    checking that the values hold no line feed of their own)."""

    regex: str
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def has_lone_surrogate(value: object) -> bool:
    """Text SQLite cannot store (an escaped `\\ud800` without its pair), in any string field."""
    return isinstance(value, str) and _SURROGATE.search(value) is not None


def _text(max_len: int, *, empty: bool = False):
    """Single-line text of at most `max_len` characters (code points); not empty unless `empty`."""
    return Annotated[str, msgspec.Meta(min_length=0 if empty else 1, max_length=max_len), Form(_PRINTABLE)]


def _long_text(max_len: int):
    """Free text (line breaks and tabs allowed), e.g. evidence. No lone surrogates either: the
    JSON decoder refuses a `\\ud800` escape without its pair by itself, and `has_lone_surrogate`
    checks the values the writer and the refusal messages look at, so this long field is not
    scanned twice (a pattern here cost a third of the reading time)."""
    return Annotated[str, msgspec.Meta(max_length=max_len)]


def _pattern(regex: str):
    return Annotated[str, Form(regex)]


def _count(minimum: int):
    return Annotated[int, msgspec.Meta(ge=minimum, lt=2**53)]


Uuid = _pattern(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
InspectionId = _pattern(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # ids.INSPECTION_ID_PATTERN
FrameworkId = _pattern(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # framework, sample, question, detail ids
Sha256 = _pattern(r"[0-9a-f]{64}")
Timestamp = _pattern(TIMESTAMP_REGEX)  # a real instant from 2000 on (no 30 February, no hour 25)
Date = _pattern(DATE_REGEX)
Person = _text(200)  # actors may be login names from before the profile had a person id
Note = _long_text(NOTE_MAX_CHARS)  # what the app stores; bounds what one record adds


class _Record(msgspec.Struct, tag_field="type", forbid_unknown_fields=True, frozen=True, gc=False):
    """Common settings: the "type" field names the Struct, no other field is allowed. Records
    hold only strings, integers and None, so the garbage collector need not track them."""


class InspectionRecord(_Record, tag="inspection"):
    TYPE: ClassVar[str] = "inspection"
    id: InspectionId
    provider: _text(500)
    provider_type: _text(200)
    framework_id: FrameworkId
    framework_version: _text(100)
    framework_hash: Sha256
    fieldwork_start: Date | None
    fieldwork_end: Date | None
    lead_id: Person | None
    created_at: Timestamp
    created_by: Person


class CaseRecord(_Record, tag="case"):
    TYPE: ClassVar[str] = "case"
    uuid: Uuid
    inspection_id: InspectionId
    case_ref: _text(CASE_REF_MAX_CHARS)
    sample: FrameworkId
    status: Literal["not_started", "in_progress", "complete", "handed_over"]  # store.records.CASE_STATUSES
    revision: _count(0)
    inspector: Person | None
    created_at: Timestamp
    updated_at: Timestamp

    def to_row(self) -> dict:
        return {
            "id": self.uuid, "inspection_id": self.inspection_id, "case_ref": self.case_ref,
            "sample_id": self.sample, "inspector_id": self.inspector, "status": self.status,
            "revision": self.revision, "created_at": self.created_at, "updated_at": self.updated_at,
        }


class CaseDetailRecord(_Record, tag="case_detail"):
    TYPE: ClassVar[str] = "case_detail"
    case_uuid: Uuid
    field_id: FrameworkId
    value: _text(DETAIL_MAX_CHARS, empty=True)
    revision: _count(1)
    updated_at: Timestamp
    updated_by: Person

    def to_row(self) -> dict:
        return {
            "case_id": self.case_uuid, "field_id": self.field_id, "value": self.value,
            "revision": self.revision, "updated_at": self.updated_at, "updated_by": self.updated_by,
        }


class AnswerRecord(_Record, tag="answer"):
    TYPE: ClassVar[str] = "answer"
    case_uuid: Uuid
    question_id: FrameworkId
    value: Literal["yes", "no", "na"] | None  # ANSWER_VALUES
    note: Note
    revision: _count(1)
    updated_at: Timestamp
    updated_by: Person

    def to_row(self) -> dict:
        return {
            "case_id": self.case_uuid, "question_id": self.question_id, "value": self.value,
            "note": self.note, "revision": self.revision, "updated_at": self.updated_at,
            "updated_by": self.updated_by,
        }


class ChangeRecord(_Record, tag="change"):
    TYPE: ClassVar[str] = "change"
    id: Uuid
    at: Timestamp
    actor: Person
    inspection_id: InspectionId
    case_uuid: Uuid | None
    target: Literal["answer", "detail", "case", "inspection"]  # CHANGE_TARGETS
    key: _text(200)
    field: _text(64)
    old: Note | None
    new: Note | None
    source: _text(64)

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


def _dataclass_compatible(cls: type) -> None:
    """Let `dataclasses.replace`, `fields` and `asdict` work on records as they did when records
    were dataclasses (tests and other code build hostile records with them). The fields are
    borrowed from a plain dataclass of the same field names; nothing else changes."""
    shadow = dataclasses.make_dataclass(cls.__name__, list(cls.__struct_fields__), frozen=True)
    cls.__dataclass_fields__ = shadow.__dataclass_fields__


for _cls in RECORD_CLASSES.values():
    _dataclass_compatible(_cls)
FIELD_NAMES: dict[type, tuple[str, ...]] = {cls: cls.__struct_fields__ for cls in RECORD_CLASSES.values()}
# Each field's own type, to name the first field at fault when a record is refused.
FIELD_TYPES: dict[str, dict[str, object]] = {
    kind: {info.name: info.type for info in msgspec.structs.fields(cls)} for kind, cls in RECORD_CLASSES.items()
}



def _forms(annotation) -> list[Form]:
    """The Form of a field's type, looking inside `X | None`."""
    if get_origin(annotation) is Annotated:
        return [item for item in annotation.__metadata__ if isinstance(item, Form)]
    if get_origin(annotation) in (Union, type(None | str)):
        return [form for arg in get_args(annotation) for form in _forms(arg)]
    return []


def _field_forms(cls: type) -> tuple[tuple[str, re.Pattern, re.Pattern], ...]:
    """(field, the form for one value, the form for a column of values one per line)."""
    hints = get_type_hints(cls, include_extras=True)
    found = []
    for name in cls.__struct_fields__:
        for form in _forms(hints[name]):
            found.append((name, re.compile(form.regex), re.compile(f"(?:{form.regex})(?:\n(?:{form.regex}))*")))
    return tuple(found)


FIELD_FORMS = {cls: _field_forms(cls) for cls in RECORD_CLASSES.values()}


def first_bad_form(record) -> str | None:
    """The first field (in the record's order) whose string is not of its form, or None."""
    for name, one, _column in FIELD_FORMS[type(record)]:
        value = getattr(record, name)
        if value is not None and one.fullmatch(value) is None:
            return name
    return None


def value_of_form(value: object, field_type) -> bool:
    """A plain value (not decoded yet) against the Form of `field_type`, for the refusal messages."""
    return not isinstance(value, str) or all(re.fullmatch(f.regex, value) for f in _forms(field_type))


def forms_hold(grouped: dict[type, list]) -> bool:
    """Every string of every record of its form, checked per column: the distinct values of a
    field, one per line, matched by one regular expression (a few calls per bundle instead of
    one per value)."""
    for cls, items in grouped.items():
        for name, _one, column in FIELD_FORMS[cls]:
            values = set(map(attrgetter(name), items))
            values.discard(None)
            joined = "\n".join(values)
            # A line feed inside a value would pass as two values: the count proves there is none.
            if values and (joined.count("\n") != len(values) - 1 or column.fullmatch(joined) is None):
                return False
    return True


# One decoder and one encoder, built once. The encoder writes a record exactly as the canonical
# JSON of docs/bundle-format.md §2.1 (sorted keys, no whitespace, UTF-8, the same escapes), which
# the reader uses to prove a line holds each field once (below, records.parse_records).
DECODER = msgspec.json.Decoder(Record, strict=True)
ENCODER = msgspec.json.Encoder(order="sorted")
