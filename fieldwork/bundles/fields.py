"""Manifest fields bundles and packs share: their forms, member and framework entries, strict checks.

Each check refuses through the caller's `bad(detail)`, so a bundle says malformed-manifest in a
bundle's words and a pack in a pack's; the order of checks is each format's own (the caller's).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fieldwork.errors import FieldworkError
from fieldwork.identity.encoding import EncodingError, parse_canonical_json
from fieldwork.ids import INSPECTION_ID_PATTERN  # noqa: F401  (re-exported: the formats' inspection ids)

UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIMESTAMP_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
KEY_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")  # person ids
# Framework and app versions are free text: any printable text up to 100 characters.
VERSION_TEXT = re.compile(r"^[^\x00-\x1f\x7f]{1,100}$")

Bad = Callable[[str], FieldworkError]

# The earliest instant a bundle may name: nothing fieldwork records is older, and an absurd past
# (year 0) must not be able to order versions. The latest is relative (records.check_times and
# the merge's check of created_at against the lead's clock), so it is not here.
EARLIEST_TIMESTAMP = "2000-01-01T00:00:00.000Z"


# Real calendar days, as regular expressions so that a compiled check (the record Structs in
# record_types.py, decision 0038) and these functions share one definition. ASCII digits only:
# `\d` and strptime would also take other scripts' digits, which no writer produces.
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
# 29 February of a leap year: divisible by 4 and not by 100, or by 400.
_LEAP_DAY = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z"
# Years 0001-9999, as datetime.date allows.
# Both are matched as a whole (fullmatch), never searched.
DATE_REGEX = rf"(?!0000)(?:[0-9]{{4}}-{_MONTH_DAY}|{_LEAP_DAY})"
# From the year 2000 on (EARLIEST_TIMESTAMP): the first digit of the year is 2 to 9.
TIMESTAMP_REGEX = rf"(?=[2-9])(?:[0-9]{{4}}-{_MONTH_DAY}|{_LEAP_DAY})T{_CLOCK}"
_TIMESTAMP = re.compile(TIMESTAMP_REGEX)
_DATE = re.compile(DATE_REGEX)


def is_timestamp(value: Any) -> bool:
    """A real UTC instant written YYYY-MM-DDTHH:MM:SS.mmmZ, from 2000-01-01 on (no Feb 30, no hour 25)."""
    return isinstance(value, str) and _TIMESTAMP.fullmatch(value) is not None


def is_date(value: Any) -> bool:
    """A real calendar date written YYYY-MM-DD."""
    return isinstance(value, str) and _DATE.fullmatch(value) is not None


def later_by(timestamp: str, days: int) -> str:
    """`timestamp` (valid) moved on by `days` days, in the same form."""
    try:
        moment = dt.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ") + dt.timedelta(days=days)
    except OverflowError:  # past year 9999: nothing later can be written
        return "9999-12-31T23:59:59.999Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class FrameworkRef:
    id: str
    version: str
    hash: str

    def label(self) -> str:
        return f"{self.id} version {self.version} ({self.hash[:12]})"


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def match(value: Any, pattern: re.Pattern, field: str, bad: Bad) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise bad(f"{field} is not valid")
    return value


def manifest_object(
    data: bytes, version: int, keys: set[str], bad: Bad, newer: Callable[[int], FieldworkError]
) -> dict:
    """Canonical JSON of an object of format `version` with exactly `keys`; `newer(n)` for a later format."""
    try:
        value = parse_canonical_json(data)
    except EncodingError as exc:
        raise bad(str(exc)) from None
    if not isinstance(value, dict):
        raise bad("it is not a JSON object")
    found = value.get("format_version")
    if not is_int(found) or found != version:  # JSON true is not the integer 1
        if is_int(found) and found > version:
            raise newer(found)
        raise bad("format_version is not valid")
    if set(value) != keys:
        extra, missing = set(value) - keys, keys - set(value)
        raise bad(f"unexpected fields {sorted(extra)}" if extra else f"missing fields {sorted(missing)}")
    return value


def key_ids(value: Any, bad: Bad, *, least: int, most: int, not_a_list: str) -> list[str]:
    """A sorted list of `least` to `most` unique key ids (the recipients)."""
    if not isinstance(value, list) or not least <= len(value) <= most:
        raise bad(not_a_list)
    for key_id in value:
        match(key_id, KEY_ID_PATTERN, "a recipient key id", bad)
    if value != sorted(set(value)):
        raise bad("recipients are not sorted and unique")
    return value


def framework_object(value: Any, bad: Bad) -> dict:
    """The manifest's framework entry, its fields checked later by `framework_ref`."""
    if not isinstance(value, dict) or set(value) != {"id", "version", "hash"}:
        raise bad("framework is not valid")
    return value


def framework_ref(value: dict, id_pattern: re.Pattern, bad: Bad) -> FrameworkRef:
    return FrameworkRef(
        match(value["id"], id_pattern, "framework id", bad),
        match(value["version"], VERSION_TEXT, "framework version", bad),
        match(value["hash"], SHA256_PATTERN, "framework hash", bad),
    )


def sequence(value: Any, bad: Bad) -> int:
    if not is_int(value) or not 1 <= value < 2**53:
        raise bad("sequence is not a positive whole number")
    return value


def members(
    value: Any, expected: tuple[str, ...], bad: Bad, *, size_problem: str, names_are_text: bool = False
) -> tuple[Member, ...]:
    """The signed members: exactly `expected`, in order, each with its size and SHA-256."""
    if not isinstance(value, list):
        raise bad("members is not a list")
    parsed = []
    for member in value:
        if not isinstance(member, dict) or set(member) != {"name", "size", "sha256"}:
            raise bad("a member entry is not valid")
        name, size = member["name"], member["size"]
        # Each format keeps its own detail here, and only a pack refuses a name that is not text
        # at this point (a bundle's refusal for it has always come from the names check below).
        if not is_int(size) or size < 0 or (names_are_text and not isinstance(name, str)):
            raise bad(size_problem)
        parsed.append(Member(name, size, match(member["sha256"], SHA256_PATTERN, "a member hash", bad)))
    if tuple(m.name for m in parsed) != expected:
        in_order = " in that order" if len(expected) > 1 else ""
        raise bad(f"members must list exactly {', '.join(expected)}{in_order}")
    return tuple(parsed)
