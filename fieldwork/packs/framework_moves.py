"""Framework moves in allocation packs (decision 0042): the lead's pack lists every move of the
inspection; the inspector's workspace, holding the inspection under an earlier text, moves along
the lead's chain to the pack's text in the same transaction as the rest of the pack.

The workspace records one move, from its text to the pack's, with the renames of the whole chain
and the lead as the mover; each case's change-log entry is written by the inspector's own store
(as every entry a pack writes is), with the source `pack:<id>` and the lead named in the text, so
the inspector's next bundle still speaks only for its signer (decision 0019).
"""

from __future__ import annotations

from fieldwork.bundles.format import FrameworkRef
from fieldwork.frameworks.model import Framework
from fieldwork.packs.errors import PackError
from fieldwork.packs.format import PackFrameworkMove
from fieldwork.store.db import Store
from fieldwork.store.framework_move import FrameworkMove, apply_move, chain_from, compose_renames, moves_of
from fieldwork.store.inspections import framework_for, get_inspection


def framework_moves_for_pack(store: Store, inspection_id: str) -> tuple[PackFrameworkMove, ...]:
    """Every move of the inspection in the lead's store, oldest first, as a pack carries them."""
    refs = {
        row[0]: FrameworkRef(row[1], row[2], row[0])
        for row in store.db.execute("SELECT hash, id, version FROM frameworks")
    }
    return tuple(
        PackFrameworkMove(m.id, refs[m.from_hash], refs[m.to_hash], m.renamed, m.moved_at, m.moved_by)
        for m in moves_of(store, inspection_id)
    )


def planned_move(store: Store, inspection_id: str, moves: tuple[PackFrameworkMove, ...],
                 pack_framework: FrameworkRef) -> FrameworkMove | None:
    """The move this workspace makes to reach the pack's framework text; PackError
    (framework-mismatch) when the pack's moves do not lead there from the text held here."""
    inspection = get_inspection(store, inspection_id)
    steps = [
        FrameworkMove(m.id, inspection_id, m.from_ref.hash, m.to_ref.hash, m.renamed, m.moved_at, m.moved_by, "")
        for m in moves
    ]
    chain = chain_from(steps, inspection.framework_hash, pack_framework.hash)
    if chain is None:
        raise PackError(
            "framework-mismatch",
            f"This pack is for inspection {inspection_id} under {pack_framework.label()}, but your workspace holds "
            f"{inspection_id} under another framework text ({inspection.framework_hash[:12]}) and the pack does not "
            "say your lead moved the inspection from it; nothing was changed. Ask your lead which framework the "
            "inspection uses.",
            detail="inspection framework differs",
        )
    last = chain[-1]
    return FrameworkMove(
        last.id, inspection_id, inspection.framework_hash, pack_framework.hash, compose_renames(chain),
        last.moved_at, last.moved_by, "",
    )


def write_move(store: Store, move: FrameworkMove, new: Framework, source: str) -> None:
    """Move the workspace's inspection; call inside the pack's transaction."""
    old = framework_for(store, get_inspection(store, move.inspection_id))
    record = FrameworkMove(move.id, move.inspection_id, move.from_hash, move.to_hash, move.renamed,
                           move.moved_at, move.moved_by, source)
    apply_move(store, record, old, new, note=f" (moved by {move.moved_by}, the lead)")
