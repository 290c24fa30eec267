"""The lead pinned for an inspection: whose key the inspection's bundles are encrypted to.

Pinned when the allocation pack is opened (or by hand with `bundle export --pin-lead`), so
an inspector never has to pick the right identity file again for each export.
"""

from __future__ import annotations

from fieldwork.identity.public import PublicIdentity, identity_from_bytes
from fieldwork.store.db import Store
from fieldwork.store.inspections import get_inspection


def pin_lead(store: Store, inspection_id: str, identity: PublicIdentity) -> None:
    """Make `identity` the default recipient of this inspection's bundles (replacing any)."""
    identity.verify_self_signature()
    get_inspection(store, inspection_id)  # a clear refusal for an unknown inspection
    with store.transaction() as db:
        db.execute(
            "INSERT INTO inspection_leads (inspection_id, key_id, identity, pinned_at, pinned_by) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (inspection_id) DO UPDATE SET key_id = excluded.key_id, "
            "identity = excluded.identity, pinned_at = excluded.pinned_at, pinned_by = excluded.pinned_by",
            [inspection_id, identity.key_id, identity.to_bytes().decode("utf-8"), store.now(), store.actor],
        )


def pinned_lead(store: Store, inspection_id: str) -> PublicIdentity | None:
    """The lead pinned for the inspection, or None."""
    row = store.db.execute(
        "SELECT identity FROM inspection_leads WHERE inspection_id = ?", [inspection_id]
    ).fetchone()
    if row is None:
        return None
    return identity_from_bytes(row[0].encode("utf-8"), source=f"The pinned lead of {inspection_id}")


def inspections_led_by(store: Store, key_id: str) -> list[str]:
    """The inspections whose pinned lead has this signing key."""
    rows = store.db.execute(
        "SELECT inspection_id FROM inspection_leads WHERE key_id = ? ORDER BY inspection_id", [key_id]
    ).fetchall()
    return [row[0] for row in rows]


def repin_lead(store: Store, old_key_id: str, identity: PublicIdentity) -> list[str]:
    """Pin `identity` wherever the lead with `old_key_id` was pinned (a lead's key rotation);
    returns those inspections. Bundles exported from now on are encrypted to the new key."""
    identity.verify_self_signature()
    moved = inspections_led_by(store, old_key_id)
    with store.transaction() as db:
        for inspection_id in moved:
            db.execute(
                "UPDATE inspection_leads SET key_id = ?, identity = ?, pinned_at = ?, pinned_by = ? "
                "WHERE inspection_id = ?",
                [identity.key_id, identity.to_bytes().decode("utf-8"), store.now(), store.actor, inspection_id],
            )
    return moved
