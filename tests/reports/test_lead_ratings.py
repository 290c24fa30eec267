"""The lead inspector's decisions: judgements and overrides, their history and withdrawal."""

from __future__ import annotations

import sqlite3

import pytest

from fieldwork.errors import NotFoundError, ValidationError
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.reports.lead_ratings import (
    JUDGEMENT,
    OVERRIDE,
    lead_decisions,
    lead_rating_history,
    set_lead_rating,
    withdraw_lead_rating,
)
from fieldwork.store import open_store
from fieldwork.store.migrations import MIGRATIONS


def test_judgement_history_and_withdrawal(store, inspection):
    first = set_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "good", "Interviews with the senior team.")
    assert first.rating == "Good"  # spelt as the framework spells it
    assert (first.by, first.kind, first.text) == ("insp-1", JUDGEMENT, "Interviews with the senior team.")
    rated = inspection_ratings(store, inspection.id).standard("1.1")
    assert rated.rating == "Good" and rated.judgement.evidence == "Interviews with the senior team."
    assert rated.judgement.by == "insp-1" and rated.judgement.at == first.at

    set_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "Outstanding", "Further evidence from the board.")
    assert inspection_ratings(store, inspection.id).standard("1.1").rating == "Outstanding"

    withdrawal = withdraw_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "Rated too early.")
    assert withdrawal.withdrawn and withdrawal.rating is None
    rated = inspection_ratings(store, inspection.id).standard("1.1")
    assert rated.rating == "Not rated" and rated.judgement is None

    history = lead_rating_history(store, inspection.id, "1.1")
    assert [(h.rating, h.text) for h in history] == [
        ("Good", "Interviews with the senior team."),
        ("Outstanding", "Further evidence from the board."),
        (None, "Rated too early."),
    ]
    assert [h.seq for h in history] == sorted(h.seq for h in history)
    with pytest.raises(ValidationError, match="no judgement in force"):
        withdraw_lead_rating(store, inspection.id, "1.1", JUDGEMENT)


def test_override_keeps_both_ratings_and_counts_in_the_overall(store, inspection, cases):
    cases.judged("3.1.1", yes=1, no=1, sample="unpaid_work")  # 50 %: Requires improvement
    set_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "Good", "Evidence.")
    before = inspection_ratings(store, inspection.id)
    assert before.standard("3.1").rating == "Requires improvement"

    record = set_lead_rating(
        store, inspection.id, "3.1", OVERRIDE, "Good", "Two of the sampled cases were transferred in late."
    )
    after = inspection_ratings(store, inspection.id)
    rated = after.standard("3.1")
    assert (rated.computed, rated.rating) == ("Requires improvement", "Good")
    assert rated.override.reason == "Two of the sampled cases were transferred in late."
    assert (rated.override.by, rated.override.at) == ("insp-1", record.at)
    assert rated.deciding_key_question == "3.1.1"  # the computed rating's reason is kept too
    assert after.overall.score == before.overall.score + 1

    withdraw_lead_rating(store, inspection.id, "3.1", OVERRIDE)
    rated = inspection_ratings(store, inspection.id).standard("3.1")
    assert rated.override is None and rated.rating == "Requires improvement"
    assert [h.rating for h in lead_rating_history(store, inspection.id)] == ["Good", "Good", None]


def test_an_override_may_leave_a_standard_not_rated(store, inspection, cases):
    cases.judged("3.1.1", yes=3, sample="unpaid_work")
    set_lead_rating(store, inspection.id, "3.1", OVERRIDE, "not rated", "Only three cases: too few to rate.")
    report = inspection_ratings(store, inspection.id)
    assert report.standard("3.1").rating == "Not rated"
    assert "3.1" in report.overall.unrated and report.overall.provisional


@pytest.mark.parametrize(
    ("standard", "kind", "rating", "text", "message"),
    [
        ("3.1", OVERRIDE, "Good", "", "needs a reason"),
        ("3.1", OVERRIDE, "Good", "   ", "needs a reason"),
        ("3.1", OVERRIDE, "Excellent", "Because.", "'Excellent' is not a rating in test-mini"),
        ("1.1", JUDGEMENT, "Not rated", "Because.", "is not a rating"),
        ("1.1", JUDGEMENT, "Good", "", "needs its evidence"),
        ("2.1", JUDGEMENT, "Good", "Evidence.", "rated from cases, so it takes no judgement"),
        ("1.1", OVERRIDE, "Good", "Reason.", "nothing to override"),
        ("1.1", "verdict", "Good", "Reason.", "not a kind"),
    ],
)
def test_refusals(store, inspection, standard, kind, rating, text, message):
    with pytest.raises(ValidationError, match=message):
        set_lead_rating(store, inspection.id, standard, kind, rating, text)
    assert lead_rating_history(store, inspection.id) == []


def test_unknown_standard_and_inspection(store, inspection):
    with pytest.raises(NotFoundError, match="'9.9' is not a standard of test-mini"):
        set_lead_rating(store, inspection.id, "9.9", JUDGEMENT, "Good", "Evidence.")
    with pytest.raises(NotFoundError, match="No inspection 'nope'"):
        set_lead_rating(store, "nope", "1.1", JUDGEMENT, "Good", "Evidence.")


def test_decisions_are_per_inspection(store, inspection, mini_framework):
    from fieldwork.store.inspections import create_inspection

    other = create_inspection(
        store, inspection_id="other", provider="Other CRC", provider_type="CRC", framework=mini_framework
    )
    set_lead_rating(store, other.id, "1.1", JUDGEMENT, "Inadequate", "Evidence.")
    assert lead_decisions(store, inspection.id).judgements == {}
    assert lead_decisions(store, other.id).judgements["1.1"].rating == "Inadequate"


def test_the_history_is_append_only(store, inspection):
    set_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "Good", "Evidence.")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("UPDATE lead_ratings SET rating = 'Outstanding'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("DELETE FROM lead_ratings")


def test_the_migration_adds_the_table_and_the_indexes(store_dir, store):
    version = store.db.execute("PRAGMA user_version").fetchone()[0]
    assert version == len(MIGRATIONS)
    names = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
    assert {"lead_ratings", "answers_by_question", "cases_by_sample"} <= names


def test_decisions_survive_reopening(store_dir, store, inspection):
    set_lead_rating(store, inspection.id, "1.1", JUDGEMENT, "Good", "Evidence.")
    store.close()
    with open_store(store_dir, actor="lead-2") as reopened:
        assert inspection_ratings(reopened, inspection.id).standard("1.1").rating == "Good"
