"""Fixtures for bundle tests: in-memory keys, a store with work in it, and an exported bundle."""

from __future__ import annotations

import pytest

from fieldwork.bundles import export_bundle
from fieldwork.identity import TrustList
from fieldwork.profile import set_profile
from fieldwork.store.assessments import set_answer, set_detail, set_status
from fieldwork.store.inspections import add_case

from .helpers import make_identity


@pytest.fixture(scope="session")
def inspector_keys():
    return make_identity("Ann Inspector", "insp-1", seed="inspector")


@pytest.fixture(scope="session")
def other_inspector_keys():
    return make_identity("Olu Inspector", "insp-2", seed="other")


@pytest.fixture(scope="session")
def lead_keys():
    return make_identity("Lee Lead", "lead-1", seed="lead")


@pytest.fixture(scope="session")
def hybrid_lead_keys():
    return make_identity("Hana Lead", "lead-2", suite="mlkem768-x25519", seed="hybrid")


@pytest.fixture(scope="session")
def recovery_keys():
    return make_identity("Recovery Desk", "recovery", seed="recovery")


@pytest.fixture
def trust(inspector_keys):
    return TrustList.of(inspector_keys.public)


@pytest.fixture
def filled_store(store, inspection):
    """insp-1's store: three cases of theirs (one complete), one of another inspector's."""
    set_profile(store, "insp-1", "Ann Inspector")
    first = add_case(store, inspection, "CRN001", details={"ldu": "North", "rosh": "high"})
    set_answer(store, first.id, "2.1.1.a", value="yes")
    set_answer(store, first.id, "2.1.1.b", value="na")
    set_answer(store, first.id, "2.1.1", value="yes", note="Clear plan.\nSeen on 3 Nov — “good”.")
    set_answer(store, first.id, "2.1.2", value="no", note="No contingency plan.")
    second = add_case(store, inspection, "CRN002", details={"start_date": "2026-01-15"})
    set_answer(store, second.id, "2.1.1", note="Draft, not judged yet.")
    set_detail(store, second.id, "rosh", "medium")
    complete = add_case(store, inspection, "CRN003")
    for question, value in (("2.1.1.a", "no"), ("2.1.1.b", "yes")):
        set_answer(store, complete.id, question, value=value)
    set_answer(store, complete.id, "2.1.1", value="no", note="Motivation not analysed.")
    set_answer(store, complete.id, "2.1.2", value="na", note="Not applicable: no risk to others.")
    set_status(store, complete.id, "complete")
    add_case(store, inspection, "UPW001", sample_id="unpaid_work", inspector_id="insp-1")
    theirs = add_case(store, inspection, "CRN900", inspector_id="insp-2", details={"ldu": "South"})
    set_answer(store, theirs.id, "2.1.1", value="yes", note="Someone else's case.")
    return store


@pytest.fixture
def exported(filled_store, tmp_path, inspector_keys, lead_keys):
    """An encrypted bundle of filled_store for the lead."""
    out = tmp_path / "out"
    out.mkdir()
    return export_bundle(filled_store, "insp-test", out, identity=inspector_keys, recipients=[lead_keys.public])
