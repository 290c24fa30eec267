"""The frameworks shipped in resources/frameworks/ load and have the expected shape."""

from __future__ import annotations

import pytest

from fieldwork.frameworks.loader import load_framework
from fieldwork.paths import shipped_frameworks_dir

EXPECTED_STANDARDS = {
    "hmip-adult-2018-crc": 10,
    "hmip-adult-2018-nps": 10,
    "hmip-youth-2021": 13,
}


def shipped_files():
    return sorted(shipped_frameworks_dir().glob("*.toml"))


def shipped_by_id():
    frameworks = {}
    for path in shipped_files():
        fw = load_framework(path)  # raises, naming every problem, if a shipped file is broken
        assert fw.id not in frameworks, f"{path.name}: id {fw.id} is shipped twice"
        frameworks[fw.id] = fw
    return frameworks


def test_every_shipped_file_loads():
    files = shipped_files()
    assert files, f"no framework files in {shipped_frameworks_dir()}"
    assert set(shipped_by_id()) >= set(EXPECTED_STANDARDS)


@pytest.mark.parametrize(("framework_id", "standards"), sorted(EXPECTED_STANDARDS.items()))
def test_shipped_framework_shape(framework_id, standards):
    frameworks = shipped_by_id()
    assert framework_id in frameworks, f"{framework_id} is not shipped (found {sorted(frameworks)})"
    fw = frameworks[framework_id]
    assert len(fw.standards) == standards
    assert fw.attribution.strip()
    assert fw.source.strip()
    assert fw.provenance_note.strip(), "each file says which parts are recalled"
    sample_ids = {s.id for s in fw.samples}
    assert sum(s.default for s in fw.samples) == 1
    for std in fw.standards:
        assert std.key_questions, f"{std.id} has no key questions"
        if std.rated_from_cases:
            assert std.sample_id in sample_ids, f"{std.id} names sample {std.sample_id!r}"
        else:
            assert std.sample_id is None
    # The overall bands cover every possible score.
    top = max(b.score for b in fw.rating.bands)
    assert fw.rating.overall_bands[0].min_score == 0
    assert fw.rating.overall_bands[-1].max_score == top * standards
