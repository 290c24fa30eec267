"""The passphrase when standard input is not a terminal (a pipe, a file, a service).

getpass then warns "Password input may be echoed", falls back to reading standard input with
its prompt and, when the process still has a controlling terminal, ignores standard input and
waits on that terminal instead. fieldwork reads one line of standard input, shows nothing and
prints no warning; in a terminal getpass hides the input, and where it cannot, fieldwork refuses
instead of asking.

The real case runs as a process in a new session (no controlling terminal), as a script or
service would: in-process, pytest's own standard input stands in the way.
"""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
import warnings

from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
)

from fieldwork.cli import EXIT_OK, EXIT_REFUSED

SECRET = "lantern orbit staple quartz"


def fieldwork_with_stdin(tmp_path, stdin: bytes, *argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDWORK_")}
    env["FIELDWORK_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never the real OS keyring
    return subprocess.run(
        [sys.executable, "-m", "fieldwork", *argv], input=stdin, capture_output=True, env=env,
        start_new_session=True, check=False,
    )


def test_a_piped_passphrase_is_read_once_and_shown_nowhere(tmp_path):
    done = fieldwork_with_stdin(tmp_path, f"{SECRET}\n".encode(), "keys", "init", "--name", "Pat", "--id", "pat")
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == EXIT_OK, err
    assert SECRET not in out and SECRET not in err
    assert "echoed" not in err and "Warning" not in err and "GetPassWarning" not in err, err
    # The keys really are under that passphrase.
    from fieldwork.identity import unlock_keys

    assert unlock_keys(tmp_path / "data", SECRET).person_id == "pat"


def test_nothing_on_standard_input_is_a_clear_refusal(tmp_path):
    done = fieldwork_with_stdin(tmp_path, b"", "keys", "init", "--name", "Pat", "--id", "pat")
    err = done.stderr.decode()
    assert done.returncode == EXIT_REFUSED and "No passphrase was given" in err and "Traceback" not in err, err


def test_a_terminal_that_cannot_hide_input_is_not_asked(tmp_path, capsys, monkeypatch):
    # getpass's fallback warns, then reads with the input shown; fieldwork refuses before that.
    monkeypatch.delenv("FIELDWORK_PASSPHRASE")
    monkeypatch.setattr("fieldwork.cli.keys.stdin_is_terminal", lambda: True)
    typed = []

    def uncontrollable_terminal(prompt=""):
        warnings.warn("Can not control echo on the terminal.", getpass.GetPassWarning, stacklevel=2)
        typed.append("shown on the screen")
        return SECRET

    monkeypatch.setattr(getpass, "getpass", uncontrollable_terminal)
    code, out, err = cli(capsys, "keys", "init", "--name", "Pat", "--id", "pat", "--data-dir", tmp_path / "p")
    assert code == EXIT_REFUSED and "cannot hide what you type" in err
    assert typed == [] and not (tmp_path / "p" / "keys").exists()
