"""Moderation in the case view: the lead's bar and queries per question; the inspector's view of them.

`CaseModeration` is the case view's one hook. It decides from the profile whether this is the
inspection's lead, builds the strip shown under the case header, adds the queries (and, for the
lead, an "Ask the inspector…" button) to each key question as the view builds it, and writes
through the core (fieldwork.merge.moderation), one transaction per action, so what shows is saved.
Query texts are shown as plain text: they come from another person's file.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from fieldwork.assessment import Missing, query_reminders
from fieldwork.errors import FieldworkError
from fieldwork.frameworks.model import Framework, KeyQuestion
from fieldwork.gui import theme
from fieldwork.gui.format import uk_date
from fieldwork.gui.question_widgets import KeyQuestionPanel
from fieldwork.gui.shortcuts import ASK_INSPECTOR_KEY
from fieldwork.moderation_status import (
    STATE_LABELS,
    ReceivedLeadQuery,
    lead_case_state,
    lead_queries_for_case,
    leads_inspection,
    query_recipients,
    received_queries_for_case,
)
from fieldwork.store import Store
from fieldwork.store.assessments import get_case
from fieldwork.store.inspections import get_inspection
from fieldwork.store.records import Case

STATE_FILLS = {
    None: QColor("#e0e0e0"),
    "moderated": QColor("#cdeccf"),
    "agreed": QColor("#b5e2c1"),
    "queries": QColor("#fff0c2"),
}
OPEN_FILL, OPEN_BORDER, OPEN_INK = QColor("#fff6d6"), QColor("#d9b44a"), QColor("#5c4300")
ANSWERED_FILL, ANSWERED_BORDER, ANSWERED_INK = QColor("#e7f4ea"), QColor("#8fc19d"), QColor("#1f5130")
STRIP_FILL, STRIP_BORDER = QColor("#f7f9fc"), QColor("#c9d3e0")


def _plain_label(text: str, parent: QWidget) -> QLabel:
    """A wrapped, selectable label that never reads its text as HTML."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    # Widen the label but keep the height-for-width that word wrap set: a fresh QSizePolicy
    # would drop it, and the layout would then reserve the height of a much narrower label.
    policy = label.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
    label.setSizePolicy(policy)
    return label


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _question_label(framework: Framework, question_id: str) -> str:
    kind = framework.question_kind(question_id)
    if kind == "key_question":
        return f"the judgement {framework.question_number(question_id)}"
    if kind == "prompt":
        return f"prompt {framework.question_number(question_id)}"
    if kind == "case_detail":
        return f"the case detail '{framework.case_detail(question_id).label}'"
    return question_id


# --- dialogs ------------------------------------------------------------------------------------


class ModerationNoteDialog(QDialog):
    """Mark a case moderated or agreed, with an optional note."""

    EXPLANATIONS = {
        "moderated": "You have quality-assured this case.",
        "agreed": "You have quality-assured this case and agree with the inspector's judgements.",
    }

    def __init__(self, case_ref: str, state: str, open_queries: int = 0, parent=None):
        super().__init__(parent)
        label = STATE_LABELS[state].lower()
        self.setWindowTitle(f"Mark case {case_ref} {label}")
        text = self.EXPLANATIONS[state]
        if open_queries == 1:
            text += " Its open query stays open and still goes to the inspector in their next allocation pack."
        elif open_queries:
            text += (
                f" Its {open_queries} open queries stay open and still go to the inspector in their next "
                "allocation pack."
            )
        intro = QLabel(text)
        intro.setWordWrap(True)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setAccessibleName("Moderation note")
        self.note_edit.setPlaceholderText("Note (optional): what you looked at, anything to remember")
        self.note_edit.setMaximumHeight(120)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(f"Mark {label}")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.note_edit)
        layout.addWidget(buttons)
        self.resize(480, 240)
        self.note_edit.setFocus()

    def note(self) -> str:
        return self.note_edit.toPlainText().strip()

    @classmethod
    def ask(cls, parent, case_ref: str, state: str, open_queries: int = 0) -> str | None:
        """The note ("" for none), or None when cancelled."""
        dialog = cls(case_ref, state, open_queries, parent)
        return dialog.note() if dialog.exec() == QDialog.DialogCode.Accepted else None


class AskInspectorDialog(QDialog):
    """One query about one answer of the case, for one inspector."""

    def __init__(
        self, case_ref: str, key_question: KeyQuestion, recipients: Sequence[str], question_id: str, parent=None,
        number=lambda question_id: question_id,
    ):
        super().__init__(parent)
        self.setWindowTitle(f"Ask the inspector about case {case_ref}")
        self.about_combo = QComboBox()
        self.about_combo.setAccessibleName("What the query is about")
        self.about_combo.addItem(f"{number(key_question.id)} — the judgement: {key_question.text}", key_question.id)
        for prompt in key_question.prompts:
            self.about_combo.addItem(f"{number(prompt.id)} — prompt: {prompt.text}", prompt.id)
        self.about_combo.setCurrentIndex(max(0, self.about_combo.findData(question_id)))
        self.about_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.about_combo.setMinimumContentsLength(40)
        self.to_combo = QComboBox()
        self.to_combo.setAccessibleName("Inspector the query is for")
        for person_id in recipients:
            self.to_combo.addItem(person_id, person_id)
        self.text_edit = QPlainTextEdit()
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setAccessibleName("Query")
        self.text_edit.setPlaceholderText("What should the inspector look at again? e.g. “The plan does not say …”")
        explanation = QLabel(
            "The query goes to the inspector in their next allocation pack (Allocation tab → Export allocation "
            "packs…) and shows on this question in their app. When their next bundle brings a newer answer, it "
            "shows here as answered; close it when you are satisfied."
        )
        explanation.setWordWrap(True)
        theme.style_text(explanation, "guidance")
        form = QFormLayout()
        form.addRow("&About", self.about_combo)
        form.addRow("&To", self.to_combo)
        form.addRow("&Query", self.text_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add query")
        self.ok_button.setEnabled(False)
        self.text_edit.textChanged.connect(lambda: self.ok_button.setEnabled(bool(self.text())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(explanation)
        layout.addWidget(self.buttons)
        self.resize(680, 320)
        self.text_edit.setFocus()

    def text(self) -> str:
        return self.text_edit.toPlainText().strip()

    def values(self) -> tuple[str, str, str]:
        """(question id, inspector id, text)."""
        return self.about_combo.currentData(), self.to_combo.currentData(), self.text()

    @classmethod
    def ask(
        cls, parent, case_ref: str, key_question: KeyQuestion, recipients: Sequence[str], question_id: str,
        number=lambda question_id: question_id,
    ) -> tuple[str, str, str] | None:
        dialog = cls(case_ref, key_question, recipients, question_id, parent, number=number)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


# --- notes on a question ----------------------------------------------------------------------


class QueryNote(QFrame):
    """One query, painted as a note on the question it is about."""

    close_requested = Signal(str)  # query id

    def __init__(
        self,
        caption: str,
        text: str,
        *,
        fill: QColor,
        border: QColor,
        ink: QColor,
        detail: str = "",
        close_query_id: str | None = None,
        parent=None,
    ):
        super().__init__(parent)
        self.setObjectName("queryNote")
        self._fill, self._border = fill, border
        self.caption_label = QLabel(caption, self)
        self.caption_label.setTextFormat(Qt.TextFormat.PlainText)
        theme.style_text(self.caption_label, "sectionCaption")
        theme.set_text_colour(self.caption_label, ink)
        self.text_label = _plain_label(text, self)
        self.detail_label = _plain_label(detail, self)
        theme.style_text(self.detail_label, "guidance")
        self.detail_label.setVisible(bool(detail))
        self.setAccessibleName(f"{caption}: {text}")
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(self.caption_label)
        column.addWidget(self.text_label)
        column.addWidget(self.detail_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 8, 6)
        layout.addLayout(column, 1)
        self.close_button: QPushButton | None = None
        if close_query_id is not None:
            self.close_button = QPushButton("Close query", self)
            self.close_button.setAccessibleName(f"Close this query: {text}")
            self.close_button.setToolTip("You are satisfied: the query no longer goes to the inspector.")
            self.close_button.clicked.connect(lambda: self.close_requested.emit(close_query_id))
            layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)

    def paintEvent(self, event) -> None:
        theme.paint_card(self, self._fill, self._border, radius=4)
        super().paintEvent(event)


def lead_query_note(query, framework: Framework, parent=None) -> QueryNote:
    """The lead's own query (open or answered) on the question it is about."""
    about = _question_label(framework, query.question_id)
    asked = f"Your query to {query.inspector_id} about {about} · asked {uk_date(query.raised_at)}"
    if query.status == "answered":
        return QueryNote(
            f"{asked} · ANSWERED {uk_date(query.answered_at)}",
            query.text,
            fill=ANSWERED_FILL,
            border=ANSWERED_BORDER,
            ink=ANSWERED_INK,
            detail=f"{query.inspector_id} sent a newer answer (shown below). Close the query when you are satisfied.",
            close_query_id=query.id,
            parent=parent,
        )
    return QueryNote(
        f"{asked} · OPEN",
        query.text,
        fill=OPEN_FILL,
        border=OPEN_BORDER,
        ink=OPEN_INK,
        detail="It goes out in their next allocation pack. Close it if it is no longer needed.",
        close_query_id=query.id,
        parent=parent,
    )


def received_query_note(query: ReceivedLeadQuery, framework: Framework, parent=None) -> QueryNote:
    """The lead's query as the inspector sees it, dated by the pack that brought it."""
    about = _question_label(framework, query.question_id)
    pack = f" (pack {query.pack_sequence})" if query.pack_sequence else ""
    if query.answer_changed_since:
        detail = (
            f"You changed this answer on {uk_date(query.answer_changed_at)}: your next bundle takes it to the lead, "
            "who then closes the query."
        )
    else:
        detail = "Look at the answer again: change it or add to its evidence. Your next bundle takes it to the lead."
    return QueryNote(
        f"About {about} · received {uk_date(query.received_at)}{pack}",
        f"Lead's query: {query.text}",
        fill=OPEN_FILL,
        border=OPEN_BORDER,
        ink=OPEN_INK,
        detail=detail,
        parent=parent,
    )


# --- the strip under the case header ----------------------------------------------------------


class _Strip(QFrame):
    """A light card across the case view, under its header."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pill = theme.PillLabel(parent=self)
        bold = self.pill.font()
        bold.setBold(True)
        self.pill.setFont(bold)
        self.summary_label = _plain_label("", self)
        self.next_button = QPushButton("Next &query", self)
        self.next_button.setToolTip("Go to the next question with a query (Alt+Q)")
        self.next_button.setAccessibleName("Go to the next question with a query")
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(10, 6, 10, 6)
        self.row.addWidget(self.pill, 0, Qt.AlignmentFlag.AlignTop)
        self.row.addWidget(self.summary_label, 1)
        self.row.addWidget(self.next_button, 0, Qt.AlignmentFlag.AlignTop)

    def paintEvent(self, event) -> None:
        theme.paint_card(self, STRIP_FILL, STRIP_BORDER, radius=4)
        super().paintEvent(event)


class CaseModerationBar(_Strip):
    """The lead's moderation of the case: its state, its queries, and the two marks."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("moderationBar")
        self.setAccessibleName("Moderation of this case")
        self.moderated_button = QPushButton("Mark &moderated…", self)
        self.moderated_button.setToolTip("You have quality-assured this case (Alt+M)")
        self.agreed_button = QPushButton("Mark &agreed…", self)
        self.agreed_button.setToolTip("You agree with the inspector's judgements (Alt+A)")
        self.clear_button = QPushButton("C&lear mark", self)
        self.clear_button.setToolTip("Take the mark away (set by mistake): the case shows as not moderated")
        for button in (self.moderated_button, self.agreed_button, self.clear_button):
            self.row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)

    def show_moderation(self, state, queries: Sequence, *, read_only: bool) -> None:
        """state: CaseModeration or None; queries: the case's queries in every status."""
        open_count = sum(1 for q in queries if q.status == "open")
        answered = sum(1 for q in queries if q.status == "answered")
        closed = sum(1 for q in queries if q.status == "closed")
        current = state.state if state else None
        pill = STATE_LABELS[current]
        if current == "queries":
            pill = "Queries open" if open_count or answered else "Queries closed"
        self.pill.setText(f"Moderation: {pill}")
        self.pill.set_fill(STATE_FILLS[current])
        parts = []
        if open_count:
            parts.append(f"{_count(open_count, 'query', 'queries')} open, waiting for the inspector")
        if answered:
            parts.append(f"{answered} answered: close when satisfied")
        if closed:
            parts.append(f"{closed} closed")
        if not parts:
            text = f"No queries. Ask the inspector about a question with the button under it ({ASK_INSPECTOR_KEY})."
        else:
            text = "Queries: " + "; ".join(parts) + "."
            if current == "queries" and not (open_count or answered):
                text += " Mark the case moderated or agreed when you are done."
        if state and state.note:
            text += f"\nNote: {state.note}"
        if state and current in ("moderated", "agreed"):
            text += f"\n{STATE_LABELS[current]} by {state.set_by}, {uk_date(state.set_at)}."
        self.summary_label.setText(text)
        self.next_button.setVisible(bool(open_count or answered))
        self.moderated_button.setEnabled(not read_only and current != "moderated")
        self.agreed_button.setEnabled(not read_only and current != "agreed")
        self.clear_button.setVisible(current in ("moderated", "agreed"))
        self.clear_button.setEnabled(not read_only)


class LeadQueriesStrip(_Strip):
    """The inspector's notice at the top of a case: the lead's open queries and where they are."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("leadQueriesStrip")
        self.setAccessibleName("The lead inspector's queries on this case")
        self.pill.set_fill(OPEN_FILL, OPEN_BORDER)

    def show_queries(self, queries: Sequence[ReceivedLeadQuery], framework: Framework, *, locked: bool) -> None:
        self.pill.setText(f"Lead's queries: {len(queries)}")
        on_questions = [q.question_id for q in queries if framework.question_kind(q.question_id) != "case_detail"]
        lines = []
        if on_questions:
            lines.append(
                "The lead inspector asks about "
                + ", ".join(dict.fromkeys(on_questions))
                + ": each query shows on its question below."
            )
        for query in queries:
            if query.question_id not in on_questions:
                lines.append(f"Lead's query on {_question_label(framework, query.question_id)}: {query.text}")
        if locked:
            lines.append("The case is marked complete: reopen it to change an answer.")
        self.summary_label.setText("\n".join(lines))


# --- the hook ---------------------------------------------------------------------------------


class CaseModeration(QObject):
    """Moderation for one open case: built once with the case view, refreshed after each write."""

    changed = Signal()  # the case's moderation changed (the home table shows it)
    message = Signal(str)  # a sentence for the status bar
    focus_requested = Signal(str)  # question id to put the keyboard on

    def __init__(self, store: Store, case: Case, framework: Framework, view: QWidget):
        super().__init__(view)
        self.store, self.case, self.framework, self.view = store, case, framework, view
        self.lead = leads_inspection(store, get_inspection(store, case.inspection_id))
        self._panels: dict[str, KeyQuestionPanel] = {}
        self._boxes: dict[str, QWidget] = {}  # key question id → its notes, made when first needed
        self._next = 0
        self._lead_queries: list = []
        self._received: list[ReceivedLeadQuery] = []
        self._state = None
        self._load()
        self.header: QWidget | None = None
        self.bar: CaseModerationBar | None = None
        self.strip: LeadQueriesStrip | None = None
        if self.lead:
            self.bar = CaseModerationBar(view)
            self.bar.moderated_button.clicked.connect(lambda: self.mark("moderated"))
            self.bar.agreed_button.clicked.connect(lambda: self.mark("agreed"))
            self.bar.clear_button.clicked.connect(self.clear_mark)
            self.bar.next_button.clicked.connect(self.next_query)
            self.header = self.bar
            # The lead asks about the question under the keyboard, from anywhere in the case.
            shortcut = QShortcut(QKeySequence(ASK_INSPECTOR_KEY), view)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.ask_about_current)
        elif self._received:
            self.strip = LeadQueriesStrip(view)
            self.strip.next_button.clicked.connect(self.next_query)
            self.header = self.strip
        self._show_header()

    # --- reading --------------------------------------------------------------------------
    def _load(self) -> None:
        if self.lead:
            self._lead_queries = lead_queries_for_case(self.store, self.case.inspection_id, self.case.id)
            self._state = lead_case_state(self.store, self.case.id)
        else:
            self._received = received_queries_for_case(self.store, self.case.id)

    def _shown_queries(self) -> list:
        """What is shown on the questions: the lead's open and answered ones, or all received."""
        if self.lead:
            return [q for q in self._lead_queries if q.status != "closed"]
        return list(self._received)

    def _key_question_of(self, question_id: str) -> str | None:
        kind = self.framework.question_kind(question_id)
        if kind == "key_question":
            return question_id
        if kind == "prompt":
            return self.framework.parent_key_question(question_id).id
        return None

    def outline_mark(self, kq_id: str) -> str:
        """A suffix for the outline entry of a key question with queries."""
        return "  · query" if any(self._key_question_of(q.question_id) == kq_id for q in self._shown_queries()) else ""

    def completion_reminders(self) -> list[Missing]:
        """The lead's open queries as advisory items of the completion check (inspector side)."""
        self._load()
        return query_reminders(self.framework, self.case.sample_id, [(q.question_id, q.text) for q in self._received])

    # --- showing ----------------------------------------------------------------------------
    def _show_header(self) -> None:
        if self.lead:
            self.bar.show_moderation(self._state, self._lead_queries, read_only=self.store.read_only)
        elif self.header is not None:
            self.strip.show_queries(self._received, self.framework, locked=self._locked())
            self.strip.next_button.setVisible(any(self._key_question_of(q.question_id) for q in self._received))

    def _locked(self) -> bool:
        return get_case(self.store, self.case.id).status in ("complete", "handed_over")

    def attach(self, panel: KeyQuestionPanel) -> None:
        """Add the queries (and the lead's Ask button) to a key question as the view builds it."""
        kq_id = panel.question.id
        self._panels[kq_id] = panel
        if self.lead:
            ask = QPushButton("Ask the inspector…", panel)
            ask.setObjectName("askInspectorButton")
            ask.setAccessibleName(f"Ask the inspector about {kq_id}")
            ask.setToolTip(f"Raise a query about {kq_id} or a prompt of it ({ASK_INSPECTOR_KEY} on any of its rows)")
            ask.setEnabled(not self.store.read_only)
            ask.clicked.connect(lambda: self.ask(kq_id))
            panel.add_evidence_action(ask)
            # Tab in reading order: the button sits above the evidence box, on its caption line.
            QWidget.setTabOrder(panel.evidence.previousInFocusChain(), ask)
            QWidget.setTabOrder(ask, panel.evidence)
        self._show_notes(kq_id)

    def _show_notes(self, kq_id: str) -> None:
        panel = self._panels[kq_id]
        queries = [q for q in self._shown_queries() if self._key_question_of(q.question_id) == kq_id]
        box = self._boxes.get(kq_id)
        if box is None:
            if not queries:
                return  # most questions have none: build nothing, so the case still opens fast
            box = QWidget(panel)
            box.setObjectName("queryNotes")
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 4, 0, 4)
            box_layout.setSpacing(4)
            panel.add_notice(box)
            self._boxes[kq_id] = box
        layout = box.layout()
        while layout.count():
            old = layout.takeAt(0).widget()
            old.hide()
            old.deleteLater()
        for query in queries:
            if self.lead:
                note = lead_query_note(query, self.framework, box)
                note.close_requested.connect(self.close_query)
            else:
                note = received_query_note(query, self.framework, box)
            layout.addWidget(note)
        box.setVisible(bool(queries))

    def refresh(self) -> None:
        """Read the case's moderation again and show it."""
        self._load()
        self._show_header()
        for kq_id in self._panels:
            self._show_notes(kq_id)

    def notes_for(self, kq_id: str) -> list[QueryNote]:
        """The query notes shown on a key question (for tests and screenshots)."""
        box = self._boxes.get(kq_id)
        if box is None or not box.isVisibleTo(self._panels[kq_id]):
            return []
        return [box.layout().itemAt(i).widget() for i in range(box.layout().count())]

    def answers_changed(self) -> None:
        """The inspector saved an answer: a query's "you changed this answer" line may now apply."""
        if not self.lead and self._received:
            before = self._received
            self._load()
            self._show_header()  # the case may have been completed or reopened
            if self._received != before:
                for kq_id in self._panels:
                    self._show_notes(kq_id)

    def next_query(self) -> None:
        """Put the keyboard on the next question with a query, in turn."""
        targets = [q.question_id for q in self._shown_queries() if self._key_question_of(q.question_id)]
        if not targets:
            self.message.emit("There are no queries on the questions of this case.")
            return
        self._next %= len(targets)
        self.focus_requested.emit(targets[self._next])
        self._next += 1

    # --- the lead's writes ------------------------------------------------------------------
    def _refused(self, what: str, error: FieldworkError) -> None:
        QMessageBox.warning(self.view, "Moderation", f"{what} was not saved. {error.message}")

    def mark(self, state: str) -> None:
        """Mark the case moderated or agreed, with the note the lead gives (or none)."""
        open_count = sum(1 for q in self._lead_queries if q.status == "open")
        note = ModerationNoteDialog.ask(self.view, self.case.case_ref, state, open_count)
        if note is None:
            return
        from fieldwork.merge.moderation import set_case_moderation

        label = STATE_LABELS[state].lower()
        try:
            set_case_moderation(self.store, self.case.id, state, note)
        except FieldworkError as error:
            self._refused(f"Marking case {self.case.case_ref} {label}", error)
            return
        self.refresh()
        self.message.emit(f"Case {self.case.case_ref} marked {label}.")
        self.changed.emit()

    def clear_mark(self) -> None:
        """Take the case's moderated or agreed mark away (the change log keeps what it was)."""
        from fieldwork.merge.moderation import clear_case_moderation

        try:
            cleared = clear_case_moderation(self.store, self.case.id)
        except FieldworkError as error:
            self._refused(f"Clearing the mark of case {self.case.case_ref}", error)
            return
        self.refresh()
        if cleared is not None:
            label = STATE_LABELS[cleared.state].lower()
            self.message.emit(f"Case {self.case.case_ref} is no longer marked {label}.")
        self.changed.emit()

    def ask_about_current(self) -> None:
        question_id = self.view.current_question_id()
        kq_id = self._key_question_of(question_id) if question_id else None
        if kq_id is None:
            self.message.emit("Put the keyboard on a question first, then ask the inspector about it.")
            return
        self.ask(kq_id, question_id)

    def ask(self, kq_id: str, question_id: str | None = None) -> None:
        """Raise a query about a key question (or one of its prompts) with the case's inspector."""
        inspection = get_inspection(self.store, self.case.inspection_id)
        case = get_case(self.store, self.case.id)  # the allocation may have changed since the case opened
        recipients = query_recipients(self.store, case.id, case.inspector_id, inspection.lead_id)
        if not recipients:
            QMessageBox.warning(
                self.view,
                "Moderation",
                f"Case {case.case_ref} is not allocated to an inspector and no inspector's answers to it have been "
                "merged, so there is nobody to ask. Allocate it on the Allocation tab first.",
            )
            return
        values = AskInspectorDialog.ask(
            self.view, case.case_ref, self.framework.key_question(kq_id), recipients, question_id or kq_id,
            self.framework.question_number,
        )
        if values is None:
            return
        about, inspector_id, text = values
        from fieldwork.merge.moderation import add_query

        try:
            add_query(self.store, case.id, about, text, inspector_id=inspector_id)
        except FieldworkError as error:
            self._refused(f"The query on {about}", error)
            return
        self.refresh()
        self.message.emit(f"Query on {about} saved for {inspector_id}: it goes out with their next allocation pack.")
        self.changed.emit()

    def close_query(self, query_id: str) -> None:
        """The lead is satisfied with the answer to a query (or withdraws it)."""
        from fieldwork.merge.moderation import close_query

        try:
            query = close_query(self.store, query_id)
        except FieldworkError as error:
            self._refused("Closing the query", error)
            return
        self.refresh()
        self.message.emit(f"Query on {query.question_id} closed.")
        self.changed.emit()
        self.focus_requested.emit(query.question_id)  # its button is gone: the keyboard goes to the question
