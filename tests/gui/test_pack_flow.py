"""Lead → pack → inspector, through the app's own pack functions and windows."""

from __future__ import annotations

import pytest

from fieldwork.gui.identity_dialogs import PassphraseDialog
from fieldwork.gui.pack_dialogs import FingerprintCheck, add_inspector_identity, export_packs
from fieldwork.identity import export_identity, load_trust_list
from fieldwork.store.allocation import allocate_cases
from fieldwork.store.assessments import find_case, list_case_summaries
from tests.gui.conftest import lead_and_inspector_stores


@pytest.fixture
def lead_and_inspector(tmp_path):
    lead, inspector, lead_keys, inspector_keys = lead_and_inspector_stores(tmp_path)
    allocate_cases(lead, [find_case(lead, "T9", "P3").id], "insp-2")
    yield lead, inspector, lead_keys, inspector_keys, tmp_path
    lead.close()
    inspector.close()


def test_a_lead_writes_packs_and_the_inspector_opens_theirs(qtbot, make_window, monkeypatch, lead_and_inspector):
    lead, inspector, lead_keys, inspector_keys, folder = lead_and_inspector
    checked = []
    monkeypatch.setattr(
        FingerprintCheck, "ask", classmethod(lambda cls, parent, who, role: checked.append(role) or True)
    )
    export_identity(inspector.path.parent, folder / "ira.json")
    assert add_inspector_identity(None, lead, str(folder / "ira.json")).person_id == "insp-1"
    assert "insp-1" in {k.person_id for k in load_trust_list(lead)}

    out = folder / "packs"
    out.mkdir()
    lines = export_packs(lead, "T9", ["insp-1", "insp-2"], str(out), lead_keys)
    assert lines[0].startswith("insp-1: 2 cases →")
    assert "insp-2: not written" in lines[1]  # no identity for insp-2: said, not guessed
    pack = next(out.glob("*.fwpack"))

    monkeypatch.setattr(PassphraseDialog, "ask", classmethod(lambda cls, parent, prompt: "inspector passphrase"))
    window = make_window(inspector)
    window.open_pack_file(str(pack))
    assert checked == ["inspector", "lead inspector"]  # both fingerprints were put to a person
    assert window.inspection is not None and window.inspection.id == "T9"
    refs = sorted(s.case.case_ref for s in list_case_summaries(inspector, "T9"))
    assert refs == ["P1", "P2"]
    assert window.home_view.table_model.rowCount() == 2


def test_declining_the_lead_fingerprint_changes_nothing(qtbot, make_window, monkeypatch, lead_and_inspector):
    lead, inspector, lead_keys, inspector_keys, folder = lead_and_inspector
    from fieldwork.identity import add_trusted_key

    add_trusted_key(lead, inspector_keys.public)
    out = folder / "packs"
    out.mkdir()
    export_packs(lead, "T9", ["insp-1"], str(out), lead_keys)
    monkeypatch.setattr(FingerprintCheck, "ask", classmethod(lambda cls, parent, who, role: False))
    monkeypatch.setattr(PassphraseDialog, "ask", classmethod(lambda cls, parent, prompt: "inspector passphrase"))
    window = make_window(inspector)
    window.open_pack_file(str(next(out.glob("*.fwpack"))))
    assert window.inspection is None
    assert inspector.db.execute("SELECT count(*) FROM inspections").fetchone()[0] == 0
