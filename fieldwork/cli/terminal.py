"""Everything the command line writes passes through `for_terminal`, so text from a bundle, a
pack or a sample file (evidence, names, case references) can never drive the user's terminal:
no escape sequences, no bell, no overwritten lines, no right-to-left override (issue 16 §4)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from fieldwork.text import for_terminal


class TerminalSafe:
    """A text stream that neutralises what a terminal would act on, then writes to `stream`."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(for_terminal(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name):  # flush, fileno, isatty, encoding...: the stream's own
        return getattr(self._stream, name)


@contextlib.contextmanager
def terminal_safe_output() -> Iterator[None]:
    """Within: sys.stdout and sys.stderr are TerminalSafe (put back afterwards, whatever happens)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalSafe(sys.stdout), TerminalSafe(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
