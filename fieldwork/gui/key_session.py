"""Keys unlocked once per working session: asked for once, kept in memory for a while, then forgotten.

The passphrase is asked the first time something needs the private keys (a bundle, a pack, a
merge, receipts). The unlocked keys are then kept in this process's memory, never on disk, until
the keys have gone unused for the `keys_unlocked_minutes` setting (default 15; 0 asks every time),
the user chooses Profile → "Forget my passphrase now", the app quits, or the platform says the
app is suspended. Time is counted on both the monotonic and the wall clock and the larger
counts, so a laptop asleep (or its screen locked) for longer than the setting comes back with
its keys forgotten: the monotonic clock stops during sleep on some systems, the wall clock does
not (docs/security.md, docs/decisions/0031).

`unlocked_keys(widget)` is the one way the windows get the keys: it says what is wrong instead
of raising, and when there are no keys yet offers to create them and then carries on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMessageBox

from fieldwork.errors import FieldworkError
from fieldwork.identity import IdentityError, UnlockedIdentity, keys_exist, unlock_keys
from fieldwork.store.settings import KEYS_UNLOCKED_DEFAULT_MINUTES

Clock = Callable[[], tuple[float, float]]  # (monotonic seconds, wall-clock seconds)


def system_clock() -> tuple[float, float]:
    return time.monotonic(), time.time()


class PassphraseDialog:
    @classmethod
    def build(cls, parent, prompt: str) -> QInputDialog:
        """The prompt wraps (it says what the keys are for and how long they stay unlocked)."""
        dialog = QInputDialog(parent)
        dialog.setWindowTitle("Unlock your keys")
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.setLabelText(prompt)
        for label in dialog.findChildren(QLabel):
            label.setWordWrap(True)
            label.setMinimumWidth(380)
        return dialog

    @classmethod
    def ask(cls, parent, prompt: str) -> str | None:
        dialog = cls.build(parent, prompt)
        return dialog.textValue() if dialog.exec() == QInputDialog.DialogCode.Accepted else None


class KeySession:
    """This profile's keys, unlocked on first use and kept until unused for `keep_minutes()`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        keep_minutes: Callable[[], int] = lambda: KEYS_UNLOCKED_DEFAULT_MINUTES,
        clock: Clock = system_clock,
    ):
        self.data_dir = data_dir
        self.keep_minutes = keep_minutes
        self.clock = clock
        self._identity: UnlockedIdentity | None = None
        self._last_used: tuple[float, float] = (0.0, 0.0)

    @property
    def is_unlocked(self) -> bool:
        return self._identity is not None

    def forget(self) -> None:
        """Drop the unlocked keys: the next use asks for the passphrase again."""
        self._identity = None

    def expire_if_due(self) -> bool:
        """Forget the keys when unused for the set time (sleep included); True if they were forgotten now."""
        if self._identity is None:
            return False
        monotonic, wall = self.clock()
        idle = max(monotonic - self._last_used[0], wall - self._last_used[1])
        if idle < self._keep_seconds():
            return False
        self.forget()
        return True

    def _keep_seconds(self) -> float:
        try:
            return max(0, int(self.keep_minutes())) * 60.0
        except (FieldworkError, ValueError):  # an unreadable setting: the safe side, keep nothing
            return 0.0

    def _kept(self, identity: UnlockedIdentity) -> UnlockedIdentity:
        """Remember `identity` (unless the setting is 0) from now, and return it for this one use."""
        self._identity = identity if self._keep_seconds() > 0 else None
        self._last_used = self.clock()
        return identity

    def adopt(self, identity: UnlockedIdentity) -> UnlockedIdentity:
        """Keys just created in this session (the passphrase was typed to make them)."""
        return self._kept(identity)

    def unlock(self, parent, doing: str | None = None) -> UnlockedIdentity | None:
        """The unlocked identity, or None if the user cancelled; raises a clear error otherwise.
        `doing` ("merging bundles") goes into the prompt, which also says how long the keys are kept."""
        self.expire_if_due()
        if self._identity is not None:
            return self._kept(self._identity)
        if not keys_exist(self.data_dir):
            raise IdentityError(
                "You have no keys yet: create them under Profile → Your identity and keys, then try again.",
                code="no-keys",
            )
        try:  # an OS keyring secret unlocks without asking
            return self._kept(unlock_keys(self.data_dir, None))
        except IdentityError as error:
            if error.code not in ("passphrase-needed", "keyring-unavailable"):
                raise
        prompt = self._prompt(doing)
        for _attempt in range(3):
            passphrase = PassphraseDialog.ask(parent, prompt)
            if passphrase is None:
                return None
            try:
                return self._kept(unlock_keys(self.data_dir, passphrase))
            except IdentityError as error:
                if error.code != "wrong-passphrase":
                    raise
                prompt = "That passphrase did not unlock your keys. Try again:"
        return None


    def _prompt(self, doing: str | None) -> str:
        minutes = int(self._keep_seconds() // 60)
        kept = (
            f"They stay unlocked until unused for {minutes} minutes (Profile → Forget my passphrase now locks them)."
            if minutes
            else "They are locked again straight after."
        )
        return f"Type your passphrase to unlock your keys{f' for {doing}' if doing else ''}. {kept}"


class OfferToCreateKeys:
    """"You have no keys yet": offer to create them now (a class so tests can answer for the user)."""

    @classmethod
    def ask(cls, parent, doing: str) -> bool:
        answer = QMessageBox.question(
            parent,
            "Create your keys first",
            f"You have no keys yet, and {doing} needs them: they sign what you hand over and open what is "
            "encrypted to you.\n\nCreate your keys now? Afterwards the app carries on with what you were doing.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes


def unlocked_keys(widget, doing: str = "this") -> UnlockedIdentity | None:
    """The keys of the window holding `widget`, unlocked: None when cancelled or refused (the
    reason is shown). With no keys yet, offers to create them and then goes on unlocked."""
    from fieldwork.gui.wording import in_app

    window = widget.window()
    session: KeySession | None = getattr(window, "keys", None)
    if session is None:
        return None
    if not keys_exist(session.data_dir):
        created = create_keys_first(window, doing)
        return session.adopt(created) if created is not None else None
    try:
        return session.unlock(window, doing)
    except FieldworkError as error:
        QMessageBox.warning(window, "Your keys", in_app(error.message))
        return None


def create_keys_first(window, doing: str) -> UnlockedIdentity | None:
    """Offer the identity page to create keys; the keys made there (already unlocked), or None."""
    from fieldwork.gui import profile_flow
    from fieldwork.gui.identity_dialogs import IdentityDialog

    if not OfferToCreateKeys.ask(window, doing):
        return None
    dialog = IdentityDialog(window.store, window, on_keys_changed=window.keys.forget)
    dialog.exec()
    profile_flow.profile_may_have_changed(window, records_moved=dialog.claimed is not None)
    return getattr(dialog, "created", None)
