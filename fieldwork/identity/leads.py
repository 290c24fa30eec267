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
