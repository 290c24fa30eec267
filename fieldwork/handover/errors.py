"""Refusals of receipts: a stable reason code and a sentence the inspector (or lead) can act on.

The codes follow the bundle and pack reasons wherever the check is the same (docs/receipt-format.md
§7), so a script handles them alike. A refused receipt changes nothing.
"""

from __future__ import annotations

from fieldwork.errors import FieldworkError

_AGAIN = "ask your lead inspector to send the receipt again"

# Every reason code of accepting a receipt, in checking order, with its default sentence.
REASONS: dict[str, str] = {
    "too-large": "This file is too large to be a fieldwork receipt; check you chose the .fwreceipt file.",
    "not-a-receipt": "This file is not a fieldwork receipt; check you chose the .fwreceipt file your lead sent.",
    "unsupported-version": "This receipt was made by a newer version of fieldwork; install the newer fieldwork "
    "to accept it.",
    "bad-signature": f"This receipt's signature does not match its contents, so it may have been altered; {_AGAIN}.",
    "unknown-signer": "This receipt was not signed by the lead of an inspection on this laptop, so it was "
    "refused; nothing was changed.",
    "malformed-receipt": f"This receipt's contents are not valid; {_AGAIN} with the current fieldwork.",
    "revoked-signer": "This receipt was signed with a lead key you revoked; ask your lead to issue it with "
    "their new key.",
    "unknown-inspection": "This receipt is for an inspection that is not on this laptop; nothing was changed.",
    "wrong-inspector": "This receipt is for another inspector's bundle; accept it in the workspace of the "
    "person it is for.",
    "not-exported-here": "This receipt is for a bundle this laptop did not export, so it was refused; nothing "
    "was changed.",
    "central-store": "This store holds the inspection's central database (bundles were merged into it), so "
    "receipts are not accepted here; nothing was changed.",
}


class ReceiptError(FieldworkError):
    """A receipt refused; `code` is one of REASONS, `detail` a technical note for logs and tests."""

    code = "not-a-receipt"

    def __init__(self, code: str, message: str | None = None, *, detail: str = ""):
        if code not in REASONS:
            raise ValueError(f"unknown receipt reason code {code!r}")
        super().__init__(message or REASONS[code], code=code)
        self.detail = detail

    def __repr__(self) -> str:
        return f"ReceiptError({self.code!r}, detail={self.detail!r})"


class ReceiptIssueError(FieldworkError):
    """Receipts that cannot be issued (not the lead, nothing merged, no folder, file exists...)."""

    code = "receipt-refused"
