"""An identity with its private keys in memory: it signs, and opens what was sealed to it.

Besides its own encryption key it may hold decryption-only keys: the encryption keys of this
profile's earlier (rotated) identities, so that packs or bundles already on their way to an
old key still open, and a restored organisational recovery key (docs/recovery-drill.md).
Decryption-only keys never sign anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldwork.identity import suites
from fieldwork.identity.public import PublicIdentity

DECRYPTION_KEY_KINDS = ("retired", "recovery")


@dataclass(frozen=True)
class DecryptionKey:
    """A key kept only to open files sealed to it: `kind` is "retired" or "recovery"."""

    public: PublicIdentity
    private: bytes = field(repr=False)
    kind: str

    @property
    def key_id(self) -> str:
        return self.public.key_id


class UnlockedIdentity:
    """This profile's identity with its private keys in memory: can sign and decrypt."""

    def __init__(
        self,
        public: PublicIdentity,
        signing_seed: bytes,
        encryption_private: bytes,
        decryption_keys: Sequence[DecryptionKey] = (),
    ):
        self.public = public
        self._signing = Ed25519PrivateKey.from_private_bytes(signing_seed)
        self._encryption_private = encryption_private
        self._decryption = {k.key_id: k for k in decryption_keys if k.key_id != public.key_id}

    @property
    def key_id(self) -> str:
        return self.public.key_id

    @property
    def person_id(self) -> str:
        return self.public.person_id

    @property
    def name(self) -> str:
        return self.public.name

    @property
    def decryption_keys(self) -> tuple[DecryptionKey, ...]:
        """The decryption-only keys, oldest first."""
        return tuple(self._decryption.values())

    def opens(self, key_id: str) -> bool:
        """True when files sealed to `key_id` open with these keys (our own or a decryption-only key)."""
        return key_id == self.key_id or key_id in self._decryption

    def encryption_suite_of(self, key_id: str) -> str:
        """The suite of our key `key_id` (KeyError when we hold no such key)."""
        if key_id == self.key_id:
            return self.public.encryption_suite
        return self._decryption[key_id].public.encryption_suite

    def sign(self, message: bytes) -> bytes:
        return self._signing.sign(message)

    def open_sealed(self, sealed: bytes, info: bytes, *, key_id: str | None = None) -> bytes:
        """HPKE-open something sealed to our key `key_id` (default: our own); ValueError if not."""
        if key_id is None or key_id == self.key_id:
            return suites.open_sealed(self.public.encryption_suite, self._encryption_private, sealed, info)
        key = self._decryption.get(key_id)
        if key is None:
            raise ValueError("no such decryption key")
        return suites.open_sealed(key.public.encryption_suite, key.private, sealed, info)

    def __repr__(self) -> str:  # never show key material
        return f"UnlockedIdentity({self.public.person_id!r}, key {self.public.key_id})"
