"""Bundle format v1: constants, limits, the manifest and its strict schema (docs/bundle-format.md)."""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.bundles import fields
from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.fields import (
    ID_PATTERN,
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


def _newer(version: int) -> BundleError:
    return BundleError(
        "unsupported-version",
        f"This bundle uses manifest format {version}, newer than this fieldwork reads "
        f"({FORMAT_VERSION}); install the newer fieldwork to read it.",
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


def parse_manifest(data: bytes) -> Manifest:
    """Strictly parse manifest bytes: canonical JSON, exactly the v1 fields, each well formed."""
    value = fields.manifest_object(data, FORMAT_VERSION, _MANIFEST_KEYS, _bad, _newer)
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
        format_version=FORMAT_VERSION,
        app_version=_text(value["app_version"], VERSION_TEXT, "app_version"),
        bundle_id=_text(value["bundle_id"], UUID_PATTERN, "bundle_id"),
        created_at=_timestamp(value["created_at"], "created_at"),
        inspector_id=_text(value["inspector_id"], ID_PATTERN, "inspector_id"),
        signer_key_id=_text(value["signer_key_id"], KEY_ID_PATTERN, "signer_key_id"),
        recipients=tuple(recipients),
        inspection_id=_text(value["inspection_id"], ID_PATTERN, "inspection_id"),
        framework=fields.framework_ref(framework, ID_PATTERN, _bad),
        sequence=sequence,
        previous_manifest_sha256=previous,
        members=members,
        record_counts=dict(counts),
    )
