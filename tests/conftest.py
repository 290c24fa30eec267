"""Shared fixtures for the whole suite.

Qt must run offscreen in tests, so the platform is set here, at import, before any test module
(or pytest-qt) can import Qt.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import datetime as dt  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Mapping  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from fieldwork.frameworks.loader import load_framework, parse_framework  # noqa: E402
from fieldwork.frameworks.model import Framework  # noqa: E402

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = TESTS_DIR / "fixtures"
MINI_PATH = FIXTURES_DIR / "frameworks" / "mini.toml"
MINI_ID = "test-mini"


class FakeClock:
    """A clock that moves on by `step` each time it is read: timestamps are distinct and known."""

    def __init__(
        self,
        start: dt.datetime = dt.datetime(2026, 11, 2, 9, 0, 0, tzinfo=dt.UTC),
        step: dt.timedelta = dt.timedelta(seconds=1),
    ):
        self.current = start
        self.step = step
        self.reads = 0

    def __call__(self) -> dt.datetime:
        value = self.current
        self.current += self.step
        self.reads += 1
        return value


class FakeIds:
    """Deterministic UUIDs: 00000000-0000-0000-0000-000000000001, ...002, ..."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return str(uuid.UUID(int=self.count))


def mini_text() -> str:
    return MINI_PATH.read_text(encoding="utf-8")


def mini_variant(
    replace: Mapping[str, str] | None = None, append: str = "", *, name: str = "variant.toml"
) -> Framework:
    """The mini framework with some text replaced (each `old` must occur) and/or text appended."""
    text = mini_text()
    for old, new in (replace or {}).items():
        assert old in text, f"test set-up: {old!r} is not in mini.toml"
        text = text.replace(old, new, 1)
    return parse_framework((text + append).encode("utf-8"), source_name=name)


@pytest.fixture(scope="session", autouse=True)
def _isolated_default_data_dir(tmp_path_factory):
    """Nothing in the suite may fall back to the real user data folder."""
    folder = tmp_path_factory.mktemp("default-data-dir")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FIELDWORK_DATA_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def mini_framework() -> Framework:
    """tests/fixtures/frameworks/mini.toml, loaded once (the model is immutable)."""
    return load_framework(MINI_PATH)


@pytest.fixture(scope="session")
def mini_path() -> Path:
    return MINI_PATH


@pytest.fixture(scope="session")
def make_framework() -> Callable[..., Framework]:
    """Factory: make_framework(replace={old: new}, append="...") parses a variant of mini."""
    return mini_variant


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ids() -> FakeIds:
    return FakeIds()


@pytest.fixture
def store_dir(tmp_path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_dir, clock, ids):
    """A fresh store acting as insp-1, with a stepping clock and deterministic ids."""
    from fieldwork.store import open_store

    opened = open_store(store_dir, actor="insp-1", clock=clock, new_id=ids)
    yield opened
    opened.close()


@pytest.fixture
def inspection(store, mini_framework):
    from fieldwork.store.inspections import create_inspection

    return create_inspection(
        store,
        inspection_id="insp-test",
        provider="Northshire Test CRC",
        provider_type="CRC",
        framework=mini_framework,
        fieldwork_start="2026-11-02",
        fieldwork_end="2026-11-13",
        lead_id="lead-1",
    )


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A data folder for CLI tests (created empty)."""
    folder = tmp_path / "data"
    folder.mkdir()
    return folder
