"""Output into a pipe whose reader has gone (`fieldwork ... | head`): no traceback, ever.

Run as a real process: the failure happens when Python writes to (or flushes) its stdout, which
an in-process call with captured output never does.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run_into_closed_pipe(*argv: str, tmp_path) -> tuple[int, str]:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte: every write fails with EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "fieldwork", *argv], stdout=write_end, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, env={**os.environ, "FIELDWORK_DATA_DIR": str(tmp_path / "data")},
            check=False,
        )
    finally:
        os.close(write_end)
    return done.returncode, done.stderr.decode("utf-8", "replace")


@pytest.mark.parametrize(
    "argv",
    [("frameworks", "list", "--json"), ("frameworks", "list"), ("frameworks", "show", "hmip-youth-2021"), ("--help",)],
    ids=["list-json", "list-text", "show", "help"],
)
def test_a_reader_that_went_away_gets_no_traceback(argv, tmp_path):
    code, err = run_into_closed_pipe(*argv, tmp_path=tmp_path)
    assert "Traceback" not in err and "Exception ignored" not in err and "BrokenPipe" not in err, err
    assert err == ""  # nothing to tell: the reader has what it wanted
    if argv != ("--help",):  # argparse itself ignores a failed write of the help text
        assert code != 0  # the output did not all arrive; a script with pipefail can tell
