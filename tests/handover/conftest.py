"""Fixtures for handover tests: a lead and inspector ann with real stores, a pack between them."""

from __future__ import annotations

import pytest

from .helpers import make_world


@pytest.fixture
def world(tmp_path, mini_framework):
    """Lead lead-1 and inspector ann; H001-H003 allocated to ann by a real pack (lead pinned)."""
    made = make_world(tmp_path, mini_framework)
    yield made
    made.close()


@pytest.fixture
def ann(world):
    return world.inspectors["ann"]
