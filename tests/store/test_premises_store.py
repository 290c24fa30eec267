"""Answers given once for the premises: revisions, the change log, refusals (decision 0037)."""

from __future__ import annotations

import pytest
from helpers.format2 import mini2

from fieldwork.errors import ValidationError
from fieldwork.store.inspections import create_inspection
from fieldwork.store.premises import premises_answers, premises_history, set_premises_answer


@pytest.fixture
def premises(store):
    framework = mini2({'basis = "judgement"': 'basis = "premises"'})
    create_inspection(store, inspection_id="AP-1", provider="Hostel", provider_type="CRC", framework=framework)
    return "AP-1"


def test_each_change_bumps_the_revision_and_logs_who_when_old_and_new(store, premises):
    first = set_premises_answer(store, premises, "1.1.1", value="yes", note="Vision on the wall.")
    assert (first.old, first.new.value, first.new.revision, first.new.updated_by) == (None, "yes", 1, "insp-1")
    second = set_premises_answer(store, premises, "1.1.1", value="no")
    assert (second.old.value, second.new.value, second.new.note, second.new.revision) == (
        "yes", "no", "Vision on the wall.", 2,
    )  # fmt: skip
    assert set_premises_answer(store, premises, "1.1.1", value="no") is None  # nothing changed, nothing logged
    set_premises_answer(store, premises, "1.1.1", value=None)  # cleared: recorded too
    history = [(e.key, e.field, e.old, e.new, e.actor) for e in premises_history(store, premises)]
    assert history == [
        ("1.1.1", "premises_value", None, "yes", "insp-1"),
        ("1.1.1", "premises_note", "", "Vision on the wall.", "insp-1"),
        ("1.1.1", "premises_value", "yes", "no", "insp-1"),
        ("1.1.1", "premises_value", "no", None, "insp-1"),
    ]
    assert all(e.at for e in premises_history(store, premises))
    stored = premises_answers(store, premises)["1.1.1"]
    assert (stored.value, stored.note, stored.revision) == (None, "Vision on the wall.", 3)


def test_refusals_change_nothing(store, premises):
    with pytest.raises(ValidationError, match="'2.1.1.a' is not answered for the premises"):
        set_premises_answer(store, premises, "2.1.1.a", value="yes")  # a case prompt
    with pytest.raises(ValidationError, match="'na' is not an allowed answer to 1.1.1"):
        set_premises_answer(store, premises, "1.1.1", value="na")  # mini's 1.1.1 does not allow it
    with pytest.raises(ValidationError, match="at most"):
        set_premises_answer(store, premises, "1.1.1", note="x" * 1_000_000)
    assert premises_answers(store, premises) == {} and premises_history(store, premises) == []


def test_an_inspection_without_premises_standards_refuses(store, inspection):
    with pytest.raises(ValidationError, match="has no standard answered for the premises"):
        set_premises_answer(store, inspection.id, "1.1.1", value="yes")
