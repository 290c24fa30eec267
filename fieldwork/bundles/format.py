"""Bundle format: constants, limits, the manifest and its strict schema (docs/bundle-format.md).

The container (header, envelope, records) is format 1; the manifest is format 2, which adds
`queries_seen`. Manifests of format 1 (every bundle made before December 2026, the golden
bundles among them) are still read, as having seen no query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fieldwork.bundles import fields
from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.fields import (
    ID_PATTERN,
    INSPECTION_ID_PATTERN,
    KEY_ID_PATTERN,
    SHA256_PATTERN,
    TIMESTAMP_PATTERN,
    UUID_PATTERN,
    VERSION_TEXT,
    FrameworkRef,
    Member,
)
from fieldwork.identity.encoding import canonical_json, pae

# The signed encoding and the field forms live where bundles and packs share them; re-exported here.
__all__ = ["pae"]

FORMAT_VERSION = 1  # the container header
MANIFEST_FORMAT_VERSION = 2  # written; 1 and 2 are read
MAX_QUERIES_SEEN = 1000  # each entry ~180 bytes: well inside the 1 MiB envelope
QUESTION_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
FILE_SUFFIX = ".fwbundle"
# PNG-style magic: a high byte and CR LF / ^Z / LF catch text-mode transfers that mangle bytes.
MAGIC = b"\x89FWB\r\n\x1a\n"
ENVELOPE_NAME = "envelope.json"
RECORDS_NAME = "payload/records.jsonl"
MEMBER_NAMES = (ENVELOPE_NAME, RECORDS_NAME)  # exactly these, in this order
PAYLOAD_TYPE = "application/vnd.fieldwork.bundle-manifest+json"
HPKE_INFO = b"fieldwork bundle v1 content key"
CONTENT_AEAD = "chacha20-poly1305"
RECORD_TYPES = ("inspection", "case", "case_detail", "answer", "change")
# A merge accepts a bundle numbered at most this far past the highest number it has merged from
# the same key for the same inspection (the first bundle: at most this number). See §6.2.
MAX_SEQUENCE_STEP = 1000


@dataclass(frozen=True)
class Limits:
    """Caps applied before and while reading a bundle; memory use is bounded by these."""

    max_bundle_bytes: int = 256 * 1024 * 1024
    max_header_bytes: int = 64 * 1024
    max_recipients: int = 16
    max_entries: int = 16  # checked from the end record, before the central directory is read
    max_envelope_bytes: int = 1024 * 1024
    # What one bundle may add to the lead's database is bounded here, before anything is merged:
    # at most 128 MiB of records in at most 500,000 lines (and each text field by its own cap,
    # record_types.py). Well above an honest inspector's work (a 200-case bundle is about 5 MB)
    # and, stored uncompressed, still under the file cap (docs/decisions/0021).
    max_member_bytes: int = 128 * 1024 * 1024
    max_total_uncompressed: int = 129 * 1024 * 1024  # the records and envelope.json together
    max_ratio: int = 200  # uncompressed / compressed; the writer stores a member that would pass it
    max_records: int = 500_000
    max_line_bytes: int = 4 * 1024 * 1024


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, order=True)
class SeenQuery:
    """A lead's moderation query the signer's workspace had received (from an allocation pack)
    when the bundle was made: the case's UUID, the question, the SHA-256 of the query's text, and
    when the pack that brought it was opened, by the signer's own clock. The merge marks a query
    answered only by an answer the signer changed after that moment (docs/merge.md)."""

    case: str
    question_id: str
    text_sha256: str
    seen_at: str

    def to_json(self) -> dict:
        return {"case": self.case, "question_id": self.question_id, "seen_at": self.seen_at,
                "text_sha256": self.text_sha256}


@dataclass(frozen=True)
class Manifest:
    """The signed description of a bundle; see docs/bundle-format.md, "Manifest"."""

    format_version: int
    app_version: str
    bundle_id: str
    created_at: str
    inspector_id: str
    signer_key_id: str
    recipients: tuple[str, ...]
    inspection_id: str
    framework: FrameworkRef
    sequence: int
    previous_manifest_sha256: str | None
    members: tuple[Member, ...]
    record_counts: dict[str, int]
    queries_seen: tuple[SeenQuery, ...] = ()  # format 2; always () in a format-1 manifest

    def to_json(self) -> dict:
        value = {
            "format_version": self.format_version,
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
        if self.format_version >= 2:
            value["queries_seen"] = [q.to_json() for q in self.queries_seen]
        return value

    def to_bytes(self) -> bytes:
        """The exact bytes that are signed and hashed: canonical JSON."""
        return canonical_json(self.to_json())


def _bad(detail: str) -> BundleError:
    return BundleError(
        "malformed-manifest",
        f"This bundle's manifest is not valid ({detail}); ask the inspector to export again with "
        "the current fieldwork.",
        detail=detail,
    )


def _newer(version: int) -> BundleError:
    return BundleError(
        "unsupported-version",
        f"This bundle uses manifest format {version}, newer than this fieldwork reads "
        f"({MANIFEST_FORMAT_VERSION}); install the newer fieldwork to read it.",
        detail=f"manifest format {version}",
    )


def _text(value, pattern, field: str) -> str:
    return fields.match(value, pattern, field, _bad)


def _timestamp(value, field: str) -> str:
    if not fields.is_timestamp(value):
        raise _bad(f"{field} is not a valid time from {fields.EARLIEST_TIMESTAMP[:10]} on")
    return value


_MANIFEST_KEYS = {
    "format_version", "app_version", "bundle_id", "created_at", "inspector_id", "signer_key_id",
    "recipients", "inspection_id", "framework", "sequence", "previous_manifest_sha256", "members",
    "record_counts",
}
_KEYS_BY_VERSION = {1: _MANIFEST_KEYS, 2: _MANIFEST_KEYS | {"queries_seen"}}
_SEEN_KEYS = {"case", "question_id", "text_sha256", "seen_at"}


def _manifest_version(data: bytes) -> int:
    """The manifest's format version when it is one this reader knows (else 1, and the strict
    check that follows says what is wrong)."""
    try:
        value = fields.parse_canonical_json(data)
    except fields.EncodingError:
        return 1
    found = value.get("format_version") if isinstance(value, dict) else None
    return found if fields.is_int(found) and found in _KEYS_BY_VERSION else 1


def _queries_seen(value) -> tuple[SeenQuery, ...]:
    if not isinstance(value, list) or len(value) > MAX_QUERIES_SEEN:
        raise _bad(f"queries_seen is not a list of at most {MAX_QUERIES_SEEN} entries")
    seen = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != _SEEN_KEYS:
            raise _bad("a queries_seen entry is not valid")
        seen.append(SeenQuery(
            case=_text(entry["case"], UUID_PATTERN, "queries_seen case"),
            question_id=_text(entry["question_id"], QUESTION_ID_PATTERN, "queries_seen question_id"),
            text_sha256=_text(entry["text_sha256"], SHA256_PATTERN, "queries_seen text_sha256"),
            seen_at=_text(entry["seen_at"], TIMESTAMP_PATTERN, "queries_seen seen_at"),
        ))
    if seen != sorted(set(seen)):
        raise _bad("queries_seen is not sorted and unique")
    return tuple(seen)


def _refuse_results_manifest(data: bytes) -> None:
    """A PDU inspection's results bundle (manifest format 3, kind "results"; decision 0035) is not
    an inspector's work: say where it goes instead of calling it newer than this fieldwork."""
    from fieldwork.region.results_format import RESULTS_KIND, manifest_kind

    if manifest_kind(data) == RESULTS_KIND:
        raise BundleError(
            "wrong-kind",
            "This is a PDU inspection's results bundle, not an inspector's work; take it in with the region "
            "inspection's Merge tab (or 'fieldwork region import --inspection REGION_ID FILE').",
            detail="results bundle given as work",
        )


def parse_manifest(data: bytes) -> Manifest:
    """Strictly parse manifest bytes: canonical JSON, exactly the fields of its format (1 or 2),
    each well formed."""
    version = _manifest_version(data)
    _refuse_results_manifest(data)
    value = fields.manifest_object(data, version, _KEYS_BY_VERSION[version], _bad, _newer)
    recipients = fields.key_ids(
        value["recipients"], _bad, least=0, most=DEFAULT_LIMITS.max_recipients, not_a_list="recipients is not a list"
    )
    framework = fields.framework_object(value["framework"], _bad)
    sequence, previous = fields.sequence(value["sequence"], _bad), value["previous_manifest_sha256"]
    if (previous is None) != (sequence == 1):
        raise _bad("previous_manifest_sha256 must be null exactly when sequence is 1")
    if previous is not None:
        _text(previous, SHA256_PATTERN, "previous_manifest_sha256")
    members = fields.members(value["members"], (RECORDS_NAME,), _bad, size_problem="a member size is not valid")
    counts = value["record_counts"]
    if not isinstance(counts, dict) or set(counts) != set(RECORD_TYPES) or not all(
        fields.is_int(n) and n >= 0 for n in counts.values()
    ):
        raise _bad("record_counts is not valid")
    return Manifest(
        format_version=version,
        app_version=_text(value["app_version"], VERSION_TEXT, "app_version"),
        bundle_id=_text(value["bundle_id"], UUID_PATTERN, "bundle_id"),
        created_at=_timestamp(value["created_at"], "created_at"),
        inspector_id=_text(value["inspector_id"], ID_PATTERN, "inspector_id"),
        signer_key_id=_text(value["signer_key_id"], KEY_ID_PATTERN, "signer_key_id"),
        recipients=tuple(recipients),
        inspection_id=_text(value["inspection_id"], INSPECTION_ID_PATTERN, "inspection_id"),
        framework=fields.framework_ref(framework, ID_PATTERN, _bad),
        sequence=sequence,
        previous_manifest_sha256=previous,
        members=members,
        record_counts=dict(counts),
        queries_seen=_queries_seen(value["queries_seen"]) if version >= 2 else (),
    )
