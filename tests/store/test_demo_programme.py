"""The practice inspection uses a programme HMI Probation runs today, not a historic one (issue 17)."""

from __future__ import annotations

from fieldwork.demo import create_demo_inspection
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.store.assessments import list_case_summaries
from fieldwork.store.inspections import framework_for


def test_the_practice_inspection_is_a_current_pdu_inspection_with_work_in_every_state(store):
    inspection = create_demo_inspection(store)
    framework = framework_for(store, inspection)
    assert (framework.id, framework.historic) == ("hmip-probation-pdu-2023", False)
    assert inspection.provider_type in framework.provider_types and "PDU" in inspection.provider
    summaries = list_case_summaries(store, inspection.id)
    statuses = sorted(s.case.status for s in summaries)
    assert statuses.count("complete") == 3 and statuses.count("not_started") == 4
    assert {s.case.sample_id for s in summaries} == {"supervision", "court_reports", "resettlement"}
    report = inspection_ratings(store, inspection.id)
    case_standards = [r for r in report.standards if r.standard.rated_from_cases and r.standard.rated]
    # the practice data rates the four case standards, so the ratings screen has something to show
    assert case_standards and all(r.computed != framework.rating.not_rated for r in case_standards)
