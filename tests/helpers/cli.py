"""Running the command line in tests: real key folders, cheap scrypt, never the OS keyring."""

from __future__ import annotations

import json

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring

from fieldwork.cli import run
from fieldwork.identity import keys as keys_module
from fieldwork.identity.keys import ScryptParams

PASSPHRASE = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_and_contained(monkeypatch):
    """Cheap scrypt, the passphrase from the environment, and never the real OS keyring."""
    monkeypatch.setattr(keys_module, "DEFAULT_SCRYPT", ScryptParams(log2_n=10))
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", PASSPHRASE)
    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(previous)


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = run([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys, *argv):
    code, out, _ = cli(capsys, *argv, "--json")
    return code, json.loads(out) if out.strip() else None
