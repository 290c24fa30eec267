"""A signed sequence number cannot make the lead's work unbounded (issue 16 §2).

A hostile but validly signed bundle numbered 10^9, 2^31 or 2^53−1 is refused before anything is
written; gaps are kept and shown as ranges, so even a store that holds such a number (merged
before the bound existed) lists its gaps at once; later merges go on working.
"""

from __future__ import annotations

import pytest
from helpers.cli import cli, cli_json

from fieldwork.bundles.format import MAX_SEQUENCE_STEP
from fieldwork.cli import EXIT_OK
from fieldwork.merge import list_imports, merge_bundles, sequence_gaps
from fieldwork.store.assessments import set_answer

from .helpers import INSPECTION, central_dump, forge, integrity_ok


def merge(lead, *paths):
    return merge_bundles(lead.store, list(paths), lead.keys)


@pytest.mark.parametrize("sequence", [10**9, 2**31, 2**53 - 1])
def test_a_huge_sequence_is_refused_with_a_reason_and_changes_nothing(lead, ann, sample, tmp_path, sequence):
    set_answer(ann.store, sample[0].id, "2.1.1", value="yes", note="Seen.")
    first = ann.export(lead)
    merge(lead, first)
    before = central_dump(lead.store)
    hostile = forge(ann, lead, tmp_path / "huge.fwbundle", sequence=sequence, previous="0" * 64)

    [result] = merge(lead, hostile).results
    assert result.status == "refused" and result.code == "sequence-too-far"
    assert str(sequence) in result.message and f"at most {MAX_SEQUENCE_STEP}" in result.message
    assert central_dump(lead.store) == before and integrity_ok(lead.store)
    assert sequence_gaps(lead.store, INSPECTION) == []

    # Later honest bundles still merge, and the gap report still works.
    set_answer(ann.store, sample[0].id, "2.1.1", value="no", note="Seen again.")
    [later] = merge(lead, ann.export(lead)).results
    assert later.status == "imported" and later.sequence == 2
    assert [i.sequence for i in list_imports(lead.store, INSPECTION)] == [1, 2]


@pytest.mark.parametrize("sequence", [10**9, 2**31, 2**53 - 1])
def test_a_huge_first_bundle_is_refused_too(lead, ann, sample, tmp_path, sequence):
    hostile = forge(ann, lead, tmp_path / "huge.fwbundle", sequence=sequence, previous="0" * 64)
    before = central_dump(lead.store)
    [result] = merge(lead, hostile).results
    assert result.code == "sequence-too-far" and "none has been merged" in result.message
    assert central_dump(lead.store) == before


def test_the_bound_is_counted_from_the_highest_merged_number(lead, ann, sample, tmp_path):
    step = MAX_SEQUENCE_STEP
    at_bound = forge(ann, lead, tmp_path / "a.fwbundle", sequence=step, previous="0" * 64)
    assert merge(lead, at_bound).results[0].status == "imported"
    too_far = forge(ann, lead, tmp_path / "b.fwbundle", sequence=2 * step + 1, previous="0" * 64)
    assert merge(lead, too_far).results[0].code == "sequence-too-far"
    next_bound = forge(ann, lead, tmp_path / "c.fwbundle", sequence=2 * step, previous="0" * 64)
    assert merge(lead, next_bound).results[0].status == "imported"
    [gap] = sequence_gaps(lead.store, INSPECTION)
    assert gap.missing == ((1, step - 1), (step + 1, 2 * step - 1)) and gap.highest == 2 * step
    assert gap.count == 2 * step - 2 and gap.describe() == f"1–{step - 1}, {step + 1}–{2 * step - 1}"


def test_gaps_of_a_store_that_already_holds_a_huge_number_are_listed_as_ranges(lead, ann, sample):
    # A central database merged before the bound existed: an import row numbered 10^9 and one 2^53−1.
    merge(lead, ann.export(lead))
    with lead.store.transaction():
        for sequence in (10**9, 2**53 - 1):
            lead.store.db.execute(
                "INSERT INTO merge_imports SELECT ?, ?, inspection_id, signer_key_id, inspector_id, ?, "
                "previous_manifest_sha256, bundle_created_at, file_name, imported_at, imported_by, cases, "
                "case_details, answers, changes, new_versions, conflicts FROM merge_imports WHERE sequence = 1",
                [f"bundle-{sequence}", f"{sequence:064x}", sequence],
            )
    [gap] = sequence_gaps(lead.store, INSPECTION)
    assert gap.missing == ((2, 10**9 - 1), (10**9 + 1, 2**53 - 2)) and gap.highest == 2**53 - 1
    assert gap.to_json()["missing"] == [{"first": 2, "last": 10**9 - 1}, {"first": 10**9 + 1, "last": 2**53 - 2}]
    assert gap.to_json()["missing_count"] == 2**53 - 4  # 2 … 2^53−2, less 10^9


def test_merge_gaps_on_the_command_line_shows_ranges(lead, ann, sample, tmp_path, capsys, monkeypatch):
    merge(lead, forge(ann, lead, tmp_path / "a.fwbundle", sequence=5, previous="0" * 64))
    lead.store.close()  # the command opens the store itself
    code, shown = cli_json(capsys, "merge", "gaps", "--inspection", INSPECTION, "--data-dir", lead.dir)
    assert code == EXIT_OK and shown["gaps"][0]["missing"] == [{"first": 1, "last": 4}]
    code, out, _ = cli(capsys, "merge", "gaps", "--inspection", INSPECTION, "--data-dir", lead.dir)
    assert code == EXIT_OK and "missing bundles 1–4 (4 in all); highest merged 5" in out
