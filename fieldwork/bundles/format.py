"""Bundle format v1: constants, limits, the manifest and its strict schema (docs/bundle-format.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fieldwork.bundles.errors import BundleError
from fieldwork.identity.encoding import EncodingError, canonical_json, pae, parse_canonical_json

__all__ = ["pae"]  # the signed encoding lives with the other encodings; re-exported here

FORMAT_VERSION = 1
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

UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIMESTAMP_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
KEY_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# Framework versions are free text in framework files: any printable text up to 100 characters.
_VERSION_TEXT = re.compile(r"^[^\x00-\x1f\x7f]{1,100}$")


@dataclass(frozen=True)
class Limits:
    """Caps applied before and while reading a bundle; memory use is bounded by these."""

    max_bundle_bytes: int = 256 * 1024 * 1024
    max_header_bytes: int = 64 * 1024
    max_recipients: int = 16
    max_entries: int = 16  # checked from the end record, before the central directory is read
    max_envelope_bytes: int = 1024 * 1024
    max_member_bytes: int = 512 * 1024 * 1024
    max_total_uncompressed: int = 512 * 1024 * 1024
    max_ratio: int = 200  # uncompressed / compressed; real records compress well under 20x
    max_records: int = 2_000_000
    max_line_bytes: int = 4 * 1024 * 1024


DEFAULT_LIMITS = Limits()


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

    def to_json(self) -> dict:
        return {
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


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value, pattern: re.Pattern, field: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise _bad(f"{field} is not valid")
    return value


_MANIFEST_KEYS = {
    "format_version", "app_version", "bundle_id", "created_at", "inspector_id", "signer_key_id",
    "recipients", "inspection_id", "framework", "sequence", "previous_manifest_sha256", "members",
    "record_counts",
}


def parse_manifest(data: bytes) -> Manifest:
    """Strictly parse manifest bytes: canonical JSON, exactly the v1 fields, each well formed."""
    try:
        value = parse_canonical_json(data)
    except EncodingError as exc:
        raise _bad(str(exc)) from None
    if not isinstance(value, dict):
        raise _bad("it is not a JSON object")
    version = value.get("format_version")
    if version != FORMAT_VERSION:
        if _is_int(version) and version > FORMAT_VERSION:
            raise BundleError(
                "unsupported-version",
                f"This bundle uses manifest format {version}, newer than this fieldwork reads "
                f"({FORMAT_VERSION}); install the newer fieldwork to read it.",
                detail=f"manifest format {version}",
            )
        raise _bad("format_version is not valid")
    if set(value) != _MANIFEST_KEYS:
        extra, missing = set(value) - _MANIFEST_KEYS, _MANIFEST_KEYS - set(value)
        raise _bad(f"unexpected fields {sorted(extra)}" if extra else f"missing fields {sorted(missing)}")
    recipients = value["recipients"]
    if not isinstance(recipients, list) or len(recipients) > DEFAULT_LIMITS.max_recipients:
        raise _bad("recipients is not a list")
    for key_id in recipients:
        _text(key_id, KEY_ID_PATTERN, "a recipient key id")
    if recipients != sorted(set(recipients)):
        raise _bad("recipients are not sorted and unique")
    framework = value["framework"]
    if not isinstance(framework, dict) or set(framework) != {"id", "version", "hash"}:
        raise _bad("framework is not valid")
    sequence, previous = value["sequence"], value["previous_manifest_sha256"]
    if not _is_int(sequence) or not 1 <= sequence < 2**53:
        raise _bad("sequence is not a positive whole number")
    if (previous is None) != (sequence == 1):
        raise _bad("previous_manifest_sha256 must be null exactly when sequence is 1")
    if previous is not None:
        _text(previous, SHA256_PATTERN, "previous_manifest_sha256")
    members = value["members"]
    if not isinstance(members, list):
        raise _bad("members is not a list")
    parsed_members = []
    for member in members:
        if not isinstance(member, dict) or set(member) != {"name", "size", "sha256"}:
            raise _bad("a member entry is not valid")
        if not _is_int(member["size"]) or member["size"] < 0:
            raise _bad("a member size is not valid")
        parsed_members.append(
            Member(member["name"], member["size"], _text(member["sha256"], SHA256_PATTERN, "a member hash"))
        )
    if [m.name for m in parsed_members] != [n for n in MEMBER_NAMES if n != ENVELOPE_NAME]:
        raise _bad(f"members must list exactly {RECORDS_NAME}")
    counts = value["record_counts"]
    if not isinstance(counts, dict) or set(counts) != set(RECORD_TYPES) or not all(
        _is_int(n) and n >= 0 for n in counts.values()
    ):
        raise _bad("record_counts is not valid")
    return Manifest(
        format_version=version,
        app_version=_text(value["app_version"], _VERSION_TEXT, "app_version"),
        bundle_id=_text(value["bundle_id"], UUID_PATTERN, "bundle_id"),
        created_at=_text(value["created_at"], TIMESTAMP_PATTERN, "created_at"),
        inspector_id=_text(value["inspector_id"], ID_PATTERN, "inspector_id"),
        signer_key_id=_text(value["signer_key_id"], KEY_ID_PATTERN, "signer_key_id"),
        recipients=tuple(recipients),
        inspection_id=_text(value["inspection_id"], ID_PATTERN, "inspection_id"),
        framework=FrameworkRef(
            _text(framework["id"], ID_PATTERN, "framework id"),
            _text(framework["version"], _VERSION_TEXT, "framework version"),
            _text(framework["hash"], SHA256_PATTERN, "framework hash"),
        ),
        sequence=sequence,
        previous_manifest_sha256=previous,
        members=tuple(parsed_members),
        record_counts=dict(counts),
    )
