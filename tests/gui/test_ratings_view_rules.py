"""The ratings view says the rule behind each rating, and offers nothing to rate for a reported
standard (issue 17)."""

from __future__ import annotations

from helpers.format2 import mini2

from fieldwork.gui.ratings_view import RatingsView
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import add_case, create_inspection


def test_a_reported_standard_shows_its_results_and_cannot_be_rated(qtbot, gui_store):
    framework = mini2(
        {
            'sample = "supervision"\n': 'sample = "supervision"\nrated = false\n',
            "min_score = 5, max_score = 7": "min_score = 5, max_score = 5",
            "min_score = 8, max_score = 9": "min_score = 6, max_score = 6",
            'unrated_standards = "provisional"': 'unrated_standards = "reduced_maximum"',
        }
    )
    inspection = create_inspection(
        gui_store, inspection_id="R-1", provider="Test", provider_type="CRC", framework=framework,
        fieldwork_start="2026-11-02", fieldwork_end="2026-11-13", lead_id=gui_store.actor,
    )  # fmt: skip
    case = add_case(gui_store, inspection, "C1")
    set_answer(gui_store, case.id, "2.1.1", value="yes")
    unpaid = add_case(gui_store, inspection, "U1", sample_id="unpaid_work")
    set_answer(gui_store, unpaid.id, "3.1.1", value="no", note="Late start.")
    view = RatingsView(gui_store, inspection, framework)
    qtbot.addWidget(view)
    view.refresh()
    # 1.1 has no judgement: it leaves the maximum; 3.1 Inadequate: 0 of 3, final.
    overall = view.overall_label.text()
    assert overall.startswith("Overall: Inadequate, 0 of 3, final out of the reduced maximum 3 of 6")
    assert "Rule: reduced_maximum (recalled)." in overall
    row = next(i for i, r in enumerate(view.report.ratings.standards) if r.standard.id == "2.1")
    view.standards_table.selectRow(row)
    assert view.decision_label.text() == "Reported, not rated: these results never enter a rating."
    assert not view.rate_button.isEnabled()
    assert view.standards_model.data(view.standards_model.index(row, 2)) == "reported, not rated"
    row = next(i for i, r in enumerate(view.report.ratings.standards) if r.standard.id == "3.1")
    view.standards_table.selectRow(row)
    assert "Rule: lowest_key_question" in view.decision_label.text() and "recalled" in view.decision_label.text()
    assert view.rate_button.isEnabled()
