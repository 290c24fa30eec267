"""The case details at the top of a case: one editor per framework field, saved on change."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QWidget

from fieldwork.frameworks.model import CaseDetailField
from fieldwork.gui import theme


class CaseDetailsForm(QGroupBox):
    """Editors for the case details; emits the raw text, the core checks and normalises it."""

    detail_edited = Signal(str, str)  # field id, raw value

    def __init__(self, fields: tuple[CaseDetailField, ...], parent=None):
        super().__init__("Case details", parent)
        self.setObjectName("caseDetails")
        self._editors: dict[str, QWidget] = {}
        self._fields = {f.id: f for f in fields}
        # Two label/editor pairs per line: the details stay on one screen above the questions.
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.error_label = QLabel("", self)
        theme.style_text(self.error_label, "errorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        for position, field in enumerate(fields):
            editor = self._make_editor(field)
            editor.setAccessibleName(field.label)
            if field.help:
                editor.setToolTip(field.help)
            self._editors[field.id] = editor
            label = QLabel(field.label + ("*" if field.required else ""), self)
            label.setBuddy(editor)
            row, column = divmod(position, 2)
            grid.addWidget(label, row, column * 2)
            grid.addWidget(editor, row, column * 2 + 1)
        grid.addWidget(self.error_label, (len(fields) + 1) // 2, 0, 1, 4)

    def _make_editor(self, field: CaseDetailField) -> QWidget:
        if field.type in ("choice", "boolean"):
            combo = QComboBox(self)
            combo.addItem("—", "")
            options = (
                [(c.value, c.label) for c in field.choices]
                if field.type == "choice"
                else [("true", "Yes"), ("false", "No")]
            )
            for value, label in options:
                combo.addItem(label, value)
            combo.activated.connect(lambda _i, f=field.id, c=combo: self.detail_edited.emit(f, c.currentData()))
            return combo
        line = QLineEdit(self)
        if field.type == "date":
            line.setPlaceholderText("YYYY-MM-DD")
            line.setMaxLength(10)
        elif field.type == "integer":
            line.setValidator(QIntValidator(0, 150, line))
        line.editingFinished.connect(lambda f=field.id, e=line: self.detail_edited.emit(f, e.text()))
        return line

    def show_values(self, values: dict[str, str]) -> None:
        for field_id, editor in self._editors.items():
            value = values.get(field_id, "")
            if isinstance(editor, QComboBox):
                index = editor.findData(value)
                editor.setCurrentIndex(index if index >= 0 else 0)
            elif editor.text() != value:
                editor.setText(value)

    def show_error(self, message: str | None) -> None:
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))

    def set_editable(self, editable: bool) -> None:
        for editor in self._editors.values():
            editor.setEnabled(editable)
