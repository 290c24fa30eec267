"""The Frameworks page (issue 18 §5, in part): every framework, its About text, a workbook
imported with its problems in a table, a framework exported as a workbook, and what changed
between two versions, without a terminal.

Everything here calls the same core functions as `fieldwork frameworks list | import | export |
diff`; nothing is written unless the whole workbook is valid.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fieldwork.errors import FieldworkError
from fieldwork.frameworks.about import about_html
from fieldwork.frameworks.catalogue import CatalogueEntry, current_first, list_frameworks
from fieldwork.frameworks.diff import framework_changes
from fieldwork.gui import theme

LIST_COLUMNS = ("Framework", "Version", "Status", "Usable", "Where")
PROBLEM_COLUMNS = ("Sheet", "Row", "Column", "What is wrong and what to do")


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class FrameworksDialog(QDialog):
    def __init__(self, data_dir: Path, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Frameworks")
        self.data_dir = data_dir
        self.entries: list[CatalogueEntry] = []

        self.table = QTableWidget(0, len(LIST_COLUMNS), self)
        self.table.setObjectName("frameworksTable")
        self.table.setAccessibleName("Frameworks")
        self.table.setHorizontalHeaderLabels(LIST_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        for column in range(1, len(LIST_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the title takes what is left
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._show_selected)

        self.about = QTextBrowser(self)
        self.about.setObjectName("frameworkAbout")
        self.about.setOpenLinks(False)
        self.problems_title = QLabel("", self)
        theme.style_text(self.problems_title, "sectionCaption")
        self.problems = QTableWidget(0, len(PROBLEM_COLUMNS), self)
        self.problems.setObjectName("workbookProblems")
        self.problems.setAccessibleName("Problems in the workbook")
        self.problems.setHorizontalHeaderLabels(PROBLEM_COLUMNS)
        problem_header = self.problems.horizontalHeader()
        for column in range(3):
            problem_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        problem_header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.problems.verticalHeader().hide()
        self.problems_title.hide()
        self.problems.hide()

        self.import_button = QPushButton("&Import a workbook…", self)
        self.import_button.clicked.connect(self.choose_workbook)
        self.export_button = QPushButton("&Export as workbook…", self)
        self.export_button.clicked.connect(self.choose_export)
        self.compare_with = QComboBox(self)
        self.compare_with.setAccessibleName("Compare with")
        self.diff_button = QPushButton("&What changed", self)
        self.diff_button.clicked.connect(self.show_changes)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        close = QPushButton("&Close", self)
        close.clicked.connect(self.accept)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.about, 1)
        right_layout.addWidget(self.problems_title)
        right_layout.addWidget(self.problems, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setSizes([420, 560])
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        buttons.addSpacing(16)
        buttons.addWidget(QLabel("Compare with:", self))
        buttons.addWidget(self.compare_with, 1)
        buttons.addWidget(self.diff_button)
        buttons.addStretch(0)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(1000, 640)
        self.refresh()

    # --- the list -------------------------------------------------------------------------
    def refresh(self, select_path: Path | None = None) -> None:
        self.entries = current_first(list_frameworks(self.data_dir))
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            fw = entry.framework
            values = (
                (fw.title, fw.version, fw.status, "yes", entry.origin)
                if fw
                else (entry.path.name, "", "", f"no: {entry.problems[0]}", entry.origin)
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, _cell(value))
            self.table.item(row, 0).setToolTip(values[0])  # the title, when the column cuts it
        chosen = next((i for i, e in enumerate(self.entries) if e.path == select_path), 0)
        if self.entries:
            self.table.selectRow(chosen)

    def selected(self) -> CatalogueEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def _show_selected(self) -> None:
        entry = self.selected()
        self.compare_with.clear()
        if entry is None:
            return
        if entry.framework is None:
            items = "".join(f"<li>{escape(p)}</li>" for p in entry.problems)
            self.about.setHtml(f"<h3>{escape(entry.path.name)}: cannot be used</h3><ul>{items}</ul>")
        else:
            self.about.setHtml(about_html(entry.framework))
            for other in self.entries:
                if other is not entry and other.framework and other.framework.id == entry.framework.id:
                    self.compare_with.addItem(f"{other.framework.version} ({other.origin})", str(other.path))
        self.export_button.setEnabled(entry.framework is not None)
        self.diff_button.setEnabled(self.compare_with.count() > 0)

    # --- import and export ----------------------------------------------------------------
    def choose_workbook(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a framework workbook", "", "Excel workbook (*.xlsx)")
        if path:
            self.import_workbook(Path(path))

    def import_workbook(self, path: Path) -> bool:
        """Check the whole workbook; store it only if valid, else list every problem."""
        from fieldwork.frameworks.workbook_import import WorkbookError, read_workbook_file
        from fieldwork.frameworks.workbook_store import store_imported

        try:
            imported = read_workbook_file(path)
        except WorkbookError as error:
            self._show_problems(path, error.problems)
            return False
        try:
            stored = store_imported(imported, self.data_dir)
        except FieldworkError as error:
            self.problems_title.hide()
            self.problems.hide()
            self.status.setText(str(error))
            return False
        self.problems_title.hide()
        self.problems.hide()
        fw = imported.framework
        done = "imported and stored" if stored.new else "already stored, unchanged"
        self.status.setText(f"{path.name}: {fw.title} {fw.version} {done} ({stored.path}).")
        self.refresh(select_path=stored.path)
        return True

    def _show_problems(self, path: Path, problems) -> None:
        self.problems.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            values = (problem.sheet or "", str(problem.row or ""), problem.column or "", problem.message)
            for column, value in enumerate(values):
                self.problems.setItem(row, column, _cell(value))
        self.problems.resizeRowsToContents()
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        self.problems_title.setText(f"{path.name}: {count}; nothing was imported. Correct the workbook and "
                                    "import it again.")
        self.status.setText(self.problems_title.text())
        self.problems_title.show()
        self.problems.show()

    def choose_export(self) -> None:
        entry = self.selected()
        if entry is None or entry.framework is None:
            return
        suggested = f"{entry.framework.id}-{entry.framework.version}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "Export as workbook", suggested, "Excel workbook (*.xlsx)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        from fieldwork.frameworks.workbook_export import export_workbook

        entry = self.selected()
        try:
            export_workbook(entry.framework, path)
        except FieldworkError as error:
            self.status.setText(str(error))
            return False
        self.status.setText(f"{entry.framework.title} {entry.framework.version} written to {path}.")
        return True

    # --- what changed ---------------------------------------------------------------------
    def show_changes(self) -> None:
        entry = self.selected()
        other_path = self.compare_with.currentData()
        other = next((e for e in self.entries if str(e.path) == other_path), None)
        if entry is None or entry.framework is None or other is None:
            return
        old, new = other.framework, entry.framework
        changes = framework_changes(old, new)
        items = "".join(f"<li>{escape(c.words)}</li>" for c in changes) or "<li>No changes.</li>"
        self.about.setHtml(f"<h3>From {escape(old.version)} to {escape(new.version)}</h3><ul>{items}</ul>")

