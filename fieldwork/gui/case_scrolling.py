"""Scrolling of the case page: never sideways, and the keyboard's place always in view.

A mixin of CaseView (it uses the view's scroll area, page, splitter, rows and panels), kept apart
so the view itself stays readable. Deferred scrolls run on the view's own timer (CaseView._after_layout,
never QTimer.singleShot with a lambda: see its docstring).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from fieldwork.gui.question_widgets import KeyQuestionPanel

OUTLINE_MIN_WIDTH = 160  # the outline is never squeezed below this to make room for the page


class PageScrolling:
    """Scroll helpers for CaseView: needs self.scroll, self._page, self.splitter, self._rows,
    self._panels and self._after_layout."""

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._after_layout(self._fit_outline)

    def _fit_outline(self) -> None:
        """When the page would need to scroll sideways, the outline gives way (down to a minimum)."""
        sizes = self.splitter.sizes()
        if len(sizes) != 2 or sizes[0] <= OUTLINE_MIN_WIDTH:
            return
        scroll = self.scroll
        needed = self._page.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        needed += 2 * scroll.frameWidth()
        short = needed - sizes[1]
        if short > 0:
            give = min(short, sizes[0] - OUTLINE_MIN_WIDTH)
            self.splitter.setSizes([sizes[0] - give, sizes[1] + give])

    def _scroll_to(self, widget: QWidget, margin: int = 60) -> None:
        """Bring a widget into view, again once pending layout has run (new sections have none yet)."""
        self.scroll.ensureWidgetVisible(widget, 0, margin)
        self._after_layout(lambda: self._scroll_if_alive(widget, margin))

    def _scroll_top_to(self, widget: QWidget) -> None:
        """Put a section heading or key question at the top of the page, after layout."""
        bar = self.scroll.verticalScrollBar()
        bar.setValue(widget.y())
        self._after_layout(lambda: bar.setValue(widget.y()))

    def _scroll_if_alive(self, widget: QWidget, margin: int) -> None:
        if widget in self._rows or any(widget is p.evidence for p in self._panels.values()):
            self.scroll.ensureWidgetVisible(widget, 0, margin)

    def _show_judgement_of(self, panel: KeyQuestionPanel) -> None:
        """Scroll so a key question's judgement and its whole evidence box are in view."""
        self._scroll_span(panel.judgement_row, panel.evidence)
        self._after_layout(lambda: self._scroll_span_if_alive(panel))

    def _scroll_span_if_alive(self, panel: KeyQuestionPanel) -> None:
        if any(panel is p for p in self._panels.values()):
            self._scroll_span(panel.judgement_row, panel.evidence)

    def _scroll_span(self, top: QWidget, bottom: QWidget, margin: int = 24) -> None:
        """Bring the page from `top`'s top edge to `bottom`'s bottom edge into view; when it is
        taller than the viewport, `top` wins. Only the vertical bar moves."""
        page = self._page
        upper = top.mapTo(page, top.rect().topLeft()).y() - margin
        lower = bottom.mapTo(page, bottom.rect().bottomLeft()).y() + margin
        bar = self.scroll.verticalScrollBar()
        height = self.scroll.viewport().height()
        value = bar.value()
        if lower > value + height:
            value = lower - height
        if upper < value:
            value = upper
        bar.setValue(value)
