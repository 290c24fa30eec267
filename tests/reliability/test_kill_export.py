"""SIGKILL during export: a whole verifiable bundle at the final path or nothing new there, and
exporting again gives the same records as an export that was never interrupted (issue 7)."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import pytest

from fieldwork.bundles import export_bundle, list_exports, verify_bundle
from fieldwork.bundles.records import records_from_store
from fieldwork.identity import TrustList, read_identity_file, unlock_keys
from fieldwork.profile import open_profile_store

from .checks import open_and_check
from .data import INSPECTION_ID, INSPECTOR_ID, PASSPHRASE
from .harness import run_child, wait_for_kill

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")

POINTS = ["export.before_write", "export.mid_write", "export.before_rename", "export.after_record",
          "export.after_rename"]


class Exporting:
    """The parent's view: keys, the lead's keys to open bundles, and the reference records."""

    def __init__(self, prepared: dict):
        self.data_dir: Path = prepared["data_dir"]
        self.final: Path = prepared["out"] / "bundle.fwbundle"
        self.lead_file = prepared["lead_file"]
        self.inspector = unlock_keys(self.data_dir, PASSPHRASE)
        self.lead = unlock_keys(prepared["lead_dir"], PASSPHRASE)
        self.trust = TrustList.of(self.inspector.public)

    def reference(self):
        with open_profile_store(self.data_dir) as store:
            return records_from_store(store, INSPECTION_ID, INSPECTOR_ID)

    def check_final(self) -> None:
        """Nothing or a whole, verifiable bundle whose sequence the store kept; temp files only."""
        with open_and_check(self.data_dir) as store:
            recorded = {e.manifest_sha256 for e in list_exports(store, INSPECTION_ID)}
        if self.final.exists():
            verified = verify_bundle(self.final, identity=self.lead, trust=self.trust, inspection_id=INSPECTION_ID)
            assert verified.manifest_sha256 in recorded
        others = [p for p in self.final.parent.iterdir() if p != self.final]
        assert all(p.name.startswith(".") and p.name.endswith(".partial") for p in others), others

    def export_again(self):
        """The next export clears the dead writer's temp file and converges."""
        with open_profile_store(self.data_dir) as store:
            result = export_bundle(
                store, INSPECTION_ID, self.final, identity=self.inspector,
                recipients=[read_identity_file(self.lead_file)], overwrite=True,
            )
            expected = records_from_store(store, INSPECTION_ID, INSPECTOR_ID)
        assert [p.name for p in self.final.parent.iterdir()] == [self.final.name]
        verified = verify_bundle(self.final, identity=self.lead, trust=self.trust, inspection_id=INSPECTION_ID)
        assert verified.records == expected
        return result


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.mark.parametrize("point", POINTS)
def test_killed_at_each_step_of_an_export(point, prepared, workdir, child_env, soak_factor):
    ex = Exporting(prepared)
    reference = ex.reference()
    for _ in range(3 * soak_factor):
        before = _digest(ex.final)
        with open_profile_store(ex.data_dir) as store:
            exports_before = len(list_exports(store, INSPECTION_ID))
        outcome = run_child(
            "export", workdir, crash_at=point, env=child_env, data_dir=str(ex.data_dir), out=str(ex.final),
            lead_file=str(ex.lead_file), count=1,
        )
        wait_for_kill(outcome)
        ex.check_final()
        with open_profile_store(ex.data_dir) as store:
            exports_after = len(list_exports(store, INSPECTION_ID))
        if point == "export.after_rename":
            assert _digest(ex.final) != before and exports_after == exports_before + 1
        else:  # the final path still holds what it held before (or nothing)
            assert _digest(ex.final) == before
            assert exports_after == exports_before + (1 if point == "export.after_record" else 0)
        result = ex.export_again()
        assert result.manifest.sequence == exports_after + 1
    assert ex.reference() == reference  # exporting never changed the work itself


def test_killed_at_random_moments_while_exporting(prepared, workdir, child_env, soak_factor):
    ex = Exporting(prepared)
    rng = random.Random(7)
    exported = 0
    for _ in range(40 * soak_factor):
        outcome = run_child(
            "export", workdir, kill_after=rng.uniform(0.0, 0.12), kill_after_acks=rng.randrange(3),
            env=child_env, data_dir=str(ex.data_dir),
            out=str(ex.final), lead_file=str(ex.lead_file), count=10_000,
        )
        wait_for_kill(outcome)
        ex.check_final()
        exported += len(outcome.acks())
        if outcome.acks():  # an acknowledged export is at the final path or was overwritten by a later one
            assert ex.final.exists()
        if rng.random() < 0.3:
            ex.export_again()
    ex.export_again()
    assert exported > 10  # the kills landed among exports, not only before the first
