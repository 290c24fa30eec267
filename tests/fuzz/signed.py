"""Hostile content inside signed files: bundle records edited field by field, and bundles and
packs rebuilt around any manifest and member bytes with the project's own writers (DSSE
envelope, canonical ZIP, HPKE container), signed by a test key the reader trusts. The signature
is valid, so the hostile content reaches the strict manifest, record and payload checks behind it.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence

from hypothesis import strategies as st

from fieldwork.bundles import container
from fieldwork.bundles.export import sign_envelope as sign_bundle_envelope
from fieldwork.bundles.format import ENVELOPE_NAME, RECORD_TYPES, RECORDS_NAME
from fieldwork.bundles.ziparchive import write_zip
from fieldwork.identity.keys import UnlockedIdentity
from fieldwork.identity.public import PublicIdentity
from fieldwork.packs.export import sign_envelope as sign_pack_envelope
from fieldwork.packs.format import FRAMEWORK_NAME, PACK_NAME

from .mutations import UNKNOWN_IDS, Raw, dump_json, json_values, with_duplicate_key

# --- bundles -----------------------------------------------------------------------------------

RECORD_OPS = (
    "drop-field", "unknown-field", "set-field", "retype", "duplicate", "clone-ids", "drop-record", "move",
    "dangle", "unknown-id", "bad-answer", "raw-line", "duplicate-key",
)
HOSTILE_LINES = (
    b"", b"{}", b"[]", b"null", b"\xef\xbb\xbf{}", b'{"type":"answer"', b"\xff\xfe", b"\x00",
    b'{"type":"inspection","type":"case"}', b'{"type":"case"}\r', b"[" * 10_000 + b"]" * 10_000,
    b'{"a":' * 5_000 + b"1" + b"}" * 5_000, b'{"type":NaN}', b'{"type":1.5}', b'{"type":"\\ud800"}',
)


@st.composite
def record_edits(draw, records: list[dict], known_ids: Sequence[str] = (), max_steps: int = 3) -> list:
    """Bundle records (as JSON objects) with 1 to `max_steps` edits: fields dropped, unknown,
    of the wrong type or form; records retyped, repeated, cloned under the same id with other
    content, dropped or moved; references to cases that are not there; question, detail and
    sample ids the framework does not have; answers a question does not allow; lines no JSON
    writer produces (`Raw`)."""
    records: list = copy.deepcopy(records)
    for _ in range(draw(st.integers(1, max_steps), label="record steps")):
        if not records:
            records.append({})
        i = draw(st.integers(0, len(records) - 1), label="record")
        record = records[i]
        op = draw(st.sampled_from(RECORD_OPS), label="record op")
        if not isinstance(record, dict):
            op = "drop-record"
        fields = sorted(record) if isinstance(record, dict) else []
        if op == "drop-field" and fields:
            del record[draw(st.sampled_from(fields))]
        elif op == "unknown-field":
            record[draw(st.sampled_from(("extra", "Type", "id2", "seq", "")))] = draw(json_values())
        elif op == "set-field" and fields:
            record[draw(st.sampled_from(fields))] = draw(json_values(), label="value")
        elif op == "retype":
            record["type"] = draw(st.sampled_from((*RECORD_TYPES, "", "answers", None, 1, ["case"])))
        elif op == "duplicate":
            records.insert(draw(st.integers(0, len(records))), copy.deepcopy(record))
        elif op == "clone-ids" and fields:
            clone = copy.deepcopy(record)
            clone[draw(st.sampled_from(fields))] = draw(json_values())
            records.insert(draw(st.integers(0, len(records))), clone)
        elif op == "drop-record":
            del records[i]
        elif op == "move":
            records.insert(draw(st.integers(0, len(records))), records.pop(i))
        elif op == "dangle":
            for name in ("case_uuid", "inspection_id", "uuid"):
                if name in record:
                    record[name] = draw(st.sampled_from(("00000000-0000-4000-8000-00000000dead", "other-insp")))
        elif op == "unknown-id":
            ids = (*UNKNOWN_IDS, *known_ids)
            for name in ("question_id", "field_id", "sample", "key"):
                if name in record:
                    record[name] = draw(st.sampled_from(ids))
        elif op == "bad-answer" and "value" in record:
            record["value"] = draw(st.sampled_from(("na", "yes ", "YES", "n/a", "", "true", "Sufficient")))
        elif op == "raw-line":
            records[i] = Raw(draw(st.sampled_from(HOSTILE_LINES)))
        elif op == "duplicate-key" and fields:
            name = draw(st.sampled_from(fields))
            records[i] = Raw(with_duplicate_key(dump_json(record), name, record[name]))
    return records


def records_file(records: Sequence) -> bytes:
    """records.jsonl for records (JSON objects, or `Raw` lines): one per line, each ending in LF."""
    return b"".join((r.data if isinstance(r, Raw) else dump_json(r)) + b"\n" for r in records)


def count_records(records: Sequence) -> dict[str, int]:
    """record_counts as a manifest would give them for these records (so the counts agree, and
    the reader goes on to the checks behind them)."""
    counts = dict.fromkeys(RECORD_TYPES, 0)
    for record in records:
        kind = record.get("type") if isinstance(record, dict) else None
        if isinstance(kind, str) and kind in counts:
            counts[kind] += 1
    return counts


def bundle_manifest(
    records_data: bytes,
    *,
    signer: UnlockedIdentity,
    recipients: Sequence[PublicIdentity],
    inspection_id: str,
    framework: tuple[str, str, str],
    counts: dict[str, int],
) -> dict:
    """A v1 bundle manifest for a record file, as fieldwork writes it (docs/bundle-format.md §6.2)."""
    framework_id, version, content_hash = framework
    return {
        "format_version": 1,
        "app_version": "fuzz",
        "bundle_id": "00000000-0000-4000-8000-00000000f022",
        "created_at": "2026-11-02T09:00:00.000Z",
        "inspector_id": signer.person_id,
        "signer_key_id": signer.key_id,
        "recipients": sorted({r.key_id for r in recipients}),
        "inspection_id": inspection_id,
        "framework": {"hash": content_hash, "id": framework_id, "version": version},
        "sequence": 1,
        "previous_manifest_sha256": None,
        "members": [
            {"name": RECORDS_NAME, "sha256": hashlib.sha256(records_data).hexdigest(), "size": len(records_data)}
        ],
        "record_counts": counts,
    }


def seal_bundle(
    manifest_bytes: bytes,
    records_data: bytes,
    *,
    signer: UnlockedIdentity,
    recipients: Sequence[PublicIdentity],
    encrypt: bool = True,
) -> bytes:
    """A bundle around these exact manifest and record bytes: signed by `signer` with the
    project's envelope writer, zipped canonically and sealed to `recipients`."""
    archive = write_zip(
        [(ENVELOPE_NAME, sign_bundle_envelope(manifest_bytes, signer)), (RECORDS_NAME, records_data)]
    )
    return container.seal(archive, list(recipients)) if encrypt else container.wrap_unencrypted(archive)


# --- packs -------------------------------------------------------------------------------------


def pack_manifest(
    payload_data: bytes,
    framework_data: bytes,
    *,
    lead: UnlockedIdentity,
    recipients: Sequence[PublicIdentity],
    inspector_id: str,
    inspection_id: str,
    framework: tuple[str, str],
) -> dict:
    """A v1 pack manifest for these members, as fieldwork writes it (docs/pack-format.md §6.2)."""
    framework_id, version = framework
    return {
        "format_version": 1,
        "app_version": "fuzz",
        "pack_id": "00000000-0000-4000-8000-00000000f0a1",
        "issued_at": "2026-11-02T09:00:00.000Z",
        "inspection_id": inspection_id,
        "inspector_id": inspector_id,
        "lead": lead.public.to_json(),
        "signer_key_id": lead.key_id,
        "recipients": sorted({r.key_id for r in recipients}),
        "framework": {"hash": hashlib.sha256(framework_data).hexdigest(), "id": framework_id, "version": version},
        "sequence": 1,
        "members": [
            {"name": PACK_NAME, "sha256": hashlib.sha256(payload_data).hexdigest(), "size": len(payload_data)},
            {"name": FRAMEWORK_NAME, "sha256": hashlib.sha256(framework_data).hexdigest(), "size": len(framework_data)},
        ],
    }


def seal_pack(
    manifest_bytes: bytes,
    payload_data: bytes,
    framework_data: bytes,
    *,
    lead: UnlockedIdentity,
    recipients: Sequence[PublicIdentity],
) -> bytes:
    """A pack around these exact manifest and member bytes, signed by `lead` and sealed."""
    archive = write_zip(
        [
            (ENVELOPE_NAME, sign_pack_envelope(manifest_bytes, lead)),
            (PACK_NAME, payload_data),
            (FRAMEWORK_NAME, framework_data),
        ]
    )
    return container.seal(archive, list(recipients))
