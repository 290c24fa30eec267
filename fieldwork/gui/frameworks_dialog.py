"""The Frameworks page (issue 18 §5): every framework, its About text, a workbook imported with
its problems in a table, a framework exported as a workbook, a preview as inspectors will see it,
and what changed between two versions, without a terminal. For the lead of the open inspection
it also compares a framework with the version in use and moves the inspection to it, after a
confirmation that shows the diff (decision 0042).

Everything here calls the same core functions as `fieldwork frameworks list | import | export |
diff` and `fieldwork inspection move-framework`; nothing is written unless the whole workbook is
valid, and a refused move changes nothing.
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

from fieldwork.errors import FieldworkError, ValidationError
from fieldwork.frameworks.about import about_html
from fieldwork.frameworks.catalogue import CatalogueEntry, current_first, list_frameworks
from fieldwork.frameworks.diff import framework_changes
from fieldwork.gui import theme
from fieldwork.gui.word_columns import WordColumns
from fieldwork.gui.wording import in_app

LIST_COLUMNS = ("Framework", "Version", "Status", "Usable", "Where")
PROBLEM_COLUMNS = ("Sheet", "Row", "Column", "What is wrong and what to do")


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class FrameworksDialog(QDialog):
    def __init__(self, data_dir: Path, parent=None, *, store=None, inspection=None, on_moved=None):
        """`store` and `inspection`: the inspection open in the window, when this person leads it
        (it can then be compared with and moved); `on_moved` is called after a move."""
        super().__init__(parent)
        self.setWindowTitle("Frameworks")
        self.data_dir = data_dir
        self.entries: list[CatalogueEntry] = []
        self.store, self.inspection, self.on_moved = store, inspection, on_moved
        self.in_use = None
        if store is not None and inspection is not None:
            from fieldwork.store.inspections import framework_for

            self.in_use = framework_for(store, inspection)
        self.in_use_label = QLabel("", self)
        self.in_use_label.setWordWrap(True)
        self.in_use_label.setVisible(self.in_use is not None)

        self.table = QTableWidget(0, len(LIST_COLUMNS), self)
        self.table.setObjectName("frameworksTable")
        self.table.setAccessibleName("Frameworks")
        self.table.setHorizontalHeaderLabels(LIST_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Titles wrap rather than end in "…": "Approved premises (standards v…" hid the version.
        self.table_columns = WordColumns(self.table, stretch_column=0)
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
        self.preview_button = QPushButton("&Preview…", self)
        self.preview_button.setToolTip("A blank case of this framework as inspectors will see it")
        self.preview_button.clicked.connect(self.preview)
        self.in_use_button = QPushButton("Compare with the version in &use", self)
        self.in_use_button.clicked.connect(self.show_changes_from_in_use)
        self.move_button = QPushButton("&Move this inspection to this version…", self)
        self.move_button.clicked.connect(self.move_inspection)
        for button in (self.in_use_button, self.move_button):
            button.setVisible(self.in_use is not None)
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
        lead_buttons = QHBoxLayout()
        lead_buttons.addWidget(self.preview_button)
        lead_buttons.addWidget(self.in_use_button)
        lead_buttons.addWidget(self.move_button)
        lead_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.in_use_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addLayout(lead_buttons)
        layout.addLayout(buttons)
        self.resize(1000, 640)
        self.refresh()

    # --- the list -------------------------------------------------------------------------
    def refresh(self, select_path: Path | None = None) -> None:
        if self.in_use is not None:
            self.in_use_label.setText(
                f"Inspection {self.inspection.id} uses {self.in_use.title}, version {self.in_use.version}. Select "
                "a newer version of it to see what changed and to move the inspection to it."
            )
        self.entries = current_first(list_frameworks(self.data_dir))
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            fw = entry.framework
            in_use = fw is not None and self.in_use is not None and fw.content_hash == self.in_use.content_hash
            values = (
                (fw.title, fw.version, f"{fw.status} (in use)" if in_use else fw.status, "yes", entry.origin)
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
        self.preview_button.setEnabled(entry.framework is not None)
        self.diff_button.setEnabled(self.compare_with.count() > 0)
        same_framework = (
            entry.framework is not None and self.in_use is not None and entry.framework.id == self.in_use.id
            and entry.framework.content_hash != self.in_use.content_hash
        )
        self.in_use_button.setEnabled(same_framework)
        self.move_button.setEnabled(same_framework)

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


    def show_changes_from_in_use(self) -> None:
        entry = self.selected()
        if entry is None or entry.framework is None or self.in_use is None:
            return
        changes = framework_changes(self.in_use, entry.framework)
        items = "".join(f"<li>{escape(c.words)}</li>" for c in changes) or "<li>No changes.</li>"
        self.about.setHtml(f"<h3>From {escape(self.in_use.version)} (in use) to {escape(entry.framework.version)}"
                           f"</h3><ul>{items}</ul>")

    # --- preview and move -------------------------------------------------------------------
    def preview(self) -> None:
        from fieldwork.gui.framework_move_dialogs import FrameworkPreviewDialog

        entry = self.selected()
        if entry is not None and entry.framework is not None:
            FrameworkPreviewDialog(entry.framework, self).exec()

    def move_inspection(self) -> bool:
        """Plan the move (a refusal is shown and changes nothing), confirm it with the diff, move."""
        from fieldwork.gui.framework_move_dialogs import MoveConfirmDialog
        from fieldwork.store.framework_move import move_inspection, plan_move

        entry = self.selected()
        if entry is None or entry.framework is None or self.in_use is None:
            return False
        try:
            plan = plan_move(self.store, self.inspection, entry.framework)
        except ValidationError as refusal:
            self.status.setText(in_app(str(refusal)))  # the app's screens, not terminal commands
            return False
        if not MoveConfirmDialog.ask(self, plan):
            self.status.setText("Not moved: nothing was changed.")
            return False
        try:
            move_inspection(self.store, self.inspection.id, entry.framework)
        except FieldworkError as error:
            self.status.setText(str(error))
            return False
        self.in_use = entry.framework
        self.status.setText(
            f"Moved {self.inspection.id} to {entry.framework.title} {entry.framework.version}. Each inspector's next "
            "allocation pack brings the move to their laptop."
        )
        self.refresh(select_path=entry.path)
        if self.on_moved is not None:
            self.on_moved()
        return True


def open_page(window) -> None:
    """Help → Frameworks…: the page reads the window's data folder, and for the lead of the open
    inspection offers to move it to another version."""
    leads = window.is_lead() and not window.store.read_only
    FrameworksDialog(
        window.store.path.parent, window,
        store=window.store if leads else None,
        inspection=window.inspection if leads else None,
        on_moved=(lambda: window.open_inspection(window.inspection.id)) if leads else None,
    ).exec()
