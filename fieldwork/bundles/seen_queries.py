"""Which of the lead's moderation queries this workspace had received when a bundle is made.

The lead's queries reach an inspector in allocation packs (`allocation_queries`, with the pack
that first brought each one and when it was opened here). A bundle lists them in its manifest
(`queries_seen`), so the merge can tell an answer changed after the query arrived from one
changed before: the two times come from the same laptop's clock, so they can be compared; the
lead's and the inspector's clocks never are.
"""

from __future__ import annotations

import hashlib

from fieldwork.bundles.format import MAX_QUERIES_SEEN, SeenQuery
from fieldwork.store.db import Store


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def queries_seen(store: Store, inspection_id: str) -> tuple[SeenQuery, ...]:
    """The queries the latest pack listed for this inspection, each with when it arrived here.

    At most MAX_QUERIES_SEEN, the most recently received first kept: a query left out can only
    not be marked answered automatically (the lead closes it by hand), never wrongly answered."""
    rows = store.db.execute(
        "SELECT q.case_id, q.question_id, q.text, p.applied_at FROM allocation_queries q "
        "JOIN allocation_packs p ON p.pack_id = q.pack_id WHERE q.inspection_id = ? "
        "ORDER BY p.applied_at DESC, q.case_id, q.question_id, q.text",
        [inspection_id],
    ).fetchall()
    seen = {SeenQuery(case_id, question_id, text_sha256(text), applied_at) for case_id, question_id, text, applied_at
            in rows[:MAX_QUERIES_SEEN]}
    return tuple(sorted(seen))
