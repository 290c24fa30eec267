"""Id forms the store creates and every file format carries, defined once so they cannot drift."""

from __future__ import annotations

import re

# Inspection ids: the store makes them, and bundles, packs and receipts carry them (no "@",
# unlike person ids, which may be e-mail-like login names).
INSPECTION_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
