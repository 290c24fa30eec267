"""Your identity: create keys, see the fingerprint to read aloud, export the public identity.

The passphrase prompt and the session that keeps keys unlocked are in key_session.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldwork.errors import FieldworkError
from fieldwork.gui import theme
from fieldwork.gui.fit import grow_to_content
from fieldwork.gui.key_session import KeySession, PassphraseDialog  # noqa: F401  (their old home)
from fieldwork.gui.last_folder import in_last_folder, remember_folder
from fieldwork.gui.wording import in_app
from fieldwork.identity import (
    export_identity,
    keys_exist,
    read_public_identity,
)
from fieldwork.profile import read_profile
from fieldwork.store import Store

HYBRID_SUITE = "mlkem768-x25519"


def fingerprint_label(fingerprint: str, parent=None) -> QLabel:
    """The fingerprint large and monospaced, in its groups, for reading aloud and comparing."""
    label = QLabel(fingerprint, parent)
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(theme.BASE_POINT_SIZE * 1.35)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName("Fingerprint")
    return label


class IdentityDialog(QDialog):
    """Create this profile's keys, or show them with their fingerprint."""

    def __init__(self, store: Store, parent=None, *, on_keys_changed: Callable[[], None] | None = None):
        super().__init__(parent)
        self.store = store
        self.data_dir = store.path.parent
        self.on_keys_changed = on_keys_changed  # called after new keys replace the old (the window forgets them)
        self.setWindowTitle("Your identity and keys")
        self.resize(620, 0)
        self._layout = QVBoxLayout(self)
        self._body: QWidget | None = None
        self.moved = self.claimed = None  # what key creation, or "Make it mine", moved to this profile
        self._show()

    def _show(self) -> None:
        if self._body is not None:
            self._layout.removeWidget(self._body)
            self._body.hide()  # at once: it is deleted only when the event loop next runs
            self._body.deleteLater()
        self._body = self._summary() if keys_exist(self.data_dir) else self._create_form()
        self._layout.addWidget(self._body)
        self._fit()

    def _fit(self) -> None:
        """Grow to what is shown now (a new page, a result line): nothing squeezed or overlapping."""
        self.setMinimumHeight(0)  # a shorter page may follow a taller one
        grow_to_content(self)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._fit()

    # --- no keys yet --------------------------------------------------------------------------
    def _create_form(self) -> QWidget:
        box = QWidget(self)
        intro = QLabel(
            "Your keys sign every bundle you hand over (proving it is yours and unchanged) and let "
            "allocation packs be encrypted to you. The private key stays on this computer, locked by "
            "your passphrase.",
            box,
        )
        intro.setWordWrap(True)
        self.name_edit = QLineEdit(box)
        self.name_edit.setAccessibleName("Your name")
        self.person_edit = QLineEdit(box)
        self.person_edit.setAccessibleName("Your person id")
        self.person_edit.setPlaceholderText("as your lead inspector knows you, e.g. jsmith")
        self.carry_over_label = QLabel(self._carry_over_text(), box)
        self.carry_over_label.setWordWrap(True)
        self.carry_over_label.setVisible(bool(self.carry_over_label.text()))
        self.passphrase_edit = QLineEdit(box)
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName("Passphrase")
        self.repeat_edit = QLineEdit(box)
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit.setAccessibleName("Passphrase again")
        self.hybrid_check = QCheckBox("Also protect against future quantum decryption (ML-KEM-768 hybrid)", box)
        self.hybrid_check.setChecked(True)
        self.error_label = QLabel("", box)
        self.error_label.setWordWrap(True)
        theme.style_text(self.error_label, "errorText")
        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("&Person id", self.person_edit)
        form.addRow("", self.carry_over_label)
        form.addRow("Pass&phrase", self.passphrase_edit)
        form.addRow("&Again", self.repeat_edit)
        form.addRow("", self.hybrid_check)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, box)
        create = buttons.addButton("Create my keys", QDialogButtonBox.ButtonRole.AcceptRole)
        create.setDefault(True)
        buttons.accepted.connect(self._create_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(box)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        return box

    def _carry_over_text(self) -> str:
        """One person id from the first run: the profile's id (chosen on the welcome page) is offered
        for the keys; say what was recorded under the id acting so far, which the keys take over."""
        from fieldwork.store.person_records import inspections_recorded_under

        profile = read_profile(self.store)
        if profile.is_set:
            self.person_edit.setText(profile.person_id)
            if profile.name != profile.person_id:  # a name left empty on the welcome page is asked here
                self.name_edit.setText(profile.name)
        inspections = inspections_recorded_under(self.store, profile.person_id)
        if not inspections:
            return ""
        login = "" if profile.is_set else " (this computer's login name, standing in until you make keys)"
        return (
            f"What you have done here so far ({', '.join(inspections)}) is recorded as {profile.person_id}{login}. "
            "It stays yours under the person id you give here: the inspections you lead, your cases and your "
            "answers move to it, and their history says so."
        )

    def _create_clicked(self) -> None:
        if self.passphrase_edit.text() != self.repeat_edit.text():
            self.error_label.setText("The two passphrases differ; type the same one twice.")
            self._fit()
            return
        self.create(
            self.name_edit.text(),
            self.person_edit.text(),
            self.passphrase_edit.text(),
            suite=HYBRID_SUITE if self.hybrid_check.isChecked() else "x25519",
        )

    def create(self, name: str, person_id: str, passphrase: str, *, suite: str = HYBRID_SUITE, scrypt=None) -> bool:
        """Set the profile (moving what the login name recorded so far) and create the keys;
        shows the problem and returns False if refused."""
        from fieldwork.identity.profile_keys import create_profile_keys

        try:
            identity, self.moved = create_profile_keys(
                self.store, name=name, person_id=person_id, passphrase=passphrase, suite=suite, scrypt=scrypt,
                data_dir=self.data_dir,
            )
        except FieldworkError as error:
            self.error_label.setText(in_app(error.message))
            self._fit()
            return False
        self.created = identity
        self._show()
        if self.on_keys_changed is not None:
            self.on_keys_changed()
        return True

    # --- keys exist ---------------------------------------------------------------------------
    def _summary(self) -> QWidget:
        box = QWidget(self)
        try:
            public = read_public_identity(self.data_dir)
        except FieldworkError as error:
            message = QLabel(in_app(error.message), box)
            message.setWordWrap(True)
            QVBoxLayout(box).addWidget(message)
            return box
        self.public = public
        form = QFormLayout()
        form.addRow("Name", QLabel(public.name, box))
        form.addRow("Person id", QLabel(public.person_id, box))
        form.addRow("Key id", QLabel(public.key_id, box))
        suite = "ML-KEM-768 + X25519 (hybrid)" if public.encryption_suite == HYBRID_SUITE else "X25519"
        form.addRow("Encryption", QLabel(suite, box))
        note = QLabel(
            "Read this fingerprint aloud to your lead inspector (or compare it in person) when they "
            "add your identity file, so they know the file really is yours:",
            box,
        )
        note.setWordWrap(True)
        copy_button = QPushButton("&Copy fingerprint", box)
        copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(public.fingerprint))
        export_button = QPushButton("&Export identity file…", box)
        export_button.clicked.connect(self._export_clicked)
        rotate_button = QPushButton("Make &new keys…", box)
        rotate_button.setToolTip("For a new laptop, or keys someone else may have seen: new keys replace these")
        rotate_button.clicked.connect(self._make_new_keys_clicked)
        self.export_result = QLabel("", box)
        self.export_result.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, box)
        close.rejected.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(copy_button)
        buttons.addWidget(export_button)
        buttons.addStretch(1)
        buttons.addWidget(rotate_button)
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        self._add_login_work(box, layout)
        layout.addWidget(note)
        layout.addWidget(fingerprint_label(public.fingerprint, box))
        layout.addLayout(buttons)
        layout.addWidget(self.export_result)
        layout.addWidget(close)
        return box

    def _add_login_work(self, parent: QWidget, layout: QVBoxLayout) -> None:
        """Keys made before work was carried over by itself (decision 0023): offer to make the work
        still under this computer's login name this profile's."""
        from fieldwork.profile import login_work

        work = login_work(self.store)
        if work is None:
            return
        login, inspections = work
        text = QLabel(
            f"Some work here is still recorded under this computer's login name, {login}: "
            f"{', '.join(inspections)}. If you did it (before these keys were made), make it yours: you become "
            "the lead of the inspections you started and the reader of your cases, and their history says so.",
            parent,
        )
        text.setWordWrap(True)
        self.claim_button = QPushButton("Make it &mine", parent)
        self.claim_button.clicked.connect(lambda: self.claim(login))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.claim_button)
        layout.addWidget(text)
        layout.addLayout(row)

    def claim(self, login: str) -> bool:
        from fieldwork.profile import claim_records

        try:
            self.claimed = claim_records(self.store, login)
        except FieldworkError as error:
            self.export_result.setText(in_app(error.message))
            return False
        self._show()
        self.export_result.setText(self.claimed.summary())
        self._fit()
        return True

    def _make_new_keys_clicked(self) -> None:
        from fieldwork.gui.rotation_dialogs import RotateKeysDialog

        RotateKeysDialog(self.store, self, on_rotated=self._keys_rotated).exec()

    def _keys_rotated(self, _result) -> None:
        self._show()
        if self.on_keys_changed is not None:
            self.on_keys_changed()

    def _export_clicked(self) -> None:
        default = in_last_folder(self.store, "my identity file", f"{self.public.person_id}.fwid.json")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save your identity file for your lead", default, "Identity files (*.json)"
        )
        if path:
            remember_folder(self.store, "my identity file", path)
            self.export_to(path)

    def export_to(self, path: str) -> Path | None:
        try:
            written = export_identity(self.data_dir, path)
        except FieldworkError as error:
            self.export_result.setText(in_app(error.message))
            self._fit()
            return None
        self.export_result.setText(f"Saved to {written}. Give this file to your lead inspector; it holds no secret.")
        self._fit()
        return written
