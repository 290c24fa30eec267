"""A random secret kept in the operating system's keyring (macOS Keychain, Windows Credential
Manager, Secret Service), so the private keys can be unlocked without typing a passphrase.

Any keyring failure means "no keyring here": callers fall back to the passphrase.
"""

from __future__ import annotations

import base64
import logging

SERVICE = "fieldwork"
log = logging.getLogger(__name__)


def username_for(key_id: str) -> str:
    return f"private-keys:{key_id}"


def store_secret(username: str, secret: bytes) -> bool:
    """Keep `secret`; True only if it can be read back (a working backend)."""
    try:
        import keyring

        keyring.set_password(SERVICE, username, base64.b64encode(secret).decode("ascii"))
        return load_secret(username) == secret
    except Exception as exc:  # NoKeyringError, locked keychain, D-Bus missing, ...
        log.info("keyring unavailable: %s", exc)
        return False


def load_secret(username: str) -> bytes | None:
    try:
        import keyring

        text = keyring.get_password(SERVICE, username)
        return base64.b64decode(text) if text else None
    except Exception as exc:
        log.info("keyring unavailable: %s", exc)
        return None


def delete_secret(username: str) -> None:
    try:
        import keyring

        keyring.delete_password(SERVICE, username)
    except Exception as exc:
        log.info("keyring secret not deleted: %s", exc)
