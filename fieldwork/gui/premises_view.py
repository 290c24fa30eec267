"""The lead's Premises tab: the questions answered once for the premises (decision 0037).

For a framework whose standards have basis = "premises" (approved premises), the lead answers
each prompt, and each key question without prompts, once for the inspection, keyboard first as
on the case page: Y / N / A answer and move to the next question, Delete clears, Up/Down (J/K)
move, Enter goes to the question's evidence and Esc comes back. Evidence is saved a moment
after typing stops and whenever focus leaves the box. Each standard shows the rating computed
from these answers, the rule that gave it and whether that rule is confirmed, and the lead's
override (with its reason) through the same record as on the Ratings tab.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldwork.errors import FieldworkError
from fieldwork.frameworks.model import Framework, Standard
from fieldwork.gui import theme
from fieldwork.gui.format import saved_time
from fieldwork.gui.question_widgets import EvidenceEdit, QuestionRow, SectionHeading, WrappedLabel
from fieldwork.ratings import StandardRating
from fieldwork.store.db import Store
from fieldwork.store.records import Inspection


class PremisesRow(QuestionRow):
    """A question answered for the premises: like a prompt row, and Enter opens its evidence."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier) == Qt.KeyboardModifier.NoModifier
        if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.evidence_requested.emit(self)
            return
        super().keyPressEvent(event)


class PremisesEvidence(EvidenceEdit):
    """The evidence under one question: shorter than a key question's, as every prompt has one."""

    def __init__(self, question_id: str, parent=None):
        super().__init__(question_id, parent)
        # About two lines, never stretched: fifteen boxes must not push the questions apart (longer
        # evidence scrolls inside the box). A fixed height, as the text box's own minimum is taller.
        self.setFixedHeight(max(52, 2 * self.fontMetrics().lineSpacing() + 16))
        self.setPlaceholderText("Evidence for this answer… (Enter on the question comes here; Esc goes back)")


def rating_html(rated: StandardRating) -> str:
    """The standard's rating as the tab shows it: computed, overridden, and the rule behind it."""
    if rated.override is not None:
        ov = rated.override
        text = (
            f"Rating <b>{html.escape(rated.rating)}</b>: overridden by {html.escape(ov.by)} from the computed "
            f"{html.escape(rated.computed)}. Reason: {html.escape(ov.reason)}"
        )
    elif rated.deciding_key_question:
        text = (
            f"Computed rating <b>{html.escape(rated.computed)}</b>: the lowest key question is "
            f"{html.escape(rated.deciding_key_question)}."
        )
    else:
        text = f"<b>{html.escape(rated.computed)}</b>: nothing is answered Yes or No yet."
    rule = rated.rule
    if rule is not None:
        state = "confirmed" if rule.provenance == "confirmed" else "recalled, not confirmed from a published document"
        text += f"<br>Rule: {html.escape(rule.id)}, {html.escape(rule.text)} ({state})."
    return text


class PremisesView(QWidget):
    message = Signal(str)  # a refusal or a confirmation for the status bar
    changed = Signal()  # an answer or an override changed: ratings shown elsewhere are stale

    def __init__(self, store: Store, inspection: Inspection, framework: Framework, parent=None):
        super().__init__(parent)
        self.store, self.inspection, self.framework = store, inspection, framework
        self.rows: list[PremisesRow] = []
        self.evidence: dict[str, PremisesEvidence] = {}
        self.rating_labels: dict[str, QLabel] = {}
        self.override_buttons: dict[str, QPushButton] = {}
        self.ratings: dict[str, StandardRating] = {}

        intro = WrappedLabel(
            "Answered once for the premises, not case by case. Y, N, A answer and move on; Enter types the "
            "evidence, Esc comes back. Each standard's rating is computed from these answers; override it "
            "with a reason.",
            self,
        )
        self.state_label = QLabel("", self)
        theme.style_text(self.state_label, "saveState")
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(8, 0, 8, 16)
        column.setSpacing(2)
        for standard in framework.premises_standards:
            self._add_standard(column, standard, page)
        column.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setAccessibleName("Questions for the premises")
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addWidget(intro)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.state_label)
        self.refresh()

    # --- building -------------------------------------------------------------------------------
    def _add_standard(self, column: QVBoxLayout, standard: Standard, page: QWidget) -> None:
        column.addWidget(SectionHeading(standard.name, standard.statement, page))
        # The rating, its rule and the override, on a tinted band so it stands apart from the questions.
        band = QWidget(page)
        theme.fill_background(band, theme.FOCUS_FILL)
        decision = QHBoxLayout(band)
        decision.setContentsMargins(8, 6, 8, 6)
        label = WrappedLabel("", band)
        label.setTextFormat(Qt.TextFormat.RichText)
        self.rating_labels[standard.id] = label
        button = QPushButton("Override…", band)
        button.setAccessibleName(f"Override the rating of standard {standard.id}")
        button.clicked.connect(lambda _checked=False, s=standard.id: self.ask_override(s))
        self.override_buttons[standard.id] = button
        decision.addWidget(label, 1)
        decision.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        column.addWidget(band)
        column.addSpacing(6)
        labels = self.framework.answer_labels
        for kq in standard.key_questions:
            if kq.prompts:
                heading = WrappedLabel(f"{kq.id} {kq.text}", page)
                theme.style_text(heading, "keyQuestionHeading")
                heading.setContentsMargins(0, 8, 0, 2)
                column.addWidget(heading)
            for item in kq.prompts or (kq,):
                row = PremisesRow(item.id, item.text, item.allowed(), labels, judgement=False, parent=page)
                row.answer_chosen.connect(self.save_answer)
                row.move_requested.connect(self._move)
                row.evidence_requested.connect(self._to_evidence)
                row.refused.connect(self.message)
                row.setEnabled(not self.store.read_only)
                evidence = PremisesEvidence(item.id, page)
                evidence.text_ready.connect(self.save_evidence)
                evidence.leave_requested.connect(lambda r=row: self._focus_row(r))
                evidence.setReadOnly(self.store.read_only)
                self.rows.append(row)
                self.evidence[item.id] = evidence
                column.addWidget(row)
                column.addWidget(evidence)

    # --- showing ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show what the store holds: every answer, its evidence, each standard's rating."""
        from fieldwork.reports.inspection_ratings import rate_from_store
        from fieldwork.store.premises import premises_answers

        answers = premises_answers(self.store, self.inspection.id)
        for row in self.rows:
            stored = answers.get(row.question_id)
            row.show_value(stored.value if stored else None)
            box = self.evidence[row.question_id]
            if not box.has_unsaved_text() or not box.hasFocus():
                box.show_saved_text(stored.note if stored else "")
        values = {q: a.value for q, a in answers.items() if a.value}
        ratings = rate_from_store(self.store, self.inspection, self.framework, values)
        self.ratings = {r.standard.id: r for r in ratings.standards if r.standard.rated_for_premises}
        for standard_id, rated in self.ratings.items():
            self.rating_labels[standard_id].setText(rating_html(rated))
            self.override_buttons[standard_id].setText("Change override…" if rated.override else "Override…")
            self.override_buttons[standard_id].setEnabled(not self.store.read_only and rated.standard.rated)

    def _saved(self, question_id: str, at: str) -> None:
        self.state_label.setText(f"Saved {question_id} at {saved_time(at)}.")

    # --- keyboard ----------------------------------------------------------------------------------
    def _focus_row(self, row: PremisesRow) -> None:
        row.setFocus(Qt.FocusReason.OtherFocusReason)
        self.scroll.ensureWidgetVisible(row, 0, 40)

    def _move(self, row: PremisesRow, step: int) -> None:
        index = self.rows.index(row) + step
        if 0 <= index < len(self.rows):
            self._focus_row(self.rows[index])

    def _to_evidence(self, row: PremisesRow) -> None:
        box = self.evidence[row.question_id]
        box.setFocus(Qt.FocusReason.OtherFocusReason)
        self.scroll.ensureWidgetVisible(box, 0, 40)

    def focus_first(self) -> None:
        if self.rows:
            self._focus_row(self.rows[0])

    # --- saving -------------------------------------------------------------------------------------
    def save_answer(self, question_id: str, value) -> bool:
        from fieldwork.store.premises import set_premises_answer

        try:
            change = set_premises_answer(self.store, self.inspection.id, question_id, value=value)
        except FieldworkError as error:
            self.message.emit(error.message)
            return False
        if change is not None:
            self._saved(question_id, change.new.updated_at)
            self.refresh()
            self.changed.emit()
        return True

    def save_evidence(self, question_id: str, text: str) -> bool:
        from fieldwork.store.premises import set_premises_answer

        try:
            change = set_premises_answer(self.store, self.inspection.id, question_id, note=text)
        except FieldworkError as error:
            self.message.emit(error.message)
            return False
        self.evidence[question_id].mark_saved(text)
        if change is not None:
            self._saved(question_id, change.new.updated_at)
        return True

    def flush(self) -> None:
        """Save any evidence still being typed (the tab is left, the window closes)."""
        for box in self.evidence.values():
            box.flush()

    # --- the lead's override -----------------------------------------------------------------------
    def ask_override(self, standard_id: str) -> None:
        from fieldwork.gui.ratings_view import LeadRatingDialog  # QtCharts loads only when asked

        rated = self.ratings.get(standard_id)
        if rated is None:
            return
        answer = LeadRatingDialog.ask(self, rated, self.framework.rating.ratings())
        if answer is not None:
            self.override(standard_id, *answer)

    def override(self, standard_id: str, rating: str, reason: str) -> bool:
        """Record the lead's override of a computed premises rating (a reason is required)."""
        from fieldwork.reports.lead_ratings import OVERRIDE, set_lead_rating

        try:
            set_lead_rating(self.store, self.inspection.id, standard_id, OVERRIDE, rating, reason)
        except FieldworkError as error:
            self.message.emit(error.message)
            return False
        self.refresh()
        self.changed.emit()
        return True
