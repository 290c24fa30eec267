"""The trust list in the store, and the lead pinned per inspection."""

from __future__ import annotations

import pytest

from fieldwork.identity import (
    IdentityError,
    add_trusted_key,
    find_trusted_key,
    load_trust_list,
    pin_lead,
    pinned_lead,
    revoke_key,
)
from fieldwork.identity.keys import generate_identity


@pytest.fixture(scope="module")
def ann():
    return generate_identity("Ann Inspector", "ann").public


@pytest.fixture(scope="module")
def bob():
    return generate_identity("Bob Inspector", "bob").public


def test_add_and_list(store, ann, bob):
    add_trusted_key(store, ann, ["insp-a"])
    add_trusted_key(store, bob)
    trust = load_trust_list(store)
    assert [k.name for k in trust] == ["Ann Inspector", "Bob Inspector"]
    assert trust.get(ann.key_id).inspections == {"insp-a"}
    assert trust.get(ann.key_id).allows_inspection("insp-a") and not trust.get(ann.key_id).allows_inspection("b")
    assert trust.get(bob.key_id).inspections is None and trust.get(bob.key_id).allows_inspection("anything")
    assert trust.get(ann.key_id).added_by == "insp-1"


def test_adding_again_widens_the_inspections(store, ann):
    add_trusted_key(store, ann, ["insp-a"])
    entry = add_trusted_key(store, ann, ["insp-b"])
    assert entry.inspections == {"insp-a", "insp-b"}
    assert add_trusted_key(store, ann).inspections is None


def test_a_key_cannot_change_person(store, ann):
    add_trusted_key(store, ann)
    impostor = ann.__class__(**{**ann.__dict__, "person_id": "mallory"})
    with pytest.raises(IdentityError):
        add_trusted_key(store, impostor)  # its self-signature fails first
    assert load_trust_list(store).get(ann.key_id).person_id == "ann"


def test_revoke_after_sequence_and_only_tighten(store, ann):
    add_trusted_key(store, ann)
    entry = revoke_key(store, ann.key_id[:10], 5)
    assert entry.revoked_after_sequence == 5 and entry.revoked_for(6) and not entry.revoked_for(5)
    assert revoke_key(store, ann.key_id, 3).revoked_after_sequence == 3
    with pytest.raises(IdentityError) as loosened:
        revoke_key(store, ann.key_id, 4)
    assert loosened.value.code == "revocation-loosened"
    assert add_trusted_key(store, ann).revoked_after_sequence == 3  # adding again never lifts it
    with pytest.raises(IdentityError):
        revoke_key(store, ann.key_id, -1)


def test_find_by_prefix(store, ann, bob):
    add_trusted_key(store, ann)
    add_trusted_key(store, bob)
    assert find_trusted_key(store, ann.key_id[:8].upper()).key_id == ann.key_id
    with pytest.raises(IdentityError) as short:
        find_trusted_key(store, ann.key_id[:4])
    assert short.value.code == "not-found"


def test_pinned_lead(store, inspection, ann, bob):
    assert pinned_lead(store, inspection.id) is None
    pin_lead(store, inspection.id, ann)
    pin_lead(store, inspection.id, bob)
    assert pinned_lead(store, inspection.id) == bob
