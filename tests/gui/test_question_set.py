"""The app's Add case dialog uses the framework's sample rule; a case's set is changed with a reason."""

from __future__ import annotations

from fieldwork.frameworks.loader import load_framework
from fieldwork.gui.dialogs import AddCaseDialog
from fieldwork.gui.history_table_model import HistoryTableModel
from fieldwork.gui.question_set import ChangeSampleDialog
from fieldwork.paths import shipped_frameworks_dir
from fieldwork.store.assessments import find_case, get_case, set_answer, set_detail
from fieldwork.store.changelog import case_history
from fieldwork.store.inspections import create_inspection

DYNAMIC = load_framework(shipped_frameworks_dir() / "hmip-dynamic-public-protection-2025.toml")


def test_the_add_case_dialog_offers_the_rule_first_and_the_case_follows_its_details(
    qtbot, make_window, gui_store, monkeypatch
):
    dialog = AddCaseDialog(DYNAMIC)
    qtbot.addWidget(dialog)
    assert dialog.sample_combo.currentData() is None  # "chosen by the framework's rule"
    assert "rule" in dialog.sample_combo.currentText()

    create_inspection(gui_store, inspection_id="DPP-1", provider="North", provider_type="Region", framework=DYNAMIC)
    gui_store.set_ui_state("inspection", "DPP-1")
    monkeypatch.setattr(AddCaseDialog, "ask", classmethod(lambda cls, parent, framework: ("L1", None)))
    window = make_window(gui_store)
    window.add_case_action.trigger()
    case = find_case(gui_store, "DPP-1", "L1")
    assert case.sample_id == "core"
    set_detail(gui_store, case.id, "sentence_type", "post_sentence_supervision")
    assert get_case(gui_store, case.id).sample_id == "adjusted"


def test_changing_the_set_in_the_app_keeps_answers_and_records_the_reason(
    qtbot, make_window, gui_store, monkeypatch, message_boxes
):
    create_inspection(gui_store, inspection_id="DPP-1", provider="North", provider_type="Region", framework=DYNAMIC)
    gui_store.set_ui_state("inspection", "DPP-1")
    monkeypatch.setattr(AddCaseDialog, "ask", classmethod(lambda cls, parent, framework: ("L1", None)))
    window = make_window(gui_store)
    window.add_case_action.trigger()
    case = find_case(gui_store, "DPP-1", "L1")
    set_answer(gui_store, case.id, "C1", value="yes", note="Good analysis")

    def fill_in(cls, parent, framework, current):
        dialog = cls(framework, current, parent)
        qtbot.addWidget(dialog)
        assert [dialog.sample_combo.itemData(i) for i in range(dialog.sample_combo.count())] == ["adjusted"]
        qtbot.keyClicks(dialog.reason_edit, "Licence of six weeks")
        return dialog.values()

    monkeypatch.setattr(ChangeSampleDialog, "ask", classmethod(fill_in))
    window.change_sample_action.trigger()
    assert get_case(gui_store, case.id).sample_id == "adjusted"
    assert window.case_view is not None and window.case_view.case_id == case.id
    assert "no longer count" in window.statusBar().currentMessage()
    kept = gui_store.db.execute("SELECT value, note FROM answers WHERE case_id = ?", [case.id]).fetchall()
    assert kept == [("yes", "Good analysis")]
    model = HistoryTableModel(case_history(gui_store, case.id), framework=DYNAMIC)
    rows = [
        [model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())
    ]
    assert any("chosen by hand" in str(row) and "Adjusted questions (A)" in str(row) for row in rows)
    assert any("Licence of six weeks" in str(row) for row in rows)


def test_an_empty_reason_is_refused_in_the_app(qtbot, make_window, gui_store, monkeypatch, message_boxes):
    create_inspection(gui_store, inspection_id="DPP-1", provider="North", provider_type="Region", framework=DYNAMIC)
    gui_store.set_ui_state("inspection", "DPP-1")
    monkeypatch.setattr(AddCaseDialog, "ask", classmethod(lambda cls, parent, framework: ("L1", None)))
    window = make_window(gui_store)
    window.add_case_action.trigger()
    monkeypatch.setattr(ChangeSampleDialog, "ask", classmethod(lambda cls, parent, fw, current: ("adjusted", " ")))
    window.change_sample_action.trigger()
    assert get_case(gui_store, find_case(gui_store, "DPP-1", "L1").id).sample_id == "core"
    assert any("reason is required" in str(shown) for shown in message_boxes)
