"""The one error type for bundles: a stable reason code and a sentence a lead inspector can act on."""

from __future__ import annotations

from typing import Protocol

from fieldwork.errors import FieldworkError

# Every reason code, in verification order, with the default sentence shown to the user.
REASONS: dict[str, str] = {
    "too-large": "This file is too large to be a fieldwork bundle; check you chose the right file.",
    "not-a-bundle": "This file is not a fieldwork bundle; check you chose the .fwbundle file the inspector sent.",
    "unsupported-version": "This bundle was made by a newer version of fieldwork; install the newer "
    "fieldwork to read it.",
    "unencrypted": "This bundle is not encrypted, so it was refused; ask the inspector to export it "
    "again encrypted to your key.",
    "not-encrypted-for-you": "This bundle is not encrypted to your key; ask the inspector to export it "
    "again to your identity.",
    "damaged": "This bundle is damaged or was changed after it was made; ask the inspector to send it again.",
    "unsafe-archive": "This bundle's contents are not laid out the way fieldwork writes them, so nothing "
    "was read from it; ask the inspector to export again and report the file to IT security.",
    "unknown-signer": "This bundle was signed by a key that is not in your trust list; check the "
    "inspector's fingerprint with them and add their identity with 'fieldwork trust add'.",
    "bad-signature": "This bundle's signature does not match its contents, so it may have been altered; "
    "do not use it and ask the inspector to export again.",
    "malformed-manifest": "This bundle's manifest is not valid; ask the inspector to export again with "
    "the current fieldwork.",
    "revoked-signer": "This bundle was signed with a key revoked before it was made; ask the inspector "
    "to export again with their new key.",
    "wrong-inspection": "This bundle belongs to another inspection; merge it into that inspection.",
    "recipient-mismatch": "This bundle was re-encrypted after it was signed; ask the inspector to send "
    "their original export.",
    "framework-mismatch": "This bundle was made under another framework version than this inspection "
    "uses; ask the inspector to update fieldwork and export again.",
    "tampered-member": "Part of this bundle does not match its signed manifest, so it was altered; do "
    "not use it and ask the inspector to export again.",
    "malformed-record": "A record in this bundle is not valid; ask the inspector to export again with "
    "the current fieldwork.",
    "wrong-kind": "This bundle is of another kind than expected (an inspector's work, or a PDU inspection's "
    "results for a region); give it to the inspection it was made for.",
    "foreign-author": "This bundle carries work in another person's name than its signer's, so nothing of it "
    "was merged: a bundle may speak only for the person who signed it; ask the inspector about it and "
    "report the file to IT security.",
}


class BundleError(FieldworkError):
    """A bundle refused; `code` is one of REASONS, `detail` a technical note for logs and tests."""

    code = "not-a-bundle"

    def __init__(self, code: str, message: str | None = None, *, detail: str = ""):
        if code not in REASONS:
            raise ValueError(f"unknown bundle reason code {code!r}")
        super().__init__(message or REASONS[code], code=code)
        self.detail = detail

    def __repr__(self) -> str:
        return f"BundleError({self.code!r}, detail={self.detail!r})"


class Refusal(Protocol):
    """BundleError or PackError: what a shared check raises, so it refuses in its format's words."""

    def __call__(self, code: str, message: str | None = None, *, detail: str = "") -> FieldworkError: ...
