"""What the lead may record under format-2 rules, and how reports word reported and unrated
items: no override where there is no four-point rating, no rating of a reported standard."""

from __future__ import annotations

import pytest
from helpers.format2 import mini2, mini2_text

from fieldwork.errors import ValidationError
from fieldwork.frameworks import parse_framework
from fieldwork.reports.exports import ratings_json
from fieldwork.reports.html_report import render_html
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.reports.lead_ratings import JUDGEMENT, OVERRIDE, set_lead_rating
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import add_case, create_inspection


def make_inspection(store, framework):
    return create_inspection(
        store, inspection_id="p-1", provider="Test PDU", provider_type="CRC", framework=framework,
        fieldwork_start="2026-11-02", fieldwork_end="2026-11-13", lead_id="lead-1",
    )  # fmt: skip


def sufficiency_framework():
    text = mini2_text()
    text = text[: text.index("[rating]")] + (
        '[rating]\nscheme = "sufficiency"\nnot_rated = "Not rated"\nunrated_standards = "not_rated"\n'
        'written_judgement = "Chief Inspector\'s judgement"\n'
    )
    return parse_framework(text.encode(), source_name="dynamic.toml")


def test_no_override_without_a_four_point_rating_but_a_written_judgement(store):
    inspection = make_inspection(store, sufficiency_framework())
    case = add_case(store, inspection, "C1")
    set_answer(store, case.id, "2.1.1", value="yes")
    with pytest.raises(ValidationError, match="has no four-point rating"):
        set_lead_rating(store, inspection.id, "2.1", OVERRIDE, "Not rated", "Too few cases.")
    set_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "Chief Inspector's judgement", "Public protection is weak.")
    report = inspection_ratings(store, inspection.id)
    data = ratings_json(report)
    assert data["scheme"] == "sufficiency" and data["overall"]["rule"]["id"] == "sufficiency_only"
    assert data["standards"][1]["key_questions"][0]["percent"] == 100
    html = render_html(report)
    assert "No four-point rating." in html and "Public protection is weak." in html


def test_a_reported_standard_takes_no_rating_and_is_reported(store):
    framework = mini2(
        {
            'sample = "supervision"\n': 'sample = "supervision"\nrated = false\n',
            "min_score = 5, max_score = 7": "min_score = 5, max_score = 5",
            "min_score = 8, max_score = 9": "min_score = 6, max_score = 6",
        },
    )
    inspection = make_inspection(store, framework)
    case = add_case(store, inspection, "C1")
    set_answer(store, case.id, "2.1.1", value="no", note="No oversight recorded.")
    with pytest.raises(ValidationError, match="reported, not rated"):
        set_lead_rating(store, inspection.id, "2.1", OVERRIDE, "Good", "Looks fine.")
    report = inspection_ratings(store, inspection.id)
    data = ratings_json(report)
    reported = data["standards"][1]
    assert (reported["rated"], reported["rating"], reported["rule"]["id"]) == (False, "Not rated", "reported_not_rated")
    assert reported["key_questions"][0]["no"] == 1
    assert data["overall"]["unrated"] == ["1.1", "3.1"] and data["overall"]["full_max"] == 6  # 2.1 is not counted
    assert "Reported, not rated" in render_html(report)
