"""The optional `framework_moves` of a pack's payload (docs/pack-format.md §7, decision 0042)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest

from fieldwork.bundles.format import FrameworkRef
from fieldwork.identity.encoding import canonical_json
from fieldwork.packs.errors import PackError
from fieldwork.packs.format import PackFrameworkMove, PackInspection, PackPayload, parse_payload

OLD = FrameworkRef("test-mini", "1.0", "a" * 64)
NEW = FrameworkRef("test-mini", "1.1", "b" * 64)
MANIFEST = SimpleNamespace(inspection_id="insp-1", framework=NEW)
INSPECTION = PackInspection("insp-1", "Provider", "CRC", None, None, "lee", "2026-11-02T09:00:00.000Z", "lee")
MOVE = PackFrameworkMove("00000000-0000-0000-0000-000000000001", OLD, NEW, {"2.1.1.a": "2.1.1.m"},
                         "2026-11-03T09:00:00.000Z", "lee")


def test_a_pack_without_moves_is_written_as_before_and_one_with_moves_reads_back():
    plain = PackPayload(INSPECTION, (), ())
    assert "framework_moves" not in plain.to_json()
    assert parse_payload(plain.to_bytes(), MANIFEST).framework_moves == ()
    moved = PackPayload(INSPECTION, (), (), (MOVE,))
    assert parse_payload(moved.to_bytes(), MANIFEST) == moved


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda m: m["to"].update(id="other"), "another framework than the manifest names"),
        (lambda m: m["renamed"].update({"2.1.1.b": "bad id!"}), "a renamed question id is not valid"),
        (lambda m: m.pop("moved_by"), "lacks fields ['moved_by']"),
        (lambda m: m.update(extra=1), "unknown fields ['extra']"),
        (lambda m: m.update(renamed=[]), "renamed is not an object"),
    ],
)
def test_a_bad_move_is_a_malformed_pack(edit, words):
    payload = PackPayload(INSPECTION, (), (), (MOVE,)).to_json()
    payload = copy.deepcopy(payload)
    edit(payload["framework_moves"][0])
    with pytest.raises(PackError) as refused:
        parse_payload(canonical_json(payload), MANIFEST)
    assert refused.value.code == "malformed-pack" and words in str(refused.value)


def test_moves_that_do_not_start_from_the_workspace_text_are_refused(store, inspection, mini_framework):
    from fieldwork.packs.framework_moves import planned_move

    here = FrameworkRef("test-mini", "1.0", mini_framework.content_hash)
    with pytest.raises(PackError) as refused:
        planned_move(store, inspection.id, (MOVE,), NEW)  # MOVE starts from another text
    assert refused.value.code == "framework-mismatch" and "does not say your lead moved" in str(refused.value)
    chain = (PackFrameworkMove(MOVE.id, here, OLD, {"2.1.1.a": "2.1.1.x"}, MOVE.moved_at, "lee"), MOVE)
    move = planned_move(store, inspection.id, chain, NEW)
    assert (move.from_hash, move.to_hash, move.moved_by) == (mini_framework.content_hash, NEW.hash, "lee")
    assert move.renamed == {"2.1.1.a": "2.1.1.x"}  # 2.1.1.a → 2.1.1.x, then 2.1.1.x is not renamed again
