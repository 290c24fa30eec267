"""A PDU lead exports the inspection's results for the region in the app (File → Export results
for the region…), and the region lead takes the file in (issue 17: a lead runs each programme
without a terminal; decision 0035)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from region.helpers import REGION, Pdu, Region

from fieldwork.profile import set_profile
from fieldwork.region.contributions import list_contributions


@pytest.fixture
def pdu_and_region(tmp_path):
    pdu = Pdu(tmp_path, "pdu1", "pdu-1", 9, seed=3)
    set_profile(pdu.store, "pdu1", "Pat PDU-Lead")
    region = Region(tmp_path, ["pdu1"])
    identity_file = tmp_path / "reg.fwid.json"
    identity_file.write_bytes(region.keys.public.to_bytes())
    yield pdu, region, identity_file
    pdu.store.close()
    region.store.close()


def _answer_dialogs(monkeypatch, identity_file, folder, told):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(identity_file), "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda _w, title, text: told.append((title, text))))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _w, title, text: told.append((title, text))))


def _menu_action(window, words: str):
    return next(a for a in window.menuBar().findChildren(type(window.menuBar().actions()[0]))
                if a.text().replace("&", "").startswith(words))


def test_the_pdu_lead_exports_results_from_the_file_menu_and_the_region_takes_them_in(
    make_window, pdu_and_region, tmp_path, monkeypatch
):
    pdu, region, identity_file = pdu_and_region
    told: list = []
    _answer_dialogs(monkeypatch, identity_file, pdu.outdir, told)
    monkeypatch.setattr("fieldwork.gui.key_session.unlocked_keys", lambda *_a, **_k: pdu.keys)
    window = make_window(pdu.store)
    window.open_inspection(pdu.inspection_id)

    _menu_action(window, "Export results for the region").trigger()

    assert told and told[-1][0] == "Results exported for the region", told
    written = list(pdu.outdir.glob("*.fwbundle"))
    assert len(written) == 1 and written[0].name in told[-1][1]
    region.take_in(written[0])
    [contribution] = list_contributions(region.store, REGION)
    assert (contribution.pdu_inspection_id, contribution.cases, contribution.signer_person_id) == ("pdu-1", 9, "pdu1")


def test_an_inspection_no_region_counts_is_refused_before_any_file_or_passphrase(
    make_window, tmp_path, monkeypatch
):
    from tests.gui.conftest import lead_and_inspector_stores

    lead, inspector, *_ = lead_and_inspector_stores(tmp_path)
    told: list = []
    asked = []
    _answer_dialogs(monkeypatch, tmp_path / "none.json", tmp_path, told)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: asked.append(1) or ("", "")))
    monkeypatch.setattr("fieldwork.gui.key_session.unlocked_keys", lambda *_a, **_k: asked.append(2))
    try:
        window = make_window(lead)
        window.open_inspection("T9")
        _menu_action(window, "Export results for the region").trigger()
        assert asked == []
        assert told[-1][0] == "Results not exported" and "No region inspection counts" in told[-1][1]
    finally:
        lead.close()
        inspector.close()
