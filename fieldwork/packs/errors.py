"""The one error type for allocation packs: a stable reason code and a sentence an inspector can act on.

The codes follow the bundle reasons (docs/bundle-format.md §9) wherever the check is the same,
so a script handles both alike; the pack adds its own for what only a pack can be (see
docs/pack-format.md §9).
"""

from __future__ import annotations

from fieldwork.errors import FieldworkError
from fieldwork.identity.public import PublicIdentity

_AGAIN = "ask your lead inspector to send the pack again"

# Every reason code, in verification order (then the workspace checks), with its default sentence.
REASONS: dict[str, str] = {
    "too-large": "This file is too large to be a fieldwork allocation pack; check you chose the right file.",
    "not-a-pack": "This file is not a fieldwork allocation pack; check you chose the .fwpack file your lead sent.",
    "unsupported-version": "This pack was made by a newer version of fieldwork; install the newer fieldwork "
    "to open it.",
    "unencrypted": f"This pack is not encrypted, so it was refused; {_AGAIN}, encrypted to your identity.",
    "not-encrypted-for-you": "This pack is not encrypted to your key, so it is not meant for you; check it is "
    f"your pack, or {_AGAIN} to your identity file.",
    "damaged": f"This pack is damaged or was changed after it was made; {_AGAIN}.",
    "unsafe-archive": "This pack's contents are not laid out the way fieldwork writes them, so nothing was "
    f"read from it; {_AGAIN} and report the file to IT security.",
    "bad-signature": f"This pack's signature does not match its contents, so it may have been altered; {_AGAIN}.",
    "unknown-signer": "This pack was signed by a lead inspector who is not in your trust list; compare the "
    "fingerprint with your lead in person before accepting it.",
    "malformed-manifest": f"This pack's manifest is not valid; {_AGAIN} with the current fieldwork.",
    "revoked-signer": "This pack was signed with a key you revoked; ask your lead to issue it with their "
    "new key.",
    "recipient-mismatch": f"This pack was re-encrypted after it was signed; {_AGAIN} as they exported it.",
    "wrong-inspector": "This pack is addressed to another inspector than this workspace's; open it in the "
    "workspace of the person it is for.",
    "tampered-member": f"Part of this pack does not match its signed manifest, so it was altered; {_AGAIN}.",
    "framework-mismatch": "This pack's framework is not the one it says it is, or not the one your workspace "
    "uses for this inspection; ask your lead to check the inspection's framework.",
    "invalid-framework": "The framework file inside this pack cannot be read by this fieldwork; install the "
    "newer fieldwork or ask your lead to check the framework.",
    "malformed-pack": f"This pack's contents are not valid; {_AGAIN} with the current fieldwork.",
    "stale-pack": "This pack is older than one already opened from the same lead, so nothing was changed; "
    "open the newest pack your lead sent.",
    "workspace-conflict": "This pack does not fit the cases already in your workspace, so nothing was "
    "changed; ask your lead to check the case references.",
}


class PackError(FieldworkError):
    """A pack refused; `code` is one of REASONS, `detail` a technical note for logs and tests.

    For `unknown-signer`, `lead` is the identity that signed the pack (its signature checked),
    so the app can show its name and fingerprint for comparing in person; None otherwise.
    """

    code = "not-a-pack"

    def __init__(
        self, code: str, message: str | None = None, *, detail: str = "", lead: PublicIdentity | None = None
    ):
        if code not in REASONS:
            raise ValueError(f"unknown pack reason code {code!r}")
        super().__init__(message or REASONS[code], code=code)
        self.detail = detail
        self.lead = lead

    def to_json(self) -> dict:
        value = super().to_json()
        if self.lead is not None:
            value["error"]["lead"] = {
                "name": self.lead.name,
                "person_id": self.lead.person_id,
                "key_id": self.lead.key_id,
                "fingerprint": self.lead.fingerprint,
            }
        return value

    def __repr__(self) -> str:
        return f"PackError({self.code!r}, detail={self.detail!r})"


class PackExportError(FieldworkError):
    """A pack that cannot be made (no identity for the inspector, wrong keys, file exists...)."""

    code = "export-refused"
