"""The optional atheris harnesses in fuzz/ work without atheris: each one's seeds, and blind
mutations of them, go through its `test_one_input` (the function libFuzzer calls) without a crash,
and `main()` without atheris says how to install it and exits cleanly."""

from __future__ import annotations

import functools
import importlib.util
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import fuzz_settings
from .mutations import byte_mutations
from .readers import REPO

HARNESS_DIR = REPO / "fuzz"
HARNESSES = ("fuzz_bundle", "fuzz_pack", "fuzz_framework", "fuzz_table")


def load(name: str):
    """Import fuzz/NAME.py as its script would run (fuzz/ on the path, for `import _harness`)."""
    if str(HARNESS_DIR) not in sys.path:
        sys.path.insert(0, str(HARNESS_DIR))
    module_name = f"fieldwork_atheris_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, HARNESS_DIR / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


@functools.cache
def seeds_of(name: str) -> tuple[bytes, ...]:
    return tuple(sorted(load(name).seeds().values()))


@pytest.mark.parametrize("name", HARNESSES)
def test_every_seed_runs_through_the_harness(name):
    harness = load(name)
    seeds = dict(enumerate(seeds_of(name)))
    assert seeds and all(seeds.values())
    for data in seeds.values():
        harness.test_one_input(data)
    harness.test_one_input(b"")


@fuzz_settings(10)
@given(data=st.data(), name=st.sampled_from(HARNESSES))
def test_mutated_seeds_run_through_the_harness(data, name):
    harness = load(name)
    seed = data.draw(st.sampled_from(seeds_of(name)), label="seed")
    harness.test_one_input(data.draw(byte_mutations(seed), label="input"))


def test_main_without_atheris_says_how_to_install_it(monkeypatch, capsys, tmp_path):
    harness = load("fuzz_framework")
    monkeypatch.setitem(sys.modules, "atheris", None)  # `import atheris` raises ImportError
    monkeypatch.setattr(sys, "argv", ["fuzz_framework.py", str(tmp_path / "corpus")])
    with pytest.raises(SystemExit) as exited:
        harness.main()
    assert exited.value.code == 0
    assert "pip install -e '.[fuzz]'" in capsys.readouterr().err
