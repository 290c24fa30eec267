"""Profile → "How long keys stay unlocked…": the keys_unlocked_minutes setting (key_session.py)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
)

from fieldwork.errors import FieldworkError
from fieldwork.gui import theme
from fieldwork.gui.wording import in_app
from fieldwork.store.settings import (
    KEYS_UNLOCKED_MAX_MINUTES,
    KEYS_UNLOCKED_MINUTES,
    keys_unlocked_minutes,
    set_setting,
)


class KeysUnlockedDialog(QDialog):
    """How many minutes the unlocked keys are kept after their last use (0: ask every time)."""

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("How long your keys stay unlocked")
        self.minutes = QSpinBox(self)
        self.minutes.setRange(0, KEYS_UNLOCKED_MAX_MINUTES)
        self.minutes.setSpecialValueText("Ask every time")
        self.minutes.setSuffix(" minutes after their last use")
        self.minutes.setValue(keys_unlocked_minutes(store))
        self.minutes.setAccessibleName("Keep keys unlocked for")
        note = QLabel(
            "Your passphrase is asked the first time you export a bundle or pack, merge or write receipts; the "
            "unlocked keys are then kept in memory (never on disk) for this long after their last use. They are "
            "also forgotten when you quit, when the laptop sleeps for longer than this, and when you choose "
            "Profile → Forget my passphrase now. A shorter time is safer on a laptop left unattended.",
            self,
        )
        note.setWordWrap(True)
        note.setMinimumWidth(440)
        theme.style_text(note, "guidance")
        form = QFormLayout()
        label = QLabel("&Keep keys unlocked", self)
        label.setBuddy(self.minutes)
        form.addRow(label, self.minutes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not store.read_only)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # wrapped text gets its height
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def save(self) -> bool:
        try:
            set_setting(self.store, KEYS_UNLOCKED_MINUTES, str(self.minutes.value()))
        except FieldworkError as error:
            QMessageBox.warning(self, "How long your keys stay unlocked", in_app(error.message))
            return False
        self.accept()
        return True
