"""Fixtures for pack tests: a lead with an inspection and its allocation, two inspectors, keys."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldwork.identity import add_trusted_key
from fieldwork.packs import export_pack, verify_pack
from fieldwork.profile import set_profile
from fieldwork.store import open_store
from fieldwork.store.inspections import add_case, create_inspection

from .helpers import SteppingClock, make_identity

INSPECTION = "insp-pack"


@pytest.fixture(scope="session")
def lead_keys():
    return make_identity("Lee Lead", "lead-1", seed="lead")


@pytest.fixture(scope="session")
def ann_keys():
    return make_identity("Ann Inspector", "ann", seed="ann")


@pytest.fixture(scope="session")
def bob_keys():
    return make_identity("Bob Inspector", "bob", suite="mlkem768-x25519", seed="bob")


@pytest.fixture(scope="session")
def stranger_keys():
    return make_identity("Sam Stranger", "lead-9", seed="stranger")


@pytest.fixture
def lead_store(tmp_path, clock, mini_framework, ann_keys, bob_keys):
    """The lead's store: inspection insp-pack with cases for ann (3), bob (1) and nobody (1);
    ann's and bob's identities are in the lead's trust list."""
    store = open_store(tmp_path / "lead", actor="lead-1", clock=clock)
    set_profile(store, "lead-1", "Lee Lead")
    inspection = create_inspection(
        store, inspection_id=INSPECTION, provider="Northshire CRC", provider_type="CRC", framework=mini_framework,
        fieldwork_start="2026-11-02", fieldwork_end="2026-11-13", lead_id="lead-1",
    )
    add_case(store, inspection, "CRN001", inspector_id="ann", details={"ldu": "North", "rosh": "high"})
    add_case(store, inspection, "CRN002", inspector_id="ann", details={"start_date": "2026-01-15"})
    add_case(store, inspection, "UPW001", sample_id="unpaid_work", inspector_id="ann")
    add_case(store, inspection, "CRN003", inspector_id="bob", details={"ldu": "South"})
    add_case(store, inspection, "CRN004")
    add_trusted_key(store, ann_keys.public)
    add_trusted_key(store, bob_keys.public)
    yield store
    store.close()


@pytest.fixture
def ann_store(tmp_path, lead_keys):
    """Ann's workspace: profile ann, the lead trusted (for every inspection)."""
    clock = SteppingClock(dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC))
    store = open_store(tmp_path / "ann", actor="ann", clock=clock)
    set_profile(store, "ann", "Ann Inspector")
    add_trusted_key(store, lead_keys.public)
    yield store
    store.close()


@pytest.fixture
def out_dir(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def ann_pack(lead_store, lead_keys, out_dir):
    """Ann's first pack, as the lead exports it."""
    return export_pack(lead_store, INSPECTION, "ann", out_dir, identity=lead_keys)


def trust_of(store):
    from fieldwork.identity import load_trust_list

    return load_trust_list(store)


def verify_for(store, path, keys, **kwargs):
    return verify_pack(path, identity=keys, trusted_leads=trust_of(store), **kwargs)
