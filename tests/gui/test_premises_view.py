"""The lead's Premises tab (decision 0037): answered once for the premises, keyboard first, each
standard's computed rating with its rule, and the lead's override with a reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldwork.frameworks import load_framework
from fieldwork.gui.shortcuts import PREMISES_TAB
from fieldwork.paths import shipped_frameworks_dir
from fieldwork.profile import set_profile
from fieldwork.store import open_store
from fieldwork.store.inspections import add_case, create_inspection
from fieldwork.store.premises import premises_answers, premises_history

AP = shipped_frameworks_dir() / "hmip-approved-premises-2025.toml"
SHOTS = os.environ.get("FIELDWORK_SCREENSHOTS")  # a folder: save what the tab looks like


@pytest.fixture
def lead_store(tmp_path):
    store = open_store(tmp_path / "lead", actor="lead-1")
    set_profile(store, "lead-1", "Lee Lead")
    inspection = create_inspection(
        store, inspection_id="AP-1", provider="Hill House", provider_type="Approved premises",
        framework=load_framework(AP), lead_id="lead-1",
    )  # fmt: skip
    add_case(store, inspection, "R-1")
    yield store
    store.close()


def premises_tab(window):
    tabs = window.home_tabs
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    assert titles[:2] == ["C&ases", PREMISES_TAB], titles  # right after Cases, with Alt+P
    tabs.setCurrentIndex(1)
    return window.premises_view


def test_the_lead_answers_for_the_premises_from_the_keyboard(make_window, lead_store, qtbot):
    window = make_window(lead_store)
    view = premises_tab(window)
    assert view is tabs_widget(window) and [r.question_id for r in view.rows][:3] == ["1.1.a", "1.1.b", "1.1.c"]
    view.focus_first()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.rows[0])
    qtbot.keyClick(view.rows[0], Qt.Key.Key_Y)  # Yes, and on to the next question
    assert QApplication.focusWidget() is view.rows[1]
    qtbot.keyClick(view.rows[1], Qt.Key.Key_N)
    qtbot.keyClick(view.rows[2], Qt.Key.Key_A)
    saved = premises_answers(lead_store, "AP-1")
    assert {q: a.value for q, a in saved.items()} == {"1.1.a": "yes", "1.1.b": "no", "1.1.c": "na"}
    assert view.rows[1].value == "no"  # the row shows what the store holds

    # Enter types the evidence; Esc saves it and comes back to the question.
    view._focus_row(view.rows[1])
    qtbot.keyClick(view.rows[1], Qt.Key.Key_Return)
    box = view.evidence["1.1.b"]
    assert QApplication.focusWidget() is box
    qtbot.keyClicks(box, "No culture survey since 2024.")
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is view.rows[1]
    assert premises_answers(lead_store, "AP-1")["1.1.b"].note == "No culture survey since 2024."
    qtbot.keyClick(view.rows[1], Qt.Key.Key_Delete)  # clears the answer, keeps the evidence
    assert premises_answers(lead_store, "AP-1")["1.1.b"].value is None
    fields = [(e.key, e.field, e.old, e.new) for e in premises_history(lead_store, "AP-1", "1.1.b")]
    assert fields == [
        ("1.1.b", "premises_value", None, "no"),
        ("1.1.b", "premises_note", "", "No culture survey since 2024."),
        ("1.1.b", "premises_value", "no", None),
    ]


def tabs_widget(window):
    return window.home_tabs.currentWidget()


def test_the_rating_is_computed_shown_with_its_rule_and_overridden_with_a_reason(make_window, lead_store, qtbot):
    window = make_window(lead_store)
    view = premises_tab(window)
    assert "nothing is answered Yes or No yet" in view.rating_labels["2"].text()
    for question, value in (("2.1.a", "yes"), ("2.1.b", "no"), ("2.1.c", "yes"), ("2.2", "yes")):
        assert view.save_answer(question, value)
    label = view.rating_labels["2"].text()
    assert "Computed rating <b>Good</b>" in label and "2.1" in label  # two of three prompts Yes: 67 %
    assert "premises_answers" in label and "recalled, not confirmed" in label
    messages = []
    view.message.connect(messages.append)
    assert not view.override("2", "Requires improvement", "")  # a reason is required
    assert "needs a reason" in messages[-1]
    assert view.override("2", "Requires improvement", "Night cover relied on agency staff.")
    label = view.rating_labels["2"].text()
    assert "Rating <b>Requires improvement</b>: overridden by lead-1 from the computed Good" in label
    assert "Night cover relied on agency staff." in label and "lead_override" in label
    assert view.override_buttons["2"].text() == "Change override…"
    if SHOTS:
        for width, height in ((1280, 800), (1024, 700)):
            window.resize(width, height)
            qtbot.waitUntil(lambda w=width: window.width() == w)
            view.scroll.ensureWidgetVisible(view.rating_labels["2"])
            window.grab().save(str(Path(SHOTS) / f"premises-{width}x{height}.png"))


def test_a_framework_answered_case_by_case_has_no_premises_tab(make_window, tmp_path):
    from tests.gui.conftest import lead_and_inspector_stores

    lead, inspector, *_ = lead_and_inspector_stores(tmp_path)
    try:
        window = make_window(lead)
        titles = [window.home_tabs.tabText(i) for i in range(window.home_tabs.count())]
        assert PREMISES_TAB not in titles and window.premises_view is None
    finally:
        lead.close()
        inspector.close()


def test_the_override_dialog_asks_a_reason_for_a_premises_standard(make_window, lead_store, qtbot):
    from fieldwork.gui.ratings_view import LeadRatingDialog

    window = make_window(lead_store)
    view = premises_tab(window)
    dialog = LeadRatingDialog(view.ratings["3"], view.framework.rating.ratings(), view)
    qtbot.addWidget(dialog)
    # A computed premises rating is overridden with a reason, never "rated" with evidence.
    assert dialog.kind == "override" and dialog.windowTitle() == "Override standard 3"
    assert dialog.text_edit.placeholderText() == "Why the rating differs from the computed one"
