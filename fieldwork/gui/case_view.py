"""The case assessment view: case details, the outline, and every key question of the case.

All writes go through the core (one short transaction each, under a frame); the widgets show
what the store returned, so what looks saved is saved.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QStandardItem, QStandardItemModel, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from fieldwork.errors import FieldworkError
from fieldwork.frameworks.model import Answer
from fieldwork.gui import theme
from fieldwork.gui.answer_commands import AnswerCommand
from fieldwork.gui.case_details_form import CaseDetailsForm
from fieldwork.gui.case_scrolling import PageScrolling
from fieldwork.gui.case_status import CaseStatus
from fieldwork.gui.guidance_panel import GUIDANCE_KEY, GuidancePanel
from fieldwork.gui.kept_answers import kept_answers_label
from fieldwork.gui.keyboard_mode import KeyboardModeStrip
from fieldwork.gui.moderation_panel import CaseModeration
from fieldwork.gui.question_widgets import KeyQuestionPanel, QuestionRow, SectionHeading
from fieldwork.gui.shortcuts import key_for
from fieldwork.store import Store
from fieldwork.store.assessments import load_assessment, set_answer, set_detail

OUTLINE_TARGET_ROLE = Qt.ItemDataRole.UserRole + 1
DETAILS_TARGET = "details"


class CaseView(CaseStatus, PageScrolling, QWidget):
    """One case, answered question by question."""

    case_changed = Signal(str)  # case id: its status or progress changed
    back_requested = Signal()
    message = Signal(str)  # a sentence for the status bar
    save_state_changed = Signal(str)  # "saved", "saving", "unsaved", "error"

    def __init__(self, store: Store, case_id: str, undo_stack: QUndoStack, parent=None):
        super().__init__(parent)
        self.store = store
        self.case_id = case_id
        self.undo_stack = undo_stack
        self._assessment = load_assessment(store, case_id)
        self.framework = self._assessment.framework
        self._panels: dict[str, KeyQuestionPanel] = {}
        self._rows: list[QuestionRow] = []
        self._row_by_id: dict[str, QuestionRow] = {}
        self._headings: dict[str, SectionHeading] = {}
        self._outline_items: dict[str, QStandardItem] = {}
        self._current_row: QuestionRow | None = None
        self._layout_steps: list = []  # see _after_layout

        # Built top-down, each widget created inside its final parent, so no subtree is
        # re-polished when it is moved into place (that once made opening a case 4x slower).
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self._build_header()
        layout.addLayout(self._header)
        layout.addWidget(self.banner)
        self.kept_answers = kept_answers_label(store, case_id, self.framework, self)  # from an earlier version
        if self.kept_answers is not None:
            layout.addWidget(self.kept_answers)
        # Moderation: the lead's bar and queries, or the lead's queries as this inspector received them.
        self.moderation = CaseModeration(store, self._assessment.case, self.framework, self)
        if self.moderation.header is not None:
            layout.addWidget(self.moderation.header)
        self.moderation.message.connect(self.message)
        self.moderation.focus_requested.connect(self.focus_question)
        self.moderation.changed.connect(lambda: self._update_outline())
        self.moderation.changed.connect(lambda: self.case_changed.emit(self.case_id))
        self.case_changed.connect(lambda _case_id: self.moderation.answers_changed())
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        layout.addWidget(self.splitter, 1)
        # The CARaG guidance of the question under the keyboard, below the questions, on F2.
        self.guidance_panel = GuidancePanel(self.framework, self)
        layout.addWidget(self.guidance_panel)
        self._guidance_key = QShortcut(QKeySequence(GUIDANCE_KEY), self)
        self._guidance_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._guidance_key.activated.connect(self.toggle_guidance)
        # Which mode the keyboard is in, always in sight: answer keys act on a row, or letters are text.
        self.mode_label = KeyboardModeStrip(self)
        layout.addWidget(self.mode_label)
        self._build_body()
        self._show_assessment()

    # --- construction -------------------------------------------------------------------
    def _build_header(self) -> None:
        case = self._assessment.case
        self.back_button = QPushButton("◀ &Back to cases")
        self.back_button.setAccessibleName("Back to the list of cases")
        self.back_button.setToolTip("Back to the list of cases (Alt+Left)")
        self.back_button.clicked.connect(self._go_back)
        self.title_label = QLabel(f"Case {case.case_ref}")
        theme.style_text(self.title_label, "caseTitle")
        # The sample and the progress wrap when the window is small, so the header never makes the
        # view wider than the window (issue 19: no horizontal scrolling in the case view).
        self.sample_label = theme.OneLineWhenRoomLabel(self.framework.sample(case.sample_id).title)
        theme.style_text(self.sample_label, "caseSample")
        self.status_label = theme.PillLabel()
        self.status_label.setObjectName("statusBadge")
        bold = self.status_label.font()
        bold.setBold(True)
        self.status_label.setFont(bold)
        self.progress_label = theme.OneLineWhenRoomLabel()
        theme.style_text(self.progress_label, "caseProgress")
        self.complete_button = QPushButton()
        self.complete_button.clicked.connect(self._toggle_complete)
        self._header = QHBoxLayout()
        self._header.addWidget(self.back_button)
        self._header.addSpacing(8)
        self._header.addWidget(self.title_label)
        self._header.addWidget(self.sample_label)
        self._header.addStretch(1)
        self._header.addWidget(self.progress_label)
        self._header.addWidget(self.status_label)
        self._header.addWidget(self.complete_button)
        self.banner = theme.PillLabel(fill=QColor("#e8f0fe"), radius=3)
        self.banner.set_fill(QColor("#e8f0fe"), QColor("#b6c8ef"))
        self.banner.setContentsMargins(10, 6, 10, 6)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()

    def _build_body(self) -> None:
        framework, case = self.framework, self._assessment.case
        self.outline_model = QStandardItemModel(self)
        details_item = QStandardItem("Case details")
        details_item.setData(DETAILS_TARGET, OUTLINE_TARGET_ROLE)
        details_item.setEditable(False)
        self.outline_model.appendRow(details_item)

        self.outline = QTreeView(self.splitter)
        self.scroll = QScrollArea(self.splitter)
        self.scroll.setWidgetResizable(True)
        self.scroll.setObjectName("caseScroll")
        self.scroll.setAccessibleName("The case: details and questions")
        page = QWidget()
        page.setObjectName("casePage")
        theme.fill_background(page, theme.PAGE)
        page_layout = QVBoxLayout(page)  # before setWidget: QScrollArea needs the layout first
        page_layout.setContentsMargins(4, 4, 12, 24)
        self.scroll.setWidget(page)
        page.installEventFilter(self)  # on resize, the question under the keyboard stays in view
        self.outline.installEventFilter(self)  # on resize (a restored splitter), the page keeps its room
        self.details_form = CaseDetailsForm(framework.case_details, page)
        self.details_form.detail_edited.connect(self._save_detail)
        self.details_form.focus_entered.connect(self.mode_label.show_details)
        page_layout.addWidget(self.details_form)

        self._page = page
        self._page_layout = page_layout
        standards = framework.standards_for_sample(case.sample_id)
        for standard in standards:
            item = QStandardItem(standard.name)
            item.setData(standard.id, OUTLINE_TARGET_ROLE)
            item.setEditable(False)
            self._outline_items[standard.id] = item
            for question in standard.key_questions:
                child = QStandardItem(framework.question_number(question.id))
                child.setToolTip(question.text)
                child.setData(question.id, OUTLINE_TARGET_ROLE)
                child.setEditable(False)
                item.appendRow(child)
                self._outline_items[question.id] = child
            self.outline_model.appendRow(item)
        page_layout.addStretch(1)
        # Only the first standard is built before the case shows; the rest follow in idle
        # moments (or at once when navigation needs them), so a case opens in well under 100 ms.
        self._unbuilt = list(standards)
        self._build_next_section()
        self._section_timer = QTimer(self)
        self._section_timer.setInterval(15)  # lets the first frame paint before more is built
        self._section_timer.timeout.connect(self._build_next_section)
        if self._unbuilt:
            self._section_timer.start()

        self.outline.setObjectName("outline")
        self.outline.setAccessibleName("Outline of standards and key questions")
        self.outline.setHeaderHidden(True)
        self.outline.setModel(self.outline_model)
        self.outline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.outline.expandAll()
        self.outline.clicked.connect(self._outline_activated)
        self.outline.activated.connect(self._outline_activated)

        self.splitter.setObjectName("caseSplitter")
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 900])

    def _build_next_section(self) -> None:
        if not self._unbuilt:
            if hasattr(self, "_section_timer"):
                self._section_timer.stop()
            return
        standard = self._unbuilt.pop(0)
        framework, page = self.framework, self._page
        at = self._page_layout.count() - 1  # before the closing stretch
        heading = SectionHeading(standard.name, standard.statement, page)
        self._headings[standard.id] = heading
        self._page_layout.insertWidget(at, heading)
        for offset, question in enumerate(standard.key_questions, start=1):
            panel = KeyQuestionPanel(
                question, framework.answer_labels, framework.judgement_labels, page,
                number=framework.question_number,
            )
            self._panels[question.id] = panel
            self._page_layout.insertWidget(at + offset, panel)
            for row in panel.rows():
                self._rows.append(row)
                self._row_by_id[row.question_id] = row
                row.answer_chosen.connect(self._answer_chosen)
                row.move_requested.connect(self._move_from)
                row.evidence_requested.connect(self._focus_evidence_of)
                row.refused.connect(self.message)
                row.installEventFilter(self)
            panel.evidence.text_ready.connect(self._save_evidence)
            panel.evidence.focus_entered.connect(lambda p=panel: self.mode_label.show_typing(
                self.framework.question_number(p.question.id)))
            panel.evidence.textChanged.connect(lambda p=panel: self._evidence_typed(p))
            panel.evidence.leave_requested.connect(lambda p=panel: p.judgement_row.setFocus())
            self._show_panel(panel)
            self.moderation.attach(panel)

    def _build_all_sections(self) -> None:
        while self._unbuilt:
            self._build_next_section()

    @property
    def fully_built(self) -> bool:
        return not self._unbuilt

    # --- showing state -------------------------------------------------------------------
    def _editable(self) -> bool:
        return self._assessment.case.status not in ("complete", "handed_over") and not self.store.read_only

    def _show_panel(self, panel: KeyQuestionPanel) -> None:
        """Show one key question's stored answers, evidence and whether it can be edited."""
        answers = self._assessment.answers
        for row in panel.rows():
            stored = answers.get(row.question_id)
            row.show_value(stored.value if stored else None)
        stored = answers.get(panel.question.id)
        panel.evidence.show_saved_text(stored.note if stored else "")
        if stored and stored.note:
            panel.show_save_state("saved", stored.updated_at)
        else:
            panel.show_save_state("")
        self._apply_editable(panel)

    def _apply_editable(self, panel: KeyQuestionPanel) -> None:
        editable = self._editable()
        for row in panel.rows():
            row.setEnabled(editable)
        panel.evidence.setReadOnly(not editable)
        if editable:
            panel.apply_relevance()

    def _show_assessment(self) -> None:
        for panel in self._panels.values():
            self._show_panel(panel)
        self.details_form.show_values(self._assessment.details)
        self._show_status()

    # --- writes ----------------------------------------------------------------------------
    def _reload(self) -> None:
        self._assessment = load_assessment(self.store, self.case_id)

    def _answer_chosen(self, question_id: str, value) -> None:
        row = self._row_by_id[question_id]
        if row.value == value:
            return
        self.undo_stack.push(AnswerCommand(question_id, row.value, value, self._apply_answer))
        if row.value == value:  # saved: say so, and how to take it back
            undo = key_for("undo")
            if value is None:
                self.message.emit(f"Cleared {question_id} — {undo} to undo")
            else:
                self.message.emit(f"Answered {question_id} {self._label(row, value)} — {undo} to undo")
        if row.judgement and value is not None and question_id in self._panels:
            self._show_judgement_of(self._panels[question_id])  # the evidence is what comes next

    def _label(self, row: QuestionRow, value: str) -> str:
        labels = self.framework.judgement_labels if row.judgement else self.framework.answer_labels
        return labels.get(value, value)

    @property
    def keyboard_mode(self) -> str:
        """ "answering", "typing" (evidence), "details" or "" (nothing under the keyboard yet)."""
        return self.mode_label.mode

    def _show_answering(self, row: QuestionRow) -> None:
        answers = [(v.value, self._label(row, v.value)) for v in row.allowed]
        shown = self.framework.question_number(row.question_id)
        self.mode_label.show_answering(shown, answers, judgement=row.judgement)

    def _apply_answer(self, question_id: str, value: str | None) -> bool:
        """Save one answer; True when the store now holds `value`."""
        try:
            set_answer(self.store, self.case_id, question_id, value=value)
        except FieldworkError as error:
            self.message.emit(error.message)
            self.save_state_changed.emit("error")
            return False
        self._reload()
        row = self._row_by_id[question_id]
        row.show_value(value)
        panel = self._panels.get(question_id)
        if panel is not None:
            panel.apply_relevance()
        self._show_status()
        self.save_state_changed.emit(self._saved_state())
        self.case_changed.emit(self.case_id)
        return True

    def _evidence_typed(self, panel: KeyQuestionPanel) -> None:
        if panel.evidence.has_unsaved_text():
            panel.show_save_state("unsaved")
            self.save_state_changed.emit("unsaved")
        else:  # typed (or undone) back to the stored text: nothing is waiting to be saved
            stored = self._assessment.answers.get(panel.question.id)
            panel.show_save_state("saved", stored.updated_at if stored else None)
            self.save_state_changed.emit(self._saved_state())

    def _save_evidence(self, question_id: str, text: str) -> None:
        panel = self._panels[question_id]
        try:
            change = set_answer(self.store, self.case_id, question_id, note=text)
        except FieldworkError as error:
            panel.show_save_state("error")
            self.message.emit(error.message)
            self.save_state_changed.emit("error")
            return
        panel.evidence.mark_saved(text)
        self._reload()
        stored = self._assessment.answers.get(question_id)
        panel.show_save_state("saved", change.new.updated_at if change else (stored.updated_at if stored else None))
        self._show_status()
        self.save_state_changed.emit(self._saved_state())
        self.case_changed.emit(self.case_id)

    def _save_detail(self, field_id: str, raw_value: str) -> None:
        try:
            set_detail(self.store, self.case_id, field_id, raw_value)
        except FieldworkError as error:
            self.details_form.show_error(error.message)
            self.save_state_changed.emit("error")
            return
        self.details_form.show_error(None)
        self._reload()
        self.details_form.show_values(self._assessment.details)
        self._show_status()
        self.save_state_changed.emit(self._saved_state())
        self.case_changed.emit(self.case_id)

    def flush_pending(self) -> bool:
        """Save any evidence or case detail typed but not yet saved, and where the user is (before
        leaving, completing or quitting). False when some of it could not be saved: it is still on
        screen, marked not saved, and the caller must not throw it away unasked."""
        self.details_form.flush()
        for panel in self._panels.values():
            panel.evidence.flush()
        if getattr(self, "_position_timer", None) is not None and self._position_timer.isActive():
            self._position_timer.stop()
            self._write_position()
        return not self.has_unsaved_changes()

    def has_unsaved_changes(self) -> bool:
        return self.details_form.has_unsaved_edits() or any(
            p.evidence.has_unsaved_text() for p in self._panels.values()
        )

    def _saved_state(self) -> str:
        """What the window's save indicator should say after a save: all saved, or not."""
        return "error" if self.has_unsaved_changes() else "saved"

    def toggle_guidance(self) -> None:
        """F2: open the guidance of the question under the keyboard, or close the panel."""
        if self.guidance_panel.isVisible():
            self.guidance_panel.hide()
            return
        self.guidance_panel.show_for(self.current_question_id())
        self.guidance_panel.show()
        if self._current_row is not None:
            self._after_layout(lambda: self._scroll_to(self._current_row))

    # --- navigation --------------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        if watched is getattr(self, "_page", None) and event.type() == event.Type.Resize:
            # Text re-wraps and the details reflow when the width changes: keep the keyboard's place.
            if self._current_row is not None and self._current_row.hasFocus():
                self._scroll_to(self._current_row)
            return False
        if watched is getattr(self, "outline", None) and event.type() == event.Type.Resize:
            self._after_layout(self._fit_outline)
            return False
        if isinstance(watched, QuestionRow) and event.type() == event.Type.FocusIn:
            self._current_row = watched
            if self.guidance_panel.isVisible():
                self.guidance_panel.show_for(watched.question_id)
            self._show_answering(watched)
            self._scroll_to(watched)
            self._select_in_outline(watched.question_id)
            self._remember_position(watched.question_id)
        return False

    def _remember_position(self, question_id: str) -> None:
        # Saved a moment later, so holding Down through fifty prompts is one write, not fifty.
        self._pending_position = question_id
        if not hasattr(self, "_position_timer"):
            self._position_timer = QTimer(self)
            self._position_timer.setSingleShot(True)
            self._position_timer.setInterval(400)
            self._position_timer.timeout.connect(self._write_position)
        self._position_timer.start()

    def _write_position(self) -> None:
        try:
            self.store.set_ui_state("position", f"{self.case_id}|{self._pending_position}")
        except FieldworkError:
            pass  # losing the bookmark is harmless; answers are saved separately

    def _after_layout(self, step) -> None:
        """Run `step` on the next turn of the event loop, unless the view is gone by then.

        A timer owned by the view, not QTimer.singleShot with a lambda: a bare singleShot ran after
        the case was closed (on a deleted scroll area), and PySide6 keeps a lambda given with a
        context object alive forever, and the whole closed view with it (tests/gui/test_soak.py).
        """
        self._layout_steps.append(step)
        if not hasattr(self, "_layout_timer"):
            self._layout_timer = QTimer(self)
            self._layout_timer.setSingleShot(True)
            self._layout_timer.setInterval(0)
            self._layout_timer.timeout.connect(self._run_layout_steps)
        self._layout_timer.start()

    def _run_layout_steps(self) -> None:
        steps, self._layout_steps = self._layout_steps, []
        for step in steps:
            step()

    def _select_in_outline(self, question_id: str) -> None:
        kq_id = question_id if question_id in self._panels else self.framework.parent_key_question(question_id).id
        item = self._outline_items.get(kq_id)
        if item is not None:
            self.outline.setCurrentIndex(item.index())

    def _outline_activated(self, index: QModelIndex) -> None:
        target = index.data(OUTLINE_TARGET_ROLE)
        self._build_all_sections()
        if target == DETAILS_TARGET:
            self.scroll.verticalScrollBar().setValue(0)
            self.details_form.setFocus()
            self.details_form.focusNextChild()
        elif target in self._headings:
            self._scroll_top_to(self._headings[target])
            first = self._panels[self.framework.standard(target).key_questions[0].id].rows()[0]
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        elif target in self._panels:
            self._scroll_top_to(self._panels[target])
            self._panels[target].rows()[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def _move_from(self, row: QuestionRow, delta: int) -> None:
        self._focus_row_after(self._rows.index(row), delta)

    def _focus_row_after(self, index: int, delta: int) -> None:
        self._build_all_sections()
        position = index + delta
        while 0 <= position < len(self._rows):
            candidate = self._rows[position]
            if candidate.isEnabled():
                candidate.setFocus(Qt.FocusReason.OtherFocusReason)
                return
            position += delta

    def _focus_evidence_of(self, row: QuestionRow) -> None:
        panel = self._panels[row.question_id]
        panel.evidence.setFocus(Qt.FocusReason.OtherFocusReason)
        self._show_judgement_of(panel)

    def current_question_id(self) -> str | None:
        """The prompt or key question under the keyboard (or last under it), if any."""
        return self._current_row.question_id if self._current_row is not None else None

    def current_index(self) -> int:
        return self._rows.index(self._current_row) if self._current_row in self._rows else -1

    def next_question(self, delta: int = +1) -> None:
        self._focus_row_after(self.current_index(), delta)

    def next_unanswered(self) -> bool:
        """Focus the next unanswered judgement or prompt after the current one, wrapping."""
        self._build_all_sections()
        start = self.current_index()
        count = len(self._rows)
        for step in range(1, count + 1):
            row = self._rows[(start + step) % count]
            if row.isEnabled() and row.value is None:
                row.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        self.message.emit("Every question in this case has an answer.")
        return False

    def focus_question(self, question_id: str) -> None:
        """Put the keyboard on a question (or the details form for a case-detail field)."""
        self._build_all_sections()
        row = self._row_by_id.get(question_id)
        if row is None:
            self.scroll.verticalScrollBar().setValue(0)
            self.details_form.setFocus()
            return
        if not row.isEnabled() and question_id in self._panels:
            self._focus_evidence_of(row)
            return
        row.setFocus(Qt.FocusReason.OtherFocusReason)
        self._scroll_to(row)

    def focus_first_question(self) -> None:
        if self._rows:
            self._focus_row_after(-1, +1)

    def _go_back(self) -> None:
        self.flush_pending()
        self.back_requested.emit()

    @property
    def case_ref(self) -> str:
        return self._assessment.case.case_ref

    @property
    def rows(self) -> list[QuestionRow]:
        self._build_all_sections()
        return list(self._rows)

    def row(self, question_id: str) -> QuestionRow:
        self._build_all_sections()
        return self._row_by_id[question_id]

    def panel(self, question_id: str) -> KeyQuestionPanel:
        self._build_all_sections()
        return self._panels[question_id]

    def is_answered(self, question_id: str) -> bool:
        stored = self._assessment.answers.get(question_id)
        return bool(stored and stored.value in (Answer.YES, Answer.NO, Answer.NA))
