"""The Merge tab's conflicts: the list, and the chosen conflict's versions side by side.

Each version is a card with everything the lead weighs: who wrote it, the answer, the whole
evidence (wrapped, never cut), when, and which bundle brought it (file, bundle number, signer).
The lead picks a card and gives a reason; the merge view records the decision.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldwork.gui import theme
from fieldwork.gui.format import saved_time, uk_date
from fieldwork.gui.simple_table_model import RowsTableModel

REASON_TEXT = {
    "parallel": "different answers",
    "evidence": "same answer, different evidence",
    "fork": "one person, two versions",
}
# The whole "why", shown above the versions: the list's column is only a reminder.
REASON_SENTENCE = {
    "parallel": "Different answers: the versions were written without seeing each other and do not agree. "
    "Keep the one the evidence supports; the other stays in the case's history.",
    "evidence": "Same answer, different evidence: both give the same answer with other evidence. Keep the "
    "version whose evidence should stand; the other stays in the case's history.",
    "fork": "One person, two versions: the same inspector sent two versions that do not follow one from the "
    "other (two laptops, or a restored backup). Keep the right one.",
}
CARD_MIN_WIDTH = 300  # two cards side by side fit the conflicts pane at 1024 px


def question_text(framework, conflict) -> str:
    """The question (or case detail) in words, for the heading above the versions."""
    kind = framework.question_kind(conflict.key)
    try:
        if kind == "key_question":
            return framework.key_question(conflict.key).text
        if kind == "prompt":
            return framework.prompt(conflict.key).text
        if kind == "case_detail":
            return framework.case_detail(conflict.key).label
    except KeyError:
        pass
    return ""


def bundle_text(version) -> str:
    """Which bundle brought the version: file, number and signer; or the lead's own edit."""
    if version.origin == "local":
        return "the lead's own edit in this database"
    parts = [version.file_name or "a bundle"]
    if version.sequence is not None:
        parts.append(f"bundle no. {version.sequence}")
    if version.bundle_inspector and version.bundle_inspector != version.author:
        parts.append(f"signed by {version.bundle_inspector}")
    return ", ".join(parts)


class VersionCard(QGroupBox):
    """One version: the choice button, who/answer/when/bundle, and the whole evidence."""

    def __init__(self, version, answer: str, parent=None):
        super().__init__(parent)
        self.version = version
        self.choice = QRadioButton(f"Keep {version.author}'s version", self)
        self.choice.setAccessibleName(f"Keep the version by {version.author}")
        when = f"{uk_date(version.updated_at)} {saved_time(version.updated_at)}"
        self.facts = QLabel(
            f"<b>Who:</b> {html.escape(version.author)}<br><b>Answer:</b> {html.escape(answer)}"
            f"<br><b>When:</b> {html.escape(when)}<br><b>From:</b> {html.escape(bundle_text(version))}",
            self,
        )
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        heading = QLabel("<b>Evidence</b>", self)
        self.evidence = QLabel(version.note or "(no evidence written)", self)
        self.evidence.setWordWrap(True)  # the whole text, wrapped to the card: nothing cut
        self.evidence.setTextFormat(Qt.TextFormat.PlainText)
        self.evidence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.evidence.setAccessibleName(f"Evidence by {version.author}")
        self.evidence.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.addWidget(self.choice)
        layout.addWidget(self.facts)
        layout.addWidget(heading)
        layout.addWidget(self.evidence, 1)
        self.setMinimumWidth(CARD_MIN_WIDTH)


class ConflictPanel(QWidget):
    """Conflicts to settle (a list) and the chosen one's versions as cards, with the decision."""

    keep_requested = Signal()  # the lead clicked Keep: the merge view records it

    def __init__(self, framework, read_only: bool, parent=None):
        super().__init__(parent)
        self.framework, self.read_only = framework, read_only
        self.cards: list[VersionCard] = []
        self.conflicts_model = RowsTableModel(
            [
                ("Case", lambda c: c.case_ref),
                ("Question", lambda c: c.key),
                ("Why", lambda c: REASON_TEXT.get(c.reason, c.reason)),
            ],
            parent=self,
        )
        self.conflicts_table = QTableView(self)
        self.conflicts_table.setAccessibleName("Conflicts to settle")
        self.conflicts_table.setModel(self.conflicts_model)
        self.conflicts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.conflicts_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.conflicts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.conflicts_table.verticalHeader().hide()
        self.conflicts_table.setWordWrap(True)  # "same answer, different evidence" wraps; it is not cut
        header = self.conflicts_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.conflicts_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.conflicts_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.conflicts_table.selectionModel().currentRowChanged.connect(lambda *_: self.show_selected())

        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.why_label = QLabel(self)
        self.why_label.setWordWrap(True)
        self.empty_label = QLabel("No conflict to settle.", self)
        theme.style_text(self.empty_label, "welcomeNote")
        self.cards_box = QWidget()
        self.cards_layout = QHBoxLayout(self.cards_box)
        self.cards_layout.setContentsMargins(0, 0, 0, 0)
        self.choices = QButtonGroup(self)
        self.scroll = QScrollArea(self)
        self.scroll.setAccessibleName("The versions of this answer")
        self.scroll.setWidget(self.cards_box)
        self.scroll.setWidgetResizable(True)  # cards take the width; long evidence scrolls down, never sideways
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText("Why this version (recorded with your decision)")
        self.reason_edit.setAccessibleName("Reason for the decision")
        self.keep_button = QPushButton("&Keep the chosen version", self)
        self.keep_button.clicked.connect(self.keep_requested)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.why_label)
        right_layout.addWidget(self.empty_label)
        right_layout.addWidget(self.scroll, 1)
        decide = QHBoxLayout()
        decide.addWidget(self.reason_edit, 1)
        decide.addWidget(self.keep_button)
        right_layout.addLayout(decide)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.conflicts_table)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([260, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.show_selected()

    def set_conflicts(self, conflicts) -> None:
        """Show these conflicts; the one on screen stays chosen, else the first is (no empty pane to click)."""
        before = self.selected_conflict()
        self.conflicts_model.set_rows(conflicts)
        keys = [(c.case_id, c.kind, c.key) for c in conflicts]
        wanted = (before.case_id, before.kind, before.key) if before is not None else None
        if conflicts:
            self.conflicts_table.selectRow(keys.index(wanted) if wanted in keys else 0)
        self.show_selected()

    def selected_conflict(self):
        index = self.conflicts_table.currentIndex()
        if not index.isValid() or index.row() >= self.conflicts_model.rowCount():
            return None
        return self.conflicts_model.row_object(index.row())

    def chosen_version(self):
        card = next((c for c in self.cards if c.choice.isChecked()), None)
        return card.version if card else None

    def _answer_text(self, value) -> str:
        if value is None:
            return "—"
        return self.framework.judgement_labels.get(value, value)

    def show_selected(self) -> None:
        conflict = self.selected_conflict()
        for card in self.cards:
            self.choices.removeButton(card.choice)
            card.deleteLater()
        self.cards = []
        self.empty_label.setText(
            "Choose a conflict in the list to see its versions." if self.conflicts_model.rowCount()
            else "No conflict to settle."
        )
        self.empty_label.setVisible(conflict is None)
        self.heading.setVisible(conflict is not None)
        self.why_label.setVisible(conflict is not None)
        self.keep_button.setEnabled(conflict is not None and not self.read_only)
        if conflict is None:
            return
        words = question_text(self.framework, conflict)
        self.heading.setText(
            f"<b>Case {html.escape(conflict.case_ref)}, {html.escape(conflict.key)}</b>"
            + (f": {html.escape(words)}" if words else "")
        )
        self.why_label.setText(REASON_SENTENCE.get(conflict.reason, REASON_TEXT.get(conflict.reason, "")))
        for version in conflict.versions:
            card = VersionCard(version, self._answer_text(version.value), self.cards_box)
            self.choices.addButton(card.choice)
            self.cards_layout.addWidget(card, 1)
            self.cards.append(card)
        self.cards[0].choice.setChecked(True)
        # Cards made after the tab order was set would sit at the end of the window's focus chain,
        # out of Tab's reach from the list: put them between the list and the reason.
        previous = self.conflicts_table
        for card in self.cards:
            QWidget.setTabOrder(previous, card.choice)
            previous = card.choice
        QWidget.setTabOrder(previous, self.reason_edit)
