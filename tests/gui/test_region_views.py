"""A region lead's Merge tab takes PDU results bundles with the same button as inspectors'
bundles (the kind is read from the file), and the Ratings tab lists the PDUs counted (issue 17;
decision 0035)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from region.helpers import REGION, Pdu, Region

from fieldwork.gui.merge_view import MergeView
from fieldwork.gui.ratings_view import RatingsView
from fieldwork.store.inspections import add_case, framework_for, get_inspection

SHOTS = os.environ.get("FIELDWORK_SCREENSHOTS")  # a folder: the tabs are saved there as PNGs to look at


@pytest.fixture
def region_world(tmp_path):
    pdus = [Pdu(tmp_path, f"pdu{i}", f"pdu-{i}", cases, seed=i) for i, cases in enumerate((12, 8), start=1)]
    region = Region(tmp_path, [p.person for p in pdus])
    yield pdus, region
    for store in (*[p.store for p in pdus], region.store):
        store.close()


def test_the_merge_button_takes_results_bundles_and_the_ratings_list_the_pdus(qtbot, region_world, tmp_path):
    pdus, region = region_world
    inspection = get_inspection(region.store, REGION)
    framework = framework_for(region.store, inspection)
    ratings = RatingsView(region.store, inspection, framework)
    qtbot.addWidget(ratings)
    ratings.refresh()
    assert ratings.contributions_model.rowCount() == 0 and "No PDU results yet" in ratings.contributions_label.text()

    merge = MergeView(region.store, inspection, framework)
    qtbot.addWidget(merge)
    files = [str(p.export(region)) for p in pdus]
    with qtbot.waitSignal(merge.merged, timeout=20000):
        merge.merge_files([*files, files[0]], region.keys)
    rows = [merge.results_model.row_object(r) for r in range(merge.results_model.rowCount())]
    assert [r.status for r in rows] == ["imported", "imported", "already_imported"]
    assert rows[0].inspector_id == "pdu1" and "Results of PDU inspection pdu-1: 12 cases" in rows[0].notes[0]

    ratings.refresh()
    listed = [ratings.contributions_model.row_object(r) for r in range(ratings.contributions_model.rowCount())]
    assert [(c.pdu_inspection_id, c.cases, c.signer_person_id) for c in listed] == [
        ("pdu-1", 12, "pdu1"), ("pdu-2", 8, "pdu2")]
    assert "rated from 2 PDU inspections (20 cases)" in ratings.contributions_label.text()
    basis = {r.standard.title: ratings.standards_model.data(ratings.standards_model.index(i, 2))
             for i, r in enumerate(ratings.report.standards)}
    assert basis["Court work"] == "PDU results" and basis["Unpaid work"] == "cases"

    assert ratings.take_out("pdu-2")
    assert ratings.contributions_model.rowCount() == 1 and "rated from 1 PDU inspection (12 cases)" in (
        ratings.contributions_label.text())

    if SHOTS:
        for size in ((1280, 800), (1024, 700)):
            for name, view in (("merge", merge), ("ratings", ratings)):
                view.resize(*size)
                view.show()
                qtbot.waitExposed(view)
                view.grab().save(str(Path(SHOTS) / f"region-{name}-{size[0]}x{size[1]}.png"))


def test_the_ratings_case_count_names_the_pdu_cases_beside_the_regions_own(qtbot, region_world):
    """The "From N cases" line counted only the region's own cases while the PDU results table beside
    it listed the cases the combined standards were rated from (issue 19): it names both."""
    pdus, region = region_world
    inspection = get_inspection(region.store, REGION)
    for ref in ("R-1", "R-2"):
        add_case(region.store, inspection, ref, inspector_id="reg")
    region.take_in(*[p.export(region) for p in pdus])
    ratings = RatingsView(region.store, inspection, framework_for(region.store, inspection))
    qtbot.addWidget(ratings)
    ratings.refresh()
    text = ratings.cases_label.text()
    assert "own 2 cases: 0 complete, 0 in progress, 2 not started" in text
    assert "20 cases from 2 PDU inspections" in text
