"""The trust list: which signing keys a lead accepts bundles from, for whom and for what.

Each entry binds a key (by key id, with its full public identity) to a person and to the
inspections it may sign for (or all of them), and can be revoked "after sequence N": bundles
with a higher sequence number from that key are refused, earlier ones still verify.
Verification works on a `TrustList` snapshot, so it needs no database handle.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from fieldwork.identity.errors import IdentityError
from fieldwork.identity.public import PublicIdentity, identity_from_bytes
from fieldwork.store.db import Store


@dataclass(frozen=True)
class TrustedKey:
    """One trust-list entry. `inspections` None means any inspection."""

    identity: PublicIdentity
    inspections: frozenset[str] | None
    revoked_after_sequence: int | None = None
    added_at: str = ""
    added_by: str = ""
    revoked_at: str | None = None

    @property
    def key_id(self) -> str:
        return self.identity.key_id

    @property
    def person_id(self) -> str:
        return self.identity.person_id

    @property
    def name(self) -> str:
        return self.identity.name

    def allows_inspection(self, inspection_id: str) -> bool:
        return self.inspections is None or inspection_id in self.inspections

    def revoked_for(self, sequence: int) -> bool:
        return self.revoked_after_sequence is not None and sequence > self.revoked_after_sequence

    def to_json(self) -> dict:
        return {
            "key_id": self.key_id,
            "person_id": self.person_id,
            "name": self.name,
            "fingerprint": self.identity.fingerprint,
            "encryption_suite": self.identity.encryption_suite,
            "inspections": None if self.inspections is None else sorted(self.inspections),
            "revoked_after_sequence": self.revoked_after_sequence,
            "revoked_at": self.revoked_at,
            "added_at": self.added_at,
            "added_by": self.added_by,
        }


class TrustList:
    """An immutable snapshot of trusted keys, looked up by key id."""

    def __init__(self, keys: Iterable[TrustedKey] = ()):
        self._keys = {key.key_id: key for key in keys}

    @classmethod
    def of(cls, *identities: PublicIdentity, inspections: Iterable[str] | None = None) -> TrustList:
        """A trust list of the given identities (for tests, tools and golden files)."""
        allowed = None if inspections is None else frozenset(inspections)
        return cls(TrustedKey(identity, allowed) for identity in identities)

    def get(self, key_id: str) -> TrustedKey | None:
        return self._keys.get(key_id)

    def __iter__(self) -> Iterator[TrustedKey]:
        return iter(sorted(self._keys.values(), key=lambda k: (k.name.casefold(), k.key_id)))

    def __len__(self) -> int:
        return len(self._keys)


def load_trust_list(store: Store) -> TrustList:
    """The store's trust list as a snapshot."""
    bindings: dict[str, set[str]] = {}
    for key_id, inspection_id in store.db.execute(
        "SELECT key_id, inspection_id FROM trusted_key_inspections"
    ):
        bindings.setdefault(key_id, set()).add(inspection_id)
    keys = []
    rows = store.db.execute(
        "SELECT key_id, identity, all_inspections, revoked_after_sequence, added_at, added_by, "
        "revoked_at FROM trusted_keys"
    ).fetchall()
    for key_id, identity_text, all_inspections, revoked_after, added_at, added_by, revoked_at in rows:
        identity = identity_from_bytes(identity_text.encode("utf-8"), source=f"Trusted key {key_id}")
        if identity.key_id != key_id:
            raise IdentityError(f"The trust list entry {key_id} is damaged; remove and add it again.")
        inspections = None if all_inspections else frozenset(bindings.get(key_id, ()))
        keys.append(TrustedKey(identity, inspections, revoked_after, added_at, added_by, revoked_at))
    return TrustList(keys)


def add_trusted_key(
    store: Store, identity: PublicIdentity, inspections: Iterable[str] | None = None
) -> TrustedKey:
    """Trust `identity` for `inspections` (None: all). Adding again widens the inspections.

    Refuses a key already trusted under another person id, and never lifts a revocation.
    """
    identity.verify_self_signature()
    wanted = None if inspections is None else sorted(set(inspections))
    existing = store.db.execute(
        "SELECT person_id, all_inspections FROM trusted_keys WHERE key_id = ?", [identity.key_id]
    ).fetchone()
    with store.transaction() as db:
        if existing is None:
            db.execute(
                "INSERT INTO trusted_keys (key_id, person_id, name, signing_public_key, "
                "encryption_suite, encryption_public_key, fingerprint, identity, all_inspections, "
                "added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    identity.key_id, identity.person_id, identity.name,
                    identity.to_json()["signing_key"]["public"], identity.encryption_suite,
                    identity.to_json()["encryption_key"]["public"], identity.fingerprint,
                    identity.to_bytes().decode("utf-8"), int(wanted is None), store.now(), store.actor,
                ],
            )
        elif existing[0] != identity.person_id:
            raise IdentityError(
                f"Key {identity.key_id} is already trusted as {existing[0]}, not "
                f"{identity.person_id}; check the identity file with its owner.",
                code="trust-conflict",
            )
        elif wanted is None and not existing[1]:
            db.execute("UPDATE trusted_keys SET all_inspections = 1 WHERE key_id = ?", [identity.key_id])
        for inspection_id in wanted or ():
            db.execute(
                "INSERT OR IGNORE INTO trusted_key_inspections (key_id, inspection_id) VALUES (?, ?)",
                [identity.key_id, inspection_id],
            )
    entry = load_trust_list(store).get(identity.key_id)
    assert entry is not None
    return entry


def find_trusted_key(store: Store, key_id: str) -> TrustedKey:
    """The entry whose key id is `key_id` or starts with it (at least 8 characters)."""
    wanted = key_id.strip().lower().replace(" ", "")
    trust = load_trust_list(store)
    exact = trust.get(wanted)
    if exact:
        return exact
    matches = [k for k in trust if len(wanted) >= 8 and k.key_id.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise IdentityError(f"'{key_id}' matches several trusted keys; give more of the key id.", code="not-found")
    raise IdentityError(
        f"No trusted key has id '{key_id}'; see 'fieldwork trust list' for the key ids.", code="not-found"
    )


def revoke_key(store: Store, key_id: str, after_sequence: int) -> TrustedKey:
    """Refuse this key's bundles with a sequence above `after_sequence` (0: all of them).

    A revocation can be tightened (a lower number) but never loosened.
    """
    if not isinstance(after_sequence, int) or after_sequence < 0:
        raise IdentityError("The sequence number must be 0 or more.", code="invalid-value")
    entry = find_trusted_key(store, key_id)
    current = entry.revoked_after_sequence
    if current is not None and after_sequence > current:
        raise IdentityError(
            f"Key {entry.key_id} is already revoked after sequence {current}; a revocation can "
            "only be tightened, never loosened.",
            code="revocation-loosened",
        )
    with store.transaction() as db:
        db.execute(
            "UPDATE trusted_keys SET revoked_after_sequence = ?, revoked_at = ?, revoked_by = ? "
            "WHERE key_id = ?",
            [after_sequence, store.now(), store.actor, entry.key_id],
        )
    updated = load_trust_list(store).get(entry.key_id)
    assert updated is not None
    return updated


def restrict_key(store: Store, key_id: str, inspections: Iterable[str]) -> TrustedKey:
    """Trust the key for these inspections only (never more than before): after a rotation the
    old key keeps only the inspections it signed for, so it cannot start signing for others."""
    entry = find_trusted_key(store, key_id)
    wanted = set(inspections)
    if entry.inspections is not None:
        wanted &= entry.inspections
    with store.transaction() as db:
        db.execute("UPDATE trusted_keys SET all_inspections = 0 WHERE key_id = ?", [entry.key_id])
        db.execute("DELETE FROM trusted_key_inspections WHERE key_id = ?", [entry.key_id])
        for inspection_id in sorted(wanted):
            db.execute(
                "INSERT INTO trusted_key_inspections (key_id, inspection_id) VALUES (?, ?)",
                [entry.key_id, inspection_id],
            )
    updated = load_trust_list(store).get(entry.key_id)
    assert updated is not None
    return updated
