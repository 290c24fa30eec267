"""Paths that name something other than a regular file: refused before reading, never a hang.

A named pipe (FIFO) made every reader wait for a writer forever; /dev/zero was read until memory
ran out. Every command that reads a file the user names goes through fieldwork.regular_files.

So that the old behaviour fails instead of hanging the suite, a helper thread keeps offering the
FIFO a little text: a command that opens the FIFO gets that text (and refuses it for some other
reason), while a command that checks first never opens it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
)
from helpers.teams import INSPECTION, make_team

from fieldwork.cli import EXIT_REFUSED, EXIT_USAGE


class Fifo:
    """A named pipe whose writer end a thread keeps opening, writing a line to and closing."""

    def __init__(self, path: Path):
        self.path = path
        os.mkfifo(path)
        self.opened_by_reader = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            with open(self.path, "wb") as pipe:  # blocks until someone opens the FIFO to read
                if self._stop.is_set():
                    return
                self.opened_by_reader += 1
                pipe.write(b"not what you think\n")

    def close(self) -> None:
        self._stop.set()
        # Release a writer still waiting for a reader: open the read end without waiting.
        fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        self._thread.join()
        os.close(fd)


@pytest.fixture
def fifo(tmp_path):
    made = []

    def make(name: str) -> Path:
        made.append(Fifo(tmp_path / name))
        return made[-1].path

    yield make
    for pipe in made:
        pipe.close()
        assert pipe.opened_by_reader == 0, f"{pipe.path.name} was opened before it was refused"


@pytest.fixture
def team(tmp_path, capsys, mini_path):
    return make_team(tmp_path, capsys, mini_path)


COMMANDS = {
    "merge": ("lee", ["merge", "{fifo}"]),
    "bundle-verify": ("lee", ["bundle", "verify", "{fifo}"]),
    "bundle-export-to": ("ann", ["bundle", "export", "--inspection", INSPECTION, "--out", "{tmp}/b.fwbundle",
                                 "--to", "{fifo}"]),
    "allocation-import": ("ann", ["allocation", "import", "{fifo}"]),
    "allocation-export-to": ("lee", ["allocation", "export", "--inspection", INSPECTION, "--inspector", "ann",
                                     "--out", "{tmp}/p.fwpack", "--to", "{fifo}"]),
    "trust-add": ("lee", ["trust", "add", "{fifo}"]),
    "trust-rotate": ("lee", ["trust", "rotate", "{fifo}"]),
    "receipt-accept": ("ann", ["receipt", "accept", "{fifo}"]),
    "frameworks-check": ("lee", ["frameworks", "check", "{fifo}"]),
    "import-sample": ("lee", ["inspection", "import-sample", INSPECTION, "{fifo}"]),
    "answers-import": ("lee", ["answers", "import", "{fifo}", "--inspection", INSPECTION]),
    "store-restore": ("lee", ["store", "restore", "{fifo}"]),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_named_pipe_is_refused_before_it_is_opened(name, team, capsys, tmp_path, fifo):
    who, argv = COMMANDS[name]
    pipe = fifo("incoming")
    code, out, err = cli(capsys, *[a.format(fifo=pipe, tmp=tmp_path) for a in argv],
                         "--data-dir", team.folders[who])
    assert code == EXIT_REFUSED and "Traceback" not in err, (out, err)
    said = out + err  # merge lists each refused file on stdout
    assert "named pipe" in said or "not a file" in said, said


def test_keys_recovery_restore_from_a_folder_of_pipes_is_refused(team, capsys, tmp_path, fifo, monkeypatch):
    monkeypatch.setenv("FIELDWORK_RECOVERY_PASSPHRASE", "recovery long test passphrase")
    folder = tmp_path / "stick"
    folder.mkdir()
    fifo("stick/identity.json")
    fifo("stick/private.json")
    code, out, err = cli(capsys, "keys", "recovery", "restore", folder, "--data-dir", team.lead)
    assert code == EXIT_REFUSED and "Traceback" not in err, err
    assert "named pipe" in err or "holds no recovery key" in err, err  # and neither pipe was opened


@pytest.mark.parametrize("command", [("merge",), ("bundle", "verify"), ("trust", "add"), ("frameworks", "check")])
def test_a_device_is_refused_without_reading_it(command, team, capsys):
    # /dev/zero never ends: merge read it until memory ran out.
    code, out, err = cli(capsys, *command, "/dev/zero", "--data-dir", team.lead)
    assert code in (EXIT_REFUSED, EXIT_USAGE) and "Traceback" not in err
    assert "a device" in out + err, (out, err)
