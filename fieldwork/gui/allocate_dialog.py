"""Allocation → "Allocate selected to…": choose the inspector from the people the lead trusts.

A typed person id is still allowed (cases can be allocated before the inspector's identity
file arrives), but one the lead does not trust gets a warning in the dialog: no pack can be
encrypted to that person until their identity is added, and a typo would otherwise go unseen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout

from fieldwork.gui import theme
from fieldwork.text import plural


@dataclass(frozen=True)
class Inspector:
    person_id: str
    name: str  # empty for someone only known from the allocation (not trusted)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.person_id})" if self.name else self.person_id


def inspectors_to_offer(store, inspection_id: str, allocated: list[str]) -> tuple[list[Inspector], set[str]]:
    """Trusted inspectors for this inspection (by name), then ids already allocated but not trusted;
    and the set of trusted person ids."""
    from fieldwork.identity import load_trust_list  # the crypto stack loads only when needed

    trusted = {
        key.person_id: key.name
        for key in load_trust_list(store)
        if key.revoked_at is None and key.allows_inspection(inspection_id)
    }
    offered = [Inspector(pid, name) for pid, name in sorted(trusted.items(), key=lambda kv: kv[1].casefold())]
    offered += [Inspector(pid, "") for pid in sorted(set(allocated) - set(trusted))]
    return offered, set(trusted)


class AllocateDialog(QDialog):
    """Who reads the selected cases: a list of the trusted inspectors, or a person id typed in."""

    def __init__(self, offered: list[Inspector], trusted: set[str], cases: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Allocate {plural(cases, 'case')}")
        self.trusted = trusted
        self.combo = QComboBox(self)
        self.combo.setEditable(True)  # an inspector whose identity has not come yet can still be chosen
        self.combo.setAccessibleName("Inspector to allocate the cases to")
        for inspector in offered:
            self.combo.addItem(inspector.label, inspector.person_id)
        self.combo.setCurrentIndex(-1 if not offered else 0)
        intro = QLabel(
            "Choose a trusted inspector, or type a person id."
            if trusted
            else "No inspector is trusted yet: type a person id, and add their identity "
            "(Add an inspector's identity…) before writing packs.",
            self,
        )
        intro.setWordWrap(True)
        self.warning_label = QLabel(self)
        self.warning_label.setWordWrap(True)
        theme.style_text(self.warning_label, "errorText")
        self.combo.currentTextChanged.connect(self._check)
        form = QFormLayout()
        form.addRow("&Inspector", self.combo)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Allocate")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self._check()

    def person_id(self) -> str:
        """The chosen person id: the item's id when a listed label is shown, else the typed text."""
        text = self.combo.currentText().strip()
        index = self.combo.findText(text)
        return self.combo.itemData(index) if index >= 0 else text

    def _check(self, *_args) -> None:
        person_id = self.person_id()
        unknown = bool(person_id) and person_id not in self.trusted
        self.warning_label.setText(
            f"{person_id} is not an inspector you trust. Check the spelling; if it is right, the cases are "
            "allocated, but no pack can be written for them until you add their identity "
            "(Add an inspector's identity…)."
            if unknown
            else ""
        )
        self.warning_label.setVisible(unknown)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(person_id))

    def _accept(self) -> None:
        if self.person_id():
            self.accept()

    @classmethod
    def ask(cls, parent, offered: list[Inspector], trusted: set[str], cases: int) -> str | None:
        dialog = cls(offered, trusted, cases, parent)
        return dialog.person_id() if dialog.exec() == QDialog.DialogCode.Accepted else None
