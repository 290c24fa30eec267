"""A merge needs the room of the data it adds, not a 64 MiB write-ahead log (issue 20).

The merge batched SQLite's checkpoints (copying the WAL into the store) up to 64 MiB, so on a
disk with a few MB free a merge was refused although the final store fitted. Now the WAL is
emptied after a bundle whenever it is larger than a quarter of the free space. Measured by the
WAL's size on disk after each bundle, and by merging onto a disk just big enough for the result.
"""

from __future__ import annotations

import os
import random
import shutil
import string
import subprocess
from pathlib import Path

import pytest

from fieldwork.merge import merge_bundles
from fieldwork.paths import STORE_FILENAME
from fieldwork.store import open_store
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import add_case

from .helpers import central_dump, copy_store, hand_out, integrity_ok

ROUNDS, CASES, NOTE = 12, 16, 3000


def _text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(string.ascii_letters + " ") for _ in range(length))


@pytest.fixture
def bundles(lead, ann):
    cases = [add_case(lead.store, lead.inspection, f"CRN{n:03d}", inspector_id="ann") for n in range(CASES)]
    hand_out(lead, ann, [c.id for c in cases])
    rng = random.Random(20)
    paths = []
    for _ in range(ROUNDS):  # each bundle brings a new version of every note: ~100 KB of new text
        for case in cases:
            for question in ("2.1.1", "2.1.2"):
                set_answer(ann.store, case.id, question, value="yes", note=_text(rng, NOTE))
        paths.append(ann.export(lead))
    return paths


def _merge_measuring_the_wal(folder: Path, paths, keys) -> tuple[list, list[int], int]:
    wal = Path(str(folder / STORE_FILENAME) + "-wal")
    sizes: list[int] = []
    with open_store(folder, actor="lead", backups=None) as store:
        report = merge_bundles(store, paths, keys, progress=lambda *_: sizes.append(wal.stat().st_size))
        assert integrity_ok(store)
        dump = central_dump(store)
    return [r.status for r in report.results], sizes, dump


def test_the_wal_is_emptied_when_it_outgrows_the_free_space(lead, bundles, tmp_path, monkeypatch):
    copy_store(lead.dir, tmp_path / "central")
    # Pretend the disk has 2 MiB free: the WAL may then hold at most 512 KiB after a bundle.
    free = 2 * 1024 * 1024
    monkeypatch.setattr(shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(free * 10, free * 9, free))
    statuses, sizes, _ = _merge_measuring_the_wal(tmp_path / "central", bundles, lead.keys)
    assert statuses == ["imported"] * ROUNDS
    assert max(sizes) <= free // 4, sizes


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")

    def mount_of(size: int) -> Path:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        return mount

    yield mount_of
    subprocess.run(["umount", str(mount)], check=False)


def test_a_merge_fits_a_disk_with_room_for_the_result(lead, bundles, tmp_path, small_disk):
    # On a roomy disk first: how big the merged store is.
    copy_store(lead.dir, tmp_path / "roomy")
    before = (tmp_path / "roomy" / STORE_FILENAME).stat().st_size
    statuses, _, expected = _merge_measuring_the_wal(tmp_path / "roomy", bundles, lead.keys)
    assert statuses == ["imported"] * ROUNDS
    after = (tmp_path / "roomy" / STORE_FILENAME).stat().st_size
    added = after - before
    # A disk with room for the merged store, plus a third of what the merge adds.
    mount = small_disk(after + added // 3 + 64 * 1024)
    copy_store(lead.dir, mount / "central")
    statuses, sizes, merged = _merge_measuring_the_wal(mount / "central", bundles, lead.keys)
    assert statuses == ["imported"] * ROUNDS, sizes
    assert merged == expected
