"""An OS keyring for tests: secrets kept in memory, never in the machine's real keyring."""

from __future__ import annotations

from contextlib import contextmanager

import keyring
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as FailKeyring


class MemoryKeyring(KeyringBackend):
    priority = 0  # never chosen by keyring's own detection; only set by a test

    def __init__(self):
        super().__init__()
        self.secrets = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


@contextmanager
def no_os_keyring():
    """Within: no keyring works unless a test installs one, so the developer's real keychain is never touched."""
    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
