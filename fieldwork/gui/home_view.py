"""The inspection home: the inspection, overall progress, and the inspector's cases."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldwork.frameworks.model import Framework
from fieldwork.gui import theme
from fieldwork.gui.case_table_model import (
    CASE_ID_ROLE,
    MODERATION_FILTERS,
    CaseFilterProxyModel,
    CaseTableModel,
    judged_counting_handed_over,
)
from fieldwork.gui.format import fieldwork_dates
from fieldwork.gui.word_columns import WordColumns
from fieldwork.moderation_status import inspector_marks, lead_marks, leads_inspection, tally
from fieldwork.store.assessments import CaseSummary
from fieldwork.store.records import STATUS_LABELS, Inspection


class HomeView(QWidget):
    """Lists the cases; Enter or double-click opens one."""

    case_open_requested = Signal(str)  # case id
    export_requested = Signal()
    add_case_requested = Signal()

    def __init__(self, inspection: Inspection, framework: Framework, parent=None):
        super().__init__(parent)
        self.inspection = inspection
        self.framework = framework

        self.title_label = QLabel()
        theme.style_text(self.title_label, "inspectionTitle")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle_label = QLabel()
        theme.style_text(self.subtitle_label, "inspectionSubtitle")
        self.subtitle_label.setWordWrap(True)

        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Overall progress")
        self.progress_bar.setTextVisible(True)
        self.progress_label = QLabel()
        self.moderation_label = QLabel()
        self.moderation_label.setObjectName("moderationTally")
        self.moderation_label.hide()

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search case reference…  (Ctrl+F)")
        self.search_edit.setAccessibleName("Search by case reference")
        self.search_edit.setClearButtonEnabled(True)
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("Filter by status")
        self.status_combo.addItem("All statuses", None)
        for status, label in STATUS_LABELS.items():
            self.status_combo.addItem(label, status)
        self.moderation_combo = QComboBox()
        self.moderation_combo.setAccessibleName("Filter by moderation")
        self.moderation_combo.hide()  # shown once set_moderation says whose view this is
        self._moderation_lead: bool | None = None

        self.open_button = QPushButton("&Open case")
        self.open_button.setAccessibleName("Open the selected case")
        self.add_button = QPushButton("A&dd case…")
        self.add_button.setAccessibleName("Add a case to this inspection")
        self.add_button.clicked.connect(self.add_case_requested)
        self.export_button = QPushButton("E&xport bundle…")
        self.export_button.setAccessibleName("Export a signed bundle for the lead inspector")
        self.export_button.clicked.connect(self.export_requested)

        self.table_model = CaseTableModel(framework, self)
        self.proxy = CaseFilterProxyModel(self)
        self.proxy.setSourceModel(self.table_model)
        self.table = QTableView()
        self.table.setObjectName("caseTable")
        self.table.setAccessibleName("Cases")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        # Columns wrap their words rather than end in "…" ("Northshire …" hid the team at 1024 px).
        self.table_columns = WordColumns(self.table, stretch_column=2)

        self.search_edit.textChanged.connect(self.proxy.set_search_text)
        self.search_edit.returnPressed.connect(self._search_entered)
        self.status_combo.currentIndexChanged.connect(
            lambda _: self.proxy.set_status_filter(self.status_combo.currentData())
        )
        self.moderation_combo.currentIndexChanged.connect(
            lambda _: self.proxy.set_moderation_filter(self.moderation_combo.currentData())
        )
        self.table.activated.connect(self._open_index)
        self.table.doubleClicked.connect(self._open_index)
        self.open_button.clicked.connect(lambda: self._open_index(self.table.currentIndex()))

        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 3)
        filters.addWidget(self.status_combo, 1)
        filters.addWidget(self.moderation_combo, 1)
        filters.addStretch(1)
        filters.addWidget(self.add_button)
        filters.addWidget(self.open_button)
        filters.addWidget(self.export_button)

        progress = QHBoxLayout()
        progress.addWidget(self.progress_bar, 3)
        progress.addWidget(self.progress_label, 2)
        progress.addWidget(self.moderation_label, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)
        layout.addLayout(progress)
        layout.addSpacing(6)
        layout.addLayout(filters)
        # What to do next when the table shows nothing (issue 19): an empty grid says nothing.
        self.empty_hint = QLabel("")
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setWordWrap(True)
        theme.style_text(self.empty_hint, "welcomeNote")
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.table, 1)
        for changed in (self.proxy.modelReset, self.proxy.rowsInserted, self.proxy.rowsRemoved,
                        self.proxy.layoutChanged):
            changed.connect(self._update_empty_hint)
        self._show_inspection()
        self._update_empty_hint()

    def _update_empty_hint(self, *_args) -> None:
        if self.proxy.rowCount():
            self.empty_hint.hide()
            return
        if self.table_model.rowCount():
            text = ("No case matches the search or the filters: clear the search box, or choose "
                    "All statuses.")
        else:
            text = ("No cases yet. As the lead inspector: import the provider's case sample on the "
                    "Allocation tab, or use Add case… for a single case. As an inspector: open the "
                    "allocation pack your lead sent you (File → Open allocation pack…).")
        self.empty_hint.setText(text)
        self.empty_hint.show()

    def _show_inspection(self) -> None:
        inspection, framework = self.inspection, self.framework
        practice = "  (practice inspection, fictional data)" if inspection.is_demo else ""
        self.title_label.setText(f"{inspection.provider}{practice}")
        self.subtitle_label.setText(
            f"{framework.title} — version {framework.version}\n"
            f"Inspection {inspection.id} · {inspection.provider_type} · "
            f"Fieldwork {fieldwork_dates(inspection.fieldwork_start, inspection.fieldwork_end)}"
        )

    def set_summaries(self, summaries: list[CaseSummary], notes: dict[str, str] | None = None) -> None:
        self.table_model.set_summaries(summaries, notes)
        self._update_progress()
        self.table.resizeColumnToContents(0)
        if self.table.currentIndex().row() < 0 and self.proxy.rowCount():
            self.table.selectRow(0)

    def update_summary(self, summary: CaseSummary) -> None:
        self.table_model.update_summary(summary)
        self._update_progress()

    def refresh_moderation(self, store) -> None:
        """Read each case's moderation (the lead's) or the lead's queries (an inspector's) and show them."""
        lead = leads_inspection(store, self.inspection)
        marks = lead_marks(store, self.inspection.id) if lead else inspector_marks(store, self.inspection.id)
        self.set_moderation(marks, lead=lead)

    def set_moderation(self, marks: dict, *, lead: bool) -> None:
        self.table_model.set_moderation(marks, lead=lead)
        if lead != self._moderation_lead:
            self._moderation_lead = lead
            self.moderation_combo.blockSignals(True)
            self.moderation_combo.clear()
            self.moderation_combo.addItem("All moderation states" if lead else "All cases", None)
            for key, label, who in MODERATION_FILTERS:
                if who == ("lead" if lead else "inspector"):
                    self.moderation_combo.addItem(label, key)
            self.moderation_combo.setCurrentIndex(0)
            self.moderation_combo.blockSignals(False)
            self.proxy.set_moderation_filter(None)
        # An inspector without queries has nothing to see here: the table stays as it was.
        shown = lead or bool(marks)
        self.table.setColumnHidden(CaseTableModel.MODERATION_COLUMN, not shown)
        self.moderation_combo.setVisible(shown)
        if not shown and self.moderation_combo.currentIndex() != 0:
            self.moderation_combo.setCurrentIndex(0)
        self._update_moderation_tally()

    def select_case(self, case_id: str) -> None:
        row = self.table_model.row_of_case(case_id)
        if row >= 0:
            index = self.proxy.mapFromSource(self.table_model.index(row, 0))
            if index.isValid():
                self.table.selectRow(index.row())
                self.table.scrollTo(index)

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _update_progress(self) -> None:
        summaries = self.table_model.summaries()
        complete = sum(1 for s in summaries if s.case.status in ("complete", "handed_over"))
        judged = sum(judged_counting_handed_over(s) for s in summaries)  # wiped answers left complete
        required = sum(s.required for s in summaries)
        self.progress_bar.setRange(0, max(required, 1))
        self.progress_bar.setValue(judged)
        self.progress_bar.setFormat(f"{judged} of {required} key questions judged (%p%)")
        self.progress_label.setText(f"{complete} of {len(summaries)} cases complete")
        self._update_moderation_tally()

    def _update_moderation_tally(self) -> None:
        marks = self.table_model.moderation_marks()
        counted = tally((s.case.id for s in self.table_model.summaries()), marks)
        if self._moderation_lead:
            text = f"Moderated {counted.quality_assured} of {counted.cases} cases ({counted.share:.0%})"
            if counted.with_queries:
                text += f" · queries on {counted.with_queries}"
            self.moderation_label.setToolTip("Cases you have marked moderated or agreed")
        elif counted.with_queries:
            text = f"The lead has queries on {counted.with_queries} of your cases"
            self.moderation_label.setToolTip("Open a case: each query shows on its question")
        else:
            text = ""
        self.moderation_label.setText(text)
        self.moderation_label.setVisible(bool(text))

    def _search_entered(self) -> None:
        """Enter in the search box: one match opens it; several put the keyboard on the first."""
        matches = self.proxy.rowCount()
        if matches == 1:
            self._open_index(self.proxy.index(0, 0))
        elif matches > 1:
            self.table.setCurrentIndex(self.proxy.index(0, 0))
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.case_open_requested.emit(index.data(CASE_ID_ROLE))
