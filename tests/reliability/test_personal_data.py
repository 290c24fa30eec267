"""No personal data where it should not be (issue 7, item 5): owner-only files, whatever the umask,
and no plaintext left in temporary folders."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from fieldwork.bundles import export_bundle
from fieldwork.identity import read_identity_file, unlock_keys
from fieldwork.profile import open_profile_store
from fieldwork.store.backups import take_backup
from fieldwork.store.recovery import restore_backup

from .data import INSPECTION_ID, PASSPHRASE
from .harness import run_child

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_store_backups_keys_and_bundles_are_owner_only_under_umask_0(prepared, workdir, child_env):
    fresh = workdir / "fresh"
    outcome = run_child(
        "modes", workdir, env=child_env, fresh_dir=str(fresh), data_dir=str(prepared["data_dir"]),
        out=str(prepared["out"]), lead_file=str(prepared["lead_file"]),
    )
    assert outcome.exitcode == 0
    [(wal_mode, shm_mode)] = outcome.acks("MODES")
    assert (wal_mode, shm_mode) == ("600", "600")  # -wal and -shm while the store was open
    assert mode(fresh) == 0o700
    assert mode(fresh / "fieldwork.sqlite") == 0o600
    assert not (fresh / "fieldwork.sqlite.lock").exists()  # the lock is on the store file itself
    assert mode(fresh / "backups") == 0o700
    backups = list((fresh / "backups").iterdir())
    assert {p.name.split("-")[0] for p in backups} == {"auto", "manual"}
    assert all(mode(p) == 0o600 for p in backups)
    aside = [p for p in fresh.iterdir() if "-before-restore-" in p.name]
    assert aside and all(mode(p) == 0o600 for p in aside)
    assert mode(fresh / "keys") == 0o700
    assert mode(fresh / "keys" / "private.json") == 0o600
    # The public identity file is meant to be handed over; it sits in the owner-only keys/ folder.
    assert mode(fresh / "keys" / "identity.json") & 0o022 == 0
    [bundle] = list(prepared["out"].iterdir())
    assert mode(bundle) == 0o600
    # Nothing anywhere in the data folder is open to group or others.
    for path in fresh.rglob("*"):
        if path.name != "identity.json":
            assert mode(path) & 0o077 == 0, path


def _temp_entries() -> set[str]:
    folder = Path(tempfile.gettempdir())
    return {p.name for p in folder.iterdir() if not p.name.startswith("pytest-of-")}


def test_no_plaintext_is_left_in_the_temp_folder(prepared, reliability_root):
    """Export, backup and restore in this process: nothing new appears in the system temp folder,
    and the children of every reliability test (TMPDIR=<root>/tmp) left theirs empty."""
    before = _temp_entries()
    data_dir = prepared["data_dir"]
    identity = unlock_keys(data_dir, PASSPHRASE)
    with open_profile_store(data_dir) as store:
        export_bundle(store, INSPECTION_ID, prepared["out"], identity=identity,
                      recipients=[read_identity_file(prepared["lead_file"])])
        backup = take_backup(store, kind="manual")
    restore_backup(data_dir, backup.path).close()
    new = _temp_entries() - before
    # Other programs may use the temp folder meanwhile: only fieldwork-looking names count.
    assert not [n for n in new if any(s in n for s in (".fwbundle", ".fwpack", ".json", ".sqlite", ".partial",
                                                       "fieldwork"))], new
    assert list((reliability_root / "tmp").iterdir()) == []
