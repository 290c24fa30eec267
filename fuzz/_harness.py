"""Shared parts of the atheris harnesses: the repository on the path, golden seeds, keys, the
one outcome allowed (read, or the project's own refusal), and starting libFuzzer.

Each fuzz_*.py defines `seeds()` (name → bytes, written to an empty corpus folder) and
`test_one_input(data)`, which work without atheris (tests/fuzz/test_atheris_harness.py runs
them on the seeds); only `main()` needs atheris. See fuzz/README.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

FIXED_TIME = "2026-11-02T09:00:00.000Z"
MISSING = (
    "atheris is not installed, so there is nothing to run: install it with "
    "`pip install -e '.[fuzz]'` (Linux or macOS, CPython 3.11; it builds libFuzzer) and run this again. "
    "The hypothesis fuzz tests need no atheris: python -m pytest tests/fuzz"
)


def refused_or_read(reader: Callable, *args, **kwargs):
    """Call a reader: it may return or raise a FieldworkError with a code and a message; anything
    else propagates, and atheris reports it as a crash with the input that caused it."""
    from fieldwork.errors import FieldworkError

    try:
        return reader(*args, **kwargs)
    except FieldworkError as error:
        if not (isinstance(error.code, str) and error.code and isinstance(error.message, str) and error.message):
            raise AssertionError(f"a refusal without a code or a message: {error!r}") from error
        error.message.encode("utf-8")
        return None


def fuzz_identity(name: str, person_id: str, label: str):
    """A deterministic identity (the one that signs hostile content the reader trusts)."""
    from fieldwork.identity.keys import generate_identity

    seed = hashlib.sha256(f"fieldwork atheris {label}".encode()).digest()
    return generate_identity(name, person_id, created_at=FIXED_TIME, signing_seed=seed)


def write_seeds(corpus: Path, seeds: Mapping[str, bytes]) -> None:
    """Put the seeds in an empty (or new) corpus folder; a corpus with files in it is kept as it is."""
    corpus.mkdir(parents=True, exist_ok=True)
    if any(corpus.iterdir()):
        return
    for name, data in seeds.items():
        (corpus / name).write_bytes(data)


def main(test_one_input: Callable[[bytes], None], seeds: Callable[[], Mapping[str, bytes]]) -> None:
    """`python fuzz/fuzz_X.py CORPUS_DIR [libFuzzer options]`: seed the corpus, then fuzz."""
    try:
        import atheris
    except ImportError:
        print(MISSING, file=sys.stderr)
        raise SystemExit(0) from None
    folders = [Path(arg) for arg in sys.argv[1:] if not arg.startswith("-")]
    if folders:
        write_seeds(folders[0], seeds())
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


def instrumented():
    """A context in which fieldwork's modules are imported with coverage for libFuzzer (when atheris
    is installed; otherwise nothing happens): `with instrumented(): from fieldwork... import ...`."""
    try:
        import atheris
    except ImportError:
        return contextlib.nullcontext()
    return atheris.instrument_imports(include=["fieldwork"])
