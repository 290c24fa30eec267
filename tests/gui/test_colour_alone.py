"""Nothing is told by colour alone, and every coloured pill or badge is readable (issue 19).

Text on a coloured fill keeps at least 4.5:1 contrast (WCAG 2.2 AA); the green and red answer
buttons differ in their words, and the chosen one also in its tick and weight.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldwork.gui import moderation_panel, theme
from fieldwork.gui.handover_dialog import RetentionBanner
from fieldwork.reports.contrast import AA_TEXT, contrast_ratio

WHITE = "#ffffff"
INK = theme.INK.name()
WINDOW = "#f7f7f8"  # the window background of apply_theme

# (what, text colour, fill) of every pill, badge, strip and coloured text in the app.
PAIRS = [
    *[(f"case status {name}", INK, fill.name()) for name, fill in theme.STATUS_FILLS.items()],
    *[(f"keyboard mode {name or 'idle'}", INK, fill.name()) for name, fill in theme.MODE_FILLS.items()],
    *[(f"moderation {name}", INK, fill.name()) for name, fill in moderation_panel.STATE_FILLS.items()],
    ("open query", moderation_panel.OPEN_INK.name(), moderation_panel.OPEN_FILL.name()),
    ("answered query", moderation_panel.ANSWERED_INK.name(), moderation_panel.ANSWERED_FILL.name()),
    ("retention banner", INK, RetentionBanner.FILL.name()),
    ("not applicable to this case", "#6b4e00", "#fff4cc"),
    *[(f"chosen answer {name}", WHITE, colour.name()) for name, colour in theme.ANSWER_COLOURS.items()],
    ("answer not chosen", INK, WHITE),
    *[(f"save state {name or 'plain'}", colour.name(), WINDOW) for name, colour in theme.STATE_COLOURS.items()],
    ("focused row", INK, theme.FOCUS_FILL.name()),
    *[(f"question number on {name}", theme.FAINT.name(), fill) for name, fill in (("white", WHITE),
      ("the focused row", theme.FOCUS_FILL.name()), ("a judgement", theme.JUDGEMENT_FILL.name()))],
    ("placeholder text", theme.FAINT.name(), WHITE),
    ("evidence", INK, theme.EVIDENCE_FILL.name()),
]


@pytest.mark.parametrize(("what", "ink", "fill"), PAIRS, ids=[p[0] for p in PAIRS])
def test_every_coloured_pill_is_readable(what, ink, fill):
    assert contrast_ratio(ink, fill) >= AA_TEXT, f"{what}: {ink} on {fill}"


def test_the_answer_buttons_differ_in_words_and_the_chosen_one_in_its_tick(qtbot, case_view, gui_store, cases):
    row = case_view.rows[0]
    buttons = [b for b in row.findChildren(theme.AnswerButton) if not b.isHidden()]
    assert len({b.shown_text() for b in buttons}) == len(buttons) >= 2  # Yes and No read differently
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Y)
    chosen = [b for b in buttons if b.isChecked()]
    assert [b.answer for b in chosen] == ["yes"]
    assert chosen[0].shown_text().startswith("✓") and chosen[0].shown_text().endswith(chosen[0].text())
    assert not any(b.shown_text().startswith("✓") for b in buttons if not b.isChecked())
    # Choosing moves nothing, and the ticked words fit the button's padding.
    width = chosen[0].sizeHint().width()
    for button in buttons:
        ticked = button.CHOSEN_MARK + button.text()
        assert button.fontMetrics().horizontalAdvance(ticked) <= button.sizeHint().width() - 4, ticked
    qtbot.keyClick(row, Qt.Key.Key_Delete)  # the keyboard moved on to the next question
    assert not chosen[0].isChecked() and chosen[0].sizeHint().width() == width
