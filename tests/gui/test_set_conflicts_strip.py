"""Merge tab: a case an inspector moved to another question set than the lead did (decision 0036)."""

from __future__ import annotations

from fieldwork.gui.merge_view import MergeView
from fieldwork.merge import merge_bundles
from fieldwork.store.assessments import change_sample, get_case
from fieldwork.store.inspections import framework_for
from tests.merge.test_sample_moves import team  # noqa: F401 (the fixture)


def test_the_merge_tab_shows_a_set_the_lead_must_decide_and_decides_it_with_a_reason(qtbot, team, tmp_path):  # noqa: F811
    lead, ann, _, crn001, _ = team
    change_sample(lead.store, crn001, "court", "A pre-sentence report case")
    change_sample(ann.store, crn001, "unpaid_work", "An unpaid work requirement only")
    merge_bundles(lead.store, [ann.export(lead)], lead.keys)

    view = MergeView(lead.store, lead.inspection, framework_for(lead.store, lead.inspection))
    qtbot.addWidget(view)
    strip = view.set_conflicts
    assert not strip.isHidden()
    text = strip.label.text()
    assert "ann moved case CRN001 from Case supervision to Unpaid work" in text
    assert "An unpaid work requirement only" in text and "you have it in Court reports" in text
    for size, name in (((1280, 800), "1280"), ((1024, 700), "1024")):
        view.resize(*size)
        view.grab().save(str(tmp_path / f"set-conflict-{name}.png"))

    messages = []
    view.message.connect(messages.append)
    assert not strip.decide(take=True, reason="  ")  # a reason is required
    assert "reason is required" in messages[-1] and get_case(lead.store, crn001).sample_id == "court"
    with qtbot.waitSignal(view.merged, timeout=5000):
        assert strip.decide(take=True, reason="Ann read the file")
    assert get_case(lead.store, crn001).sample_id == "unpaid_work"
    assert strip.isHidden() and "Unpaid work" in messages[-1]
