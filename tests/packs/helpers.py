"""Building blocks for pack tests: stores for a lead and an inspector, table dumps, and custom
(even wrong) packs signed and sealed for real."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from fieldwork.bundles import container
from fieldwork.identity.encoding import b64encode, canonical_json, pae
from fieldwork.identity.keys import UnlockedIdentity, generate_identity
from fieldwork.identity.public import PublicIdentity
from fieldwork.packs.archive import write_zip
from fieldwork.packs.export import sign_envelope
from fieldwork.packs.format import ENVELOPE_NAME, FRAMEWORK_NAME, PACK_NAME, PAYLOAD_TYPE
from fieldwork.store.db import Store

FIXED_TIME = "2026-11-02T09:00:00.000Z"


class SteppingClock:
    """A clock that moves on one second each time it is read."""

    def __init__(self, start: dt.datetime):
        self.current = start

    def __call__(self) -> dt.datetime:
        value = self.current
        self.current += dt.timedelta(seconds=1)
        return value


def make_identity(name: str, person_id: str, suite: str = "x25519", *, seed: str | None = None) -> UnlockedIdentity:
    """An in-memory identity; deterministic when `seed` is given."""
    signing_seed = hashlib.sha256(f"pack signing {seed}".encode()).digest() if seed else None
    return generate_identity(name, person_id, suite=suite, created_at=FIXED_TIME, signing_seed=signing_seed)


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table: two dumps are equal exactly when nothing was written."""
    tables = [
        row[0]
        for row in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {table: store.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in tables}


def open_inner(pack: bytes, identity: UnlockedIdentity) -> bytes:
    return container.open_container(pack, identity).archive


def craft(
    manifest: dict | bytes,
    payload: dict | bytes,
    framework: bytes,
    signer: UnlockedIdentity,
    recipients: list[PublicIdentity],
    *,
    envelope: bytes | None = None,
    fix_hashes: bool = True,
    members: list[tuple[str, bytes]] | None = None,
) -> bytes:
    """A pack from raw parts, signed and sealed exactly as export does. With `fix_hashes`, the
    manifest's member sizes and hashes are recomputed for the parts given."""
    payload_bytes = payload if isinstance(payload, bytes) else canonical_json(payload)
    if isinstance(manifest, dict):
        manifest = json.loads(json.dumps(manifest))
        if fix_hashes:
            manifest["members"] = [
                {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                for name, data in ((PACK_NAME, payload_bytes), (FRAMEWORK_NAME, framework))
            ]
        manifest_bytes = canonical_json(manifest)
    else:
        manifest_bytes = manifest
    archive = write_zip(
        members
        or [
            (ENVELOPE_NAME, envelope or sign_envelope(manifest_bytes, signer)),
            (PACK_NAME, payload_bytes),
            (FRAMEWORK_NAME, framework),
        ]
    )
    return container.seal(archive, recipients)


def envelope_with(manifest_bytes: bytes, signer: UnlockedIdentity, *, payload_type: str = PAYLOAD_TYPE,
                  key_id: str | None = None) -> bytes:
    signature = signer.sign(pae(payload_type, manifest_bytes))
    return canonical_json(
        {
            "payloadType": payload_type,
            "payload": b64encode(manifest_bytes),
            "signatures": [{"keyid": key_id or signer.key_id, "sig": b64encode(signature)}],
        }
    )
