"""The lead's allocation tab: load the case sample, decide who reads which case, see the spread."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldwork.errors import FieldworkError
from fieldwork.gui import theme
from fieldwork.gui.case_table_model import CASE_ID_ROLE, CaseFilterProxyModel, CaseTableModel
from fieldwork.gui.last_folder import last_folder, remember_folder
from fieldwork.gui.sample_import_dialog import SampleImportDialog
from fieldwork.gui.simple_table_model import RowsTableModel
from fieldwork.gui.word_columns import WordColumns
from fieldwork.gui.wording import in_app
from fieldwork.store import Store
from fieldwork.store.allocation import allocate_cases, allocation_counts
from fieldwork.store.assessments import list_case_summaries
from fieldwork.text import plural


def _spread(counts: dict[str, int], label=lambda value: value) -> str:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{label(key)} {n}" for key, n in ordered)


class AllocationView(QWidget):
    """Cases with their inspector, a way to (re)allocate a selection, and counts per inspector."""

    allocation_changed = Signal()
    message = Signal(str)
    packs_requested = Signal()

    def __init__(self, store: Store, inspection, framework, parent=None):
        super().__init__(parent)
        self.store, self.inspection, self.framework = store, inspection, framework
        self.import_button = QPushButton("&Import case sample…", self)
        self.import_button.setAccessibleName("Import the case sample from a CSV or Excel file")
        self.import_button.clicked.connect(self._choose_sample)
        self.allocate_button = QPushButton("Allo&cate selected to…", self)
        self.allocate_button.clicked.connect(self._ask_allocate)
        self.unallocate_button = QPushButton("&Take back selected", self)
        self.unallocate_button.clicked.connect(lambda: self.allocate_selected(None))
        self.trust_button = QPushButton("Add an inspector's i&dentity…", self)
        self.trust_button.setAccessibleName("Add an inspector's identity file, after checking its fingerprint")
        self.trust_button.clicked.connect(self._choose_identity)
        self.packs_button = QPushButton("E&xport allocation packs…", self)
        self.packs_button.setAccessibleName("Write one signed, encrypted allocation pack per inspector")
        self.packs_button.clicked.connect(self.packs_requested)
        for button in (
            self.import_button,
            self.allocate_button,
            self.unallocate_button,
            self.trust_button,
            self.packs_button,
        ):
            button.setEnabled(not store.read_only)

        self.cases_model = CaseTableModel(framework, self)
        self.cases_proxy = CaseFilterProxyModel(self)
        self.cases_proxy.setSourceModel(self.cases_model)
        self.cases_table = QTableView(self)
        self.cases_table.setAccessibleName("Cases and who reads them")
        self.cases_table.setModel(self.cases_proxy)
        self.cases_table.setSortingEnabled(True)
        self.cases_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.cases_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cases_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.cases_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cases_table.verticalHeader().hide()
        # Words wrap rather than the table running off the side (Status was out of view at 1024 px).
        self.cases_columns = WordColumns(self.cases_table, stretch_column=2)

        self.counts_model = RowsTableModel(
            [
                ("Inspector", lambda r: r.inspector_id or "Not allocated"),
                ("Cases", lambda r: r.cases),
                ("By LDU", lambda r: _spread(r.by_ldu)),
                ("By RoSH level", lambda r: _spread(r.by_rosh, self._rosh_label)),
                ("By sample", lambda r: _spread(r.by_sample, self._sample_title)),
            ],
            parent=self,
        )
        self.counts_table = QTableView(self)
        self.counts_table.setAccessibleName("Cases per inspector")
        self.counts_table.setModel(self.counts_model)
        self.counts_table.verticalHeader().hide()
        self.counts_columns = WordColumns(self.counts_table, stretch_column=4)  # "Community sentenc…" was cut

        buttons = QHBoxLayout()
        for button in (self.import_button, self.allocate_button, self.unallocate_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.trust_button)
        buttons.addWidget(self.packs_button)
        self.buttons_layout = buttons
        splitter = QSplitter(self)
        splitter.setOrientation(splitter.orientation().Vertical)
        splitter.addWidget(self.cases_table)
        counts_box = QWidget(splitter)
        counts_layout = QVBoxLayout(counts_box)
        counts_layout.setContentsMargins(0, 6, 0, 0)
        counts_layout.addWidget(QLabel("<b>Allocation</b>: cases per inspector, and how they spread", counts_box))
        counts_layout.addWidget(self.counts_table)
        splitter.addWidget(counts_box)
        splitter.setSizes([420, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addLayout(buttons)
        # What to do next while there are no cases (issue 19): an empty grid says nothing.
        self.empty_hint = QLabel(
            "No cases yet. Import the provider's case sample (Import case sample…: a CSV or Excel file with a "
            "case_ref column), or add single cases on the Cases tab. Then select cases and allocate them, add "
            "each inspector's identity, and export their allocation packs.",
            self,
        )
        self.empty_hint.setWordWrap(True)
        theme.style_text(self.empty_hint, "welcomeNote")
        layout.addWidget(self.empty_hint)
        layout.addWidget(splitter, 1)
        self.refresh()

    def _rosh_label(self, value: str) -> str:
        if self.framework.question_kind("rosh") == "case_detail":
            return self.framework.case_detail("rosh").label_for(value) or value
        return value

    def _sample_title(self, sample_id: str) -> str:
        try:
            return self.framework.sample(sample_id).title
        except KeyError:
            return sample_id

    def refresh(self) -> None:
        self.cases_model.set_summaries(list_case_summaries(self.store, self.inspection.id))
        self.counts_model.set_rows(allocation_counts(self.store, self.inspection.id))
        self.empty_hint.setVisible(self.cases_model.rowCount() == 0)

    def selected_case_ids(self) -> list[str]:
        rows = {index.row() for index in self.cases_table.selectionModel().selectedRows()}
        return [self.cases_proxy.index(row, 0).data(CASE_ID_ROLE) for row in sorted(rows)]

    def _select_cases(self, case_ids: list[str]) -> None:
        wanted = set(case_ids)
        selection = self.cases_table.selectionModel()
        for row in range(self.cases_proxy.rowCount()):
            index = self.cases_proxy.index(row, 0)
            if index.data(CASE_ID_ROLE) in wanted:
                selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)

    def _ask_allocate(self) -> None:
        from fieldwork.gui.allocate_dialog import AllocateDialog, inspectors_to_offer

        case_ids = self.selected_case_ids()
        if not case_ids:
            self.message.emit("Select one or more cases first (Shift or Ctrl to select several).")
            return
        offered, trusted = inspectors_to_offer(self.store, self.inspection.id, self.inspectors_with_cases())
        inspector = AllocateDialog.ask(self, offered, trusted, len(case_ids))
        if inspector:
            self.allocate_selected(inspector)

    def allocate_selected(self, inspector_id: str | None) -> int:
        case_ids = self.selected_case_ids()
        try:
            changed = allocate_cases(self.store, case_ids, inspector_id)
        except FieldworkError as error:
            self.message.emit(error.message)
            return 0
        self.refresh()
        self._select_cases(case_ids)  # the same cases stay selected, to correct a slip at once
        who = inspector_id or "nobody (not allocated)"
        self.message.emit(f"{plural(changed, 'case')} allocated to {who}.")
        self.allocation_changed.emit()
        return changed

    def inspectors_with_cases(self) -> list[str]:
        return [r.inspector_id for r in allocation_counts(self.store, self.inspection.id) if r.inspector_id]

    def _choose_identity(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose an inspector's identity file to trust", last_folder(self.store, "identity files"),
            "Identity files (*.json);;All files (*)",
        )
        if path:
            remember_folder(self.store, "identity files", path)
            self.add_identity(path)

    def add_identity(self, path: str) -> bool:
        from fieldwork.gui.pack_dialogs import add_inspector_identity

        try:
            identity = add_inspector_identity(self, self.store, path)
        except FieldworkError as error:
            self.message.emit(in_app(error.message))
            return False
        if identity is not None:
            self.message.emit(f"{identity.name} ({identity.person_id}) is trusted: packs can be encrypted to them.")
        return identity is not None

    def _choose_sample(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose the provider's case sample to import", last_folder(self.store, "case samples"),
            "Case samples (*.csv *.xlsx);;All files (*)",
        )
        if path:
            remember_folder(self.store, "case samples", path)
            self.import_sample(path)

    def import_sample(self, path: str):
        try:
            result = SampleImportDialog.run(self, self.store, self.inspection, path)
        except FieldworkError as error:
            # A file that is no case sample at all (binary, a damaged workbook): a dialog that says what
            # is wrong and what to do, where a status-bar line went unseen (issue 19).
            QMessageBox.warning(
                self, "Case sample not imported", f"{in_app(error.message)}\n\nNothing was imported or changed."
            )
            return None
        if result is not None:
            self.refresh()
            self.message.emit(result.summary())
            self.allocation_changed.emit()
        return result
