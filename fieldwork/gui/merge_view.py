"""The lead's merge tab: bring bundles in, see what each did, settle conflicts, watch agreement.

Merging runs on a worker thread (each bundle is verified and merged in its own transaction),
so the window stays responsive and shows progress; the rest of the window waits meanwhile.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fieldwork.errors import FieldworkError
from fieldwork.gui import theme
from fieldwork.gui.conflict_panel import ConflictPanel
from fieldwork.gui.last_folder import last_folder, remember_folder
from fieldwork.gui.set_conflicts_strip import SetConflictsStrip
from fieldwork.gui.simple_table_model import RowsTableModel
from fieldwork.gui.wording import in_app
from fieldwork.store import Store
from fieldwork.text import plural

_STATUS_TEXT = {
    "imported": "Imported",
    "imported_with_conflicts": "Imported, with conflicts",
    "already_imported": "Already imported (nothing changed)",
    "refused": "Refused",
}


def _held_text(result) -> str:
    """What of this bundle waits for the lead, in a few words (empty when nothing does)."""
    held = getattr(result, "held", None)
    if not held:
        return ""
    parts = []
    if held.cases_added:
        parts.append(f"{held.cases_added} added by hand")
    if held.cases_not_allocated:
        parts.append(f"{held.cases_not_allocated} not theirs")
    if held.answers_on_others_cases:
        parts.append(f"{plural(held.answers_on_others_cases, 'answer')} on others' cases")
    return ", ".join(parts)


class _MergeWorker(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object, str)  # MergeReport or None, error message

    def __init__(self, store: Store, paths: list[str], identity, inspection_id: str):
        super().__init__()
        self.store, self.paths, self.identity, self.inspection_id = store, paths, identity, inspection_id

    def run(self) -> None:
        # One button for both kinds: in a region inspection, PDU results bundles are taken in too.
        from fieldwork.region.dispatch import merge_any

        try:
            report = merge_any(
                self.store,
                self.paths,
                self.identity,
                inspection_id=self.inspection_id,
                progress=lambda done, total, result: self.progressed.emit(done, total, result.file),
            )
        except FieldworkError as error:
            self.finished.emit(None, error.message)
            return
        self.finished.emit(report, "")


class MergeView(QWidget):
    """Drop .fwbundle files here, or choose them."""

    message = Signal(str)
    merged = Signal()  # the central data changed
    unlock_requested = Signal()  # the window unlocks the lead's keys and calls merge_files

    def __init__(self, store: Store, inspection, framework, parent=None):
        super().__init__(parent)
        self.store, self.inspection, self.framework = store, inspection, framework
        self._thread: QThread | None = None
        self.last_report = None

        intro = QLabel(
            "Drop inspectors' <b>.fwbundle</b> files here, or choose them. Each is checked (signature, "
            "encryption, contents) and merged whole or not at all; merging the same file again changes nothing."
            + (" PDU leads' results bundles go here too: each PDU's latest results count in the ratings."
               if framework.combined_standards else ""),
            self,
        )
        intro.setWordWrap(True)
        self.choose_button = QPushButton("&Choose bundles…", self)
        self.choose_button.clicked.connect(self._choose)
        self.choose_button.setEnabled(not store.read_only)
        self.receipts_button = QPushButton("Save &receipts…", self)
        self.receipts_button.setToolTip(
            "Write a signed receipt for each merged bundle, for its inspector: their app then marks those cases "
            "handed over and can delete them from their laptop."
        )
        self.receipts_button.clicked.connect(self._save_receipts)
        self.receipts_button.setEnabled(not store.read_only)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Merge progress")
        self.progress.hide()
        self.results_model = RowsTableModel(
            [
                ("File", lambda r: Path(r.file).name),
                ("Result", self._result_text),
                ("Inspector", lambda r: r.inspector_id or ""),
                ("Bundle no.", lambda r: r.sequence or ""),
                ("Cases", lambda r: r.cases or ""),
                ("Answers", lambda r: r.answers or ""),
                ("Conflicts", self._conflicts_text),
                ("Held for you", _held_text),
                ("Why / notes", lambda r: in_app(r.message or "; ".join(r.notes))),
            ],
            parent=self,
        )
        self.results_table = self._table(self.results_model, "Result of each bundle")
        # A refusal's reason is a sentence: rows grow to show it whole rather than end in "…".
        self.results_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.session_results: list = []  # every file merged since the tab opened, refusals too, in order
        self._open_conflicts: dict[str, int] = {}  # bundle id -> conflicts of it still open
        self._open_case_conflicts: dict[str, int] = {}  # inspector -> case references still in conflict
        self._most_open: dict[str, int] = {}  # bundle id -> most of its conflicts seen open at once
        self.gaps_label = QLabel(self)
        self.gaps_label.setWordWrap(True)
        theme.style_text(self.gaps_label, "errorText")
        # Work beyond the senders' own allocated cases: shown here, counted only once accepted (decision 0019).
        self.held_label = QLabel(self)
        self.held_label.setWordWrap(True)
        self.held_label.setAccessibleName("Work waiting for your acceptance")
        self.accept_button = QPushButton("Accept held &work…", self)  # Alt+A: the Cases tab; Alt+H: Help
        self.accept_button.setToolTip(
            "Count every case and answer listed as held: cases added by hand, cases not allocated to the "
            "inspector who sent them, answers on another inspector's case. Each case's history records it."
        )
        self.accept_button.clicked.connect(self._accept_held)
        self.held_strip = QWidget(self)
        held_layout = QHBoxLayout(self.held_strip)
        held_layout.setContentsMargins(0, 0, 0, 0)
        held_layout.addWidget(self.held_label, 1)
        held_layout.addWidget(self.accept_button)

        # An inspector's change of a case's question set that differs from the lead's (decision 0036).
        self.set_conflicts = SetConflictsStrip(store, inspection.id, framework, self)
        self.set_conflicts.message.connect(self.message)
        self.set_conflicts.decided.connect(self.merged)

        # The conflicts and their versions side by side (conflict_panel.py).
        self.conflict_panel = ConflictPanel(framework, store.read_only, self)
        self.conflict_panel.keep_requested.connect(self._keep_selected)
        self.conflicts_model = self.conflict_panel.conflicts_model
        self.conflicts_table = self.conflict_panel.conflicts_table
        self.reason_edit = self.conflict_panel.reason_edit
        self.keep_button = self.conflict_panel.keep_button

        self.agreement_model = RowsTableModel(
            [
                ("Key question", lambda a: a.question_id or "All key questions"),
                ("Double-read cases", lambda a: a.double_read),
                ("Agreement", lambda a: "—" if a.percent is None else f"{a.percent:.0f}%"),
                ("Cohen's kappa", lambda a: f"{a.kappa:.2f}" if a.kappa is not None else "—"),
            ],
            parent=self,
        )
        self.agreement_table = self._table(self.agreement_model, "Agreement between inspectors")
        # Why a kappa is missing, said once per reason with the questions it applies to (not once a row).
        self.agreement_notes = QLabel(self)
        self.agreement_notes.setWordWrap(True)
        self.agreement_notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.agreement_notes.setAccessibleName("Notes on agreement")
        # What to do while the results table is empty (issue 19: empty tables say what to do next).
        self.results_hint = QLabel(
            "No bundle merged yet in this session. Choose bundles… (or drop .fwbundle files here); each file's "
            "result stays in this table, refusals too, while this inspection is open.",
            self,
        )
        self.results_hint.setWordWrap(True)
        theme.style_text(self.results_hint, "welcomeNote")

        top = QHBoxLayout()
        top.addWidget(intro, 1)
        top.addWidget(self.choose_button)
        top.addWidget(self.receipts_button)
        agreement_box = QWidget(self)
        agreement_layout = QVBoxLayout(agreement_box)
        agreement_layout.addWidget(self.agreement_table, 1)
        agreement_layout.addWidget(self.agreement_notes)
        # Conflicts get the whole width (two versions side by side stay readable at 1024 px);
        # agreement is the other tab.
        self.lower_tabs = QTabWidget(self)
        self.lower_tabs.addTab(self.conflict_panel, "Conflicts to settle")
        self.lower_tabs.addTab(agreement_box, "Consistency: double-read cases")
        body = QSplitter(Qt.Orientation.Vertical, self)
        body.addWidget(self.results_table)
        body.addWidget(self.lower_tabs)
        body.setStretchFactor(1, 2)
        body.setSizes([180, 460])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.gaps_label)
        layout.addWidget(self.held_strip)
        layout.addWidget(self.set_conflicts)
        layout.addWidget(self.results_hint)
        layout.addWidget(body, 1)
        self.refresh()

    def _table(self, model, name: str) -> QTableView:
        table = QTableView(self)
        table.setAccessibleName(name)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def _open_for(self, result) -> int:
        return self._open_conflicts.get(result.bundle_id, 0) + self._open_case_conflicts.get(result.inspector_id, 0)

    def _result_text(self, result) -> str:
        if result.status == "imported_with_conflicts" and not self._open_for(result):
            return "Imported, conflicts settled"
        return _STATUS_TEXT.get(result.status, result.status)

    def _conflicts_text(self, result) -> str:
        """Conflicts of this bundle still open, kept up to date as the lead settles them."""
        if not result.merged:
            return ""
        still_open = self._open_for(result)
        if still_open:
            return f"{still_open} open"
        had = max(result.conflicts, self._most_open.get(result.bundle_id, 0))
        return f"{had}, all settled" if had else ""

    # --- showing the central state ----------------------------------------------------------
    def refresh(self) -> None:
        from fieldwork.merge import agreement, list_alerts, list_case_conflicts, list_conflicts, sequence_gaps

        conflicts = list_conflicts(self.store, self.inspection.id)
        self._count_open(conflicts, list_case_conflicts(self.store, self.inspection.id))
        self.conflict_panel.set_conflicts(conflicts)
        self.lower_tabs.setTabText(0, f"Conflicts to settle ({len(conflicts)})" if conflicts else "Conflicts to settle")
        self.results_model.set_rows(self.session_results)  # the session's rows, their conflicts brought up to date
        self.results_hint.setVisible(not self.session_results)
        self._show_agreement(agreement(self.store, self.inspection.id))
        problems = [
            f"From {gap.inspector_id}: bundle {'number' if gap.count == 1 else 'numbers'} "
            f"{gap.describe()} not received yet "
            f"(highest received {gap.highest})."
            for gap in sequence_gaps(self.store, self.inspection.id)
        ]
        problems += [f"ALERT ({alert.kind}): {alert.message}" for alert in list_alerts(self.store, self.inspection.id)]
        self.gaps_label.setText("\n".join(problems))
        self.gaps_label.setVisible(bool(problems))
        self._show_held()
        self.set_conflicts.refresh()

    def _count_open(self, conflicts, case_conflicts) -> None:
        self._open_conflicts = {}
        for conflict in conflicts:
            for bundle_id in {v.bundle_id for v in conflict.versions if v.bundle_id}:
                self._open_conflicts[bundle_id] = self._open_conflicts.get(bundle_id, 0) + 1
        for bundle_id, count in self._open_conflicts.items():  # e.g. conflicts that came with accepted held work
            self._most_open[bundle_id] = max(count, self._most_open.get(bundle_id, 0))
        self._open_case_conflicts = {}
        for case_conflict in case_conflicts:
            who = case_conflict.inspector_id
            self._open_case_conflicts[who] = self._open_case_conflicts.get(who, 0) + 1

    def _show_agreement(self, report) -> None:
        """Rows only for questions with double-read cases; each reason for a missing kappa said once."""
        read = [q for q in report.questions if q.double_read]
        self.agreement_model.set_rows([report.overall, *read] if read else [])
        self.agreement_table.setVisible(bool(read))
        notes = []
        if not read:
            notes.append("No case has been read by two inspectors yet. Agreement and Cohen's kappa per key "
                         "question appear here once double-read cases are merged.")
        else:
            unread = [q.question_id for q in report.questions if not q.double_read]
            if unread:
                notes.append(f"Not double-read yet: {', '.join(unread)}.")
            reasons: dict[str, list[str]] = {}
            for item in [report.overall, *read]:
                if item.kappa is None and item.kappa_note:
                    reasons.setdefault(item.kappa_note, []).append(item.question_id or "all key questions")
            notes += [f"Kappa — for {', '.join(ids)}: {note}." for note, ids in reasons.items()]
        self.agreement_notes.setText("\n".join(notes))

    def _show_held(self) -> None:
        from fieldwork.merge import list_waiting, waiting_totals

        self.waiting = list_waiting(self.store, self.inspection.id)
        totals = waiting_totals(self.waiting)
        if totals:
            cases = "; ".join(f"{w.case_ref} ({w.inspector_id})" for w in self.waiting[:8])
            more = f" and {len(self.waiting) - 8} more" if len(self.waiting) > 8 else ""
            self.held_label.setText(
                f"<b>Waiting for you:</b> {totals.sentence()}. Cases: {cases}{more}."
            )
        self.held_strip.setVisible(bool(totals))
        self.accept_button.setEnabled(bool(totals) and not self.store.read_only)

    def _accept_held(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from fieldwork.merge import waiting_totals

        totals = waiting_totals(self.waiting)
        if not totals:
            return
        answer = QMessageBox.question(
            self, "Accept held work",
            f"Count {totals.sentence().split(':')[0]} in the ratings from now on? Each case's history records "
            "that you accepted it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.accept_held_work()

    def accept_held_work(self) -> bool:
        """Accept everything held in the inspection (one action, recorded); False when it failed."""
        from fieldwork.merge import accept_held

        try:
            accepted = accept_held(self.store, self.inspection.id)
        except FieldworkError as error:
            self.message.emit(in_app(error.message))
            return False
        self.refresh()
        self.message.emit(f"Accepted held work on {plural(accepted.cases, 'case')}; it counts from now on.")
        self.merged.emit()
        return True

    def selected_conflict(self):
        return self.conflict_panel.selected_conflict()

    # --- deciding -----------------------------------------------------------------------------
    def _keep_selected(self) -> None:
        conflict, version = self.selected_conflict(), self.conflict_panel.chosen_version()
        if conflict is None or version is None:
            return
        self.keep_version(conflict, version.version_id, self.reason_edit.text())

    def keep_version(self, conflict, version_id: int, reason: str) -> bool:
        from fieldwork.merge import resolve_conflict

        if not reason.strip():
            self.message.emit("Say why you keep this version: the reason is recorded with your decision.")
            return False
        try:
            resolve_conflict(
                self.store,
                conflict.case_id,
                conflict.key,
                reason=reason.strip(),
                version_id=version_id,
                kind=conflict.kind,
            )
        except FieldworkError as error:
            self.message.emit(in_app(error.message))
            return False
        self.reason_edit.clear()
        self.refresh()
        self.message.emit(f"Conflict on {conflict.case_ref} {conflict.key} settled.")
        self.merged.emit()
        return True

    # --- bringing bundles in (dropped ones come through the window: fieldwork/gui/file_drops.py) ---
    def _choose(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Bundles from the inspectors", last_folder(self.store, "bundles"),
            "fieldwork bundles (*.fwbundle);;All files (*)",
        )
        if paths:
            remember_folder(self.store, "bundles", paths[0])  # the next batch usually comes to the same place
            self.pending_paths = paths
            self.unlock_requested.emit()

    def merge_files(self, paths: list[str], identity) -> None:
        """Merge on a worker thread; results appear when it finishes."""
        if self._thread is not None:
            return
        self.progress.setRange(0, len(paths))
        self.progress.setValue(0)
        self.progress.setFormat("Merging %v of %m…")
        self.progress.show()
        self.choose_button.setEnabled(False)
        self.receipts_button.setEnabled(False)  # receipts are made from merged bundles only
        self._thread = QThread(self)
        self._worker = _MergeWorker(self.store, paths, identity, self.inspection.id)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        # Bound methods of this widget, not lambdas: Qt then queues the calls to the GUI thread.
        # (A lambda has no receiver, so it would run on the worker thread and touch widgets there.)
        self._worker.progressed.connect(self._progressed)
        self._worker.finished.connect(self._merge_finished)
        self._thread.start()

    # --- receipts for the inspectors ----------------------------------------------------------------
    def _save_receipts(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from fieldwork.gui.key_session import unlocked_keys

        identity = unlocked_keys(self, "writing receipts")  # the window's keys, asked once per session
        if identity is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "Folder for the receipts", last_folder(self.store, "receipts"))
        if not folder:
            return
        remember_folder(self.store, "receipts", folder)
        text = self.save_receipts(folder, identity)
        if text is None:
            again = QMessageBox.question(
                self, "Receipts",
                "Every merged bundle already has a receipt. Write them all again (for an inspector who lost one)?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
            )
            if again != QMessageBox.StandardButton.Yes:
                return
            text = self.save_receipts(folder, identity, every=True)
        QMessageBox.information(self, "Receipts", text or "")

    def save_receipts(self, folder: str, identity, *, every: bool = False) -> str | None:
        """Write receipts for the merged bundles (those without one, or every one); what happened, as text
        for the lead, or None when every merged bundle already had a receipt."""
        from fieldwork.handover.issue import issue_receipts, list_bundle_receipts

        try:
            if not list_bundle_receipts(self.store, self.inspection.id):
                return "No bundle has been merged into this inspection yet: merge the inspectors' bundles first."
            written = issue_receipts(self.store, self.inspection.id, folder, identity=identity, every=every,
                                     overwrite=True)
        except FieldworkError as error:
            return f"No receipt was written: {error.message}"
        if not written:
            return None
        lines = [
            f"{w.receipt.inspector_id}, bundle {w.receipt.sequence} "
            f"({plural(len(w.receipt.cases), 'case')}) → {w.path.name}"
            for w in written
        ]
        self.message.emit(f"{plural(len(written), 'receipt')} written to {folder}.")
        return (f"Wrote {plural(len(written), 'receipt')} to {folder}:\n\n" + "\n".join(lines)
                + "\n\nGive each inspector the receipts of their bundles.")

    def _progressed(self, done: int, _total: int, _file: str) -> None:
        self.progress.setValue(done)

    def is_merging(self) -> bool:
        return self._thread is not None

    def _merge_finished(self, report, error: str) -> None:
        self._thread.quit()
        self._thread.wait()
        self._thread = None
        self.progress.hide()
        self.choose_button.setEnabled(not self.store.read_only)
        self.receipts_button.setEnabled(not self.store.read_only)
        if report is None:
            self.message.emit(error)
            return
        self.last_report = report
        self.session_results.extend(report.results)  # earlier rows stay: the whole session is on screen
        self.refresh()
        self.message.emit(
            f"{plural(len(report.imported), 'bundle')} merged, {len(report.already_imported)} already here, "
            f"{len(report.refused)} refused; {plural(report.open_conflicts, 'conflict')} to settle."
        )
        self.merged.emit()
