"""Widgets for answering one question: a focusable row with Yes / No / N/A, and evidence text.

Rows take the keyboard: Y, N, A answer; Delete clears; Up/Down (or K/J) move between rows.
The row shows only what the store holds: it is updated after the save succeeds.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from fieldwork.frameworks.model import Answer, KeyQuestion
from fieldwork.gui import theme
from fieldwork.gui.format import saved_time
from fieldwork.gui.guidance_panel import GUIDANCE_KEY, has_guidance

ANSWER_KEYS = {Qt.Key.Key_Y: Answer.YES, Qt.Key.Key_N: Answer.NO, Qt.Key.Key_A: Answer.NA}
EVIDENCE_SAVE_DELAY_MS = 500
MIN_TEXT_WIDTH = 240  # below this the question text is too squeezed: the buttons go under it


class WrappedLabel(QLabel):
    """Word-wrapped text that is always as tall as its text needs at the width it has.

    The case page's scroll area sizes rows from their size hints, which for wrapped text assume a
    width other than the real one; the label fixes its own minimum height whenever its width
    changes (rows re-arrange themselves when narrow, so the row's width alone is not enough).
    """

    def __init__(self, text: str, parent=None):
        super().__init__(text, parent)
        self.setWordWrap(True)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        needed = self._height_at(event.size().width())
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    def _height_at(self, width: int) -> int:
        # Measured from the text, not heightForWidth(): QLabel's answer never falls below the
        # minimum height set here before, so a label once squeezed would stay tall for good.
        margins = self.contentsMargins()
        inner = max(1, width - margins.left() - margins.right())
        flags = Qt.TextFlag.TextWordWrap.value | self.alignment().value
        text = self.fontMetrics().boundingRect(QRect(0, 0, inner, 0), flags, self.text())
        return text.height() + margins.top() + margins.bottom()


class QuestionRow(QFrame):
    """One prompt or key-question judgement with its answer buttons."""

    answer_chosen = Signal(str, object)  # question id, "yes"/"no"/"na" or None to clear
    move_requested = Signal(object, int)  # this row, +1 next / -1 previous
    evidence_requested = Signal(object)  # this row (Enter on a judgement)
    refused = Signal(str)  # why a key did nothing (e.g. A where Not applicable is not allowed)

    def __init__(
        self,
        question_id: str,
        text: str,
        allowed,
        labels: dict[str, str],
        *,
        judgement: bool,
        reserve_na: bool = True,
        parent=None,
        shown_as: str = "",
    ):
        super().__init__(parent)
        self.question_id = question_id
        shown_as = shown_as or question_id  # the number as published (Framework.question_number)
        self.judgement = judgement
        self.allowed = tuple(allowed)
        self._labels = labels
        self.value: str | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(f"{shown_as}: {text}")
        keys = ", ".join(f"{k} {labels[v]}" for k, v in (("Y", Answer.YES), ("N", Answer.NO), ("A", Answer.NA))
                         if v in self.allowed)
        self.setAccessibleDescription(f"Answer with {keys}; Delete clears; Up and Down move between questions.")

        self.text_label = WrappedLabel(text, self)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        if judgement:
            theme.style_text(self.text_label, "judgementText")

        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(False)  # we keep exclusivity ourselves so a click can clear
        button_box = QHBoxLayout()
        button_box.setSpacing(2)
        for value in (Answer.YES, Answer.NO, Answer.NA):
            button = theme.AnswerButton(value.value, labels[value], self)
            button_box.addWidget(button)
            if value not in self.allowed:
                # An invisible stand-in keeps Yes and No in the same columns as on a row that has
                # Not applicable; where no row of the key question has it, the room goes to the text.
                policy = button.sizePolicy()
                policy.setRetainSizeWhenHidden(reserve_na)
                button.setSizePolicy(policy)
                button.hide()
                continue
            key = {"yes": "Y", "no": "N", "na": "A"}[value.value]
            button.setToolTip(f"{labels[value]} ({key})")
            button.setAccessibleName(f"{labels[value]} for {shown_as}")
            button.clicked.connect(lambda _checked=False, v=value: self._clicked(v))
            self.buttons.addButton(button)

        # A grid, so the buttons can sit right of the text (wide) or under it (narrow): the case
        # page never scrolls sideways (issue 19).
        layout = QGridLayout(self)
        # No constraint: the row's minimum is minimumSizeHint below (the stacked arrangement), not
        # the side-by-side one, or the row could never become narrow enough to switch.
        layout.setSizeConstraint(QGridLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setHorizontalSpacing(6)
        layout.setVerticalSpacing(2)
        id_label = QLabel(shown_as, self)
        theme.style_text(id_label, "questionId")
        id_label.setMinimumWidth(64)
        # The id and the first line of text sit level with the buttons' labels; longer text wraps below.
        top = Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
        for label in (id_label, self.text_label):
            label.setAlignment(top)
            label.setContentsMargins(0, max(0, (self._button_height() - label.fontMetrics().height()) // 2), 0, 0)
        layout.addWidget(id_label, 0, 0, top)
        layout.addWidget(self.text_label, 0, 1)
        layout.setColumnStretch(1, 1)
        self._grid = layout
        self._button_box = button_box
        self._narrow: bool | None = None
        self._place_buttons(narrow=False)

    def _wide_enough(self, width: int) -> bool:
        """Room for the id, the buttons and a readable line of text side by side."""
        buttons = self._button_box.sizeHint().width()
        return width >= 64 + buttons + MIN_TEXT_WIDTH + 8 + 8 + 12

    def _place_buttons(self, *, narrow: bool) -> None:
        if narrow == self._narrow:
            return
        self._narrow = narrow
        self._grid.removeItem(self._button_box)
        if narrow:  # under the text, left-aligned with it
            self._grid.addLayout(self._button_box, 1, 1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        else:
            self._grid.addLayout(self._button_box, 0, 2, Qt.AlignmentFlag.AlignTop)

    @property
    def buttons_below(self) -> bool:
        """True when the row is narrow and its answer buttons sit under the question."""
        return bool(self._narrow)

    _answer_button_height: int | None = None

    def _button_height(self) -> int:
        # The same for every row (one font, one style): worked out once, not for each of ~60 rows.
        if QuestionRow._answer_button_height is None:
            buttons = self.buttons.buttons()
            if not buttons:
                return 0
            QuestionRow._answer_button_height = buttons[0].sizeHint().height()
        return QuestionRow._answer_button_height

    def minimumSizeHint(self):
        # As narrow as the stacked arrangement allows; resizeEvent picks the arrangement.
        hint = super().minimumSizeHint()
        buttons = self._button_box.sizeHint().width()
        hint.setWidth(64 + max(buttons, MIN_TEXT_WIDTH // 2) + 8 + 8 + 6)
        return hint

    def resizeEvent(self, event) -> None:
        self._place_buttons(narrow=not self._wide_enough(event.size().width()))
        super().resizeEvent(event)

    def show_value(self, value: str | None) -> None:
        """Show the saved answer (None: unanswered)."""
        self.value = value
        for button in self.buttons.buttons():
            button.setChecked(button.property("answer") == value)
        self.update()

    def paintEvent(self, event) -> None:
        # The row under the keyboard is unmistakable: tinted, with a bar down its left edge and a
        # 3 px ring around it (issue 19: which row the answer keys act on must be obvious).
        if self.hasFocus() or self.judgement:
            painter = QPainter(self)
            painter.fillRect(self.rect(), theme.FOCUS_FILL if self.hasFocus() else theme.JUDGEMENT_FILL)
            if self.hasFocus():
                painter.fillRect(0, 0, 6, self.height(), theme.FOCUS_RING)
            painter.end()
            if self.hasFocus():
                theme.paint_focus_ring(self, self.rect())
        super().paintEvent(event)

    def focusInEvent(self, event) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.update()
        super().focusOutEvent(event)

    def _clicked(self, value: Answer) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.show_value(self.value)  # undo the button's own toggle until the save lands
        self.answer_chosen.emit(self.question_id, None if self.value == value else value.value)

    def _why_not(self, value: Answer) -> str:
        what = "key question" if self.judgement else "prompt"
        choices = " or ".join(self._labels[v] for v in self.allowed)
        return (
            f"{self.question_id} cannot be answered {self._labels[value]}: the framework does not allow it "
            f"for this {what}. Answer {choices}."
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers == Qt.KeyboardModifier.NoModifier:
            if key in ANSWER_KEYS and self.isEnabled():
                value = ANSWER_KEYS[key]
                if value in self.allowed:
                    self.answer_chosen.emit(self.question_id, value.value)
                    # Keep the hands on the keys: a prompt moves on, a judgement asks for evidence.
                    if self.judgement:
                        self.evidence_requested.emit(self)
                    else:
                        self.move_requested.emit(self, +1)
                else:
                    self.refused.emit(self._why_not(value))
                return
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.isEnabled():
                self.answer_chosen.emit(self.question_id, None)
                return
            if key in (Qt.Key.Key_Down, Qt.Key.Key_J):
                self.move_requested.emit(self, +1)
                return
            if key in (Qt.Key.Key_Up, Qt.Key.Key_K):
                self.move_requested.emit(self, -1)
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.judgement:
                self.evidence_requested.emit(self)
                return
        super().keyPressEvent(event)


class EvidenceEdit(QPlainTextEdit):
    """Evidence text, saved a moment after typing stops and whenever focus leaves."""

    text_ready = Signal(str, str)  # question id, text to save
    leave_requested = Signal()  # Escape: back to the judgement row
    focus_entered = Signal()  # the keyboard is now typing here

    def __init__(self, question_id: str, parent=None, shown_as: str = ""):
        super().__init__(parent)
        self.question_id = question_id
        self._saved_text = ""
        self.setTabChangesFocus(True)
        self.setAccessibleName(f"Evidence for {shown_as or question_id}")
        self.setAccessibleDescription("Strengths and areas for improvement; saved as you type. Esc: back to answering.")
        self.setPlaceholderText("Evidence: strengths and areas for improvement…")
        palette = self.palette()
        palette.setColor(palette.ColorRole.Base, theme.EVIDENCE_FILL)
        self.setPalette(palette)
        self.setMinimumHeight(72)
        self.setMaximumHeight(240)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(EVIDENCE_SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self.textChanged.connect(self._typed)

    def sizeHint(self):
        hint = super().sizeHint()
        hint.setHeight(96)  # about five lines; longer evidence scrolls inside the box
        return hint

    def show_saved_text(self, text: str) -> None:
        """Load the stored text without triggering a save."""
        self._saved_text = text
        if self.toPlainText() != text:
            self.blockSignals(True)
            self.setPlainText(text)
            self.blockSignals(False)

    def has_unsaved_text(self) -> bool:
        return self.toPlainText() != self._saved_text

    def mark_saved(self, text: str) -> None:
        self._saved_text = text

    def _typed(self) -> None:
        self._timer.start()

    def flush(self) -> None:
        """Save now if the text differs from what is stored."""
        self._timer.stop()
        if self.has_unsaved_text():
            self.text_ready.emit(self.question_id, self.toPlainText())

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.parentWidget().update()  # the panel draws the focus ring around this box
        self.focus_entered.emit()

    def focusOutEvent(self, event) -> None:
        self.flush()
        super().focusOutEvent(event)
        self.parentWidget().update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.flush()
            self.leave_requested.emit()
            return
        super().keyPressEvent(event)


class KeyQuestionPanel(QFrame):
    """A key question: its prompts, the judgement and the evidence box."""

    def __init__(
        self, question: KeyQuestion, answer_labels, judgement_labels, parent=None, *,
        number=lambda question_id: question_id,
    ):
        super().__init__(parent)
        self.question = question
        self.setObjectName("keyQuestionPanel")

        # `number`: question id → the number as published (Framework.question_number), which may
        # differ from the id; the id stays what every signal and the store use.
        heading = QLabel(f"{number(question.id)}  {question.text}", self)
        theme.style_text(heading, "keyQuestionHeading")
        heading.setWordWrap(True)
        heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # Room for a Not applicable button on every row only where some row of this question has one.
        reserve_na = question.allow_na or any(p.allow_na for p in question.prompts)
        self.prompt_rows = [
            QuestionRow(
                p.id, p.text, p.allowed(), answer_labels, judgement=False, reserve_na=reserve_na, parent=self,
                shown_as=number(p.id),
            )
            for p in question.prompts
        ]
        self.judgement_row = QuestionRow(
            question.id,
            "Overall judgement for this key question",
            question.allowed(),
            judgement_labels,
            judgement=True,
            reserve_na=reserve_na,
            parent=self,
            shown_as=number(question.id),
        )
        self.evidence = EvidenceEdit(question.id, self, shown_as=number(question.id))
        self.save_label = QLabel("", self)
        theme.style_text(self.save_label, "saveState")
        self.relevance_label = theme.PillLabel("", self, fill=QColor("#fff4cc"), radius=3)
        self.relevance_label.setObjectName("relevanceNote")
        theme.set_text_colour(self.relevance_label, QColor("#6b4e00"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(2)
        layout.addWidget(heading)
        self._notices = 0  # widgets shown under the heading, e.g. the lead's queries
        if has_guidance(question):
            # The guidance itself can be paragraphs long: it opens on demand, below the questions.
            guidance = QLabel(f"Guidance for this question: press {GUIDANCE_KEY} on it", self)
            guidance.setWordWrap(True)
            theme.style_text(guidance, "guidance")
            guidance.setObjectName("guidanceHint")  # after style_text, which names a label by its role
            layout.addWidget(guidance)
        if self.prompt_rows:
            prompts_title = QLabel("PROMPTS", self)
            theme.style_text(prompts_title, "sectionCaption")
            layout.addWidget(prompts_title)
        for row in self.prompt_rows:
            layout.addWidget(row)
        layout.addWidget(self.relevance_label)
        layout.addWidget(self.judgement_row)
        self.evidence_bar = QHBoxLayout()
        caption = QLabel("EVIDENCE", self)
        theme.style_text(caption, "sectionCaption")
        self.evidence_bar.addWidget(caption)
        self.evidence_bar.addStretch(1)
        self.evidence_bar.addWidget(self.save_label)
        layout.addLayout(self.evidence_bar)
        layout.addWidget(self.evidence)
        self.relevance_label.hide()

    def rows(self) -> list[QuestionRow]:
        return [*self.prompt_rows, self.judgement_row]

    def add_notice(self, widget: QWidget) -> None:
        """Show a widget right under the heading, where it is seen before answering."""
        self._notices += 1
        self.layout().insertWidget(self._notices, widget)

    def add_evidence_action(self, widget: QWidget) -> None:
        """A button at the right of the evidence caption, after the save state."""
        self.evidence_bar.addWidget(widget)

    def paintEvent(self, event) -> None:
        theme.paint_card(self)
        if self.evidence.hasFocus():  # the ring goes round the box, in the card's margin
            ring = theme.FOCUS_RING_WIDTH
            theme.paint_focus_ring(self, self.evidence.geometry().adjusted(-ring, -ring, ring, ring))
        super().paintEvent(event)

    def apply_relevance(self) -> None:
        """A key question judged Not applicable disables its prompts."""
        not_applicable = self.judgement_row.value == Answer.NA
        for row in self.prompt_rows:
            row.setEnabled(not not_applicable)
        self.relevance_label.setVisible(not_applicable and bool(self.prompt_rows))
        if not_applicable:
            reason = " — give the reason in the evidence" if self.question.na_reason_required else ""
            self.relevance_label.setText(f"Not applicable to this case: prompts are not needed{reason}.")

    def show_save_state(self, state: str, at: str | None = None) -> None:
        text = {
            "saved": f"Saved {saved_time(at)}" if at else "Saved",
            "saving": "Saving…",
            "unsaved": "Not saved yet",
            "error": "NOT SAVED",
        }.get(state, "")
        self.save_label.setText(text)
        theme.set_state(self.save_label, state)


class SectionHeading(QWidget):
    """A standard's title and statement at the top of its block on the case page."""

    def __init__(self, title: str, statement: str, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 14, 2, 4)
        title_label = QLabel(title, self)
        theme.style_text(title_label, "standardHeading")
        title_label.setWordWrap(True)
        layout.addWidget(title_label)
        if statement:
            statement_label = QLabel(statement, self)
            theme.style_text(statement_label, "standardStatement")
            statement_label.setWordWrap(True)
            layout.addWidget(statement_label)
