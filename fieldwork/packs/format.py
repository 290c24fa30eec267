"""Allocation pack format v1: constants, limits, the manifest and the payload, each parsed strictly.

The whole contract is docs/pack-format.md. A pack reuses the bundle's layers (outer HPKE
container, canonical ZIP, DSSE envelope over PAE) with its own payload type and members:

    envelope.json           DSSE envelope: the lead's Ed25519 signature over the manifest
    payload/pack.json       the inspection, this inspector's cases and details, open queries
    payload/framework.toml  the framework file's exact bytes
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fieldwork.bundles import fields
from fieldwork.bundles.fields import (
    KEY_ID_PATTERN,
    TIMESTAMP_PATTERN,
    UUID_PATTERN,
    VERSION_TEXT,
    FrameworkRef,
    Member,
)
from fieldwork.bundles.format import Limits
from fieldwork.identity.encoding import (
    EncodingError,
    canonical_json,
    parse_canonical_json,
    parse_strict_json,
)
from fieldwork.identity.errors import IdentityError
from fieldwork.identity.public import PublicIdentity, identity_from_json
from fieldwork.packs.errors import PackError
from fieldwork.text import DETAIL_MAX_CHARS

FORMAT_VERSION = 1
FILE_SUFFIX = ".fwpack"
PAYLOAD_TYPE = "application/vnd.fieldwork.pack-manifest+json"
ENVELOPE_NAME = "envelope.json"
PACK_NAME = "payload/pack.json"
FRAMEWORK_NAME = "payload/framework.toml"
MEMBER_NAMES = (ENVELOPE_NAME, PACK_NAME, FRAMEWORK_NAME)  # exactly these, in this order
SIGNED_MEMBERS = (PACK_NAME, FRAMEWORK_NAME)  # listed in the manifest, in this order
MIB = 1024 * 1024

# Person ids (inspectors, leads) as in identity files; inspection ids as a store accepts them.
PERSON_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
INSPECTION_ID_PATTERN = fields.INSPECTION_ID_PATTERN  # one pattern for bundles, packs and the store
FRAMEWORK_ITEM_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")  # framework, sample, field, question ids
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class PackLimits:
    """Caps applied before and while reading a pack; memory use is bounded by these."""

    max_pack_bytes: int = 64 * MIB
    max_header_bytes: int = 64 * 1024
    max_recipients: int = 16
    max_entries: int = 16  # from the end record, before the central directory is read
    max_envelope_bytes: int = 1 * MIB
    max_pack_json_bytes: int = 64 * MIB
    max_framework_bytes: int = 4 * MIB
    max_total_uncompressed: int = 80 * MIB
    max_ratio: int = 200
    max_cases: int = 100_000
    max_details_per_case: int = 200
    max_queries: int = 100_000

    def container_limits(self) -> Limits:
        """The bundle Limits the shared container code reads (header and recipient caps)."""
        return Limits(
            max_bundle_bytes=self.max_pack_bytes,
            max_header_bytes=self.max_header_bytes,
            max_recipients=self.max_recipients,
            max_entries=self.max_entries,
            max_envelope_bytes=self.max_envelope_bytes,
            max_member_bytes=self.max_pack_json_bytes,
            max_total_uncompressed=self.max_total_uncompressed,
            max_ratio=self.max_ratio,
        )

    def member_caps(self) -> dict[str, int]:
        return {
            ENVELOPE_NAME: self.max_envelope_bytes,
            PACK_NAME: self.max_pack_json_bytes,
            FRAMEWORK_NAME: self.max_framework_bytes,
        }


DEFAULT_PACK_LIMITS = PackLimits()


# --- the manifest -------------------------------------------------------------------------


PackMember = Member  # a signed member is the same (name, size, SHA-256) entry as in a bundle


@dataclass(frozen=True)
class PackManifest:
    """The signed description of a pack; see docs/pack-format.md §6.2."""

    format_version: int
    app_version: str
    pack_id: str
    issued_at: str
    inspection_id: str
    inspector_id: str
    lead: PublicIdentity
    signer_key_id: str
    recipients: tuple[str, ...]
    framework: FrameworkRef
    sequence: int
    members: tuple[PackMember, ...]

    def to_json(self) -> dict:
        return {
            "format_version": self.format_version,
            "app_version": self.app_version,
            "pack_id": self.pack_id,
            "issued_at": self.issued_at,
            "inspection_id": self.inspection_id,
            "inspector_id": self.inspector_id,
            "lead": self.lead.to_json(),
            "signer_key_id": self.signer_key_id,
            "recipients": list(self.recipients),
            "framework": {"id": self.framework.id, "version": self.framework.version, "hash": self.framework.hash},
            "sequence": self.sequence,
            "members": [{"name": m.name, "size": m.size, "sha256": m.sha256} for m in self.members],
        }

    def to_bytes(self) -> bytes:
        """The exact bytes that are signed and hashed: canonical JSON."""
        return canonical_json(self.to_json())


def _bad_manifest(detail: str) -> PackError:
    return PackError(
        "malformed-manifest",
        f"This pack's manifest is not valid ({detail}); ask your lead inspector to send the pack "
        "again with the current fieldwork.",
        detail=detail,
    )


def _newer(version: int) -> PackError:
    return PackError(
        "unsupported-version",
        f"This pack uses manifest format {version}, newer than this fieldwork reads "
        f"({FORMAT_VERSION}); install the newer fieldwork to open it.",
        detail=f"manifest format {version}",
    )


def _match(value: Any, pattern: re.Pattern, field: str, error=_bad_manifest) -> str:
    return fields.match(value, pattern, field, error)


_MANIFEST_KEYS = {
    "format_version", "app_version", "pack_id", "issued_at", "inspection_id", "inspector_id", "lead",
    "signer_key_id", "recipients", "framework", "sequence", "members",
}


def lead_of_manifest(data: bytes) -> PublicIdentity | None:
    """The `lead` identity named in manifest bytes, fully checked (self-signature included), or
    None when the bytes do not name one. Used to check the signature of a lead not yet trusted."""
    try:
        value = parse_canonical_json(data)
    except EncodingError:
        return None
    if not isinstance(value, dict) or "lead" not in value:
        return None
    try:
        return identity_from_json(value["lead"], source="The pack's lead identity")
    except IdentityError:
        return None


def parse_manifest(data: bytes, limits: PackLimits = DEFAULT_PACK_LIMITS) -> PackManifest:
    """Strictly parse manifest bytes: canonical JSON, exactly the v1 fields, each well formed."""
    value = fields.manifest_object(data, FORMAT_VERSION, _MANIFEST_KEYS, _bad_manifest, _newer)
    try:
        lead = identity_from_json(value["lead"], source="The pack's lead identity")
    except IdentityError as exc:
        raise _bad_manifest(f"lead: {exc.message}") from None
    recipients = fields.key_ids(
        value["recipients"], _bad_manifest, least=1, most=limits.max_recipients,
        not_a_list="recipients is not a list of 1 to 16 key ids",
    )
    framework = fields.framework_object(value["framework"], _bad_manifest)
    sequence = fields.sequence(value["sequence"], _bad_manifest)
    members = fields.members(
        value["members"], SIGNED_MEMBERS, _bad_manifest, size_problem="a member entry is not valid", names_are_text=True
    )
    return PackManifest(
        format_version=FORMAT_VERSION,
        app_version=_match(value["app_version"], VERSION_TEXT, "app_version"),
        pack_id=_match(value["pack_id"], UUID_PATTERN, "pack_id"),
        issued_at=_match(value["issued_at"], TIMESTAMP_PATTERN, "issued_at"),
        inspection_id=_match(value["inspection_id"], INSPECTION_ID_PATTERN, "inspection_id"),
        inspector_id=_match(value["inspector_id"], PERSON_ID_PATTERN, "inspector_id"),
        lead=lead,
        signer_key_id=_match(value["signer_key_id"], KEY_ID_PATTERN, "signer_key_id"),
        recipients=tuple(recipients),
        framework=fields.framework_ref(framework, FRAMEWORK_ITEM_PATTERN, _bad_manifest),
        sequence=sequence,
        members=members,
    )


# --- the payload (payload/pack.json) -----------------------------------------------------------


@dataclass(frozen=True)
class PackInspection:
    id: str
    provider: str
    provider_type: str
    fieldwork_start: str | None
    fieldwork_end: str | None
    lead_id: str | None
    created_at: str
    created_by: str


@dataclass(frozen=True)
class PackDetail:
    """A case detail as the lead's store holds it, with the revision the merge compares."""

    field_id: str
    value: str
    revision: int
    updated_at: str
    updated_by: str


@dataclass(frozen=True)
class PackSampleChange:
    """The lead's store's latest move of the case to `sample` (decision 0036): from which set, why,
    who made it and when. Present only when the case has been moved since it was added."""

    from_sample: str
    reason: str
    by: str
    at: str

    def to_json(self) -> dict:
        return {"from": self.from_sample, "reason": self.reason, "by": self.by, "at": self.at}


@dataclass(frozen=True)
class PackCase:
    uuid: str
    case_ref: str
    sample: str
    created_at: str
    details: tuple[PackDetail, ...]  # sorted by field id
    sample_change: PackSampleChange | None = None

    def detail(self, field_id: str) -> PackDetail | None:
        return next((d for d in self.details if d.field_id == field_id), None)


@dataclass(frozen=True)
class PackQuery:
    """An open moderation query from the lead about one answer of one of this inspector's cases."""

    case_uuid: str
    question_id: str
    text: str


@dataclass(frozen=True)
class PackFrameworkMove:
    """The lead's move of the inspection from one framework text to a newer one (decision 0042)."""

    id: str
    from_ref: FrameworkRef
    to_ref: FrameworkRef
    renamed: dict[str, str]  # earlier question id → its id in the newer text
    moved_at: str
    moved_by: str

    def to_json(self) -> dict:
        def ref(r: FrameworkRef) -> dict:
            return {"id": r.id, "version": r.version, "hash": r.hash}

        return {"id": self.id, "from": ref(self.from_ref), "to": ref(self.to_ref), "renamed": dict(self.renamed),
                "moved_at": self.moved_at, "moved_by": self.moved_by}


@dataclass(frozen=True)
class PackPayload:
    """Everything payload/pack.json carries."""

    inspection: PackInspection
    cases: tuple[PackCase, ...]
    moderation_queries: tuple[PackQuery, ...]
    # Optional (written only when the inspection has moved): every move of the inspection to a
    # newer framework version, oldest first, so the inspector's workspace moves too.
    framework_moves: tuple[PackFrameworkMove, ...] = ()

    def to_json(self) -> dict:
        i = self.inspection
        return {
            "inspection": {
                "id": i.id, "provider": i.provider, "provider_type": i.provider_type,
                "fieldwork_start": i.fieldwork_start, "fieldwork_end": i.fieldwork_end,
                "lead_id": i.lead_id, "created_at": i.created_at, "created_by": i.created_by,
            },
            "cases": [
                {
                    "uuid": c.uuid, "case_ref": c.case_ref, "sample": c.sample, "created_at": c.created_at,
                    "details": {
                        d.field_id: {
                            "value": d.value, "revision": d.revision, "updated_at": d.updated_at,
                            "updated_by": d.updated_by,
                        }
                        for d in c.details
                    },
                    # Optional (decision 0036): written only for a moved case, so every other
                    # pack is byte for byte what earlier versions wrote.
                    **({"sample_change": c.sample_change.to_json()} if c.sample_change else {}),
                }
                for c in self.cases
            ],
            "moderation_queries": [
                {"case_uuid": q.case_uuid, "question_id": q.question_id, "text": q.text}
                for q in self.moderation_queries
            ],
        } | ({"framework_moves": [m.to_json() for m in self.framework_moves]} if self.framework_moves else {})

    def to_bytes(self) -> bytes:
        """Canonical JSON (what fieldwork writes; readers do not require the canonical form)."""
        return canonical_json(self.to_json())


def _bad_payload(detail: str) -> PackError:
    return PackError(
        "malformed-pack",
        f"This pack's contents are not valid ({detail}); ask your lead inspector to send the pack "
        "again with the current fieldwork.",
        detail=detail,
    )


def _text(value: Any, max_len: int, field: str, *, empty: bool = False, nullable: bool = False) -> str | None:
    """A single-line string of at most `max_len` characters (no control characters)."""
    if value is None and nullable:
        return None
    if (
        not isinstance(value, str) or (not empty and value == "") or len(value) > max_len
        or _CONTROL.search(value) or _SURROGATE.search(value)
    ):
        raise _bad_payload(f"{field} is not valid")
    return value


def _long_text(value: Any, max_len: int, field: str) -> str:
    if not isinstance(value, str) or len(value) > max_len or _SURROGATE.search(value):
        raise _bad_payload(f"{field} is not valid")
    return value


def _pattern(value: Any, pattern: re.Pattern, field: str, *, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    return _match(value, pattern, field, _bad_payload)


def _object(value: Any, keys: set[str], what: str) -> dict:
    if not isinstance(value, dict):
        raise _bad_payload(f"{what} is not an object")
    if set(value) != keys:
        extra, missing = sorted(set(value) - keys), sorted(keys - set(value))
        raise _bad_payload(f"{what} has unknown fields {extra}" if extra else f"{what} lacks fields {missing}")
    return value


def _sample_change(value: Any, sample: Any, where: str) -> PackSampleChange | None:
    raw = _object(value, _SAMPLE_CHANGE_KEYS, f"{where}: sample_change")
    change = PackSampleChange(
        from_sample=_pattern(raw["from"], FRAMEWORK_ITEM_PATTERN, f"{where}: sample_change from"),
        reason=_text(raw["reason"], DETAIL_MAX_CHARS, f"{where}: sample_change reason", empty=True),
        by=_text(raw["by"], 200, f"{where}: sample_change by"),
        at=_pattern(raw["at"], TIMESTAMP_PATTERN, f"{where}: sample_change at"),
    )
    if change.from_sample == sample:
        raise _bad_payload(f"{where}: sample_change moves the case from its own sample")
    return change


_PAYLOAD_KEYS = {"inspection", "cases", "moderation_queries"}
_INSPECTION_KEYS = {
    "id", "provider", "provider_type", "fieldwork_start", "fieldwork_end", "lead_id", "created_at", "created_by",
}
_CASE_KEYS = {"uuid", "case_ref", "sample", "created_at", "details"}
_SAMPLE_CHANGE_KEYS = {"from", "reason", "by", "at"}
_DETAIL_KEYS = {"value", "revision", "updated_at", "updated_by"}
_QUERY_KEYS = {"case_uuid", "question_id", "text"}


def parse_payload(data: bytes, manifest: PackManifest, limits: PackLimits = DEFAULT_PACK_LIMITS) -> PackPayload:
    """Strictly parse payload/pack.json and check it hangs together with the manifest."""
    try:
        value = parse_strict_json(data)
    except EncodingError as exc:
        raise _bad_payload(f"not valid JSON: {exc}") from None
    optional = {"framework_moves"} if isinstance(value, dict) and "framework_moves" in value else set()
    value = _object(value, _PAYLOAD_KEYS | optional, "the pack")
    raw = _object(value["inspection"], _INSPECTION_KEYS, "the inspection")
    inspection = PackInspection(
        id=_pattern(raw["id"], INSPECTION_ID_PATTERN, "the inspection id"),
        provider=_text(raw["provider"], 500, "the provider"),
        provider_type=_text(raw["provider_type"], 200, "the provider type"),
        fieldwork_start=_pattern(raw["fieldwork_start"], DATE_PATTERN, "fieldwork_start", nullable=True),
        fieldwork_end=_pattern(raw["fieldwork_end"], DATE_PATTERN, "fieldwork_end", nullable=True),
        lead_id=_text(raw["lead_id"], 200, "lead_id", nullable=True),
        created_at=_pattern(raw["created_at"], TIMESTAMP_PATTERN, "the inspection's created_at"),
        created_by=_text(raw["created_by"], 200, "the inspection's created_by"),
    )
    if inspection.id != manifest.inspection_id:
        raise _bad_payload("the inspection is another one than the manifest names")
    cases_raw = value["cases"]
    if not isinstance(cases_raw, list) or len(cases_raw) > limits.max_cases:
        raise _bad_payload(f"cases is not a list of at most {limits.max_cases}")
    cases = []
    uuids: set[str] = set()
    refs: set[str] = set()
    for number, item in enumerate(cases_raw, start=1):
        where = f"case {number}"
        item = _object(item, _CASE_KEYS | ({"sample_change"} & set(item) if isinstance(item, dict) else set()), where)
        details_raw = item["details"]
        if not isinstance(details_raw, dict) or len(details_raw) > limits.max_details_per_case:
            raise _bad_payload(f"{where}: details is not an object of at most {limits.max_details_per_case}")
        details = []
        for field_id in sorted(details_raw):
            _pattern(field_id, FRAMEWORK_ITEM_PATTERN, f"{where}: a case detail id")
            detail = _object(details_raw[field_id], _DETAIL_KEYS, f"{where}: detail {field_id}")
            revision = detail["revision"]
            if not fields.is_int(revision) or not 1 <= revision < 2**53:
                raise _bad_payload(f"{where}: the revision of {field_id} is not valid")
            details.append(
                PackDetail(
                    field_id,
                    _text(detail["value"], 10_000, f"{where}: the value of {field_id}", empty=True),
                    revision,
                    _pattern(detail["updated_at"], TIMESTAMP_PATTERN, f"{where}: updated_at of {field_id}"),
                    _text(detail["updated_by"], 200, f"{where}: updated_by of {field_id}"),
                )
            )
        case = PackCase(
            uuid=_pattern(item["uuid"], UUID_PATTERN, f"{where}: uuid"),
            case_ref=_text(item["case_ref"], 200, f"{where}: case_ref"),
            sample=_pattern(item["sample"], FRAMEWORK_ITEM_PATTERN, f"{where}: sample"),
            created_at=_pattern(item["created_at"], TIMESTAMP_PATTERN, f"{where}: created_at"),
            details=tuple(details),
            sample_change=_sample_change(item["sample_change"], item["sample"], where) if "sample_change" in item
            else None,
        )
        if case.uuid in uuids or case.case_ref in refs:
            raise _bad_payload(f"case {case.case_ref} appears twice")
        uuids.add(case.uuid)
        refs.add(case.case_ref)
        cases.append(case)
    queries_raw = value["moderation_queries"]
    if not isinstance(queries_raw, list) or len(queries_raw) > limits.max_queries:
        raise _bad_payload(f"moderation_queries is not a list of at most {limits.max_queries}")
    queries = []
    seen_queries: set[tuple[str, str, str]] = set()
    for number, item in enumerate(queries_raw, start=1):
        where = f"query {number}"
        item = _object(item, _QUERY_KEYS, where)
        query = PackQuery(
            _pattern(item["case_uuid"], UUID_PATTERN, f"{where}: case_uuid"),
            _pattern(item["question_id"], FRAMEWORK_ITEM_PATTERN, f"{where}: question_id"),
            _long_text(item["text"], 100_000, f"{where}: text"),
        )
        if query.case_uuid not in uuids:
            raise _bad_payload(f"{where} is about a case that is not in the pack")
        key = (query.case_uuid, query.question_id, query.text)
        if key in seen_queries:
            raise _bad_payload(f"{where} appears twice")
        seen_queries.add(key)
        queries.append(query)
    moves = _framework_moves(value.get("framework_moves", []), manifest)
    return PackPayload(inspection, tuple(cases), tuple(queries), moves)


_MOVE_KEYS = {"id", "from", "to", "renamed", "moved_at", "moved_by"}
MAX_FRAMEWORK_MOVES = 100
MAX_RENAMED_PER_MOVE = 5_000


def _framework_moves(raw: Any, manifest: PackManifest) -> tuple[PackFrameworkMove, ...]:
    """The optional list of framework moves: each one a step to a newer text of the manifest's framework."""
    if not isinstance(raw, list) or len(raw) > MAX_FRAMEWORK_MOVES:
        raise _bad_payload(f"framework_moves is not a list of at most {MAX_FRAMEWORK_MOVES}")
    moves = []
    for number, item in enumerate(raw, start=1):
        where = f"framework move {number}"
        item = _object(item, _MOVE_KEYS, where)
        refs = [fields.framework_ref(fields.framework_object(item[end], _bad_payload), FRAMEWORK_ITEM_PATTERN,
                                     _bad_payload) for end in ("from", "to")]
        if any(r.id != manifest.framework.id for r in refs):
            raise _bad_payload(f"{where} is for another framework than the manifest names")
        renamed = item["renamed"]
        if not isinstance(renamed, dict) or len(renamed) > MAX_RENAMED_PER_MOVE:
            raise _bad_payload(f"{where}: renamed is not an object of at most {MAX_RENAMED_PER_MOVE}")
        for old, new in renamed.items():
            _pattern(old, FRAMEWORK_ITEM_PATTERN, f"{where}: a renamed question id")
            _pattern(new, FRAMEWORK_ITEM_PATTERN, f"{where}: a renamed question id")
        moves.append(PackFrameworkMove(
            _pattern(item["id"], UUID_PATTERN, f"{where}: id"), refs[0], refs[1], dict(renamed),
            _pattern(item["moved_at"], TIMESTAMP_PATTERN, f"{where}: moved_at"),
            _text(item["moved_by"], 200, f"{where}: moved_by"),
        ))
    return tuple(moves)
