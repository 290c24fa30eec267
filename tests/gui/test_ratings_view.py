"""The lead's ratings tab: computed ratings, the lead's decisions, breakdowns and exports."""

from __future__ import annotations

import json

import pytest

from fieldwork.gui.ratings_view import LeadRatingDialog, RatingsView
from fieldwork.reports.lead_ratings import lead_rating_history
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import framework_for


@pytest.fixture
def ratings(qtbot, gui_store, gui_inspection, cases):
    # C001 and C002 are supervision cases: 2.1.1 yes + no = 50 %, 2.1.2 yes + yes = 100 %.
    set_answer(gui_store, cases["C001"].id, "2.1.1", value="yes")
    set_answer(gui_store, cases["C002"].id, "2.1.1", value="no", note="No engagement.")
    set_answer(gui_store, cases["C001"].id, "2.1.2", value="yes")
    set_answer(gui_store, cases["C002"].id, "2.1.2", value="yes")
    view = RatingsView(gui_store, gui_inspection, framework_for(gui_store, gui_inspection))
    qtbot.addWidget(view)
    view.refresh()
    return view


def rating_of(view: RatingsView, standard_id: str):
    return next(r for r in view.report.ratings.standards if r.standard.id == standard_id)


def test_models_pass_the_model_tester(qtmodeltester, ratings):
    qtmodeltester.check(ratings.standards_model)
    qtmodeltester.check(ratings.kq_model)
    qtmodeltester.check(ratings.breakdown_model)


def test_the_lowest_key_question_decides_and_the_first_case_standard_is_shown(ratings):
    rated = rating_of(ratings, "2.1")
    assert rated.rating == "Requires improvement"  # 50 % exactly is the lower edge of the band
    assert rated.deciding_key_question == "2.1.1"
    assert ratings.selected().standard.id == "2.1"
    assert ratings.kq_model.rowCount() == 2
    assert "provisional" in ratings.overall_label.text()


def test_an_override_needs_a_reason_and_is_kept_beside_the_computed_rating(ratings, gui_store, gui_inspection):
    messages = []
    ratings.message.connect(messages.append)
    assert not ratings.rate("2.1", "Good", "")
    assert "reason" in messages[-1]
    assert ratings.rate("2.1", "Good", "Case sample skewed by one team's vacancies.")
    rated = rating_of(ratings, "2.1")
    assert (rated.rating, rated.computed) == ("Good", "Requires improvement")
    assert "Overridden" in ratings.decision_label.text()
    assert ratings.withdraw("2.1")
    assert rating_of(ratings, "2.1").rating == "Requires improvement"
    history = lead_rating_history(gui_store, gui_inspection.id, "2.1")
    assert [h.rating for h in history] == ["Good", None]


def test_a_judgement_standard_is_rated_by_the_lead(ratings):
    assert rating_of(ratings, "1.1").rating == "Not rated"
    assert ratings.rate("1.1", "Good", "Clear vision, shared in staff interviews.")
    assert rating_of(ratings, "1.1").rating == "Good"


def test_the_rating_dialog_offers_the_framework_ratings(qtbot, ratings):
    dialog = LeadRatingDialog(rating_of(ratings, "2.1"), ratings.framework.rating.ratings())
    qtbot.addWidget(dialog)
    assert [dialog.rating_combo.itemText(i) for i in range(dialog.rating_combo.count())] == [
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
    ]
    assert dialog.kind == "override"


def test_breakdown_by_a_case_detail(ratings):
    labels = [ratings.breakdown_combo.itemText(i) for i in range(ratings.breakdown_combo.count())]
    assert "Risk of serious harm (RoSH) level" in labels


@pytest.mark.parametrize("suffix", ["json", "html", "pdf"])
def test_export_writes_the_report(ratings, tmp_path, suffix):
    written = ratings.export(str(tmp_path / f"report.{suffix}"))
    assert written is not None and written.exists()
    data = written.read_bytes()
    if suffix == "json":
        assert json.loads(data)["overall"]["max"] == 9
    elif suffix == "html":
        assert b"Requires improvement" in data
    else:
        assert data.startswith(b"%PDF")


# --- issue 19: the rating dialog, judgement standards, whole column titles, the band legend --------------------


def _select(view: RatingsView, standard_id: str) -> None:
    view.standards_table.selectRow(
        next(r for r in range(view.standards_model.rowCount())
             if view.standards_model.row_object(r).standard.id == standard_id)
    )


def test_rate_this_standard_starts_with_no_rating_chosen(qtbot, ratings):
    dialog = LeadRatingDialog(rating_of(ratings, "1.1"), ratings.framework.rating.ratings())
    qtbot.addWidget(dialog)
    assert dialog.rating_combo.currentIndex() == -1 and dialog.rating_combo.currentText() == ""
    assert not dialog.ok_button.isEnabled()  # Enter cannot rate by accident
    dialog.rating_combo.setCurrentIndex(1)
    assert dialog.ok_button.isEnabled()
    assert ratings.rate("1.1", "Good", "Clear vision, shared in staff interviews.")
    again = LeadRatingDialog(rating_of(ratings, "1.1"), ratings.framework.rating.ratings())
    qtbot.addWidget(again)
    assert again.rating_combo.currentText() == "Good"  # a decision already made is shown, to change it


def test_a_judgement_standard_shows_no_table_of_zero_counts(ratings):
    _select(ratings, "1.1")
    assert ratings.kq_table.isHidden() and ratings.kq_model.rowCount() == 0
    _select(ratings, "2.1")
    assert not ratings.kq_table.isHidden() and ratings.kq_model.rowCount() == 2


@pytest.mark.parametrize("size", [(1280, 720), (1024, 620)])
def test_no_title_or_cell_of_the_ratings_tables_is_cut(qtbot, ratings, size):
    from PySide6.QtCore import Qt

    ratings.resize(*size)
    ratings.show()
    qtbot.waitExposed(ratings)
    _select(ratings, "2.1")
    for table in (ratings.standards_table, ratings.kq_table, ratings.breakdown_table):
        model, header = table.model(), table.horizontalHeader()
        assert model.rowCount() > 0
        for column in range(model.columnCount()):
            title = model.headerData(column, Qt.Orientation.Horizontal)
            assert header.fontMetrics().horizontalAdvance(title) <= header.sectionSize(column) - 8, title
            for row in range(model.rowCount()):
                assert table.rowHeight(row) >= table.sizeHintForRow(row)  # tall enough for its wrapped lines
                for word in model.index(row, column).data().split():  # no word wider than its column
                    assert table.fontMetrics().horizontalAdvance(word) <= header.sectionSize(column) - 8, word
    ratings.grab().save(f"/tmp/ratings_{size[0]}.png")


def test_the_band_lines_are_named_in_a_legend(ratings):
    _select(ratings, "2.1")
    bands = [b for b in ratings.framework.rating.bands if b.min_percent > 0]
    assert len(ratings.chart.band_lines) == len(bands) > 0
    assert not ratings.legend_label.isHidden()
    for band in bands:
        assert f"{band.rating} from {float(band.min_percent):g}%" in ratings.legend_label.text()
    _select(ratings, "1.1")  # no chart, so no legend
    assert ratings.legend_label.isHidden()
