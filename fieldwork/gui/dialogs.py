"""Small dialogs, each with an `ask` classmethod so tests can drive them without a modal loop."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fieldwork.frameworks.describe import choice_label, status_sentence
from fieldwork.frameworks.model import Framework
from fieldwork.gui import theme
from fieldwork.gui.shortcuts import LEAD_KEYS, ROW_KEYS, WINDOW_SHORTCUTS

SHORTCUTS_TEXT_WIDTH = 900  # two columns of keys and what they do


class DateField(QDateEdit):
    """A date box that Tab leaves, like every other field (issue 19).

    QDateEdit spends Tab on moving from day to month to year; someone tabbing through the form
    stayed in the date and typed the inspection id into it. Day, month and year are still
    reached with Left/Right, and typing moves on by itself.
    """

    def focusNextPrevChild(self, next_child: bool) -> bool:  # noqa: N802 (Qt's name)
        return QWidget.focusNextPrevChild(self, next_child)


class NewInspectionDialog(QDialog):
    """Provider, framework, dates and id for an inspection started by hand."""

    def __init__(self, frameworks: list[Framework], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Start an inspection")
        self.frameworks = frameworks
        self.provider_edit = QLineEdit()
        self.provider_edit.setAccessibleName("Provider name")
        self.framework_combo = QComboBox()
        self.framework_combo.setAccessibleName("Framework")
        for framework in frameworks:
            self.framework_combo.addItem(choice_label(framework), framework.id)
        # Says whether the chosen programme is current or historic, and when it applied.
        self.framework_status_label = QLabel()
        self.framework_status_label.setWordWrap(True)
        self.provider_type_combo = QComboBox()
        self.provider_type_combo.setAccessibleName("Provider type")
        self.id_edit = QLineEdit()
        self.id_edit.setAccessibleName("Inspection id")
        self.id_edit.setPlaceholderText("e.g. CRC-NORTH-2026-11 (made from the provider if left empty)")
        today = dt.date.today()
        self.start_edit = DateField(today)
        self.end_edit = DateField(today + dt.timedelta(days=11))
        for edit, name in ((self.start_edit, "Fieldwork starts"), (self.end_edit, "Fieldwork ends")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(name)
        self.error_label = QLabel()
        theme.style_text(self.error_label, "errorText")
        self.error_label.setWordWrap(True)
        self.framework_combo.currentIndexChanged.connect(self._framework_changed)
        self._framework_changed()
        form = QFormLayout()
        form.addRow("&Provider", self.provider_edit)
        form.addRow("&Framework", self.framework_combo)
        form.addRow("", self.framework_status_label)
        form.addRow("Provider &type", self.provider_type_combo)
        form.addRow("Fieldwork &starts", self.start_edit)
        form.addRow("Fieldwork &ends", self.end_edit)
        form.addRow("Inspection &id", self.id_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(560, 0)

    def _framework_changed(self) -> None:
        self.provider_type_combo.clear()
        self.framework_status_label.clear()
        if 0 <= self.framework_combo.currentIndex() < len(self.frameworks):
            framework = self.frameworks[self.framework_combo.currentIndex()]
            self.provider_type_combo.addItems(list(framework.provider_types))
            self.framework_status_label.setText(status_sentence(framework))

    def _accept(self) -> None:
        if not self.provider_edit.text().strip():
            self.error_label.setText("Give the provider's name.")
            return
        if self.end_edit.date() < self.start_edit.date():
            self.error_label.setText("Fieldwork ends before it starts; check the dates.")
            return
        self.accept()

    def values(self) -> dict:
        return {
            "provider": self.provider_edit.text().strip(),
            "framework": self.frameworks[self.framework_combo.currentIndex()],
            "provider_type": self.provider_type_combo.currentText(),
            "inspection_id": self.id_edit.text().strip(),
            "fieldwork_start": self.start_edit.date().toString("yyyy-MM-dd"),
            "fieldwork_end": self.end_edit.date().toString("yyyy-MM-dd"),
        }

    @classmethod
    def ask(cls, parent, frameworks: list[Framework]) -> dict | None:
        dialog = cls(frameworks, parent)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


class AddCaseDialog(QDialog):
    """A case reference and its sample."""

    def __init__(self, framework: Framework, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Add a case")
        self.ref_edit = QLineEdit()
        self.ref_edit.setAccessibleName("Case reference")
        self.sample_combo = QComboBox()
        self.sample_combo.setAccessibleName("Sample")
        if framework.sample_rules:
            # The framework chooses from the case details (decision 0034); picking a sample here
            # instead is a choice by hand, recorded in the case's change log.
            self.sample_combo.addItem("Chosen from the case details by the framework's rule", None)
        for sample in framework.samples:
            self.sample_combo.addItem(sample.title, sample.id)
        form = QFormLayout()
        form.addRow("Case &reference", self.ref_edit)
        form.addRow("&Sample", self.sample_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        buttons.accepted.connect(lambda: self.accept() if self.ref_edit.text().strip() else None)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent, framework: Framework) -> tuple[str, str | None] | None:
        dialog = cls(framework, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.ref_edit.text().strip(), dialog.sample_combo.currentData()
        return None


class JumpToCaseDialog(QDialog):
    """Type a case reference (with completion) to open it."""

    def __init__(self, case_refs: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Jump to case")
        self.edit = QLineEdit()
        self.edit.setAccessibleName("Case reference")
        self.edit.setPlaceholderText("Case reference")
        completer = QCompleter(case_refs, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.edit.setCompleter(completer)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Open")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent, case_refs: list[str]) -> str | None:
        dialog = cls(case_refs, parent)
        return dialog.edit.text().strip() if dialog.exec() == QDialog.DialogCode.Accepted else None


class ShortcutsDialog(QDialog):
    """The keyboard shortcuts, from the same tables the menus and tabs are built from.

    Two columns, sized to the text: the whole list fits a 1280×800 screen without scrolling.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")

        def table(title: str, pairs) -> str:
            rows = "".join(f"<tr><td><b>{key}</b></td><td>{what}</td></tr>" for key, what in pairs)
            return f"<h3>{title}</h3><table cellspacing=3>{rows}</table>"

        window_keys = table("Anywhere in the window", ((key, what) for _, key, what in WINDOW_SHORTCUTS))
        row_keys = table("On a question (the row with the ring)", ROW_KEYS)
        lead_keys = table("Lead inspector's screens", LEAD_KEYS)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Keyboard shortcuts")
        self.browser.setHtml(
            f"<table width=100%><tr><td valign=top width=50%>{window_keys}</td>"
            f"<td valign=top width=50%>{row_keys}{lead_keys}</td></tr></table>"
        )
        document = self.browser.document()
        document.setTextWidth(SHORTCUTS_TEXT_WIDTH)
        frame = 2 * self.browser.frameWidth() + 4
        self.browser.setMinimumSize(SHORTCUTS_TEXT_WIDTH + frame, int(document.size().height()) + frame)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)


class FrameworkInfoDialog(QDialog):
    """About this framework: source, status, licence, and for every item whether it is confirmed or recalled."""

    def __init__(self, framework: Framework, parent=None):
        super().__init__(parent)
        self.setWindowTitle("About this framework")
        from fieldwork.frameworks.about import about_html

        self.browser = QTextBrowser()
        # Every item and rating rule with whether its wording is confirmed or recalled.
        self.browser.setHtml(about_html(framework))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(720, 560)


class HistoryDialog(QDialog):
    """The change log of one case: who changed what, when, from what to what."""

    def __init__(self, case_ref: str, model, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"History of case {case_ref}")
        table = QTableView()
        table.setAccessibleName("Change history")
        table.setModel(model)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setWordWrap(False)
        table.scrollToBottom()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(900, 480)
