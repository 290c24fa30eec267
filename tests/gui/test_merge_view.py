"""The lead's merge tab: real packs out, real bundles back, merged on the worker thread."""

from __future__ import annotations

import pytest

from fieldwork.bundles import export_bundle
from fieldwork.frameworks import load_framework
from fieldwork.gui.merge_view import MergeView
from fieldwork.identity import add_trusted_key, create_keys, load_trust_list
from fieldwork.identity.keys import ScryptParams
from fieldwork.merge import list_conflicts
from fieldwork.packs import apply_pack, export_pack, verify_pack
from fieldwork.profile import set_profile
from fieldwork.store import open_store
from fieldwork.store.allocation import allocate_cases
from fieldwork.store.assessments import find_case, load_assessment, set_answer
from fieldwork.store.inspections import add_case, create_inspection, framework_for

CHEAP = ScryptParams(log2_n=10)  # tests only


def _inspector(tmp_path, person, lead, lead_keys, case_ids):
    keys = create_keys(
        tmp_path / person, name=person.title(), person_id=person, passphrase="a long passphrase", scrypt=CHEAP
    )
    add_trusted_key(lead, keys.public)
    allocate_cases(lead, case_ids, person)
    pack = export_pack(lead, "M1", person, tmp_path / f"{person}.fwpack", identity=lead_keys)
    store = open_store(tmp_path / person, actor=person)
    set_profile(store, person, person.title())
    verified = verify_pack(
        pack.path,
        identity=keys,
        trusted_leads=load_trust_list(store),
        accept_lead_fingerprint=lead_keys.public.fingerprint,
    )
    apply_pack(store, verified)
    return store, keys


@pytest.fixture
def double_read(tmp_path):
    lead_keys = create_keys(
        tmp_path / "lead", name="Lee", person_id="lead-1", passphrase="a long passphrase", scrypt=CHEAP
    )
    lead = open_store(tmp_path / "lead", actor="lead-1")
    set_profile(lead, "lead-1", "Lee")
    inspection = create_inspection(
        lead,
        inspection_id="M1",
        provider="P",
        provider_type="CRC",
        framework=load_framework("tests/fixtures/frameworks/mini.toml"),
        lead_id="lead-1",
    )
    case = add_case(lead, inspection, "D1")
    bundles = []
    for person, value in (("ann", "yes"), ("bob", "no")):
        store, keys = _inspector(tmp_path, person, lead, lead_keys, [case.id])
        local = find_case(store, "M1", "D1")
        set_answer(store, local.id, "2.1.1", value=value, note=f"{person}'s evidence")
        bundles.append(str(export_bundle(store, "M1", tmp_path / f"{person}.fwbundle", identity=keys).path))
        store.close()
    yield lead, lead_keys, inspection, case, bundles
    lead.close()


def test_merging_shows_each_result_and_the_conflict_side_by_side(qtbot, double_read):
    lead, lead_keys, inspection, case, bundles = double_read
    view = MergeView(lead, inspection, framework_for(lead, inspection))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.merged, timeout=20000):
        view.merge_files(bundles + ["/no/such/file.fwbundle"], lead_keys)
    assert not view.is_merging()
    statuses = [view.results_model.row_object(r).status for r in range(view.results_model.rowCount())]
    assert statuses.count("refused") == 1 and len(statuses) == 3
    # D1 moved from ann to bob before ann's first bundle arrived: her answer waits for the lead.
    assert view.conflicts_model.rowCount() == 0 and not view.held_strip.isHidden()
    assert "1 answer on another inspector's case" in view.held_label.text() and "D1 (ann)" in view.held_label.text()
    assert view.results_model.data(view.results_model.index(0, 7)) == "1 not theirs, 1 answer on others' cases"
    assert view.accept_held_work()
    assert view.held_strip.isHidden() and view.conflicts_model.rowCount() == 1
    conflict = view.conflicts_model.row_object(0)
    assert (conflict.case_ref, conflict.key) == ("D1", "2.1.1")
    view.conflicts_table.selectRow(0)
    assert {view.versions_model.row_object(r).author for r in range(view.versions_model.rowCount())} == {"ann", "bob"}

    messages = []
    view.message.connect(messages.append)
    bob = next(v for v in conflict.versions if v.author == "bob")
    assert not view.keep_version(conflict, bob.version_id, "")  # a decision needs its reason
    assert "reason" in messages[-1]
    assert view.keep_version(conflict, bob.version_id, "Bob's reading matches the case file.")
    assert list_conflicts(lead, "M1") == []
    assert load_assessment(lead, case.id).answers["2.1.1"].value == "no"


def test_the_merge_tab_shows_held_work_with_its_accept_button(qtbot, double_read):
    """Offscreen picture of the tab at 1280x800 while work waits (looked at by hand; kept in /tmp)."""
    lead, lead_keys, inspection, case, bundles = double_read
    view = MergeView(lead, inspection, framework_for(lead, inspection))
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    with qtbot.waitSignal(view.merged, timeout=20000):
        view.merge_files(bundles, lead_keys)
    assert view.accept_button.isVisible() and view.accept_button.isEnabled()
    view.grab().save("/tmp/merge_tab.png")


def test_merging_again_changes_nothing(qtbot, double_read):
    lead, lead_keys, inspection, case, bundles = double_read
    view = MergeView(lead, inspection, framework_for(lead, inspection))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.merged, timeout=20000):
        view.merge_files(bundles, lead_keys)
    with qtbot.waitSignal(view.merged, timeout=20000):
        view.merge_files(bundles, lead_keys)
    statuses = {view.results_model.row_object(r).status for r in range(view.results_model.rowCount())}
    assert statuses == {"already_imported"}


def test_models_pass_the_model_tester(qtmodeltester, qtbot, double_read):
    lead, lead_keys, inspection, case, bundles = double_read
    view = MergeView(lead, inspection, framework_for(lead, inspection))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.merged, timeout=20000):
        view.merge_files(bundles, lead_keys)
    for model in (view.results_model, view.conflicts_model, view.versions_model, view.agreement_model):
        qtmodeltester.check(model)


def test_missing_bundles_show_as_ranges_even_after_a_huge_number(qtbot, double_read):
    """A central database that holds bundle number 10^9 (merged before the sequence bound) still
    opens its Merge tab at once: gaps are ranges, never lists of numbers (issue 16 §2)."""
    lead, lead_keys, inspection, case, bundles = double_read
    view = MergeView(lead, inspection, framework_for(lead, inspection))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.merged, timeout=20000):
        view.merge_files(bundles, lead_keys)
    with lead.transaction():
        lead.db.execute(
            "INSERT INTO merge_imports SELECT 'huge', ?, inspection_id, signer_key_id, inspector_id, ?, "
            "previous_manifest_sha256, bundle_created_at, file_name, imported_at, imported_by, cases, case_details, "
            "answers, changes, new_versions, conflicts FROM merge_imports WHERE inspector_id = 'ann'",
            ["f" * 64, 10**9],
        )
    view.refresh()
    assert "From ann: bundle numbers 2–999999999 not received yet (highest received 1000000000)." in (
        view.gaps_label.text()
    )
