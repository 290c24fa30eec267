"""Key questions show their published numbers where their standard's `number` differs from its id
(decision 0036, following decision 0029): CRC standards 3.1 and 3.2 are published as 4.1 and
4.2, so their key questions show as 4.1.1 …, in screens and reports; ids stay 3.1.1 everywhere a
machine reads them (the store, bundles, CSV/JSON `id` columns)."""

from __future__ import annotations

from fieldwork.reports.exports import ratings_json
from fieldwork.reports.html_report import render_html
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.reports.tables import key_questions_table


def test_a_renumbered_standards_questions_take_its_published_number(crc_framework, mini_framework):
    number = crc_framework.question_number
    assert (number("3.1.1"), number("3.2.3"), number("2.1.1")) == ("4.1.1", "4.2.3", "2.1.1")
    prompt = crc_framework.key_question("3.1.1").prompts[0].id
    assert prompt.startswith("3.1.1.") and number(prompt) == "4" + prompt[1:]
    assert number("no-such-question") == "no-such-question"
    assert mini_framework.question_number("3.1.1") == "3.1.1"  # no `number`: ids are shown


def test_reports_show_the_published_numbers_and_keep_the_ids(store, crc_inspection, crc_cases):
    crc_cases.case({"3.1.1": "yes"}, sample="unpaid_work")
    report = inspection_ratings(store, crc_inspection.id)

    html = render_html(report)
    assert "<strong>4.1.1</strong>" in html and "<strong>3.1.1</strong>" not in html
    assert "<strong>2.1.1</strong>" in html

    unpaid = next(s for s in ratings_json(report)["standards"] if s["id"] == "3.1")
    first = unpaid["key_questions"][0]
    assert (first["id"], first["number"]) == ("3.1.1", "4.1.1")
    supervision = next(s for s in ratings_json(report)["standards"] if s["id"] == "2.1")
    assert "number" not in supervision["key_questions"][0]  # shown as its id: nothing added

    table = key_questions_table(report)
    names = [c.key for c in table.columns]
    row = next(r for r in table.rows if r[names.index("key_question")] == "3.1.1")
    assert row[names.index("number")] == "4.1.1"
