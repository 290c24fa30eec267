"""An empty cases table says what to do next (issue 19), and a search that hides every case says so."""

from __future__ import annotations

from fieldwork.store.assessments import list_case_summaries
from fieldwork.store.inspections import add_case


def test_no_cases_yet_says_how_to_get_them(make_window, gui_store, gui_inspection):
    window = make_window(gui_store)
    hint = window.home_view.empty_hint
    assert hint.isVisible()
    assert "import the provider's case sample on the Allocation tab" in hint.text()
    assert "File → Open allocation pack…" in hint.text()
    assert any(a.text().replace("&", "") == "Open allocation pack…" for m in window.menuBar().actions()
               if m.menu() for a in m.menu().actions())


def test_the_hint_goes_when_cases_come_and_speaks_of_the_filter_when_it_hides_them(
    qtbot, make_window, gui_store, gui_inspection
):
    window = make_window(gui_store)
    add_case(gui_store, gui_inspection, "C001")
    home = window.home_view
    home.set_summaries(list_case_summaries(gui_store, gui_inspection.id))  # as the window does after a change
    assert not home.empty_hint.isVisible()
    home.search_edit.setText("no such reference")
    qtbot.waitUntil(home.empty_hint.isVisible)
    assert "No case matches the search" in home.empty_hint.text()
    home.search_edit.clear()
    qtbot.waitUntil(lambda: not home.empty_hint.isVisible())
