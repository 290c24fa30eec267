"""The look of the app without a style sheet: Fusion, a palette, fonts, and a few painted parts.

Qt style sheets re-polish every widget they touch; with a few hundred question widgets that
alone cost more than the 100 ms a case may take to open. Fonts and palettes cost nothing
extra, and the handful of coloured shapes are painted by the widgets below.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyleFactory,
    QToolButton,
    QWidget,
)

BASE_POINT_SIZE = 10.5

INK = QColor("#1a1a1a")
MUTED = QColor("#555555")
FAINT = QColor("#656b73")  # 4.5:1 or more on white and on the focused row (WCAG 2.2 AA)
ACCENT = QColor("#1a5fb4")
PAGE = QColor("#f4f6f8")
CARD = QColor("#ffffff")
CARD_BORDER = QColor("#d4d8de")
FOCUS_FILL = QColor("#e3ecfb")
# The keyboard's place: a 3 px ring, 10:1 against white and 8:1 against FOCUS_FILL (issue 19).
FOCUS_RING = QColor("#0b3470")
FOCUS_RING_WIDTH = 3
MODE_FILLS = {"answering": QColor("#d6e4fb"), "typing": QColor("#fff0c2"), "": QColor("#eceef1")}
JUDGEMENT_FILL = QColor("#f3f5f9")
EVIDENCE_FILL = QColor("#fffef8")
ANSWER_COLOURS = {"yes": QColor("#1b7f3b"), "no": QColor("#b3261e"), "na": QColor("#5c6670")}
STATE_COLOURS = {
    "saved": QColor("#1b7f3b"),
    "unsaved": QColor("#8a6d00"),
    "error": QColor("#a4000f"),
    "readonly": QColor("#a4000f"),
    "": MUTED,
}
STATUS_FILLS = {
    "not_started": QColor("#e0e0e0"),
    "in_progress": QColor("#fff0c2"),
    "complete": QColor("#cdeccf"),
    "handed_over": QColor("#d0def5"),
}


@dataclass(frozen=True)
class TextRole:
    scale: float = 1.0
    bold: bool = False
    italic: bool = False
    colour: QColor | None = None
    monospace: bool = False


ROLES = {
    "inspectionTitle": TextRole(1.6, bold=True),
    "inspectionSubtitle": TextRole(colour=QColor("#444444")),
    "caseTitle": TextRole(1.45, bold=True),
    "caseSample": TextRole(colour=MUTED),
    "caseProgress": TextRole(colour=QColor("#333333")),
    "welcomeTitle": TextRole(1.9, bold=True),
    "welcomeIntro": TextRole(1.1, colour=QColor("#333333")),
    "welcomeNote": TextRole(colour=MUTED),
    "standardHeading": TextRole(1.3, bold=True, colour=QColor("#1d3557")),
    "standardStatement": TextRole(italic=True, colour=QColor("#444444")),
    "keyQuestionHeading": TextRole(1.1, bold=True),
    "questionId": TextRole(0.95, colour=FAINT, monospace=True),
    "sectionCaption": TextRole(0.85, bold=True, colour=MUTED),
    "guidance": TextRole(colour=MUTED),
    "judgementText": TextRole(bold=True),
    "errorText": TextRole(colour=QColor("#a4000f")),
    "saveState": TextRole(0.9, colour=STATE_COLOURS["saved"]),
    "saveIndicator": TextRole(colour=STATE_COLOURS["saved"]),
}


def apply_theme(app: QApplication) -> None:
    app.setStyle(QStyleFactory.create("Fusion"))
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f7f7f8"))
    palette.setColor(QPalette.ColorRole.WindowText, INK)
    palette.setColor(QPalette.ColorRole.Base, CARD)
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f3f5f7"))
    palette.setColor(QPalette.ColorRole.Text, INK)
    palette.setColor(QPalette.ColorRole.Button, QColor("#fbfbfc"))
    palette.setColor(QPalette.ColorRole.ButtonText, INK)
    palette.setColor(QPalette.ColorRole.Highlight, ACCENT)
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, FAINT)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, FAINT)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, FAINT)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, FAINT)
    app.setPalette(palette)
    font = app.font()
    font.setPointSizeF(BASE_POINT_SIZE)
    app.setFont(font)


def style_text(label: QWidget, role: str) -> None:
    """Give a label the font and colour of its role; the role is also its object name."""
    spec = ROLES[role]
    label.setObjectName(role)
    font = QFont(label.font())
    if spec.monospace:
        font.setFamily("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(BASE_POINT_SIZE * spec.scale)
    font.setBold(spec.bold)
    font.setItalic(spec.italic)
    label.setFont(font)
    if spec.colour is not None:
        set_text_colour(label, spec.colour)


def set_text_colour(widget: QWidget, colour: QColor) -> None:
    palette = widget.palette()
    palette.setColor(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText, colour)
    palette.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.WindowText, colour)
    widget.setPalette(palette)


def set_state(label: QLabel, state: str) -> None:
    """Colour a save-state label: saved green, unsaved amber, error red."""
    label.setProperty("state", state)
    set_text_colour(label, STATE_COLOURS.get(state, MUTED))
    font = label.font()
    font.setBold(state in ("error", "readonly"))
    label.setFont(font)


def fill_background(widget: QWidget, colour: QColor) -> None:
    widget.setAutoFillBackground(True)
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.Window, colour)
    widget.setPalette(palette)


class PillLabel(QLabel):
    """A label on a rounded coloured background (status badges, banners, notes)."""

    def __init__(self, text: str = "", parent=None, *, fill: QColor = STATUS_FILLS["not_started"], radius: float = 9):
        super().__init__(text, parent)
        self._fill = fill
        self._border: QColor | None = None
        self._radius = radius
        self.setContentsMargins(10, 3, 10, 3)

    def set_fill(self, fill: QColor, border: QColor | None = None) -> None:
        self._fill, self._border = fill, border
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self._border, 1) if self._border else Qt.PenStyle.NoPen)
        painter.setBrush(self._fill)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), self._radius, self._radius)
        painter.end()
        super().paintEvent(event)


class OneLineWhenRoomLabel(QLabel):
    """A label on one line when the window has room, wrapped when it has not (e.g. the case header)."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def sizeHint(self):
        hint = super().sizeHint()
        margins = self.contentsMargins()
        hint.setWidth(self.fontMetrics().horizontalAdvance(self.text()) + margins.left() + margins.right() + 2)
        return hint


class EnterButton(QPushButton):
    """A push button that Enter presses too, outside a dialog (where Qt only gives it Space)."""

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.click()
            return
        super().keyPressEvent(event)


class AnswerButton(QToolButton):
    """Yes / No / Not applicable: white when not chosen, filled with its colour when chosen.

    The colour is never the only sign (issue 19): the answers differ in their words, and the
    chosen one also carries a tick (drawn in the button's padding, in regular weight so that it
    fits), so it stands out in grey-scale and to someone who cannot tell green from red.
    """

    CHOSEN_MARK = "✓ "

    def __init__(self, answer: str, text: str, parent=None):
        super().__init__(parent)
        self.answer = answer
        self.setProperty("answer", answer)
        self.setText(text)
        self.setCheckable(True)
        self.setMinimumWidth(64)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the row keeps the keyboard

    def shown_text(self) -> str:
        """The words painted on the button: with a tick when it is the chosen answer."""
        return self.CHOSEN_MARK + self.text() if self.isChecked() else self.text()

    def sizeHint(self):
        # The padding (22 px) has room for the tick: choosing an answer moves nothing, and the
        # case page keeps its width (it must not scroll sideways at 1024 px).
        hint = super().sizeHint()
        hint.setWidth(max(64, self.fontMetrics().horizontalAdvance(self.text()) + 22))
        hint.setHeight(self.fontMetrics().height() + 12)
        return hint

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        chosen = self.isChecked()
        colour = ANSWER_COLOURS[self.answer]
        if not self.isEnabled():
            colour = QColor("#9aa3ab")
        if chosen:
            painter.setPen(QPen(colour, 1))
            painter.setBrush(colour)
        else:
            painter.setPen(QPen(QColor("#dddddd") if not self.isEnabled() else QColor("#b0b7c0"), 1))
            painter.setBrush(QColor("#ffffff") if not self.underMouse() else QColor("#f0f3f7"))
        painter.drawRoundedRect(rect, 3, 3)
        if chosen:
            painter.setPen(QColor("#ffffff"))
        else:
            painter.setPen(FAINT if not self.isEnabled() else INK)
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.shown_text())
        painter.end()


def paint_card(widget: QWidget, fill: QColor = CARD, border: QColor = CARD_BORDER, radius: float = 6) -> None:
    """Draw a rounded card behind a widget's children (call from its paintEvent)."""
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(border, 1))
    painter.setBrush(fill)
    painter.drawRoundedRect(QRectF(widget.rect()).adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
    painter.end()


def paint_focus_ring(widget: QWidget, rect) -> None:
    """Draw the focus ring inside `rect` of `widget` (call from its paintEvent, after the fill)."""
    painter = QPainter(widget)
    pen = QPen(FOCUS_RING, FOCUS_RING_WIDTH)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    inset = FOCUS_RING_WIDTH / 2
    painter.drawRect(QRectF(rect).adjusted(inset, inset, -inset, -inset))
    painter.end()
