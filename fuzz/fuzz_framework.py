"""atheris harness for the framework loader: python fuzz/fuzz_framework.py CORPUS_DIR

Each input is a framework file's bytes (seeds: tests/fixtures/frameworks/mini.toml and every
shipped framework in resources/frameworks/). Only a FrameworkError may come out.
"""

from __future__ import annotations

import _harness

with _harness.instrumented():
    from fieldwork.frameworks.loader import parse_framework

SHIPPED = _harness.REPO / "resources" / "frameworks"
SEEDS = [_harness.FIXTURES / "frameworks" / "mini.toml", *sorted(SHIPPED.glob("*.toml"))]


def seeds() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in SEEDS}


def test_one_input(data: bytes) -> None:
    _harness.refused_or_read(parse_framework, data, source_name="fuzzed.toml")


def main() -> None:
    _harness.main(test_one_input, seeds)


if __name__ == "__main__":
    main()
