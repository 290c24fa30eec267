"""Key-question percentages broken down by every case detail marked `breakdown = true`."""

from __future__ import annotations

from fieldwork.reports.breakdowns import NOT_RECORDED, breakdowns
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.store.assessments import set_detail


def _groups(breakdown) -> dict[str, tuple]:
    """Group label → (cases, {kq: (yes, no, na)}) for the key questions with any judgement."""
    return {
        g.label: (g.cases, {t.id: (t.yes, t.no, t.na) for t in g.key_questions if t.yes + t.no + t.na})
        for g in breakdown.groups
    }


def test_groups_by_each_breakdown_field_with_not_recorded(store, inspection, cases):
    cases.case({"2.1.1": "yes"}, details={"ldu": "North", "rosh": "high"})
    cases.case({"2.1.1": "no"}, details={"ldu": "North", "rosh": "low"})
    cases.case({"2.1.1": "yes", "2.1.2": "na"}, details={"ldu": "South"})
    cases.case({"2.1.1": "yes"})  # nothing recorded
    cleared = cases.case({"2.1.1": "no"}, details={"ldu": "South", "rosh": "medium"})
    set_detail(store, cleared, "rosh", "")  # cleared: stored as empty, counts as not recorded
    cases.case({"3.1.1": "yes"}, sample="unpaid_work", details={"rosh": "very high"})

    result = breakdowns(store, inspection.id)
    assert [b.field.id for b in result] == ["ldu", "rosh"]  # start_date has no breakdown
    ldu, rosh = result
    assert _groups(ldu) == {
        "North": (2, {"2.1.1": (1, 1, 0)}),
        "South": (2, {"2.1.1": (1, 1, 0), "2.1.2": (0, 0, 1)}),
        NOT_RECORDED: (2, {"2.1.1": (1, 0, 0), "3.1.1": (1, 0, 0)}),
    }
    # Choices in the framework's order with their labels; groups with no cases are left out.
    assert [(g.value, g.label) for g in rosh.groups] == [
        ("low", "Low"),
        ("high", "High"),
        ("very_high", "Very high"),
        (None, NOT_RECORDED),
    ]
    assert _groups(rosh)[NOT_RECORDED] == (3, {"2.1.1": (2, 1, 0), "2.1.2": (0, 0, 1)})
    assert rosh.groups[0].tally("2.1.1").percent == 0
    assert rosh.groups[1].tally("2.1.1").percent == 100


def test_groups_add_up_to_the_whole_inspection(store, inspection, cases):
    details = [{"ldu": "A"}, {"ldu": "B", "rosh": "low"}, {}, {"rosh": "high"}, {"ldu": "A", "rosh": "high"}]
    for i, d in enumerate(details * 3):
        cases.case({"2.1.1": "yes" if i % 3 else "no", "2.1.2": ("yes", "no", "na")[i % 3]}, details=d)
    report = inspection_ratings(store, inspection.id, include_breakdowns=True)
    whole = {t.id: (t.yes, t.no, t.na) for t in report.standard("2.1").key_questions}
    for breakdown in report.breakdowns:
        assert sum(g.cases for g in breakdown.groups) == report.cases.total
        for kq in ("2.1.1", "2.1.2"):
            summed = tuple(sum(getattr(g.tally(kq), part) for g in breakdown.groups) for part in ("yes", "no", "na"))
            assert summed == whole[kq]


def test_the_crc_framework_breaks_down_by_ldu_sentence_type_rosh_and_gender(store, crc_inspection, crc_cases):
    crc_cases.case(
        {"2.1.1": "yes"}, details={"ldu": "Eastfield", "sentence_type": "licence", "rosh": "high", "gender": "female"}
    )
    crc_cases.case({"2.1.1": "no"}, details={"ldu": "Eastfield", "gender": "Male"})
    result = breakdowns(store, crc_inspection.id)
    assert [b.field.id for b in result] == ["ldu", "sentence_type", "rosh", "gender"]
    gender = _groups(result[3])
    assert gender == {
        "Male": (1, {"2.1.1": (0, 1, 0)}),
        "Female": (1, {"2.1.1": (1, 0, 0)}),
        NOT_RECORDED: (0, {}),
    }
    sentence = _groups(result[1])
    assert sentence["Licence"] == (1, {"2.1.1": (1, 0, 0)}) and sentence[NOT_RECORDED][0] == 1
    # Every case-rated key question appears in every group, judgement standards' never.
    assert [t.id for t in result[0].groups[0].key_questions][:3] == ["2.1.1", "2.1.2", "2.1.3"]
    assert not any(t.id.startswith("1.") for t in result[0].groups[0].key_questions)


def test_no_breakdown_fields_no_breakdowns(store, make_framework):
    from fieldwork.store.inspections import create_inspection

    framework = make_framework(
        {
            'id = "test-mini"': 'id = "mini-nb"',
            'type = "text"\nbreakdown = true': 'type = "text"\nbreakdown = false',
            "]\nbreakdown = true": "]\nbreakdown = false",
        }
    )
    assert not any(f.breakdown for f in framework.case_details)
    inspection = create_inspection(store, inspection_id="nb", provider="NB", provider_type="CRC", framework=framework)
    assert breakdowns(store, inspection.id) == ()
    assert inspection_ratings(store, inspection.id, include_breakdowns=True).breakdowns == ()
