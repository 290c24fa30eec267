"""A work bundle and a results bundle (docs/bundle-format.md §13) never pass for each other: each
reader refuses the other kind with `wrong-kind`, after checking the signature, saying where it goes."""

from __future__ import annotations

import pytest

from fieldwork.bundles import BundleError, verify_bundle
from fieldwork.region.results_format import RESULTS_FORMAT_VERSION, RESULTS_KIND
from fieldwork.region.results_verify import peek_kind, verify_results

from .test_bundle_reasons import parts, rebuild  # noqa: F401 (parts is a fixture)


def _as_results_manifest(manifest: dict) -> dict:
    """The work manifest relabelled as a results manifest (format 3, kind results, its counts)."""
    changed = {k: v for k, v in manifest.items() if k != "queries_seen"}
    changed.update(format_version=RESULTS_FORMAT_VERSION, kind=RESULTS_KIND,
                   record_counts={"pdu_inspection": 1, "result_case": 0})
    return changed


def test_the_merge_refuses_a_results_bundle_as_wrong_kind(parts, inspector_keys, lead_keys, trust):  # noqa: F811
    manifest, records = parts
    data = rebuild(_as_results_manifest(manifest), records, inspector_keys, [lead_keys.public])
    with pytest.raises(BundleError) as caught:
        verify_bundle(data, identity=lead_keys, trust=trust)
    assert caught.value.code == "wrong-kind" and "region import" in caught.value.message
    assert peek_kind(data, lead_keys) == "results"


def test_the_region_refuses_a_work_bundle_as_wrong_kind(exported, lead_keys, trust):
    with pytest.raises(BundleError) as caught:
        verify_results(exported.path, identity=lead_keys, trust=trust, region_inspection_id="region-1")
    assert caught.value.code == "wrong-kind" and "merge it" in caught.value.message
    assert peek_kind(exported.path, lead_keys) == "work"


def test_a_results_manifest_with_another_kind_is_not_a_results_manifest(parts, inspector_keys, lead_keys,  # noqa: F811
                                                                          trust):
    manifest, records = parts
    odd = _as_results_manifest(manifest) | {"kind": "other"}
    data = rebuild(odd, records, inspector_keys, [lead_keys.public])
    with pytest.raises(BundleError) as caught:
        verify_bundle(data, identity=lead_keys, trust=trust)
    assert caught.value.code == "unsupported-version"  # format 3 of an unknown kind: a newer fieldwork's
