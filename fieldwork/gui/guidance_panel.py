"""The guidance panel: the CARaG guidance for the question under the keyboard, on demand (F2).

Guidance can run to paragraphs (what "sufficient" looks like, what to look for), so it is not
printed under every question: F2 opens a panel below the questions that follows the keyboard
from question to question, and F2 again closes it. It is a panel, not a hover: it stays while the
inspector reads the case file, and a screen reader reads it like any other text.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from fieldwork.frameworks.model import Framework, KeyQuestion
from fieldwork.gui import theme

GUIDANCE_KEY = "F2"


def has_guidance(question: KeyQuestion) -> bool:
    return bool(question.guidance or any(p.guidance for p in question.prompts))


def guidance_html(question: KeyQuestion, number=lambda question_id: question_id) -> str:
    """The key question's guidance, then each prompt's, line breaks kept; text escaped throughout.
    `number` gives the number shown for a prompt id (Framework.question_number)."""

    def paragraphs(text: str) -> str:
        return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())

    parts = []
    if question.guidance:
        parts.append(paragraphs(question.guidance))
    for prompt in question.prompts:
        if prompt.guidance:
            parts.append(
                f"<p><b>{escape(number(prompt.id))}</b> {escape(prompt.text)}</p>{paragraphs(prompt.guidance)}"
            )
    if not parts:
        return "<p><i>This framework gives no guidance for this question.</i></p>"
    return "".join(parts)


class GuidancePanel(QWidget):
    """Shown below the questions while open; `show_for` follows the keyboard."""

    def __init__(self, framework: Framework, parent=None):
        super().__init__(parent)
        self.setObjectName("guidancePanel")
        self.framework = framework
        self.question_id: str | None = None
        self.title = QLabel("", self)
        theme.style_text(self.title, "sectionCaption")
        self.title.setWordWrap(True)
        self.text = QTextBrowser(self)
        self.text.setObjectName("guidanceText")
        self.text.setAccessibleName("Guidance for the question")
        self.text.setOpenLinks(False)
        self.text.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        self.hide()

    def show_for(self, question_id: str | None) -> None:
        """The guidance of this key question, or of the key question a prompt belongs to."""
        self.question_id = question_id
        if question_id is None:
            self.title.setText(f"GUIDANCE — choose a question ({GUIDANCE_KEY} closes this panel)")
            self.text.setHtml("")
            return
        kind = self.framework.question_kind(question_id)
        question = (self.framework.parent_key_question(question_id) if kind == "prompt"
                    else self.framework.key_question(question_id))
        self.title.setText(
            f"GUIDANCE FOR {self.framework.question_number(question.id)} — {GUIDANCE_KEY} closes this panel"
        )
        self.text.setHtml(guidance_html(question, self.framework.question_number))
        self.fit()

    def fit(self) -> None:
        """As tall as the guidance, but never more than a third of the case view: the question
        being answered stays in sight (at 1024×700 the questions keep about 300 pixels)."""
        document = self.text.document()
        # The widget's own width: in its resize event the viewport still has the old one.
        document.setTextWidth(max(100, self.text.width() - 2 * self.text.frameWidth()))
        wanted = int(document.size().height()) + 2 * self.text.frameWidth() + 4
        ceiling = max(80, (self.parentWidget().height() if self.parentWidget() else 600) // 3)
        self.text.setFixedHeight(max(48, min(wanted, ceiling)))

    def eventFilter(self, watched, event) -> bool:
        # The text's own width is known only once it is laid out: refit when it changes.
        resized = watched is self.text and event.type() == event.Type.Resize
        if resized and event.oldSize().width() != event.size().width():
            self.fit()
        return False

    def plain_text(self) -> str:
        return self.text.toPlainText()
