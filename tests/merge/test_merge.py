"""Merging real bundles: results per file, the ordering rule, forks, gaps, atomicity."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from fieldwork.bundles.records import records_from_store
from fieldwork.errors import StoreLockedError
from fieldwork.merge import (
    accept_held,
    count_open_conflicts,
    list_alerts,
    list_case_conflicts,
    list_conflicts,
    list_imports,
    merge_bundles,
    sequence_gaps,
)
from fieldwork.merge import apply as merge_apply
from fieldwork.merge import imports as merge_imports
from fieldwork.store import open_store
from fieldwork.store.assessments import get_case, set_answer, set_detail
from fieldwork.store.inspections import add_case

from .helpers import (
    INSPECTION,
    accept,
    central_dump,
    copy_store,
    forge,
    hand_out,
    integrity_ok,
    manifest_hash,
    open_conflicts,
)


def merge(lead, *paths, **kw):
    return merge_bundles(lead.store, list(paths), lead.keys, **kw)


def answer(lead, case_id, question="2.1.1"):
    return lead.store.db.execute(
        "SELECT value, note, updated_by FROM answers WHERE case_id = ? AND question_id = ?", [case_id, question]
    ).fetchone()


def test_a_bundle_lands_in_the_workspace_tables_with_its_uuids(lead, ann, sample):
    set_answer(ann.store, sample[0].id, "2.1.1", value="yes", note="Seen.")
    set_detail(ann.store, sample[0].id, "rosh", "high")
    report = merge(lead, ann.export(lead))
    [result] = report.imported
    assert result.status == "imported" and result.cases == 2 and result.answers == 1 and result.case_details == 1
    assert answer(lead, sample[0].id) == ("yes", "Seen.", "ann")
    assert lead.store.db.execute("SELECT value FROM case_details WHERE case_id = ?", [sample[0].id]).fetchone() == (
        "high",
    )
    assert get_case(lead.store, sample[0].id).status == "in_progress"
    # The inspector's change log arrives with its original ids.
    theirs = {r[0] for r in ann.store.db.execute("SELECT id FROM change_log WHERE case_id = ?", [sample[0].id])}
    ours = {r[0] for r in lead.store.db.execute("SELECT id FROM change_log WHERE case_id = ?", [sample[0].id])}
    assert theirs <= ours
    assert report.to_json()["conflicts"] == 0 and report.refused == []
    assert integrity_ok(lead.store)


def test_merging_again_changes_nothing(lead, ann, bob, sample):
    set_answer(ann.store, sample[1].id, "2.1.1", value="yes")
    set_answer(bob.store, sample[1].id, "2.1.1", value="no")
    files = [ann.export(lead), bob.export(lead)]
    merge(lead, *files)
    accept(lead)  # bob's second read of ann's case
    once = central_dump(lead.store)
    again = merge(lead, *files, *files)
    assert [r.status for r in again.results] == ["already_imported"] * 4
    assert central_dump(lead.store) == once
    assert again.open_conflicts == 1


def test_a_copy_encrypted_again_is_recognised_after_verifying(lead, ann, sample, tmp_path):
    from fieldwork.bundles import container

    set_answer(ann.store, sample[0].id, "2.1.1", value="yes")
    path = ann.export(lead)
    merge(lead, path)
    copy = tmp_path / "copy.fwbundle"
    archive = container.open_container(path.read_bytes(), lead.keys, allow_unencrypted=False).archive
    copy.write_bytes(container.seal(archive, [lead.keys.public]))
    assert copy.read_bytes() != path.read_bytes()
    [result] = merge(lead, copy).results
    assert result.status == "already_imported"


def test_a_refused_bundle_never_blocks_the_others(lead, ann, bob, sample, tmp_path):
    set_answer(ann.store, sample[0].id, "2.1.1", value="yes")
    set_answer(bob.store, sample[2].id, "2.1.1", value="no")
    good_a, good_b = ann.export(lead), bob.export(lead)
    damaged = tmp_path / "damaged.fwbundle"
    data = bytearray(good_a.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    junk = tmp_path / "junk.fwbundle"
    junk.write_bytes(b"not a bundle")
    seen = []
    report = merge(lead, junk, damaged, good_a, tmp_path / "missing.fwbundle", good_b,
                   progress=lambda done, total, result: seen.append((done, total, result.status)))
    assert [r.code for r in report.refused] == ["not-a-bundle", "damaged", "not-found"]
    assert [r.file for r in report.imported] == [str(good_a), str(good_b)]
    assert seen == [(1, 5, "refused"), (2, 5, "refused"), (3, 5, "imported"), (4, 5, "refused"), (5, 5, "imported")]
    assert answer(lead, sample[2].id) == ("no", "", "bob")


def test_an_untrusted_signer_an_unknown_inspection_and_another_framework_are_refused(
    tmp_path, lead, sample, mini_framework, make_framework
):
    from .helpers import Person

    stranger = Person(tmp_path, "dan", mini_framework)  # not in the lead's trust list
    set_answer(stranger.store, add_case(stranger.store, stranger.inspection, "X1").id, "2.1.1", value="yes")
    other_fw = make_framework(replace={'title = "Mini test framework"': 'title = "Mini, edited"'})
    drifted = Person(tmp_path / "drift", "cat", other_fw)
    try:
        report = merge(lead, stranger.export(lead), drifted.export(lead))
        assert [r.code for r in report.refused] == ["unknown-signer", "framework-mismatch"]
        assert merge(lead, drifted.outbox[0], inspection_id="elsewhere").refused[0].code == "wrong-inspection"
    finally:
        stranger.close()
        drifted.close()


def test_a_lower_revision_never_rolls_back(lead, ann, sample):
    set_answer(ann.store, sample[0].id, "2.1.1", value="yes", note="first")
    first = ann.export(lead)
    set_answer(ann.store, sample[0].id, "2.1.1", value="no", note="second")
    second = ann.export(lead)
    merge(lead, second)
    merge(lead, first)
    assert answer(lead, sample[0].id) == ("no", "second", "ann")
    assert open_conflicts(lead.store) == set()
    versions = lead.store.db.execute(
        "SELECT value, revision FROM merge_versions WHERE case_id = ? AND key = '2.1.1' ORDER BY revision",
        [sample[0].id],
    ).fetchall()
    assert versions == [("yes", 1), ("no", 2)]  # nothing dropped


def test_a_double_read_that_differs_is_a_conflict_and_agreement_is_not(lead, ann, bob, sample):
    case = sample[1].id
    set_answer(ann.store, case, "2.1.1", value="yes", note="same words")
    set_answer(bob.store, case, "2.1.1", value="yes", note="same words")
    set_answer(ann.store, case, "2.1.2", value="no", note="no plan")
    set_answer(bob.store, case, "2.1.2", value="na", note="not needed")
    report = merge(lead, ann.export(lead), bob.export(lead))
    assert [r.status for r in report.results] == ["imported", "imported"]
    # bob's read of ann's case waits for the lead: it counts once accepted.
    assert report.results[1].held.to_json() == {
        "cases_added": 0, "cases_not_allocated": 1, "answers_on_others_cases": 2,
    }
    assert open_conflicts(lead.store) == set()
    accept(lead)
    assert count_open_conflicts(lead.store, INSPECTION) == 1
    assert open_conflicts(lead.store) == {("answer", case, "2.1.2")}
    [conflict] = list_conflicts(lead.store, INSPECTION)
    assert conflict.reason == "parallel" and {v.author for v in conflict.versions} == {"ann", "bob"}
    assert {v.bundle_inspector for v in conflict.versions} == {"ann", "bob"}
    # Until the lead decides, the row holds the deterministic choice: the later edit, ties by author id.
    best = min(conflict.versions, key=lambda v: (-int(v.updated_at[11:19].replace(":", "")), v.author))
    assert answer(lead, case, "2.1.2") == (best.value, best.note, best.author)
    assert conflict.versions[0] == best  # listed first


def test_a_lead_edit_settles_what_it_saw_and_a_newer_inspector_version_contends(lead, ann, sample):
    case = sample[0].id
    set_answer(ann.store, case, "2.1.1", value="yes", note="ann 1")
    merge(lead, ann.export(lead))
    set_answer(lead.store, case, "2.1.1", value="no", note="lead's view")
    merge(lead, ann.export(lead))  # the same answer again: the lead's edit stands, no conflict
    assert answer(lead, case) == ("no", "lead's view", "lead") and open_conflicts(lead.store) == set()
    local = lead.store.db.execute(
        "SELECT author, origin FROM merge_versions WHERE case_id = ? AND key = '2.1.1' AND origin = 'local'", [case]
    ).fetchall()
    assert local == [("lead", "local")]  # kept as a version before anything could overwrite it
    set_answer(ann.store, case, "2.1.1", value="yes", note="ann 2")
    [result] = merge(lead, ann.export(lead)).results
    assert result.status == "imported_with_conflicts"
    assert answer(lead, case) == ("no", "lead's view", "lead")  # the lead's own value is held


def test_a_lead_edit_after_a_merge_is_newest_by_revision(lead, ann, sample):
    case = sample[0].id
    for n in range(3):
        set_answer(ann.store, case, "2.1.1", note=f"ann {n}")
    merge(lead, ann.export(lead))
    row = lead.store.db.execute("SELECT revision FROM answers WHERE case_id = ? AND question_id = '2.1.1'", [case])
    assert row.fetchone() == (3,)
    set_answer(lead.store, case, "2.1.1", note="lead")
    assert lead.store.db.execute(
        "SELECT revision, updated_by FROM answers WHERE case_id = ? AND question_id = '2.1.1'", [case]
    ).fetchone() == (4, "lead")


def test_same_author_and_revision_with_other_content_is_a_fork_kept_for_the_lead(lead, ann, sample, tmp_path):
    set_answer(ann.store, sample[0].id, "2.1.1", value="yes", note="real")
    merge(lead, ann.export(lead))
    records = records_from_store(ann.store, INSPECTION, "ann")
    altered = dataclasses.replace(
        records, answers=tuple(dataclasses.replace(a, note="other") for a in records.answers)
    )
    first = manifest_hash(lead, ann.outbox[0])
    report = merge(lead, forge(ann, lead, tmp_path / "other.fwbundle", sequence=2, previous=first, records=altered))
    assert report.results[0].status == "imported_with_conflicts"
    [conflict] = list_conflicts(lead.store, INSPECTION)
    assert conflict.reason == "fork" and sorted(v.note for v in conflict.versions) == ["other", "real"]


def test_a_second_bundle_with_a_used_sequence_is_a_fork_refused_with_an_alert(lead, ann, sample, tmp_path):
    set_answer(ann.store, sample[0].id, "2.1.1", value="yes")
    original = ann.export(lead)
    merge(lead, original)
    before = central_dump(lead.store)
    set_answer(ann.store, sample[0].id, "2.1.1", value="no")
    restored = forge(ann, lead, tmp_path / "restored.fwbundle", sequence=1, previous=None)
    [result] = merge(lead, restored).results
    assert result.status == "refused" and result.code == "fork"
    assert "second, different bundle number 1" in result.message
    after = central_dump(lead.store)
    assert {k: v for k, v in after.items() if k != "merge_alerts"} == {
        k: v for k, v in before.items() if k != "merge_alerts"
    }
    [alert] = list_alerts(lead.store, INSPECTION)
    assert alert.kind == "fork" and alert.sequence == 1 and alert.other_bundle_id == list_imports(
        lead.store, INSPECTION
    )[0].bundle_id
    merge(lead, restored)  # seen again: still one alert
    assert len(list_alerts(lead.store, INSPECTION)) == 1


def test_sequence_gaps_are_listed_until_filled(lead, ann, sample):
    set_answer(ann.store, sample[0].id, "2.1.1", value="yes")
    paths = [ann.export(lead) for _ in range(4)]
    merge(lead, paths[0], paths[3])
    [gap] = sequence_gaps(lead.store, INSPECTION)
    assert gap.inspector_id == "ann" and gap.missing == ((2, 3),) and gap.highest == 4 and gap.count == 2
    merge(lead, paths[2])
    assert sequence_gaps(lead.store, INSPECTION)[0].missing == ((2, 2),)
    merge(lead, paths[1])
    assert sequence_gaps(lead.store, INSPECTION) == []


def test_a_broken_manifest_chain_is_noted_whichever_arrives_first(lead, ann, sample, tmp_path):
    set_answer(ann.store, sample[0].id, "2.1.1", value="yes")
    first = ann.export(lead)
    wrong = forge(ann, lead, tmp_path / "wrong.fwbundle", sequence=2, previous="0" * 64)
    for order in ([first, wrong], [wrong, first]):
        fresh = lead.dir.parent / f"lead-{order[0].stem}"
        copy_store(lead.dir, fresh)
        with open_store(fresh, actor="lead") as store:
            report = merge_bundles(store, order, lead.keys)
            assert [r.status for r in report.results] == ["imported", "imported"]
            assert any("does not follow on" in note for r in report.results for note in r.notes)
            [alert] = list_alerts(store, INSPECTION)
            assert alert.kind == "chain-break" and alert.sequence == 2


def test_hand_added_cases_with_one_reference_never_duplicate_and_the_order_does_not_matter(
    lead, ann, bob, sample, tmp_path
):
    for person, value in ((ann, "yes"), (bob, "no")):
        case = add_case(person.store, person.inspection, "NEW1", inspector_id=person.id)
        set_answer(person.store, case.id, "2.1.1", value=value)
    paths = [ann.export(lead), bob.export(lead)]
    dumps = []
    for n, order in enumerate(itertools.permutations(paths)):
        fresh = tmp_path / f"perm{n}"
        copy_store(lead.dir, fresh)
        with open_store(fresh, actor="lead") as store:
            report = merge_bundles(store, list(order), lead.keys)
            assert sum(r.conflicts for r in report.results) == 1
            assert store.db.execute("SELECT COUNT(*) FROM cases WHERE case_ref = 'NEW1'").fetchone() == (1,)
            [conflict] = list_case_conflicts(store, INSPECTION)
            assert conflict.owner_case_id < conflict.case_id  # the lower UUID holds the reference
            assert count_open_conflicts(store, INSPECTION) == 1
            dumps.append(central_dump(store))
    assert dumps[0] == dumps[1]


def test_the_same_set_in_any_order_or_batching_gives_the_same_central_tables(people, sample, tmp_path):
    lead, ann, bob, cat = (people[p] for p in ("lead", "ann", "bob", "cat"))
    hand_out(lead, cat, [sample[1].id])
    paths = []
    for round_ in range(2):
        for person, case in ((ann, sample[0]), (ann, sample[1]), (bob, sample[1]), (bob, sample[2]), (cat, sample[1])):
            set_answer(person.store, case.id, "2.1.1", value=["yes", "no"][(round_ + len(person.id)) % 2],
                       note=f"{person.id} {round_}")
            set_detail(person.store, case.id, "rosh", ["low", "high"][round_])
        paths += [ann.export(lead), bob.export(lead), cat.export(lead)]
    shuffled = [paths[4], paths[0], paths[5], paths[2], paths[1], paths[3]]
    orders = [paths, paths[::-1], paths[1::2] + paths[::2], shuffled]
    dumps = []
    for n, order in enumerate(orders):
        fresh = tmp_path / f"order{n}"
        copy_store(lead.dir, fresh)
        with open_store(fresh, actor="lead") as store:
            half = len(order) // 2
            merge_bundles(store, order[:half], lead.keys)  # in two batches
            merge_bundles(store, order[half:], lead.keys)
            accept_held(store, INSPECTION)  # bob and cat read ann's case too
            assert integrity_ok(store)
            dumps.append(central_dump(store))
    assert all(d == dumps[0] for d in dumps[1:])
    assert dumps[0]["merge_open_conflicts"]  # the scenario does disagree somewhere


@pytest.mark.parametrize("where", ["recompute", "record_import", "check_chain"])
def test_a_bundle_that_fails_mid_merge_leaves_nothing_of_itself(lead, ann, bob, sample, monkeypatch, where):
    set_answer(ann.store, sample[0].id, "2.1.1", value="yes")
    set_answer(bob.store, sample[2].id, "2.1.1", value="no")
    first, failing = ann.export(lead), bob.export(lead)
    merge(lead, first)
    before = central_dump(lead.store)
    module, name = (merge_apply, "recompute") if where == "recompute" else (merge_imports, where)
    real = getattr(module, name)

    def explode(*args, **kwargs):
        real(*args, **kwargs)  # some of the bundle's records are already written...
        raise RuntimeError("power cut")  # ...when it fails

    monkeypatch.setattr(module, name, explode)
    [result] = merge(lead, failing).results
    assert result.status == "refused" and result.code == "merge-failed"
    assert central_dump(lead.store) == before
    assert integrity_ok(lead.store)
    monkeypatch.setattr(module, name, real)
    assert merge(lead, failing).results[0].status == "imported"


def test_a_read_only_store_refuses_to_merge(lead, ann, sample):
    lead.store._lock = None  # as when another window holds the store
    with pytest.raises(StoreLockedError):
        merge(lead, ann.export(lead))


def test_a_bundle_for_an_inspection_this_store_lacks_is_refused(tmp_path, ann, sample, lead):
    from fieldwork.identity.trust import add_trusted_key

    from .helpers import identity

    set_answer(ann.store, sample[0].id, "2.1.1", value="yes")
    path = ann.export(lead)
    with open_store(tmp_path / "elsewhere", actor="lead") as other:
        add_trusted_key(other, identity("ann").public)
        [result] = merge_bundles(other, [path], lead.keys).results
        assert result.status == "refused" and result.code == "unknown-inspection"
        assert INSPECTION in result.message


def test_unencrypted_bundles_only_when_explicitly_allowed(lead, ann, sample, tmp_path):
    from fieldwork.bundles import export_bundle

    set_answer(ann.store, sample[0].id, "2.1.1", value="yes")
    path = export_bundle(ann.store, INSPECTION, tmp_path / "plain.fwbundle", identity=ann.keys, encrypt=False).path
    assert merge(lead, path).results[0].code == "unencrypted"
    assert merge(lead, path, allow_unencrypted=True).results[0].status == "imported"
