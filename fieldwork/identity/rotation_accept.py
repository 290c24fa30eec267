"""Accept a key rotation statement: trust the new key as the old one was, retire the old one.

For a lead, the statement comes from an inspector; for an inspector, from their pinned lead.
Either way (docs/decisions/0014-key-rotation.md), in one transaction:
- the new key is trusted for the same person and the same inspections as the old key;
- the old key is revoked after the last sequence number it used (the lowest of the numbers the
  statement gives for the inspections it is trusted for here, since the trust list keeps one
  number per key), and keeps only those inspections;
- every inspection whose pinned lead is the old key now pins the new key (bundles are then
  encrypted to it, and packs and receipts signed by it are accepted).
Refused, changing nothing: a statement whose old key is neither trusted nor a pinned lead here
(`untrusted-key`), whose old key is revoked (`revoked-key`), one already accepted
(`already-rotated`), or one whose person differs from the trusted one (`trust-conflict`).
A statement is only as good as the old key: for a key that may be stolen, revoke it and check
the new identity's fingerprint in person instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.identity.errors import IdentityError
from fieldwork.identity.leads import inspections_led_by, repin_lead
from fieldwork.identity.rotation import RotationStatement
from fieldwork.identity.trust import TrustedKey, add_trusted_key, load_trust_list, restrict_key, revoke_key
from fieldwork.store.db import Store


@dataclass(frozen=True)
class RotationAccepted:
    """What accepting changed."""

    statement: RotationStatement
    new_entry: TrustedKey | None  # None when the old key was only a pinned lead here
    old_entry: TrustedKey | None
    repinned: tuple[str, ...]  # inspections whose pinned lead is now the new key
    # Inspections where the old key signed beyond the revocation point: their later bundles
    # (or packs) from the old key are refused, and must be sent again with the new key.
    send_again: tuple[tuple[str, int], ...]

    @property
    def revoked_after(self) -> int | None:
        return None if self.old_entry is None else self.old_entry.revoked_after_sequence

    def to_json(self) -> dict:
        return {
            **self.statement.summary(),
            "new_entry": None if self.new_entry is None else self.new_entry.to_json(),
            "old_entry": None if self.old_entry is None else self.old_entry.to_json(),
            "revoked_after_sequence": self.revoked_after,
            "repinned": list(self.repinned),
            "send_again": [{"inspection_id": i, "last_sequence": n} for i, n in self.send_again],
        }


def revocation_point(entry: TrustedKey, statement: RotationStatement) -> tuple[int, dict[str, int]]:
    """(revoke after, {inspection: last sequence}) for the inspections the old key is trusted for here.

    Sequences count per key and inspection (decision 0009) but a trust entry has one revocation
    number, so it is the lowest: nothing the old key did not sign is ever accepted from it.
    """
    relevant = {i: n for i, n in statement.last_sequences if entry.allows_inspection(i)}
    return (min(relevant.values()) if relevant else 0), relevant


def _refuse_unusable(store: Store, statement: RotationStatement, old: TrustedKey | None, pinned: list[str]) -> None:
    who = f"{statement.old.name} ({statement.person_id})"
    new = load_trust_list(store).get(statement.new.key_id)
    new_pinned = inspections_led_by(store, statement.new.key_id)
    if (old is None or old.revoked_after_sequence is not None) and not pinned and (
        (new is not None and new.person_id == statement.person_id) or new_pinned
    ):
        raise IdentityError(
            f"This key rotation of {who} was already accepted: key {statement.new.key_id} is in use here and "
            f"the old key {statement.old.key_id} is retired; nothing was changed.",
            code="already-rotated",
        )
    if old is None and not pinned:
        raise IdentityError(
            f"The old key {statement.old.key_id} of {who} is not in your trust list, so this statement proves "
            "nothing here, and nothing was changed; add the new identity file with 'fieldwork trust add' after "
            "checking its fingerprint with its owner in person or by phone.",
            code="untrusted-key",
        )
    if old is None:
        return
    if old.person_id != statement.person_id:
        raise IdentityError(
            f"Key {old.key_id} is trusted as {old.person_id}, but this statement says it is {statement.person_id}'s; "
            "nothing was changed; check with both people.",
            code="trust-conflict",
        )
    if old.identity.fingerprint != statement.old.fingerprint:
        raise IdentityError(
            f"The old identity in this statement is not the one you trust for key {old.key_id}; nothing was "
            "changed; check with its owner.",
            code="untrusted-key",
        )
    if old.revoked_after_sequence is not None:
        raise IdentityError(
            f"The old key {old.key_id} of {who} is revoked (after number {old.revoked_after_sequence}), and a "
            "revoked key cannot vouch for a new one, so nothing was changed; add the new identity file with "
            "'fieldwork trust add' after checking its fingerprint with its owner in person.",
            code="revoked-key",
        )


def accept_rotation(store: Store, statement: RotationStatement) -> RotationAccepted:
    """Apply a verified statement (rotation.read_statement) to the trust list and pinned leads."""
    old = load_trust_list(store).get(statement.old.key_id)
    pinned = inspections_led_by(store, statement.old.key_id)
    _refuse_unusable(store, statement, old, pinned)
    new_entry = old_entry = None
    send_again: tuple[tuple[str, int], ...] = ()
    with store.transaction():
        if old is not None:
            point, relevant = revocation_point(old, statement)
            new_entry = add_trusted_key(store, statement.new, old.inspections)
            restrict_key(store, old.key_id, relevant)
            old_entry = revoke_key(store, old.key_id, point)
            send_again = tuple(sorted((i, n) for i, n in relevant.items() if n > point))
        repinned = tuple(repin_lead(store, statement.old.key_id, statement.new))
    return RotationAccepted(statement, new_entry, old_entry, repinned, send_again)
