"""Refusals about keys, identities and the trust list."""

from fieldwork.errors import FieldworkError


class IdentityError(FieldworkError):
    """A key or identity problem; `code` says which (e.g. wrong-passphrase, no-keys)."""

    code = "identity"
