"""The one strict ZIP reader, given a pack's members and caps, refuses in a pack's terms."""

from __future__ import annotations

import random

import pytest

from fieldwork.bundles import BundleError, Limits, ziparchive
from fieldwork.packs import PackLimits
from fieldwork.packs import archive as pack_archive

NOISE = random.Random(5).randbytes(5000)  # does not compress, so no ratio check fires first
PACK_MEMBERS = [("envelope.json", b"{}"), ("payload/pack.json", NOISE), ("payload/framework.toml", b"")]


def test_a_pack_over_its_total_cap_is_refused_as_a_pack():
    with pytest.raises(BundleError) as caught:
        pack_archive.read_entries(ziparchive.write_zip(PACK_MEMBERS), PackLimits(max_total_uncompressed=1000))
    assert caught.value.code == "unsafe-archive"
    assert caught.value.detail == "more uncompressed content than any pack has"


def test_a_bundle_over_its_total_cap_is_refused_as_a_bundle():
    archive = ziparchive.write_zip([("envelope.json", b"{}"), ("payload/records.jsonl", NOISE)])
    with pytest.raises(BundleError) as caught:
        ziparchive.read_entries(archive, Limits(max_total_uncompressed=1000))
    assert caught.value.detail == "more uncompressed content than any bundle has"


def test_each_pack_member_has_its_own_cap():
    with pytest.raises(BundleError) as caught:
        pack_archive.read_entries(ziparchive.write_zip(PACK_MEMBERS), PackLimits(max_pack_json_bytes=100))
    assert caught.value.detail == "entry 'payload/pack.json' declares 5000 bytes, over the 100-byte limit"
    assert set(pack_archive.read_entries(ziparchive.write_zip(PACK_MEMBERS))) == {n for n, _ in PACK_MEMBERS}
