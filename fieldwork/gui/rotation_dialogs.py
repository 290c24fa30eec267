"""Key rotation in the app, for people who never open a terminal (docs/decisions/0014-key-rotation.md).

- Profile → Your identity and keys → Make new keys…: `RotateKeysDialog`, the app's
  `fieldwork keys rotate`: new keys for the same person, the old key retired, and a key rotation
  statement (`.fwrotation`) written for the lead (or, from a lead, for each inspector).
- Profile → Accept a key change…: `accept_key_change`, the app's `fieldwork trust rotate`: read a
  statement, have the user check the new fingerprint with its owner, accept it, say what changed.
Refusals show the core's message and change nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldwork.errors import FieldworkError
from fieldwork.gui import theme
from fieldwork.gui.identity_dialogs import fingerprint_label
from fieldwork.gui.wording import in_app
from fieldwork.identity import IdentityError, unlock_keys
from fieldwork.identity.rotate import RotationResult, rotate_keys
from fieldwork.identity.rotation import FILE_SUFFIX, RotationStatement, read_statement_file
from fieldwork.identity.rotation_accept import RotationAccepted, accept_rotation
from fieldwork.store import Store

ACCEPT_TITLE = "Accept a key change"
_MONO = "font-family:monospace; font-size:14pt"


def _wrapped(text: str, parent: QWidget, *, rich: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


# --- making new keys ---------------------------------------------------------------------------------


class RotateKeysDialog(QDialog):
    """New keys for this profile: passphrases and a folder, then what was made and what to do next.

    `on_rotated(result)` is called as soon as the new keys are in place (the identity page then
    shows them, and the window forgets the old unlocked keys). `rotation` holds the result.
    """

    def __init__(self, store: Store, parent=None, *, on_rotated: Callable[[RotationResult], None] | None = None):
        super().__init__(parent)
        self.store = store
        self.data_dir = store.path.parent
        self.on_rotated = on_rotated
        self.rotation: RotationResult | None = None
        self.setWindowTitle("Make new keys")
        self.setMinimumWidth(600)
        self._layout = QVBoxLayout(self)
        self._body = self._form()
        self._layout.addWidget(self._body)

    def _keyring_problem(self) -> tuple[bool, str]:
        """(whether the current passphrase must be typed, a problem to show now or "")."""
        try:  # as KeySession.unlock: an OS keyring secret unlocks without asking
            unlock_keys(self.data_dir, None)
        except IdentityError as error:
            if error.code == "passphrase-needed":
                return True, ""
            return False, in_app(error.message)
        except FieldworkError as error:
            return False, in_app(error.message)
        return False, ""

    def _form(self) -> QWidget:
        box = QWidget(self)
        intro = _wrapped(
            "This makes new keys for you and retires your old key, which then signs nothing more (files already "
            "sent to it still open here). You get a key rotation statement to give to your lead inspector (if you "
            "lead an inspection: to each of its inspectors), who accepts it with Profile → Accept a key change… "
            "in their fieldwork.",
            box,
        )
        caution = _wrapped(
            "If someone else may have your old keys (a lost or stolen laptop), also phone your lead so they "
            "check your new fingerprint with you.",
            box,
        )
        self.needs_passphrase, problem = self._keyring_problem()
        self.current_edit = self._password(box, "Passphrase of your current keys")
        self.new_edit = self._password(box, "New passphrase")
        self.repeat_edit = self._password(box, "New passphrase again")
        self.folder_edit = QLineEdit(str(Path.home()), box)
        self.folder_edit.setAccessibleName("Folder for the key rotation statement")
        choose = QPushButton("C&hoose…", box)
        choose.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(choose)
        self._form_layout = form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        if self.needs_passphrase:
            form.addRow("&Current passphrase", self.current_edit)
        else:
            self.current_edit.hide()
        form.addRow("&New passphrase", self.new_edit)
        form.addRow("&Again", self.repeat_edit)
        folder_label = QLabel("Save the &statement in", box)
        folder_label.setBuddy(self.folder_edit)
        form.addRow(folder_label, folder_row)
        self.error_label = _wrapped("", box)
        theme.style_text(self.error_label, "errorText")
        self._say(problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, box)
        self.make_button = buttons.addButton("&Make new keys", QDialogButtonBox.ButtonRole.AcceptRole)
        self.make_button.setDefault(True)
        buttons.accepted.connect(self.make_keys)
        buttons.rejected.connect(self.reject)
        if self.store.read_only:
            self._say(
                "This data folder is open in another fieldwork window; make new keys there, so that window does "
                "not go on using the old ones."
            )
            self.make_button.setEnabled(False)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(caution)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        return box

    def _say(self, problem: str) -> None:
        """Show why nothing was done (an empty label takes no room)."""
        self.error_label.setText(problem)
        self.error_label.setVisible(bool(problem))

    @staticmethod
    def _password(parent: QWidget, name: str) -> QLineEdit:
        edit = QLineEdit(parent)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setAccessibleName(name)
        return edit

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Where to save the key rotation statement",
                                                  self.folder_edit.text() or str(Path.home()))
        if folder:
            self.folder_edit.setText(folder)

    def make_keys(self) -> bool:
        """Rotate with what the form holds; on success show the result, else the reason (nothing changed)."""
        if self.new_edit.text() != self.repeat_edit.text():
            self._say("The two new passphrases differ; type the same one twice.")
            return False
        folder = self.folder_edit.text().strip()
        if not folder:
            self._say("Choose a folder for the key rotation statement.")
            return False
        current = self.current_edit.text() if self.needs_passphrase else None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # two passphrase derivations: a second or so
        try:
            result = rotate_keys(
                self.data_dir, self.store, folder, passphrase=current, new_passphrase=self.new_edit.text()
            )
        except FieldworkError as error:
            if error.code == "passphrase-needed" and not self.needs_passphrase:  # the keyring went away meanwhile
                self._ask_for_current_passphrase()
            self._say(in_app(error.message))
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self.rotation = result
        if self.on_rotated is not None:
            self.on_rotated(result)
        self._layout.removeWidget(self._body)
        self._body.hide()
        self._body.deleteLater()
        self._body = self._result(result)
        self._layout.addWidget(self._body)
        return True

    def _ask_for_current_passphrase(self) -> None:
        self.needs_passphrase = True
        self._form_layout.insertRow(0, "&Current passphrase", self.current_edit)
        self.current_edit.show()

    def _result(self, result: RotationResult) -> QWidget:
        box = QWidget(self)
        done = QLabel("Your new keys are in place.", box)
        theme.style_text(done, "judgementText")
        lasts = ", ".join(f"{i} number {n}" for i, n in result.statement.last_sequences)
        retired = (
            f"Your old key ({result.old.key_id}) is retired: it signs nothing from now on. Its files are kept, still "
            f"under the old passphrase, in {result.retired_folder}."
        )
        if lasts:
            retired += f" The last numbers it signed: {lasts}."
        path = _wrapped(f"Key rotation statement saved as:<br><b>{html.escape(str(result.path))}</b>", box, rich=True)
        path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        next_steps = _wrapped(
            "Next: give this file to your lead inspector (if you lead an inspection: to each of its inspectors). "
            "Once they accept it with Profile → Accept a key change…, what you sign with the new key is accepted. "
            "Read them your new fingerprint when you can. From now on your keys unlock with the new passphrase.",
            box,
        )
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, box)
        close.rejected.connect(self.accept)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(done)
        layout.addWidget(_wrapped("Your new fingerprint:", box))
        layout.addWidget(fingerprint_label(result.new.fingerprint, box))
        layout.addWidget(path)
        layout.addWidget(_wrapped(retired, box))
        layout.addWidget(next_steps)
        layout.addWidget(close)
        return box


# --- accepting someone's key change ------------------------------------------------------------------


class KeyChangeCheck:
    """Ask the user to check a key change's new fingerprint with its owner before accepting it."""

    @classmethod
    def ask(cls, parent, statement: RotationStatement) -> bool:
        new = statement.new
        renamed = "" if statement.old.name == new.name else f" (until now {html.escape(statement.old.name)})"
        answer = QMessageBox.question(
            parent,
            "Check the new fingerprint",
            f"<p><b>{html.escape(new.name)}</b> ({html.escape(statement.person_id)}){renamed} has made new keys; "
            "this statement is signed by their old key and their new one.</p>"
            "<p>Ask them to read out their new fingerprint (or compare it in person). Accept the change only "
            f"if it is exactly:</p><p style='{_MONO}'><b>{new.fingerprint}</b></p><p>Does it match?</p>",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes


def choose_statement(parent) -> str | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Open a key rotation statement", str(Path.home()),
        f"Key rotation statements (*{FILE_SUFFIX});;All files (*)",
    )
    return path or None


def accepted_text(accepted: RotationAccepted) -> str:
    """What accepting changed, as rich text: the same as `fieldwork trust rotate` prints."""
    statement = accepted.statement
    new, old, who = statement.new, statement.old, html.escape(statement.person_id)
    parts = [
        f"<p>Accepted the key change of <b>{html.escape(new.name)}</b> ({who}), signed by the old and the new "
        "key.</p>",
        f"<p>New key {new.key_id}, fingerprint:</p><p style='{_MONO}'><b>{new.fingerprint}</b></p>",
    ]
    if accepted.new_entry is not None:
        inspections = accepted.new_entry.inspections
        scope = "all inspections" if inspections is None else ", ".join(sorted(inspections)) or "no inspections"
        parts.append(f"<p>It is trusted for {html.escape(scope)}.</p>")
    if accepted.old_entry is not None and accepted.revoked_after:
        parts.append(
            f"<p>The old key {old.key_id} is revoked after number {accepted.revoked_after}: what it signed up to "
            f"number {accepted.revoked_after} is still accepted, anything later is refused.</p>"
        )
    elif accepted.old_entry is not None:
        parts.append(f"<p>The old key {old.key_id} is revoked: it signed nothing for you, so nothing from it is "
                     "accepted any more.</p>")
    if accepted.send_again:
        items = "".join(
            f"<li>{html.escape(i)}: its last number was {n}; ask {who} to export {html.escape(i)} again (with the "
            "new key) so nothing is missing.</li>"
            for i, n in accepted.send_again
        )
        parts.append(f"<ul>{items}</ul>")
    for inspection_id in accepted.repinned:
        parts.append(f"<p>Your bundles for {html.escape(inspection_id)} will now be encrypted to the new key.</p>")
    return "".join(parts)


def accept_key_change(parent, store: Store, path: str | None = None) -> RotationAccepted | None:
    """Choose (unless given), read, check with the user and accept a key rotation statement.

    Returns what changed, or None: cancelled, declined or refused (the reason shown); nothing then changes.
    """
    if store.read_only:
        QMessageBox.warning(parent, ACCEPT_TITLE, "This data folder is open in another fieldwork window; accept "
                            "the key change there.")
        return None
    path = path or choose_statement(parent)
    if not path:
        return None
    try:
        statement = read_statement_file(path)
    except FieldworkError as error:
        QMessageBox.warning(
            parent, ACCEPT_TITLE, f"This file was not accepted as a key change. {in_app(error.message)}"
        )
        return None
    if not KeyChangeCheck.ask(parent, statement):
        return None
    try:
        accepted = accept_rotation(store, statement)
    except FieldworkError as error:
        QMessageBox.warning(parent, ACCEPT_TITLE, in_app(error.message))
        return None
    QMessageBox.information(parent, "Key change accepted", accepted_text(accepted))
    return accepted
