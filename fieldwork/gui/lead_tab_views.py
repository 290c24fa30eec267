"""The views behind the lead's tabs, each wired to the main window: what LeadTabs builds on first use.

Each view module is imported inside its builder, so a tab nobody opens costs nothing at start-up
(QtCharts loads only when a lead looks at Ratings; tests/gui/test_startup_imports.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QWidget


def lead_tab_builders(window) -> dict[str, Callable[[QWidget], QWidget]]:
    """Tab name → builder(parent) for the open inspection; Premises only when the framework
    answers standards once for the premises (decision 0037)."""
    builders = {
        "allocation": partial(_allocation, window),
        "merge": partial(_merge, window),
        "ratings": partial(_ratings, window),
    }
    if window.framework.premises_standards:
        builders["premises"] = partial(_premises, window)
    return builders


def _say(window, milliseconds: int):
    return lambda text: window.statusBar().showMessage(text, milliseconds)


def _allocation(window, parent):
    from fieldwork.gui.allocation_view import AllocationView

    view = AllocationView(window.store, window.inspection, window.framework, parent)
    view.allocation_changed.connect(window.refresh_home)
    view.message.connect(_say(window, 10000))
    view.packs_requested.connect(window.export_allocation_packs)
    return view


def _merge(window, parent):
    from fieldwork.gui.merge_view import MergeView

    view = MergeView(window.store, window.inspection, window.framework, parent)
    view.message.connect(_say(window, 15000))
    view.unlock_requested.connect(window._merge_pending)
    view.merged.connect(window.refresh_home)
    return view


def _ratings(window, parent):
    from fieldwork.gui.ratings_view import RatingsView  # QtCharts loads only when a lead looks

    view = RatingsView(window.store, window.inspection, window.framework, parent)
    view.message.connect(_say(window, 10000))
    return view


def _premises(window, parent):
    from fieldwork.gui.premises_view import PremisesView

    view = PremisesView(window.store, window.inspection, window.framework, parent)
    view.message.connect(_say(window, 10000))
    return view
