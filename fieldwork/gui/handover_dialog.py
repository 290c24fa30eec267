"""The inspector's handover in the app: accept the lead's receipt, wipe, and the retention notice.

File → Accept a handover receipt… checks the receipt (the lead's signature, a bundle this
laptop exported), shows per case what it means, asks whether to delete the handed-over cases'
personal data when the setting says ask, and applies it. At start-up a banner warns about
inspections due to be wiped by retention, and handed-over cases of a due inspection are wiped.
Writes run on a worker thread behind a progress dialog, like the lead's merge.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from fieldwork.errors import FieldworkError
from fieldwork.gui import theme
from fieldwork.gui.format import uk_date
from fieldwork.gui.simple_table_model import RowsTableModel
from fieldwork.gui.wording import in_app
from fieldwork.store.records import STATUS_LABELS
from fieldwork.store.settings import (
    HANDOVER_WIPE,
    RETENTION_DAYS,
    RETENTION_MAX_DAYS,
    get_setting,
    retention_days,
    set_setting,
)
from fieldwork.text import plural

log = logging.getLogger(__name__)

_OUTCOME_TEXT = {
    "hand-over": "Will be marked handed over",
    "already-handed-over": "Handed over earlier (data still here)",
    "already-wiped": "Handed over earlier and wiped",
    "changed-since": "Stays: changed here after that bundle",
    "not-complete": "Stays: not complete",
    "not-here": "Not on this laptop",
}


def install(window, file_menu) -> None:
    """Add the handover actions to the File menu and check retention once the window is up."""
    accept = file_menu.addAction("Accept a &handover receipt…", lambda: accept_receipt_file(window))
    accept.setEnabled(not window.store.read_only)
    file_menu.addAction("Handover and retention se&ttings…", lambda: HandoverSettingsDialog.edit(window))
    _StartCheck(window).start()


class _StartCheck(QTimer):
    """Runs check_at_start once the window's event loop turns, on a timer the window owns.

    Not QTimer.singleShot with a context object: in PySide6 6.11 that form can keep the callable
    given to it, and the window it refers to, alive after the window closed (tests/gui/test_soak.py
    found it for case views). This timer refers to the window only as its Qt parent, so it goes
    with the window."""

    def __init__(self, window):
        super().__init__(window)
        self.setSingleShot(True)
        self.setInterval(0)
        self.timeout.connect(self._run)

    def _run(self) -> None:
        check_at_start(self.parent())


# --- running a write off the GUI thread ------------------------------------------------------------


class _Worker(QObject):
    finished = Signal(object, object)  # result, FieldworkError or None

    def __init__(self, job: Callable[[], object]):
        super().__init__()
        self.job = job

    def run(self) -> None:
        try:
            result = self.job()
        except FieldworkError as error:
            self.finished.emit(None, error)
            return
        except Exception as exc:  # a bug or the disk: said once, logged with its trace
            log.exception("a handover job failed")
            self.finished.emit(None, FieldworkError(
                f"This could not be finished ({type(exc).__name__}); nothing more was changed. Try again; if it "
                "fails again, report it with the log file.", code="handover-failed",
            ))
            return
        self.finished.emit(result, None)


class HandoverRun(QObject):
    """One write on a worker thread, behind a modal progress dialog; `done` turns True at the end."""

    finished = Signal(object, object)

    def __init__(self, window, label: str, job: Callable[[], object], on_done: Callable[[object, object], None]):
        super().__init__(window)
        self.done = False
        self._on_done = on_done
        self.progress = QProgressDialog(label, "", 0, 0, window)
        self.progress.setWindowTitle("fieldwork")
        self.progress.setCancelButton(None)  # a wipe is one transaction: it cannot be stopped half-way
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.show()
        self._thread = QThread(self)
        self._worker = _Worker(job)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.finished.connect(self._finished)  # queued to this (GUI) thread: a bound method
        self._thread.start()

    def _finished(self, result, error) -> None:
        self._thread.quit()
        self._thread.wait()
        self.progress.close()
        self.parent().activateWindow()  # the keyboard goes back to the window the dialog covered
        self.done = True
        self._on_done(result, error)
        self.finished.emit(result, error)


# --- accepting a receipt ------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverChoice:
    wipe: bool
    remember: bool  # make this choice the handover_wipe setting


def choose_receipt(parent) -> str | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Open a handover receipt from your lead", str(Path.home()), "Handover receipts (*.fwreceipt);;"
        "All files (*)"
    )
    return path or None


def accept_receipt_file(window, path: str | None = None) -> HandoverRun | None:
    """Check a receipt, show what it means, and apply it (on a worker thread); None if nothing runs."""
    from fieldwork.handover.accept import accept_receipt, plan_receipt
    from fieldwork.handover.receipts import verify_receipt

    path = path or choose_receipt(window)
    if not path:
        return None
    window.show_home()  # saves any evidence being typed; the case view must not write meanwhile
    try:
        verified = verify_receipt(window.store, path)
        plan = plan_receipt(window.store, verified)
    except FieldworkError as error:
        window.show_error(f"The receipt was not accepted: {error.message}", "Receipt not accepted")
        return None
    choice = HandoverDialog.ask(window, plan)
    if choice is None:
        return None
    if choice.remember:
        set_setting(window.store, HANDOVER_WIPE, "always" if choice.wipe else "never")

    def done(result, error) -> None:
        if error is not None:
            window.show_error(f"The receipt was not accepted: {error.message}", "Receipt not accepted")
            return
        QMessageBox.information(window, "Handover receipt", result_text(result))
        _refresh(window)

    label = "Marking the cases handed over and deleting their personal data…" if choice.wipe else \
        "Marking the cases handed over…"
    return HandoverRun(window, label, lambda: accept_receipt(window.store, verified, wipe=choice.wipe), done)


def result_text(result) -> str:
    """What accepting did, for the inspector: case references and counts, no personal data."""
    from fieldwork.handover.accept import CHANGED_SINCE, NOT_COMPLETE

    plan = result.plan
    sequence = plan.verified.receipt.sequence
    lines = []
    if result.handed_over:
        lines.append(f"Marked {plural(len(result.handed_over), 'case')} handed over: {', '.join(result.handed_over)}.")
    else:
        lines.append("No case was newly marked handed over.")
    if result.wiped:
        lines.append(f"Deleted the personal data of {plural(result.wiped, 'case')} from this laptop.")
    elif plan.wipeable:
        lines.append(
            f"The personal data of {plural(len(plan.wipeable), 'handed-over case')} is still on this laptop; accept "
            "the receipt again and choose to delete it when you are ready (or retention deletes it later)."
        )
    lines += [o.reason(sequence) for o in plan.having(CHANGED_SINCE, NOT_COMPLETE)]
    lines += cleanup_lines(result.cleanup)
    return "\n\n".join(lines)


def cleanup_lines(cleanup) -> list[str]:
    if cleanup is None:
        return []
    lines = []
    if cleanup.finished:
        lines.append(
            f"The store was compacted and a new backup taken; {plural(cleanup.backups_removed, 'older backup')}, "
            f"which still held the deleted data, {'was' if cleanup.backups_removed == 1 else 'were'} deleted."
        )
    elif cleanup.problem:
        lines.append(cleanup.problem)
    lines += [
        f"{Path(copy).name} in your data folder is a copy of the store set aside by an earlier restore; it still "
        "holds personal data. Delete it once you no longer need it."
        for copy in cleanup.copies_kept
    ]
    return lines


def _refresh(window) -> None:
    if window.inspection is not None:
        window.refresh_home()


class HandoverDialog(QDialog):
    """A verified receipt: who sent it, what it means per case, and whether to wipe."""

    def __init__(self, plan, parent=None):
        super().__init__(parent)
        from fieldwork.handover.accept import HAND_OVER

        self.plan = plan
        receipt, lead = plan.verified.receipt, plan.verified.lead
        self.setWindowTitle("Handover receipt from your lead")
        header = QLabel(
            f"<b>Receipt from {lead.name} ({lead.person_id})</b> for your bundle number {receipt.sequence} of "
            f"inspection {receipt.inspection_id}, merged on {uk_date(receipt.merged_at)}. The signature is your "
            "lead's, and the bundle is one you exported from this laptop.",
            self,
        )
        header.setWordWrap(True)
        header.setMinimumWidth(640)
        newly = len(plan.having(HAND_OVER))
        stays = len(plan.having("changed-since", "not-complete"))
        summary = QLabel(
            f"{plural(newly, 'case')} will be marked handed over (then read-only)."
            + (f" {plural(stays, 'case')} {'stays as it is' if stays == 1 else 'stay as they are'}: see why below."
               if stays else "")
            + (f" {plural(plan.not_in_receipt, 'other case')} here {'is' if plan.not_in_receipt == 1 else 'are'} "
               "not in this receipt." if plan.not_in_receipt else ""),
            self,
        )
        summary.setWordWrap(True)
        self.model = RowsTableModel(
            [
                ("Case", lambda o: o.case_ref or "—"),
                ("Status here", lambda o: STATUS_LABELS.get(o.status, "") if o.status else "—"),
                ("What happens", lambda o: _OUTCOME_TEXT.get(o.outcome, o.outcome)),
            ],
            plan.outcomes,
            parent=self,
        )
        self.table = QTableView(self)
        self.table.setAccessibleName("Cases in the receipt")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(160)

        changed = plan.having("changed-since")
        self.next_step = QLabel(
            f"Changed here after bundle {receipt.sequence} ({', '.join(o.case_ref for o in changed)}): export a new "
            "bundle for your lead; its receipt hands these cases over." if changed else "",
            self,
        )
        self.next_step.setWordWrap(True)
        self.next_step.setVisible(bool(changed))
        theme.style_text(self.next_step, "guidance")

        self.wipe_box = QGroupBox("Personal data of the handed-over cases", self)
        box = QVBoxLayout(self.wipe_box)
        self.wipe_radio = QRadioButton("&Delete it from this laptop now (your lead holds it)", self.wipe_box)
        self.keep_radio = QRadioButton("&Keep it on this laptop for now (read-only)", self.wipe_box)
        group = QButtonGroup(self)
        group.addButton(self.wipe_radio)
        group.addButton(self.keep_radio)
        self.remember = QCheckBox("&Remember my choice for later receipts", self.wipe_box)
        self.setting_note = QLabel(self.wipe_box)
        self.setting_note.setWordWrap(True)
        theme.style_text(self.setting_note, "guidance")
        box.addWidget(self.wipe_radio)
        box.addWidget(self.keep_radio)
        box.addWidget(self.remember)
        box.addWidget(self.setting_note)
        default = plan.wipe_by_default()
        (self.keep_radio if default is False else self.wipe_radio).setChecked(True)
        if default is None:
            self.setting_note.setText(
                "Deleting removes the answers, evidence, case details and history of these cases from this laptop "
                "and its backups; only a record of the handover stays. It cannot be undone."
            )
        else:
            self.setting_note.setText(
                f"Your setting: {'always delete' if default else 'keep'} after handover "
                "(File → Handover and retention settings…)."
            )
            for widget in (self.wipe_radio, self.keep_radio, self.remember):
                widget.hide()
        self.wipe_box.setVisible(bool(plan.wipeable))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.addButton("&Mark handed over", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.ok_button.setEnabled(bool(newly or plan.wipeable))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.wipe_radio.toggled.connect(self._label_button)
        self._label_button()

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(header)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.next_step)
        layout.addWidget(self.wipe_box)
        layout.addWidget(self.buttons)

    def _label_button(self) -> None:
        wipe = self.plan.wipeable and self.wipe_radio.isChecked()
        newly = bool(self.plan.having("hand-over"))
        self.ok_button.setText(
            ("&Mark handed over and delete" if newly else "Delete &their data") if wipe else "&Mark handed over"
        )

    def choice(self) -> HandoverChoice:
        wipe = bool(self.plan.wipeable) and self.wipe_radio.isChecked()
        # isHidden, not isVisible: this is read after exec() returns, when the whole dialog is hidden.
        return HandoverChoice(wipe, not self.remember.isHidden() and self.remember.isChecked())

    @classmethod
    def ask(cls, parent, plan) -> HandoverChoice | None:
        dialog = cls(plan, parent)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


# --- settings ------------------------------------------------------------------------------------


class HandoverSettingsDialog(QDialog):
    """handover_wipe and retention_days, the two settings of this feature."""

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Handover and retention settings")
        self.wipe_combo = QComboBox(self)
        for value, text in (("ask", "Ask each time"), ("always", "Always delete"), ("never", "Keep (never delete)")):
            self.wipe_combo.addItem(text, value)
        self.wipe_combo.setCurrentIndex(max(0, self.wipe_combo.findData(get_setting(store, HANDOVER_WIPE))))
        self.days = QSpinBox(self)
        self.days.setRange(0, RETENTION_MAX_DAYS)
        self.days.setSpecialValueText("Off (never)")
        self.days.setSuffix(" days after fieldwork ends")
        self.days.setValue(retention_days(store) or 0)
        note = QLabel(
            "Retention wipes an inspection from this laptop the set number of days after its fieldwork ended, with "
            "a warning two weeks before. Cases your lead has not confirmed receiving are only deleted when you "
            "say so.",
            self,
        )
        note.setWordWrap(True)
        note.setMinimumWidth(480)
        theme.style_text(note, "guidance")
        form = QFormLayout()
        form.addRow("After a handover receipt", self.wipe_combo)
        form.addRow("Retention", self.days)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not store.read_only)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def save(self) -> None:
        try:
            set_setting(self.store, HANDOVER_WIPE, self.wipe_combo.currentData())
            set_setting(self.store, RETENTION_DAYS, str(self.days.value()) if self.days.value() else "off")
        except FieldworkError as error:
            QMessageBox.warning(self, "Handover settings not saved", in_app(error.message))
            return
        self.accept()

    @classmethod
    def edit(cls, window) -> bool:
        return cls(window.store, window).exec() == QDialog.DialogCode.Accepted


# --- retention at start-up -----------------------------------------------------------------------


class RetentionBanner(QWidget):
    """A strip at the top of the window: what retention will delete, or has deleted, and what to do."""

    wipe_rest_requested = Signal(str)  # inspection id

    FILL = QColor("#fff4d6")
    BORDER = QColor("#e0b84c")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # Letters no screen under the banner uses (it shows above all of them).
        self.wipe_rest_button = QPushButton("Remo&ve them…", self)
        self.wipe_rest_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.wipe_rest_button.setToolTip("Delete now the personal data of the cases this notice names")
        self.wipe_rest_button.clicked.connect(lambda: self.wipe_rest_requested.emit(self._pending or ""))
        self.hide_button = QPushButton("Hide &until next start", self)
        self.hide_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide_button.setToolTip("Hide this notice until fieldwork is started again")
        self.hide_button.clicked.connect(self._hide)
        self._pending: str | None = None
        self.toolbar: QToolBar | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.wipe_rest_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.hide_button, 0, Qt.AlignmentFlag.AlignTop)

    def paintEvent(self, event) -> None:
        theme.paint_card(self, self.FILL, self.BORDER)

    def sizeHint(self) -> QSize:
        # A tool bar sizes its widget from sizeHint, which for wrapped text assumes a narrow width
        # and so a tall strip: ask for the height the text needs across the window instead.
        hint = super().sizeHint()
        width = self.window().width() - 24 if self.window() is not self else hint.width()
        height = self.layout().totalHeightForWidth(max(width, hint.width()))
        return QSize(hint.width(), height if height > 0 else hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self.sizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():  # the text wraps anew: ask for its height
            self.updateGeometry()

    def show_lines(self, lines: list[str], pending_inspection: str | None) -> None:
        self.text.setText("\n".join(lines))
        self._pending = pending_inspection
        self.wipe_rest_button.setVisible(pending_inspection is not None)
        self.setAccessibleDescription(self.text.text())
        if self.toolbar is not None:
            self.toolbar.setVisible(bool(lines))

    def _hide(self) -> None:
        if self.toolbar is not None:
            self.toolbar.hide()


def _banner(window) -> RetentionBanner:
    banner = getattr(window, "_retention_banner", None)
    if banner is None:
        banner = RetentionBanner(window)
        toolbar = QToolBar("Retention", window)
        toolbar.setObjectName("retentionBanner")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.setContentsMargins(8, 4, 8, 4)
        toolbar.addWidget(banner)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        banner.toolbar = toolbar
        banner.wipe_rest_requested.connect(lambda inspection_id: confirm_wipe_rest(window, inspection_id))
        window._retention_banner = banner
    return banner


def _never_handed_over(count: int) -> str:
    if count == 1:
        return ("1 case was never handed over to your lead and is still on this laptop: export it and "
                "accept your lead's receipt, or delete it.")
    return (f"{count} cases were never handed over to your lead and are still on this laptop: export them and "
            "accept your lead's receipt, or delete them.")


def item_text(item, days: int | None) -> str:
    """One retention line for the banner: ids, counts and dates only."""
    if item.state == "due":
        text = f"Inspection {item.inspection_id}: fieldwork ended on {uk_date(item.fieldwork_end)}, more than {days} " \
            "days ago, so it is due to be deleted from this laptop."
        return text + (f" {_never_handed_over(item.not_handed_over)}" if item.not_handed_over else "")
    text = (
        f"Inspection {item.inspection_id} will be deleted from this laptop on {uk_date(item.due_on)} (in "
        f"{plural(item.days_left, 'day')}), {days} days after its fieldwork ended. Before then, export your last "
        "bundle and accept your lead's receipt."
    )
    if item.not_handed_over:  # retention never deletes these without the inspector's yes
        one = item.not_handed_over == 1
        text += (
            f" {plural(item.not_handed_over, 'case')} not handed over by then will stay until you hand "
            f"{'it' if one else 'them'} over or confirm {'its' if one else 'their'} deletion."
        )
    return text


def outcome_text(outcome, days: int | None) -> str:
    if outcome.removed:
        return (f"Inspection {outcome.inspection_id} was deleted from this laptop "
                f"({plural(outcome.cases_wiped, 'case')}): its fieldwork ended more than {days} days ago.")
    return (
        f"Inspection {outcome.inspection_id}: the personal data of {plural(outcome.cases_wiped, 'case')} handed over "
        f"to your lead was deleted from this laptop (its fieldwork ended more than {days} days ago)."
    )


def _worked_here(store, inspection_id: str) -> bool:
    """This laptop exported a bundle of the inspection or accepted a receipt for it."""
    return store.conn.execute(
        "SELECT EXISTS (SELECT 1 FROM bundle_exports WHERE inspection_id = ?1) "
        "OR EXISTS (SELECT 1 FROM receipts_accepted WHERE inspection_id = ?1)",
        [inspection_id],
    ).fetchone()[0] == 1


def check_at_start(window) -> HandoverRun | None:
    """Finish an interrupted wipe, delete what retention says is due, and show the banner."""
    from fieldwork.handover.cleanup import pending
    from fieldwork.handover.retention import review

    store = window.store
    if store.read_only or store.damaged:
        return None
    try:
        current = review(store)
        due = [i for i in _noticed(store, current) if i.state == "due" and i.handed_over]
        unfinished = pending(store)
    except FieldworkError as error:
        log.warning("retention check at start failed: %s", error.code)
        return None
    if not due and not unfinished:
        _show_review(window, [])
        return None

    def job():
        from fieldwork.handover.cleanup import finish_wipe
        from fieldwork.handover.retention import apply_retention

        results = [apply_retention(store, inspection_id=i.inspection_id) for i in due]
        return results, (finish_wipe(store) if unfinished and not due else None)

    def done(result, error) -> None:
        if error is not None:
            window.show_error(error.message, "Old inspections not deleted")
            return
        results, cleanup = result
        _refresh_after_removal(window)
        notes = [line for r in results for line in _problems(r.cleanup)] + _problems(cleanup)
        _show_review(window, [o for r in results for o in r.outcomes], notes)

    window.show_home()
    return HandoverRun(window, "Deleting the personal data that retention says is due…", job, done)


def _noticed(store, current) -> list:
    """Due and upcoming inspections worth a banner: ones this laptop exported or took receipts for."""
    return [i for i in current.items if i.state in ("due", "upcoming") and _worked_here(store, i.inspection_id)]


def _problems(cleanup) -> list[str]:
    """From a cleanup, only what the inspector must know or do (not the routine success)."""
    if cleanup is None or (cleanup.finished and not cleanup.copies_kept):
        return []
    return [line for line in cleanup_lines(cleanup) if not line.startswith("The store was compacted")]


def _show_review(window, outcomes, notes: list[str] | None = None) -> None:
    from fieldwork.handover.retention import review

    current = review(window.store)
    items = _noticed(window.store, current)
    done = {o.inspection_id for o in outcomes}
    lines = []
    for outcome in outcomes:
        line = outcome_text(outcome, current.days)
        if outcome.kept_not_handed_over:
            line += f" {_never_handed_over(outcome.kept_not_handed_over)}"
        lines.append(line)
    lines += [item_text(i, current.days) for i in items if i.inspection_id not in done]
    lines += notes or []
    if not lines and getattr(window, "_retention_banner", None) is None:
        return
    pending = next((i.inspection_id for i in items if i.state == "due" and i.not_handed_over), None)
    _banner(window).show_lines(lines, pending)


def _refresh_after_removal(window) -> None:
    from fieldwork.store.inspections import list_inspections

    known = {i.id for i in list_inspections(window.store)}
    if window.inspection is not None and window.inspection.id not in known:
        if known:
            window.open_inspection(sorted(known)[0])
        else:  # the inspection is gone and no other is left: back to the welcome view
            window.close_inspection()
    else:
        _refresh(window)


def confirm_wipe_rest(window, inspection_id: str) -> HandoverRun | None:
    """Delete a due inspection whole, cases not handed over included, after an explicit yes."""
    from fieldwork.handover.retention import apply_retention

    answer = QMessageBox.question(
        window, "Delete cases not handed over?",
        f"Inspection {inspection_id} is due to be wiped, but some of its cases were never confirmed by your lead's "
        "receipt. If you delete them now, they are lost for good unless your lead already has them.\n\n"
        f"Delete inspection {inspection_id} from this laptop, with every case?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return None

    def done(result, error) -> None:
        if error is not None:
            window.show_error(error.message, "Inspection not deleted")
            return
        _refresh_after_removal(window)
        _show_review(window, list(result.outcomes), _problems(result.cleanup))

    window.show_home()
    return HandoverRun(
        window, f"Deleting inspection {inspection_id} from this laptop…",
        lambda: apply_retention(window.store, inspection_id=inspection_id, include_not_handed_over=True), done,
    )
