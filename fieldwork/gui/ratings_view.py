"""The lead's ratings tab: every standard's rating as a report shows it, with its chart.

Everything shown is recomputed from the store each time the tab refreshes; only the lead's
own judgements and overrides are stored (with who, when and why).
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldwork.errors import FieldworkError
from fieldwork.gui import theme
from fieldwork.gui.format import saved_time, uk_date
from fieldwork.gui.simple_table_model import RowsTableModel
from fieldwork.gui.word_columns import WordColumns
from fieldwork.ratings import StandardRating
from fieldwork.reports.rule_text import overall_sentence
from fieldwork.store import Store
from fieldwork.text import plural

_BAND_COLOURS = ("#1b7f3b", "#6aa84f", "#e0a100", "#b3261e")  # best band first


def _percent(tally) -> str:
    return "—" if tally.percent is None else f"{tally.percent}%"


def _computed_from(standard) -> str:
    """What a computed rating was computed from, in the words of the Ratings tab."""
    if standard.combined:
        return "the PDU inspections' results"
    return "the answers for the premises" if standard.rated_for_premises else "the cases"


def _basis_text(rated: StandardRating) -> str:
    if not rated.standard.rated:
        return "reported, not rated"
    if rated.standard.combined:
        basis = "PDU results"
    else:
        basis = rated.standard.basis  # cases, premises (decision 0037) or judgement
    return basis if rated.standard.counts_in_overall else f"{basis}, outside overall"


def _rating_text(rated: StandardRating) -> str:
    if rated.override is not None:
        return f"{rated.rating} (override; computed {rated.computed})"
    return rated.rating


class LeadRatingDialog(QDialog):
    """The lead's rating for a judgement standard, or an override of a case-rated one."""

    def __init__(self, rated: StandardRating, ratings: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.kind = "override" if rated.standard.computed else "judgement"
        self.setWindowTitle(f"{'Override' if self.kind == 'override' else 'Rate'} standard {rated.standard.id}")
        self.rating_combo = QComboBox(self)
        self.rating_combo.setAccessibleName("Rating")
        self.rating_combo.addItems(list(ratings))
        # No rating chosen until the lead chooses one: a preselected "Outstanding" was one Enter away.
        self.rating_combo.setPlaceholderText("Choose a rating")
        self.rating_combo.setCurrentIndex(-1)
        current = rated.override or rated.judgement
        if current is not None:
            self.rating_combo.setCurrentText(current.rating)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setPlaceholderText(
            "Why the rating differs from the computed one"
            if self.kind == "override"
            else "The evidence for this rating"
        )
        if current is not None:
            self.text_edit.setPlainText(getattr(current, "reason", None) or getattr(current, "evidence", ""))
        form = QFormLayout()
        form.addRow("Rating", self.rating_combo)
        form.addRow("Reason" if self.kind == "override" else "Evidence", self.text_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.rating_combo.currentIndexChanged.connect(
            lambda index: self.ok_button.setEnabled(index >= 0)
        )
        self.ok_button.setEnabled(self.rating_combo.currentIndex() >= 0)
        layout = QVBoxLayout(self)
        if self.kind == "override":
            source = _computed_from(rated.standard)
            note = QLabel(f"Computed from {source}: <b>{rated.computed}</b>. Both are kept and the report shows both.")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, 300)

    @classmethod
    def ask(cls, parent, rated: StandardRating, ratings: tuple[str, ...]) -> tuple[str, str] | None:
        dialog = cls(rated, ratings, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.rating_combo.currentText(), dialog.text_edit.toPlainText()
        return None


class StandardChart(QChartView):
    """Key-question percentages of one standard as bars, with the framework's band thresholds."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(240)
        self.setAccessibleName("Chart of key-question percentages")
        self.band_lines: list[tuple[str, str]] = []

    def show_standard(self, framework, rated: StandardRating | None) -> None:
        chart = QChart()
        chart.legend().hide()  # the band lines are named in a wrapped label under the chart (band_lines)
        self.band_lines = []  # (name, colour) of each dashed line drawn
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        if rated is None or not rated.standard.rated_from_cases:
            title = "" if rated is None else "Rated by the lead inspector's judgement: no case chart"
            if rated is not None and rated.standard.rated_for_premises:
                title = "Rated from the answers for the premises (Premises tab): no case chart"
            chart.setTitle(title)
            self.setChart(chart)
            return
        chart.setTitle(f"{rated.standard.name}: cases judged sufficient (%)")
        bars = QBarSet("Sufficient")
        bars.setColor(QColor(theme.ACCENT))
        categories = []
        for tally in rated.key_questions:
            bars.append(0 if tally.percent is None else tally.percent)  # shown rounded, as in the tables
            categories.append(tally.id)
        series = QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value%")
        chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append(categories)
        y_axis = QValueAxis()
        y_axis.setRange(0, 100)
        y_axis.setLabelFormat("%d%%")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        # One dashed line per band threshold (from the framework's rules), across the chart.
        line_x = QValueAxis()
        line_x.setRange(0, 1)
        line_x.setVisible(False)
        chart.addAxis(line_x, Qt.AlignmentFlag.AlignTop)
        # No thresholds where the percentages rate nothing: a reported standard, or no four-point rating.
        banded = rated.standard.rated and framework.rating.four_point
        for band, colour in zip(framework.rating.bands if banded else (), _BAND_COLOURS, strict=False):
            if band.min_percent <= 0:
                continue
            line = QLineSeries()
            line.setName(f"{band.rating} from {float(band.min_percent):g}%")
            line.append(0, float(band.min_percent))
            line.append(1, float(band.min_percent))
            line.setPen(QPen(QColor(colour), 1.5, Qt.PenStyle.DashLine))
            chart.addSeries(line)
            line.attachAxis(line_x)
            line.attachAxis(y_axis)
            self.band_lines.append((line.name(), colour))
        self.setChart(chart)


class RatingsView(QWidget):
    """The ratings table, the chart and key questions of the chosen standard, and exports."""

    message = Signal(str)

    def __init__(self, store: Store, inspection, framework, parent=None):
        super().__init__(parent)
        self.store, self.inspection, self.framework = store, inspection, framework
        self.report = None
        self.overall_label = QLabel(self)
        self.overall_label.setWordWrap(True)
        theme.style_text(self.overall_label, "keyQuestionHeading")
        self.cases_label = QLabel(self)
        self.cases_label.setWordWrap(True)
        self.refresh_button = QPushButton("Up&date", self)  # Alt+R rates; the letters of "Refresh" are all taken
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh_button.setToolTip("Compute the ratings again from what is merged now")
        self.export_button = QPushButton("E&xport report…", self)
        self.export_button.clicked.connect(self._choose_export)

        self.standards_model = RowsTableModel(
            [
                ("Standard", lambda r: r.standard.shown_number),
                ("Title", lambda r: r.standard.title),
                ("Rated from", _basis_text),
                ("Rating", _rating_text),
                (
                    "Score",
                    lambda r: (
                        ""
                        if self.framework.rating.score_for(r.rating) is None
                        else self.framework.rating.score_for(r.rating)
                    ),
                ),
            ],
            parent=self,
        )
        self.standards_table = QTableView(self)
        self.standards_table.setAccessibleName("Ratings per standard")
        self.standards_table.setModel(self.standards_model)
        self.standards_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.standards_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.standards_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.standards_table.verticalHeader().hide()
        # Words wrap, nothing is cut; the deciding key question and the rule are under the chart.
        self.standards_columns = WordColumns(self.standards_table, stretch_column=1)

        self.chart = StandardChart(self)
        self.kq_model = RowsTableModel(
            [
                ("Key question", lambda t: self.framework.question_number(t.id)),
                ("Yes", lambda t: t.yes),
                ("No", lambda t: t.no),
                ("Not applicable", lambda t: t.na),
                ("Sufficient", _percent),
            ],
            parent=self,
        )
        self.kq_table = QTableView(self)
        self.kq_table.setAccessibleName("Key questions of the chosen standard")
        self.kq_table.setModel(self.kq_model)
        self.kq_table.verticalHeader().hide()
        self.kq_columns = WordColumns(self.kq_table, stretch_column=0)
        # Which dashed line is which band: a legend that wraps (QChart's own cut the names short).
        self.legend_label = QLabel(self)
        self.legend_label.setWordWrap(True)
        self.legend_label.setAccessibleName("Legend of the band lines")
        self.decision_label = QLabel(self)
        self.decision_label.setWordWrap(True)
        self.rate_button = QPushButton("&Rate or override…", self)
        self.rate_button.clicked.connect(self._rate_selected)
        self.withdraw_button = QPushButton("&Withdraw the lead's rating", self)
        self.withdraw_button.clicked.connect(self._withdraw_selected)
        for button in (self.rate_button, self.withdraw_button):
            button.setEnabled(not store.read_only)

        self.breakdown_combo = QComboBox(self)
        self.breakdown_combo.setAccessibleName("Break key questions down by")
        self.breakdown_model = RowsTableModel([], parent=self)
        self.breakdown_table = QTableView(self)
        self.breakdown_table.setAccessibleName("Breakdown of key-question percentages")
        self.breakdown_table.setModel(self.breakdown_model)
        self.breakdown_table.verticalHeader().hide()
        self.breakdown_columns = WordColumns(self.breakdown_table, stretch_column=0)
        self.breakdown_combo.currentIndexChanged.connect(self._show_breakdown)

        top = QHBoxLayout()
        top.addWidget(self.overall_label, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.chart, 2)
        detail_layout.addWidget(self.legend_label)
        detail_layout.addWidget(self.kq_table, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.decision_label, 1)
        actions.addWidget(self.rate_button)
        actions.addWidget(self.withdraw_button)
        detail_layout.addLayout(actions)
        breakdown = QWidget(self)
        breakdown_layout = QVBoxLayout(breakdown)
        breakdown_layout.setContentsMargins(0, 0, 0, 0)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("Break key questions down by", breakdown))
        pick.addWidget(self.breakdown_combo)
        pick.addStretch(1)
        breakdown_layout.addLayout(pick)
        breakdown_layout.addWidget(self.breakdown_table)
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.addWidget(self.standards_table)
        self.contributions_table = None
        if framework.combined_standards:  # a region: which PDU inspections' results count (decision 0035)
            left.addWidget(self._contributions_box())
        left.addWidget(breakdown)
        if framework.combined_standards:
            left.setSizes([320, 170, 170])  # the standards keep most of the room
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(detail)
        splitter.setSizes([620, 560])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addLayout(top)
        layout.addWidget(self.cases_label)
        layout.addWidget(splitter, 1)
        self.standards_table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())

    def _contributions_box(self) -> QWidget:
        box = QWidget(self)
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        self.contributions_label = QLabel(box)
        self.contributions_label.setWordWrap(True)
        box_layout.addWidget(self.contributions_label)
        self.contributions_model = RowsTableModel(
            [
                ("PDU inspection", lambda c: f"{c.pdu_inspection_id} ({c.provider})"),
                ("Signed by", lambda c: f"{c.signer_name} ({c.signer_person_id})"),
                ("Received", lambda c: f"{uk_date(c.received_at[:10])} {saved_time(c.received_at)}"),
                ("Cases", lambda c: c.cases),
                ("No.", lambda c: c.sequence),
                ("Open at the PDU", lambda c: plural(c.open_conflicts, "conflict") if c.open_conflicts else ""),
            ],
            parent=self,
        )
        self.contributions_table = QTableView(box)
        self.contributions_table.setAccessibleName("PDU results counted")
        self.contributions_table.setModel(self.contributions_model)
        self.contributions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.contributions_table.verticalHeader().hide()
        # Every title and PDU name whole ("PDU inspection" was cut to "U inspecti" at 1024 px).
        self.contributions_columns = WordColumns(self.contributions_table, stretch_column=0)
        box_layout.addWidget(self.contributions_table)
        self.take_out_button = QPushButton("Take out a PDU's results…", box)
        self.take_out_button.setToolTip("Stop counting the selected PDU inspection's results (e.g. before its "
                                        "lead's results signed with new keys are taken in)")
        self.take_out_button.setEnabled(not self.store.read_only)
        self.take_out_button.clicked.connect(self._take_out_selected)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.take_out_button)
        box_layout.addLayout(row)
        return box

    def _take_out_selected(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        index = self.contributions_table.currentIndex()
        if not index.isValid():
            self.message.emit("Choose a PDU inspection in the list of PDU results first.")
            return
        found = self.contributions_model.row_object(index.row())
        answer = QMessageBox.question(
            self, "Take out a PDU's results",
            f"Stop counting the results of {found.pdu_inspection_id} ({plural(found.cases, 'case')})? The ratings "
            "are computed again without them; taking the file in again brings them back.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.take_out(found.pdu_inspection_id)

    def take_out(self, pdu_inspection_id: str) -> bool:
        """Stop counting a PDU inspection's results; says what happened on the status line."""
        from fieldwork.region.contributions import remove_contribution

        try:
            removed = remove_contribution(self.store, self.inspection.id, pdu_inspection_id)
        except FieldworkError as error:
            self.message.emit(error.message)
            return False
        self.message.emit(f"The results of {removed.pdu_inspection_id} no longer count in this inspection.")
        self.refresh()
        return True

    def _show_contributions(self) -> None:
        if self.contributions_table is None:
            return
        found = self.report.contributions
        self.contributions_model.set_rows(list(found))
        if found:
            cases = sum(c.cases for c in found)
            self.contributions_label.setText(
                f"Desistance, public protection, resettlement and court work: rated from "
                f"{plural(len(found), 'PDU inspection')} ({plural(cases, 'case')}). A newer results bundle "
                "from a PDU (Merge tab) replaces its cases."
            )
        else:
            self.contributions_label.setText(
                "No PDU results yet: the standards rated from PDU data are not rated until the PDU leads' "
                "results bundles are taken in (Merge tab)."
            )

    # --- data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        from fieldwork.reports.inspection_ratings import inspection_ratings

        selected = self.selected()
        self.report = inspection_ratings(self.store, self.inspection.id, include_breakdowns=True)
        ratings = self.report.ratings
        overall = ratings.overall
        # Rating, score, what is missing and the rule behind it, worded as the CLI words it.
        self.overall_label.setText(overall_sentence(overall, self.framework.rating.scheme))
        self.cases_label.setText(
            f"{self._cases_sentence()} Percentages count Yes / (Yes + No); Not applicable is left out. "
            # Which text they come from: an inspection may move to a corrected version (decision 0042).
            f"Computed under {self.report.framework.title}, version {self.report.framework.version}."
        )
        self.standards_model.set_rows(ratings.standards)
        self._show_contributions()
        self._fill_breakdowns()
        first_from_cases = next((i for i, r in enumerate(ratings.standards) if r.standard.rated_from_cases), 0)
        row = next(
            (i for i, r in enumerate(ratings.standards) if selected and r.standard.id == selected.standard.id),
            first_from_cases,
        )
        self.standards_table.selectRow(row)
        self._show_selected()

    def _cases_sentence(self) -> str:
        """Which cases the ratings come from. A region counts its own cases for the standards it
        rates itself and the PDU inspections' cases for the combined ones: naming only its own
        cases contradicted the PDU results table beside it (issue 19)."""
        counts = self.report.cases
        own = (
            f"{plural(counts.total, 'case')}: {counts.complete} complete, {counts.in_progress} in progress, "
            f"{counts.not_started} not started"
        )
        if not self.framework.combined_standards:
            return f"From {own}."
        found = self.report.contributions
        pdu_cases = sum(c.cases for c in found)
        return (
            f"From this inspection's own {own}; and, for the standards rated from PDU results, "
            f"{plural(pdu_cases, 'case')} from {plural(len(found), 'PDU inspection')}."
        )

    def selected(self) -> StandardRating | None:
        index = self.standards_table.currentIndex()
        if not index.isValid() or self.report is None:
            return None
        return self.standards_model.row_object(index.row())

    def _show_selected(self) -> None:
        rated = self.selected()
        self.chart.show_standard(self.framework, rated)
        self.legend_label.setText(
            "Dashed lines: " + " · ".join(
                f'<span style="color:{colour}"><b>- - -</b></span> {html.escape(name)}'
                for name, colour in self.chart.band_lines
            )
            if self.chart.band_lines else ""
        )
        self.legend_label.setVisible(bool(self.chart.band_lines))
        # A standard rated by judgement has no case counts: no table of zeros for it.
        from_cases = rated is not None and rated.standard.rated_from_cases
        self.kq_model.set_rows(rated.key_questions if from_cases else [])
        self.kq_table.setVisible(from_cases)
        if rated is None:
            self.decision_label.setText("")
            return
        decision = rated.override or rated.judgement
        if rated.override is not None:
            text = f"Overridden to <b>{rated.override.rating}</b> by {rated.override.by}: {rated.override.reason}"
        elif rated.judgement is not None:
            text = f"Rated <b>{rated.judgement.rating}</b> by {rated.judgement.by}: {rated.judgement.evidence}"
        elif not rated.standard.computed:
            text = "Rated by the lead's judgement: not rated yet."
        elif not rated.standard.rated:
            text = "Reported, not rated: these results never enter a rating."
        elif not self.framework.rating.four_point:
            text = "No four-point rating: the share of cases judged sufficient is shown."
        else:
            source = _computed_from(rated.standard)
            text = f"Computed from {source}: <b>{rated.computed}</b>."
        if rated.deciding_key_question:
            number = self.framework.question_number(rated.deciding_key_question)
            text += f" Deciding key question: {html.escape(number)}."
        if rated.rule is not None and rated.standard.rated:
            state = (
                "confirmed"
                if rated.rule.provenance == "confirmed"
                else "recalled, not confirmed from a published document"
            )
            text += f"<br>Rule: {html.escape(rated.rule.id)}, {html.escape(rated.rule.text)} ({state})."
        self.decision_label.setText(text)
        self.rate_button.setText("&Override…" if rated.standard.computed else "&Rate this standard…")
        # Nothing to rate: a reported standard, or an override where the framework has no bands.
        self.rate_button.setEnabled(
            not self.store.read_only
            and rated.standard.rated
            and (self.framework.rating.four_point or not rated.standard.computed)
        )
        self.withdraw_button.setVisible(decision is not None)

    def _fill_breakdowns(self) -> None:
        current = self.breakdown_combo.currentData()
        self.breakdown_combo.blockSignals(True)
        self.breakdown_combo.clear()
        for index, breakdown in enumerate(self.report.breakdowns):
            self.breakdown_combo.addItem(breakdown.field.label, index)
        self.breakdown_combo.blockSignals(False)
        if current is not None and current < self.breakdown_combo.count():
            self.breakdown_combo.setCurrentIndex(current)
        self._show_breakdown()

    def _show_breakdown(self) -> None:
        index = self.breakdown_combo.currentData()
        if self.report is None or index is None:
            self.breakdown_model = RowsTableModel([], parent=self)
            self.breakdown_table.setModel(self.breakdown_model)
            self.breakdown_columns.watch_model()
            return
        breakdown = self.report.breakdowns[index]
        kq_ids = [t.id for t in breakdown.groups[0].key_questions] if breakdown.groups else []
        columns = [(breakdown.field.label, lambda g: g.label), ("Cases", lambda g: g.cases)]
        for position, kq_id in enumerate(kq_ids):
            columns.append((kq_id, lambda g, p=position: _percent(g.key_questions[p])))
        self.breakdown_model = RowsTableModel(columns, breakdown.groups, self)
        self.breakdown_table.setModel(self.breakdown_model)
        self.breakdown_columns.watch_model()

    # --- the lead's decisions ----------------------------------------------------------------
    def _rate_selected(self) -> None:
        rated = self.selected()
        if rated is None:
            return
        answer = LeadRatingDialog.ask(self, rated, self.framework.rating.ratings())
        if answer is not None:
            self.rate(rated.standard.id, *answer)

    def rate(self, standard_id: str, rating: str, text: str) -> bool:
        from fieldwork.reports.lead_ratings import set_lead_rating

        kind = "override" if self.framework.standard(standard_id).computed else "judgement"
        try:
            set_lead_rating(self.store, self.inspection.id, standard_id, kind, rating, text)
        except FieldworkError as error:
            self.message.emit(error.message)
            return False
        self.refresh()
        return True

    def _withdraw_selected(self) -> None:
        rated = self.selected()
        if rated is not None:
            self.withdraw(rated.standard.id)

    def withdraw(self, standard_id: str, reason: str = "withdrawn in the app") -> bool:
        from fieldwork.reports.lead_ratings import withdraw_lead_rating

        kind = "override" if self.framework.standard(standard_id).computed else "judgement"
        try:
            withdraw_lead_rating(self.store, self.inspection.id, standard_id, kind, reason)
        except FieldworkError as error:
            self.message.emit(error.message)
            return False
        self.refresh()
        return True

    # --- exports -------------------------------------------------------------------------------
    def _choose_export(self) -> None:
        from fieldwork.gui.last_folder import in_last_folder

        default = in_last_folder(self.store, "reports", f"{self.inspection.id}-ratings.html")
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Export the ratings report",
            default,
            "Report (*.html);;PDF (*.pdf);;Excel workbook (*.xlsx);;CSV (*.csv);;JSON (*.json)",
        )
        if path:
            from fieldwork.gui.last_folder import remember_folder

            remember_folder(self.store, "reports", path)
            self.export(path)

    def export(self, path: str) -> Path | None:
        """Write the report in the format its extension names; say where, or why not."""
        from fieldwork.reports.exports import export_ratings, format_for

        if self.report is None:
            self.refresh()
        try:
            fmt = format_for(path)
            if fmt == "pdf":
                from fieldwork.gui.report_pdf import write_pdf

                written = write_pdf(self.report, path)
            else:
                written = export_ratings(self.report, fmt, path)
        except FieldworkError as error:
            self.message.emit(error.message)
            return None
        self.message.emit(f"Ratings report written to {written}.")
        return written
