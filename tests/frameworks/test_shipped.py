"""The frameworks shipped in resources/frameworks/ load and have the expected shape."""

from __future__ import annotations

import re

import pytest

from fieldwork.frameworks.loader import load_framework
from fieldwork.paths import shipped_frameworks_dir

EXPECTED_STANDARDS = {
    "hmip-adult-2018-crc": 10,
    "hmip-adult-2018-nps": 10,
    "hmip-youth-2021": 13,
    "hmip-probation-pdu-2021": 9,
    "hmip-probation-pdu-2023": 10,  # 3 domain one, 4 core case standards, 3 reported
    "hmip-youth-2025": 7,
    "hmip-approved-premises-2025": 5,
    "hmip-dynamic-public-protection-2025": 3,
}
# (status, person term) of each shipped programme (issue 17).
EXPECTED_STATUS = {
    "hmip-adult-2018-crc": ("historic", "service user"),
    "hmip-adult-2018-nps": ("historic", "service user"),
    "hmip-youth-2021": ("historic", "child"),
    "hmip-probation-pdu-2021": ("historic", "person on probation"),
    "hmip-probation-pdu-2023": ("current", "person on probation"),
    "hmip-youth-2025": ("current", "child"),
    "hmip-approved-premises-2025": ("current", "resident"),
    "hmip-dynamic-public-protection-2025": ("current", "person on probation"),
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
    if not fw.rating.four_point:
        return  # no bands: sufficiency percentages and a written judgement only
    # The overall bands cover every possible score.
    top = max(b.score for b in fw.rating.bands)
    assert fw.rating.overall_bands[0].min_score == 0
    assert fw.rating.overall_bands[-1].max_score == top * len(fw.rated_standards)


@pytest.mark.parametrize(("framework_id", "expected"), sorted(EXPECTED_STATUS.items()))
def test_each_programme_says_its_status_dates_person_term_and_document_versions(framework_id, expected):
    fw = shipped_by_id()[framework_id]
    assert (fw.status, fw.person_term) == expected
    assert fw.format == 2 and fw.applies_from and (fw.applies_to or not fw.historic)
    # Every source names the versions of its documents (a version number, a dated edition, or,
    # where the stored pages did not show them, says so).
    versions = r"\b[vV]\d|(January|June|September|October|November|December) 20\d\d|versions"
    assert re.search(versions, fw.source), fw.source
    # No rule is presented as published unless the file says so; the bands never are, nor is the
    # absence of a four-point rating.
    assert fw.rating.provenance_of("sufficiency_only") == "recalled"
    assert fw.rating.provenance_of("lowest_key_question") == "recalled"
    assert fw.rating.provenance_of("overall_score_bands") == "recalled"


def test_crc_shows_unpaid_work_and_through_the_gate_as_4_1_and_4_2():
    crc = shipped_by_id()["hmip-adult-2018-crc"]
    assert [(s.id, s.name) for s in crc.standards[-2:]] == [("3.1", "4.1 Unpaid work"), ("3.2", "4.2 Through the Gate")]


@pytest.mark.parametrize("framework_id", ["hmip-adult-2018-crc", "hmip-adult-2018-nps"])
def test_recalled_statements_do_not_inherit_confirmed_from_their_standard(framework_id):
    fw = shipped_by_id()[framework_id]
    confirmed_names = [s for s in fw.standards if s.provenance == "confirmed"]
    assert confirmed_names  # the standard names are confirmed ...
    assert all(s.statement_provenance == "recalled" for s in confirmed_names if s.statement)  # ... not the statements


def test_youth_2021_overall_bands_are_stated_once():
    """The provenance note once restated the overall bands beside the [rating] table; the two
    must never disagree again, so the note names no band numbers and points at the table."""
    fw = shipped_by_id()["hmip-youth-2021"]
    assert not re.search(r"\d+\s*-\s*\d+", fw.provenance_note)
    assert "[rating] table" in fw.provenance_note
    assert [(b.min_score, b.max_score) for b in fw.rating.overall_bands] == [(0, 6), (7, 19), (20, 32), (33, 39)]
