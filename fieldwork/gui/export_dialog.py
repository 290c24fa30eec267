"""Export a bundle for the lead inspector: what goes in, where it goes, and what came out.

The dialog needs only the public identity to show what goes in; the private keys are unlocked
(the passphrase asked, when it is not remembered) only when Export is clicked with a lead to
encrypt to, so nothing is asked for an export that cannot happen yet (issue 19).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from fieldwork.bundles import export_bundle, export_preview
from fieldwork.errors import FieldworkError
from fieldwork.gui import theme
from fieldwork.gui.identity_dialogs import fingerprint_label
from fieldwork.gui.last_folder import in_last_folder, last_folder, remember_folder
from fieldwork.gui.wording import in_app
from fieldwork.identity import UnlockedIdentity, read_identity_file
from fieldwork.identity.public import PublicIdentity
from fieldwork.store import Store
from fieldwork.store.records import STATUS_LABELS

_COUNT_NAMES = {"case": "cases", "case_detail": "case details", "answer": "answers", "change": "history entries"}


class ExportDialog(QDialog):
    """Shows the export preview, takes a destination, writes the bundle and shows the result."""

    def __init__(
        self,
        store: Store,
        inspection_id: str,
        identity: UnlockedIdentity | PublicIdentity,
        parent=None,
        *,
        unlock: Callable[[], UnlockedIdentity | None] | None = None,
    ):
        """`identity`: the unlocked keys, or the public identity with `unlock` to get them on Export."""
        super().__init__(parent)
        self.store = store
        self.inspection_id = inspection_id
        self.identity = identity
        self.unlock = unlock
        self.setWindowTitle("Export a bundle for your lead inspector")
        self.preview = export_preview(store, inspection_id, identity)
        self.recipient: PublicIdentity | None = self.preview.lead
        self.result = None

        counts = ", ".join(
            f"{n} {name}" for kind, name in _COUNT_NAMES.items() if (n := self.preview.record_counts.get(kind))
        )
        statuses = ", ".join(
            f"{n} {STATUS_LABELS.get(status, status).lower()}" for status, n in sorted(self.preview.statuses.items())
        )
        what = QLabel(
            f"<b>What goes in:</b> your cases in inspection {inspection_id} ({statuses or 'none'}): {counts}. "
            f"Complete and in-progress cases both travel, each with its status. This will be bundle number "
            f"{self.preview.next_sequence} from you for this inspection.",
            self,
        )
        what.setWordWrap(True)
        what.setMinimumWidth(600)  # a readable line length for the explanation
        self.recipient_label = QLabel(self)
        self.recipient_label.setWordWrap(True)
        self.fingerprint = fingerprint_label("", self)
        self.choose_lead_button = QPushButton("C&hoose the lead's identity file…", self)
        self.choose_lead_button.clicked.connect(self._choose_lead)
        # Enter exports, wherever the keyboard is: no other button becomes the default on focus.
        self.choose_lead_button.setAutoDefault(False)
        self.path_edit = QLineEdit(in_last_folder(store, "bundles", self.preview.suggested_filename), self)
        self.path_edit.setAccessibleName("Where to save the bundle")
        browse = QPushButton("&Browse…", self)
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        theme.style_text(self.message, "errorText")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Encrypted to", self.recipient_label)
        form.addRow("", self.fingerprint)
        form.addRow("", self.choose_lead_button)
        save_as = QLabel("&Save as", self)
        save_as.setBuddy(self.path_edit)
        form.addRow(save_as, where)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # wrapped text gets its height
        layout.addWidget(what)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._show_recipient()

    def _show_recipient(self) -> None:
        lead = self.recipient
        if lead is None:
            self.recipient_label.setText(
                "No lead inspector is set for this inspection. Choose their identity file (they can "
                "export it from their own app), and check the fingerprint with them."
            )
            self.fingerprint.hide()
        else:
            self.recipient_label.setText(f"{lead.name} ({lead.person_id}) — only they can open it")
            self.fingerprint.setText(lead.fingerprint)
            self.fingerprint.show()
        self.export_button.setEnabled(lead is not None)
        self.choose_lead_button.setText(
            "C&hoose another identity file…" if lead else "C&hoose the lead's identity file…"
        )
        if lead is not None:
            self.export_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _choose_lead(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose the lead inspector's identity file", last_folder(self.store, "identity files"),
            "Identity files (*.json);;All files (*)",
        )
        if path:
            remember_folder(self.store, "identity files", path)
            self.use_lead_identity(path)

    def use_lead_identity(self, path: str) -> bool:
        try:
            self.recipient = read_identity_file(path)
        except FieldworkError as error:
            self.message.setText(in_app(error.message))
            return False
        self.message.setText("")
        self._show_recipient()
        return True

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the bundle for your lead as", self.path_edit.text(), "fieldwork bundles (*.fwbundle)"
        )
        if path:
            self.path_edit.setText(path)

    def export(self) -> bool:
        """Write the bundle; on success show what was written, else say why and change nothing."""
        if self.recipient is None:
            self.message.setText("Choose the lead inspector's identity file first.")
            return False
        identity = self._unlocked()
        if identity is None:
            self.message.setText("Your keys were not unlocked, so nothing was exported.")
            return False
        try:
            self.result = export_bundle(
                self.store,
                self.inspection_id,
                self.path_edit.text().strip(),
                identity=identity,
                recipients=[self.recipient],
            )
        except FieldworkError as error:
            self.message.setText(in_app(error.message))
            return False
        result = self.result
        remember_folder(self.store, "bundles", str(result.path))
        theme.style_text(self.message, "saveState")
        self.message.setText(
            f"Bundle {result.manifest.sequence} written to {result.path} ({result.size / 1024:.0f} KB), "
            f"signed by you and encrypted to {self.recipient.name}. Hand it over by USB stick or email; "
            "nobody else can read it."
        )
        self.export_button.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close")
        return True

    def _unlocked(self) -> UnlockedIdentity | None:
        if isinstance(self.identity, UnlockedIdentity):
            return self.identity
        return self.unlock() if self.unlock is not None else None
