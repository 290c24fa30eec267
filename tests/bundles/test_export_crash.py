"""kill -9 during export: the final path holds a whole verifiable bundle or nothing, always."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fieldwork.bundles import BundleError, export_bundle, list_exports, verify_bundle
from fieldwork.identity import TrustList
from fieldwork.identity.keys import store_private_keys
from fieldwork.profile import open_profile_store, set_profile
from fieldwork.store import open_store
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import add_case, create_inspection

from .helpers import CHEAP_SCRYPT, make_identity

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery"

CHILD = r"""
import os, signal, sys
from pathlib import Path
data_dir, out, lead_file, stage = sys.argv[1:5]
from fieldwork.bundles import export as export_module
from fieldwork.bundles import export_bundle
from fieldwork.identity import read_identity_file, unlock_keys
from fieldwork import durable_files as files
from fieldwork.profile import open_profile_store

identity = unlock_keys(data_dir, os.environ["FW_TEST_PASSPHRASE"])
lead = read_identity_file(lead_file)
store = open_profile_store(Path(data_dir))

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

def then_die(real):
    def wrapper(*args, **kwargs):
        real(*args, **kwargs)
        die()
    return wrapper

class HalfWriter:
    def __init__(self, handle):
        self.handle = handle
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return False
    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        die()

real_fdopen = os.fdopen
if stage == "mid-write":
    files.os.fdopen = lambda fd, mode: HalfWriter(real_fdopen(fd, mode))
elif stage == "before-fsync":
    files.os.fsync = die
elif stage == "before-record":
    export_module.record_export = die
elif stage == "after-record":
    export_module.record_export = then_die(export_module.record_export)
elif stage == "after-replace":
    files.os.replace = then_die(os.replace)
print("ready", flush=True)
while True:
    export_bundle(store, "insp-test", out, identity=identity, recipients=[lead], overwrite=True)
"""


@pytest.fixture
def crash_setup(tmp_path, mini_framework):
    """A data folder with keys and an inspection of 60 answered cases, and the lead's identity."""
    data_dir = tmp_path / "data"
    inspector = make_identity("Ann Inspector", "insp-1", seed="crash-inspector")
    lead = make_identity("Lee Lead", "lead-1", seed="crash-lead")
    store_private_keys(data_dir, inspector, passphrase=PASSPHRASE, scrypt=CHEAP_SCRYPT)
    with open_store(data_dir, actor="insp-1") as store:
        set_profile(store, "insp-1", "Ann Inspector")
        inspection = create_inspection(
            store, inspection_id="insp-test", provider="P", provider_type="CRC", framework=mini_framework
        )
        for number in range(60):
            case = add_case(store, inspection, f"CRN{number:03d}")
            set_answer(store, case.id, "2.1.1", value="yes", note=f"Evidence for case {number}. " * 20)
    lead_file = tmp_path / "lead.json"
    lead_file.write_bytes(lead.public.to_bytes())
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    return data_dir, out_dir / "bundle.fwbundle", lead_file, inspector, lead


def _run_child(data_dir: Path, final: Path, lead_file: Path, stage: str, kill_after: float | None) -> None:
    env = {**os.environ, "FW_TEST_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), str(final), str(lead_file), stage],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO,
    )
    try:
        assert child.stdout.readline().strip() == b"ready", child.stderr.read().decode()
        if kill_after is not None:
            time.sleep(kill_after)
            child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL, child.stderr.read().decode()


def _check_after_crash(data_dir: Path, final: Path, inspector, lead) -> None:
    """The final path is absent or whole and verifiable; the store is intact and agrees."""
    trust = TrustList.of(inspector.public)
    with open_profile_store(data_dir) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        recorded = {e.manifest_sha256 for e in list_exports(store, "insp-test")}
    if final.exists():
        try:
            verified = verify_bundle(final, identity=lead, trust=trust, inspection_id="insp-test")
        except BundleError as error:  # pragma: no cover - the failure this test exists to catch
            pytest.fail(f"a partial or broken bundle was left at the final path: {error.detail}")
        assert verified.manifest_sha256 in recorded  # never a bundle whose sequence was not kept
    leftovers = [p for p in final.parent.iterdir() if p != final]
    assert all(p.name.endswith(".partial") and p.name.startswith(".") for p in leftovers)


@pytest.mark.parametrize("stage", ["mid-write", "before-fsync", "before-record", "after-record", "after-replace"])
def test_kill_at_each_step_of_writing(stage, crash_setup):
    data_dir, final, lead_file, inspector, lead = crash_setup
    _run_child(data_dir, final, lead_file, stage, kill_after=None)
    _check_after_crash(data_dir, final, inspector, lead)
    assert final.exists() == (stage == "after-replace")
    # The next export works, uses a fresh sequence number and clears the dead writer's temp file.
    with open_profile_store(data_dir) as store:
        before = len(list_exports(store, "insp-test"))
        result = export_bundle(store, "insp-test", final, identity=inspector, recipients=[lead.public], overwrite=True)
    assert result.manifest.sequence == before + 1
    assert [p.name for p in final.parent.iterdir()] == [final.name]


def test_kill_at_random_moments(crash_setup):
    data_dir, final, lead_file, inspector, lead = crash_setup
    rng = random.Random(20261102)
    for _ in range(4):
        _run_child(data_dir, final, lead_file, "none", kill_after=rng.uniform(0.0, 0.4))
        _check_after_crash(data_dir, final, inspector, lead)
