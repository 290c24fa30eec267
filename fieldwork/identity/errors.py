"""Refusals about keys, identities and the trust list."""

from fieldwork.errors import FieldworkError


class IdentityError(FieldworkError):
    """A key or identity problem; `code` says which (e.g. wrong-passphrase, no-keys).

    `fingerprint`, when set, is the fingerprint of the keys a refused identity file really holds,
    so that two people can still compare it aloud (a changed name leaves the keys readable).
    """

    code = "identity"

    def __init__(self, message: str, *, code: str | None = None, fingerprint: str | None = None):
        super().__init__(message, code=code)
        self.fingerprint = fingerprint

    def to_json(self) -> dict:
        data = super().to_json()
        if self.fingerprint:
            data["error"]["fingerprint"] = self.fingerprint
        return data
