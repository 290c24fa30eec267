"""SIGKILL while saving answers: at the crash points around the commit, and at random moments.

The child says TRY before each save and ACK after it returned; after each kill the store must
open, pass integrity_check, and hold every acknowledged answer (issue 7, item 1).
"""

from __future__ import annotations

import os
import random

import pytest

from .checks import check_answers, open_and_check
from .data import note_for
from .harness import run_child, wait_for_kill

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")


@pytest.mark.parametrize("point", ["answer.before_commit", "answer.after_commit"])
def test_killed_at_each_side_of_the_commit(point, prepared, workdir, child_env, soak_factor):
    data_dir = prepared["data_dir"]
    rng = random.Random(point)
    lines: list[str] = []
    for round_ in range(12 * soak_factor):
        start = 1000 * (round_ + 1)
        crash_after = rng.randint(1, 25)
        outcome = run_child(
            "answers", workdir, crash_at=point, crash_after=crash_after, env=child_env,
            data_dir=str(data_dir), seed=round_, start=start, count=40,
        )
        wait_for_kill(outcome)
        lines += outcome.lines
        dying = start + crash_after - 1  # the save the child was in when it died
        assert outcome.acks() and int(outcome.acks()[-1][0]) == dying - 1 or crash_after == 1
        with open_and_check(data_dir) as store:
            check_answers(store, lines)
            logged = store.db.execute(
                "SELECT count(*) FROM change_log WHERE field = 'note' AND new = ?", [note_for(dying)]
            ).fetchone()[0]
        # Before the commit: that save is not there at all; after it: it is, though never acknowledged.
        assert logged == (1 if point == "answer.after_commit" else 0)


def test_killed_at_random_moments_while_answering(prepared, workdir, child_env, soak_factor):
    data_dir = prepared["data_dir"]
    rng = random.Random(20261102)
    lines: list[str] = []
    acknowledged = 0
    for round_ in range(80 * soak_factor):
        outcome = run_child(
            "answers", workdir, kill_after=rng.uniform(0.0, 0.08), kill_after_acks=rng.randrange(4), env=child_env,
            data_dir=str(data_dir), seed=round_, start=100_000 * (round_ + 1), count=100_000,
        )
        wait_for_kill(outcome)
        lines += outcome.lines
        with open_and_check(data_dir) as store:
            acknowledged = check_answers(store, lines)
    assert acknowledged > 100  # the kills landed while work was being done
