"""First run: no inspection yet. Offers the practice inspection or a new one by hand."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from fieldwork.gui import theme


class WelcomeView(QWidget):
    practice_requested = Signal()
    new_inspection_requested = Signal()
    open_pack_requested = Signal()

    def __init__(self, *, can_open_packs: bool, parent=None):
        super().__init__(parent)
        title = QLabel("Welcome to fieldwork")
        theme.style_text(title, "welcomeTitle")
        intro = QLabel(
            "Record case assessments question by question, offline. Every answer is saved as you "
            "make it. There is no inspection in this store yet: choose how to start."
        )
        intro.setWordWrap(True)
        theme.style_text(intro, "welcomeIntro")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 50, 60, 50)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(16)
        choices = []
        if can_open_packs:
            choices.append(
                (
                    "&Open an allocation pack…",
                    "The file your lead inspector sent you: your cases, ready to read.",
                    self.open_pack_requested,
                )
            )
        choices += [
            (
                "&Try the practice inspection",
                "A fictional provider with a dozen cases in different states, to learn the screens.",
                self.practice_requested,
            ),
            (
                "Start an &inspection by hand…",
                "Pick a framework, name the provider and add your cases yourself.",
                self.new_inspection_requested,
            ),
        ]
        for label, explanation, signal in choices:
            button = theme.EnterButton(label)  # Enter presses the focused choice
            button.setObjectName("welcomeChoice")
            font = button.font()
            font.setPointSizeF(theme.BASE_POINT_SIZE * 1.15)
            button.setFont(font)
            button.setAccessibleDescription(explanation)
            button.setMinimumHeight(44)
            button.clicked.connect(signal)
            note = QLabel(explanation)
            theme.style_text(note, "welcomeNote")
            layout.addWidget(button)
            layout.addWidget(note)
            layout.addSpacing(8)
        layout.addStretch(1)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
