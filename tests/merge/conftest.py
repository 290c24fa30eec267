"""Fixtures for merge tests: a lead and three inspectors with real stores (closed afterwards)."""

from __future__ import annotations

import pytest

from fieldwork.store.inspections import add_case

from .helpers import Person, hand_out, make_lead


@pytest.fixture
def people(tmp_path, mini_framework):
    """lead, ann, bob and cat, each with their own store of inspection insp-test."""
    made = {"lead": make_lead(tmp_path, mini_framework)}
    for person_id in ("ann", "bob", "cat"):
        made[person_id] = Person(tmp_path, person_id, mini_framework)
    yield made
    for person in made.values():
        person.close()


@pytest.fixture
def lead(people):
    return people["lead"]


@pytest.fixture
def ann(people):
    return people["ann"]


@pytest.fixture
def bob(people):
    return people["bob"]


@pytest.fixture
def sample(people):
    """Three cases the lead set up: CRN001 for ann, CRN002 read by ann and bob, CRN003 for bob."""
    lead = people["lead"]
    cases = [
        add_case(lead.store, lead.inspection, "CRN001", inspector_id="ann"),
        add_case(lead.store, lead.inspection, "CRN002", inspector_id="ann"),
        add_case(lead.store, lead.inspection, "CRN003", inspector_id="bob"),
    ]
    hand_out(lead, people["ann"], [cases[0].id, cases[1].id])
    hand_out(lead, people["bob"], [cases[1].id, cases[2].id])
    return cases
