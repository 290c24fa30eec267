"""First run: no inspection yet. Says who you are here, then offers a pack, the practice inspection
or a new one by hand.

Who you are is asked on the first run (name and person id, the login name offered), so that
everything is recorded under the person id from the start and the keys are made for that same id
(docs/decisions/0023). It can still be changed on the keys page until the keys are made.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from fieldwork.gui import theme
from fieldwork.profile import Profile


class WelcomeView(QWidget):
    practice_requested = Signal()
    new_inspection_requested = Signal()
    open_pack_requested = Signal()

    def __init__(self, *, can_open_packs: bool, profile: Profile | None = None, parent=None):
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
        self.name_edit: QLineEdit | None = None
        self.person_edit: QLineEdit | None = None
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        theme.style_text(self.error_label, "errorText")
        if profile is not None:
            layout.addWidget(self._who_you_are(profile))
            layout.addWidget(self.error_label)
            self.error_label.hide()
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
                "Set up an &inspection (lead inspector)…",
                "For the lead: choose the programme, name the provider, then import the case sample and "
                "allocate cases to your team (or add cases yourself to read them alone).",
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
            note.setWordWrap(True)  # the lead's long note held the window at 1263 px, wider than a 1024 screen
            theme.style_text(note, "welcomeNote")
            layout.addWidget(button)
            layout.addWidget(note)
            layout.addSpacing(8)
        layout.addStretch(1)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def _who_you_are(self, profile: Profile) -> QWidget:
        box = QWidget(self)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        if profile.is_set:
            form.addRow("You are", QLabel(f"{profile.name} ({profile.person_id})", box))
            return box
        self.name_edit = QLineEdit(box)
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.setPlaceholderText("as colleagues know you, e.g. Jo Smith")
        self.person_edit = QLineEdit(profile.person_id, box)  # the login name, standing in so far
        self.person_edit.setAccessibleName("Your person id")
        self.person_edit.setPlaceholderText("as your lead inspector knows you, e.g. jsmith")
        form.addRow("Your &name", self.name_edit)
        form.addRow("Your person i&d", self.person_edit)
        note = QLabel(
            "Everything you record here is under your person id (as your lead inspector knows you), and your "
            "keys are made for it. You can change it until you make your keys.",
            box,
        )
        note.setWordWrap(True)
        theme.style_text(note, "welcomeNote")
        layout.addWidget(note)
        return box

    def chosen_profile(self) -> tuple[str, str] | None:
        """(person id, name) typed on this page, or None when it does not ask (the profile is set).
        An empty name is the person id."""
        if self.person_edit is None or self.name_edit is None:
            return None
        person_id = self.person_edit.text().strip()
        return person_id, self.name_edit.text().strip() or person_id

    def show_problem(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        if self.person_edit is not None:
            self.person_edit.setFocus()
