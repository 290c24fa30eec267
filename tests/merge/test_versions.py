"""The ordering rule on its own: heads per author, forks, parallel versions, decisions."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldwork.merge.versions import Decision, Version, decide, digest

T0, T1, T2 = "2026-11-02T09:00:00.000Z", "2026-11-02T10:00:00.000Z", "2026-11-02T11:00:00.000Z"


def v(id_, author, revision, value, note="", at=T0, origin="bundle"):
    return Version(id_, "answer", "case", "2.1.1", value, note, revision, author, at, origin, None)


def test_the_highest_revision_of_one_author_wins_and_never_rolls_back():
    outcome = decide([v(2, "ann", 3, "no", at=T2), v(1, "ann", 1, "yes", at=T1), v(3, "ann", 2, "na", at=T0)])
    assert outcome.chosen.value == "no" and not outcome.conflicted
    assert outcome.revision == 3


def test_one_author_two_contents_at_one_revision_is_a_fork():
    outcome = decide([v(1, "ann", 2, "yes"), v(2, "ann", 2, "no")])
    assert outcome.conflicted and outcome.reason == "fork" and len(outcome.contenders) == 2


def test_different_authors_that_differ_conflict_and_identical_content_agrees():
    outcome = decide([v(1, "ann", 1, "yes", at=T1), v(2, "bob", 5, "no", at=T0)])
    assert outcome.conflicted and outcome.reason == "parallel"
    assert outcome.chosen.author == "ann"  # the latest updated_at, not the higher revision
    agreed = decide([v(1, "ann", 1, "yes", "same"), v(2, "bob", 4, "yes", "same", at=T1)])
    assert not agreed.conflicted and agreed.revision == 4
    evidence = decide([v(1, "ann", 1, "yes", "mine"), v(2, "bob", 1, "yes", "theirs")])
    assert evidence.conflicted and evidence.reason == "evidence"


def test_ties_on_time_go_to_the_lower_author_id():
    assert decide([v(1, "bob", 1, "no"), v(2, "ann", 1, "yes")]).chosen.author == "ann"


def test_the_leads_own_version_is_held_until_resolved():
    outcome = decide([v(1, "ann", 1, "yes", at=T2), v(5, "lead", 2, "no", at=T0, origin="local")])
    # The lead's edit saw ann's version (id 1 <= its own id 5): settled in the lead's favour.
    assert not outcome.conflicted and outcome.chosen.author == "lead"
    later = decide([v(6, "ann", 2, "na", at=T2), v(1, "ann", 1, "yes"), v(5, "lead", 2, "no", origin="local")])
    assert later.conflicted and later.chosen.author == "lead"  # a newer inspector version contends again


def test_a_resolution_settles_what_it_saw_and_a_newer_version_by_the_chosen_author_supersedes_it():
    versions = [v(1, "ann", 1, "yes", at=T1), v(2, "bob", 1, "no", at=T0)]
    resolved = decide(versions, [Decision(2, horizon=2)])
    assert not resolved.conflicted and resolved.chosen.author == "bob"
    newer_bob = decide([*versions, v(3, "bob", 2, "yes", at=T2)], [Decision(2, horizon=2)])
    assert not newer_bob.conflicted and newer_bob.chosen.id == 3
    newer_ann = decide([*versions, v(3, "ann", 2, "na", at=T2)], [Decision(2, horizon=2)])
    assert newer_ann.conflicted and newer_ann.chosen.author == "bob"  # the decision stays shown
    agreeing = decide([*versions, v(3, "cat", 1, "no", at=T2)], [Decision(2, horizon=2)])
    assert not agreeing.conflicted


def test_digest_tells_none_from_empty_and_is_unambiguous():
    assert digest(None, "") != digest("", "")
    assert digest("a|b", "c") != digest("a", "b|c")
    assert len(digest("yes", "x")) == 32


versions_strategy = st.lists(
    st.tuples(
        st.sampled_from(["ann", "bob", "cat"]), st.integers(1, 3), st.sampled_from([None, "yes", "no"]),
        st.sampled_from(["", "a"]), st.sampled_from([T0, T1, T2]),
    ),
    min_size=1, max_size=8, unique=True,
)


@settings(max_examples=150, deadline=None)
@given(versions_strategy, st.randoms(use_true_random=False))
def test_the_outcome_does_not_depend_on_arrival_order(raw, rnd: random.Random):
    first = [v(i, a, r, val, note, at) for i, (a, r, val, note, at) in enumerate(raw, start=1)]
    shuffled = list(raw)
    rnd.shuffle(shuffled)
    second = [v(i, a, r, val, note, at) for i, (a, r, val, note, at) in enumerate(shuffled, start=1)]
    one, two = decide(first), decide(second)
    key = lambda o: (o.chosen.author, o.chosen.revision, o.chosen.content, o.chosen.updated_at)  # noqa: E731
    assert key(one) == key(two)
    assert (one.conflicted, one.reason, one.revision) == (two.conflicted, two.reason, two.revision)
    assert [key_of for key_of in map(lambda c: (c.author, c.revision, c.content), one.contenders)] == [
        (c.author, c.revision, c.content) for c in two.contenders
    ]
