"""Receipt format v1: the signed document a lead gives an inspector for a merged bundle.

A `.fwreceipt` file is the DSSE envelope of bundle-format §6.1, in canonical JSON followed by one
line feed, with its own payload type, so no bundle or pack signature can pass for a receipt. It
carries ids, revisions and times only, no personal data, so it is signed but not encrypted. The
whole contract is docs/receipt-format.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fieldwork.bundles import envelope, fields
from fieldwork.bundles.fields import ID_PATTERN, KEY_ID_PATTERN, SHA256_PATTERN, TIMESTAMP_PATTERN, UUID_PATTERN
from fieldwork.handover.errors import ReceiptError
from fieldwork.identity.encoding import EncodingError, canonical_json, parse_canonical_json
from fieldwork.identity.keys import UnlockedIdentity

FORMAT_VERSION = 1
FILE_SUFFIX = ".fwreceipt"
PAYLOAD_TYPE = "application/vnd.fieldwork.receipt+json"
MAX_FILE_BYTES = 16 * 1024 * 1024  # checked before the file is read
MAX_CASES = 100_000
INSPECTION_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_ENVELOPE_KEYS = {"payload", "payloadType", "signatures"}
# Other signed fieldwork documents: never a receipt, whatever their signature.
_OTHER_TYPES = {
    "application/vnd.fieldwork.bundle-manifest+json": "an inspector's bundle",
    "application/vnd.fieldwork.pack-manifest+json": "an allocation pack",
    "application/vnd.fieldwork.identity+json": "an identity file",
}


@dataclass(frozen=True)
class ReceiptCase:
    """One case the lead holds: its permanent UUID and the highest revision held from the inspector."""

    case_uuid: str
    revision: int


@dataclass(frozen=True)
class Receipt:
    """The signed payload; see docs/receipt-format.md §4."""

    format_version: int
    app_version: str
    receipt_id: str
    issued_at: str
    inspection_id: str
    lead_id: str
    lead_key_id: str
    inspector_id: str
    inspector_key_id: str
    bundle_id: str
    manifest_sha256: str
    sequence: int
    merged_at: str
    cases: tuple[ReceiptCase, ...]

    def to_json(self) -> dict:
        return {
            "format_version": self.format_version,
            "app_version": self.app_version,
            "receipt_id": self.receipt_id,
            "issued_at": self.issued_at,
            "inspection_id": self.inspection_id,
            "lead_id": self.lead_id,
            "lead_key_id": self.lead_key_id,
            "inspector_id": self.inspector_id,
            "inspector_key_id": self.inspector_key_id,
            "bundle_id": self.bundle_id,
            "manifest_sha256": self.manifest_sha256,
            "sequence": self.sequence,
            "merged_at": self.merged_at,
            "cases": [{"case_uuid": c.case_uuid, "revision": c.revision} for c in self.cases],
        }

    def to_bytes(self) -> bytes:
        """The exact bytes that are signed: canonical JSON."""
        return canonical_json(self.to_json())


def suggested_filename(inspection_id: str, inspector_id: str, inspector_key_id: str, sequence: int) -> str:
    """The receipt of bundle `<inspection>_<person>_<key>_<sequence>.fwbundle` is named like it: ids only."""
    return f"{inspection_id}_{inspector_id}_{inspector_key_id[:8]}_{sequence:04d}{FILE_SUFFIX}"


def signed_file(receipt: Receipt, lead: UnlockedIdentity) -> bytes:
    """The .fwreceipt bytes: the lead's DSSE envelope over the receipt, and a line feed."""
    return envelope.sign(PAYLOAD_TYPE, receipt.to_bytes(), lead) + b"\n"


# --- reading ---------------------------------------------------------------------------------


def read_envelope(data: bytes) -> tuple[str, bytes, bytes]:
    """(signing key id, receipt bytes, signature) from a file's bytes, strictly; nothing is trusted yet."""
    if not data.endswith(b"\n") or data.endswith(b"\n\n"):
        raise ReceiptError("not-a-receipt", detail="not one JSON line")
    try:
        outer = parse_canonical_json(data[:-1])
    except EncodingError as exc:
        raise ReceiptError("not-a-receipt", detail=f"envelope: {exc}") from None
    if not isinstance(outer, dict) or set(outer) != _ENVELOPE_KEYS:
        raise ReceiptError("not-a-receipt", detail="not an envelope")
    other = _OTHER_TYPES.get(outer["payloadType"]) if isinstance(outer["payloadType"], str) else None
    if other is not None:
        raise ReceiptError("not-a-receipt", detail=f"signed content of {other}")
    return envelope.read(
        data[:-1], PAYLOAD_TYPE, ReceiptError,
        other_type="This receipt is of a kind this fieldwork does not read; install the newer fieldwork to accept it.",
    )


def _bad(detail: str) -> ReceiptError:
    return ReceiptError(
        "malformed-receipt",
        f"This receipt's contents are not valid ({detail}); ask your lead inspector to send it again with the "
        "current fieldwork.",
        detail=detail,
    )


def _newer(version: int) -> ReceiptError:
    return ReceiptError(
        "unsupported-version",
        f"This receipt uses format {version}, newer than this fieldwork reads ({FORMAT_VERSION}); install the "
        "newer fieldwork to accept it.",
        detail=f"receipt format {version}",
    )


_KEYS = {
    "format_version", "app_version", "receipt_id", "issued_at", "inspection_id", "lead_id", "lead_key_id",
    "inspector_id", "inspector_key_id", "bundle_id", "manifest_sha256", "sequence", "merged_at", "cases",
}


def _cases(value: Any) -> tuple[ReceiptCase, ...]:
    if not isinstance(value, list) or len(value) > MAX_CASES:
        raise _bad(f"cases is not a list of at most {MAX_CASES} entries")
    cases = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"case_uuid", "revision"}:
            raise _bad("a case entry is not valid")
        uuid = fields.match(entry["case_uuid"], UUID_PATTERN, "a case UUID", _bad)
        revision = entry["revision"]
        if not fields.is_int(revision) or not 0 <= revision < 2**53:
            raise _bad("a case revision is not a whole number of at least 0")
        cases.append(ReceiptCase(uuid, revision))
    uuids = [c.case_uuid for c in cases]
    if uuids != sorted(set(uuids)):
        raise _bad("cases are not sorted by UUID and unique")
    return tuple(cases)


def parse_receipt(data: bytes) -> Receipt:
    """Strictly parse receipt bytes: canonical JSON, exactly the v1 fields, each well formed."""
    value = fields.manifest_object(data, FORMAT_VERSION, _KEYS, _bad, _newer)
    match = fields.match
    app_version = match(value["app_version"], fields.VERSION_TEXT, "app_version", _bad)
    return Receipt(
        format_version=FORMAT_VERSION,
        app_version=app_version,
        receipt_id=match(value["receipt_id"], UUID_PATTERN, "receipt_id", _bad),
        issued_at=match(value["issued_at"], TIMESTAMP_PATTERN, "issued_at", _bad),
        inspection_id=match(value["inspection_id"], INSPECTION_ID_PATTERN, "inspection_id", _bad),
        lead_id=match(value["lead_id"], ID_PATTERN, "lead_id", _bad),
        lead_key_id=match(value["lead_key_id"], KEY_ID_PATTERN, "lead_key_id", _bad),
        inspector_id=match(value["inspector_id"], ID_PATTERN, "inspector_id", _bad),
        inspector_key_id=match(value["inspector_key_id"], KEY_ID_PATTERN, "inspector_key_id", _bad),
        bundle_id=match(value["bundle_id"], UUID_PATTERN, "bundle_id", _bad),
        manifest_sha256=match(value["manifest_sha256"], SHA256_PATTERN, "manifest_sha256", _bad),
        sequence=fields.sequence(value["sequence"], _bad),
        merged_at=match(value["merged_at"], TIMESTAMP_PATTERN, "merged_at", _bad),
        cases=_cases(value["cases"]),
    )
