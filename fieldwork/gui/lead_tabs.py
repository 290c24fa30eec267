"""The lead inspector's tabs (Premises where the framework has it, Allocation, Merge, Ratings), each
built the first time it is needed.

Building all three when an inspection opens cost a lead about 150 ms of start-up (QtCharts, the
merge tables, the allocation counts) for tabs that may not be looked at that session. Each tab
starts as an empty placeholder and becomes its real view when it is shown or first asked for;
the window sees no difference.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QTabWidget, QWidget

from fieldwork.gui import accessibility
from fieldwork.gui.focus_order import follow_reading_order
from fieldwork.gui.shortcuts import LEAD_TAB_TITLES, PREMISES_TAB

# name, tab label (with its Alt mnemonic, listed in the F1 help), in the order the tabs appear after Cases
LEAD_TABS = (
    ("premises", PREMISES_TAB),  # only when given a builder: frameworks answered for the premises
    *zip(("allocation", "merge", "ratings"), LEAD_TAB_TITLES[1:], strict=True),
)
OPTIONAL_TABS = frozenset({"premises"})


class LeadTabs:
    """Placeholders for the lead's tabs in `tabs`, swapped for real views on first use."""

    def __init__(self, tabs: QTabWidget, builders: dict[str, Callable[[QWidget], QWidget]]):
        self._tabs = tabs
        self._builders = builders
        self._views: dict[str, QWidget] = {}
        self._placeholders: dict[str, QWidget] = {}
        for name, label in LEAD_TABS:
            if name in OPTIONAL_TABS and name not in builders:
                continue
            placeholder = QWidget(tabs)
            self._placeholders[name] = placeholder
            tabs.addTab(placeholder, label)
        tabs.currentChanged.connect(self._build_current)

    def view(self, name: str) -> QWidget:
        """The tab's real view, built now if it is not yet."""
        if name not in self._views:
            placeholder = self._placeholders.pop(name)
            index = self._tabs.indexOf(placeholder)
            was_current = self._tabs.currentIndex() == index
            view = self._builders[name](self._tabs)
            self._views[name] = view
            blocked = self._tabs.blockSignals(True)  # the swap itself is not the user changing tabs
            try:
                label = self._tabs.tabText(index)
                self._tabs.removeTab(index)
                self._tabs.insertTab(index, view, label)
                if was_current:
                    self._tabs.setCurrentIndex(index)
            finally:
                self._tabs.blockSignals(blocked)
            placeholder.deleteLater()
            # Names for screen readers, Tab column by column as the tab reads (issue 19).
            accessibility.label_controls(view)
            follow_reading_order(view)
        return self._views[name]

    def built(self, name: str) -> QWidget | None:
        """The tab's view if it has been built, without building it."""
        return self._views.get(name)

    def _build_current(self, index: int) -> None:
        widget = self._tabs.widget(index)
        for name, placeholder in list(self._placeholders.items()):
            if placeholder is widget:
                self.view(name)
                return
