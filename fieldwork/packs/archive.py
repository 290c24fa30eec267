"""The pack's inner archive: the bundle's canonical ZIP profile with the pack's members and caps.

Writing is the bundle's `write_zip`; reading is the bundle reader with the pack's names
(docs/pack-format.md §5), so a hostile archive is refused the same way in both. Errors are the
bundle reader's BundleErrors; `fieldwork.packs.verify` words them for packs.
"""

from __future__ import annotations

from fieldwork.bundles import ziparchive
from fieldwork.bundles.ziparchive import Entry, read_member, write_zip
from fieldwork.packs.format import DEFAULT_PACK_LIMITS, PackLimits

__all__ = ["Entry", "read_entries", "read_member", "write_zip"]


def read_entries(data: bytes, limits: PackLimits = DEFAULT_PACK_LIMITS) -> dict[str, Entry]:
    """Check the archive's structure and return its entries by name (nothing inflated yet)."""
    return ziparchive.read_entries(data, limits.container_limits(), caps=limits.member_caps(), what="pack")
