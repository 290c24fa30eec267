"""The case details at the top of a case: one editor per framework field, saved on change."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QWidget

from fieldwork.frameworks.model import CaseDetailField
from fieldwork.gui import theme

EDITOR_MIN_WIDTH = 120  # a date or a short choice still readable
TWO_COLUMN_EDITOR_WIDTH = 180  # below this per editor, one pair per line reads better than two


class CaseDetailsForm(QGroupBox):
    """Editors for the case details; emits the raw text, the core checks and normalises it."""

    detail_edited = Signal(str, str)  # field id, raw value
    focus_entered = Signal()  # the keyboard is now in one of the editors

    def __init__(self, fields: tuple[CaseDetailField, ...], parent=None):
        super().__init__("Case details", parent)
        self.setObjectName("caseDetails")
        self._editors: dict[str, QWidget] = {}
        self._shown: dict[str, str] = {}  # the stored values on screen, to tell typed text from saved
        self._fields = {f.id: f for f in fields}
        # Two label/editor pairs per line when there is room, so the details stay on one screen
        # above the questions; one pair per line when narrow, so the case page never scrolls
        # sideways (issue 19). resizeEvent chooses; minimumSizeHint is the one-column width.
        self._grid = QGridLayout(self)
        self._grid.setSizeConstraint(QGridLayout.SizeConstraint.SetNoConstraint)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(4)
        self.error_label = QLabel("", self)
        theme.style_text(self.error_label, "errorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self._pairs: list[tuple[QLabel, QWidget]] = []
        for field in fields:
            editor = self._make_editor(field)
            editor.setAccessibleName(field.label)
            editor.setMinimumWidth(EDITOR_MIN_WIDTH)
            if field.help:
                editor.setToolTip(field.help)
            editor.installEventFilter(self)  # focus in/out: the ring and the keyboard mode
            self._editors[field.id] = editor
            label = QLabel(field.label + ("*" if field.required else ""), self)
            label.setBuddy(editor)
            self._pairs.append((label, editor))
        self._columns = 0
        self._place(columns=2)

    def _place(self, *, columns: int) -> None:
        """Lay the label/editor pairs out in `columns` pairs per line (1 or 2)."""
        if columns == self._columns:
            return
        self._columns = columns
        grid = self._grid
        for label, editor in self._pairs:
            grid.removeWidget(label)
            grid.removeWidget(editor)
        grid.removeWidget(self.error_label)
        for column in range(4):
            grid.setColumnStretch(column, 0)
        for position, (label, editor) in enumerate(self._pairs):
            row, column = divmod(position, columns)
            grid.addWidget(label, row, column * 2)
            grid.addWidget(editor, row, column * 2 + 1)
        if columns == 2:
            grid.setColumnStretch(1, 1)
            grid.setColumnStretch(3, 1)
        else:  # the spare room goes to an empty column: editors as wide as their content, not the page
            grid.setColumnStretch(2, 1)
        grid.addWidget(self.error_label, -(-len(self._pairs) // columns), 0, 1, columns * 2)

    @property
    def columns(self) -> int:
        """How many label/editor pairs share a line now (2 when wide, 1 when narrow)."""
        return self._columns

    def _label_width(self) -> int:
        return max((label.sizeHint().width() for label, _ in self._pairs), default=0)

    def _two_columns_fit(self, width: int) -> bool:
        margins = self.contentsMargins().left() + self.contentsMargins().right() + 24
        pair = self._label_width() + 10 + TWO_COLUMN_EDITOR_WIDTH
        return width >= 2 * pair + 10 + margins

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        margins = self.contentsMargins().left() + self.contentsMargins().right() + 24
        hint.setWidth(self._label_width() + 10 + EDITOR_MIN_WIDTH + margins)
        return hint

    def eventFilter(self, watched, event) -> bool:
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.update()
            if event.type() == QEvent.Type.FocusIn:
                self.focus_entered.emit()
        return False

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        focused = next((e for e in self._editors.values() if e.hasFocus()), None)
        if focused is not None:  # the same 3 px ring as the question rows, round the editor
            ring = theme.FOCUS_RING_WIDTH
            theme.paint_focus_ring(self, focused.geometry().adjusted(-ring, -ring, ring, ring))

    def resizeEvent(self, event) -> None:
        self._place(columns=2 if self._two_columns_fit(event.size().width()) else 1)
        super().resizeEvent(event)

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
