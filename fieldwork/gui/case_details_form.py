"""The case details at the top of a case: one editor per framework field, saved on change."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
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
        self._shown: dict[str, str] = {}  # the stored values on screen, to tell typed text from saved
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
            # Up to three digits, and empty allowed: a range validator treats an emptied field as
            # unfinished input, so clearing it was never saved.
            line.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,3}"), line))
        line.editingFinished.connect(lambda f=field.id, e=line: self.detail_edited.emit(f, e.text()))
        return line

    def show_values(self, values: dict[str, str]) -> None:
        self._shown = {field_id: values.get(field_id, "") for field_id in self._editors}
        for field_id, editor in self._editors.items():
            value = values.get(field_id, "")
            if isinstance(editor, QComboBox):
                index = editor.findData(value)
                editor.setCurrentIndex(index if index >= 0 else 0)
            elif editor.text() != value:
                editor.setText(value)

    def _edited_lines(self) -> list[tuple[str, str]]:
        """(field, text) of the text boxes whose text differs from the stored value shown."""
        return [
            (field_id, editor.text())
            for field_id, editor in self._editors.items()
            if isinstance(editor, QLineEdit) and editor.text() != self._shown.get(field_id, "")
        ]

    def flush(self) -> None:
        """Save what is typed in a text box that has not been left yet (e.g. before completing the case)."""
        for field_id, text in self._edited_lines():
            self.detail_edited.emit(field_id, text)

    def has_unsaved_edits(self) -> bool:
        return bool(self._edited_lines())

    def show_error(self, message: str | None) -> None:
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))

    def set_editable(self, editable: bool) -> None:
        for editor in self._editors.values():
            editor.setEnabled(editable)
