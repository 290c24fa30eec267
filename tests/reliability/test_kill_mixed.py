"""SIGKILL at random moments of a working session: answers, exports and backups interleaved.

After each kill: the store opens and is sound, every acknowledged answer is there, the bundle at
the final path (if any) verifies, every backup at a final name is sound, temp files go at the
next start, and exporting again gives exactly the records in the store (issue 7).
"""

from __future__ import annotations

import os
import random

import pytest

from fieldwork.store.backups import list_backups

from .checks import check_answers, open_and_check
from .harness import run_child, wait_for_kill
from .test_kill_export import Exporting

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")


def test_killed_at_random_moments_of_a_working_session(prepared, workdir, child_env, soak_factor):
    ex = Exporting(prepared)
    rng = random.Random(2026)
    lines: list[str] = []
    exported = backed_up = 0
    for round_ in range(70 * soak_factor):
        outcome = run_child(
            "mixed", workdir, kill_after=rng.uniform(0.0, 0.15), kill_after_acks=rng.randrange(3), env=child_env,
            data_dir=str(ex.data_dir),
            out=str(ex.final), lead_file=str(prepared["lead_file"]), seed=round_, start=100_000 * (round_ + 1),
        )
        wait_for_kill(outcome)
        lines += outcome.lines
        exported += len(outcome.acks("EXPORTED"))
        backed_up += len(outcome.acks("BACKUP"))
        ex.check_final()
        with open_and_check(ex.data_dir) as store:
            check_answers(store, lines)
        backups = {b.path.name for b in list_backups(ex.data_dir)}
        newest = [name for (name,) in outcome.acks("BACKUP")][-3:]
        assert set(newest) <= backups  # acknowledged backups are there (older ones rotate out)
        if round_ % 5 == 0:
            ex.export_again()
    ex.export_again()
    assert exported > 5 and backed_up > 3
