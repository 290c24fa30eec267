"""Moderation in the app: the lead's bar and queries in the case view, the queries travelling in a
pack to the inspector's case view, and the home tables of both."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton

from fieldwork.assessment import query_reminders
from fieldwork.bundles import export_bundle
from fieldwork.gui.case_table_model import MODERATION_ROLE, CaseFilterProxyModel, CaseTableModel
from fieldwork.gui.completion_dialog import COMPLETE_ANYWAY, CompletionDialog
from fieldwork.gui.identity_dialogs import PassphraseDialog
from fieldwork.gui.moderation_panel import AskInspectorDialog, ModerationNoteDialog
from fieldwork.gui.pack_dialogs import FingerprintCheck, export_packs
from fieldwork.identity import add_trusted_key
from fieldwork.merge import case_moderation, list_queries, merge_bundles
from fieldwork.moderation_status import ModerationMark, inspector_marks, lead_marks
from fieldwork.store.assessments import find_case, list_case_summaries, set_answer
from tests.gui.conftest import lead_and_inspector_stores, open_case

QUERY = "Where is the evidence of motivation?\nThe assessment does not say."


@pytest.fixture
def people(tmp_path, monkeypatch):
    """A lead (inspection T9: P1 and P2 for insp-1, P3 for nobody) and insp-1, with real keys."""
    lead, inspector, lead_keys, inspector_keys = lead_and_inspector_stores(tmp_path)
    add_trusted_key(lead, inspector_keys.public)
    monkeypatch.setattr(FingerprintCheck, "ask", classmethod(lambda cls, parent, who, role: True))
    monkeypatch.setattr(PassphraseDialog, "ask", classmethod(lambda cls, parent, prompt: "inspector passphrase"))
    yield lead, inspector, lead_keys, inspector_keys, tmp_path
    lead.close()
    inspector.close()


def case_id(store, ref: str) -> str:
    return find_case(store, "T9", ref).id


def answer_asked(monkeypatch, about: str, text: str = QUERY, to: str = "insp-1") -> list[tuple]:
    """Make the lead's Ask dialog answer (about, to, text); returns the calls it received."""
    calls = []

    def ask(cls, parent, case_ref, key_question, recipients, question_id, number=None):
        calls.append((case_ref, key_question.id, list(recipients), question_id))
        return about, to, text

    monkeypatch.setattr(AskInspectorDialog, "ask", classmethod(ask))
    return calls


def send_pack(lead, lead_keys, folder) -> str:
    out = folder / f"packs-{len(list(folder.glob('packs-*')))}"
    out.mkdir()
    lines = export_packs(lead, "T9", ["insp-1"], str(out), lead_keys)
    assert lines[0].startswith("insp-1: 2 cases →"), lines
    return str(next(out.glob("*.fwpack")))


def home_row(window, ref: str) -> dict[str, str]:
    model = window.home_view.table_model
    row = model.row_of_case(case_id(window.store, ref))
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return dict(zip(header, [model.index(row, c).data() for c in range(model.columnCount())], strict=True))


def visible_refs(window) -> list[str]:
    proxy = window.home_view.proxy
    return sorted(proxy.index(r, 0).data() for r in range(proxy.rowCount()))


# --- the whole journey --------------------------------------------------------------------------


def test_a_query_raised_in_the_lead_app_shows_on_its_question_in_the_inspector_app(
    qtbot, make_window, monkeypatch, people
):
    lead, inspector, lead_keys, inspector_keys, folder = people
    lead_window = make_window(lead)
    view = open_case(qtbot, lead_window, case_id(lead, "P1"))
    assert view.moderation.lead and view.moderation.bar.isVisible()

    # The lead puts the keyboard on prompt 2.1.1.a and asks with the shortcut.
    calls = answer_asked(monkeypatch, "2.1.1.a")
    view.row("2.1.1.a").setFocus()
    qtbot.waitUntil(view.row("2.1.1.a").hasFocus)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(view.row("2.1.1.a"), Qt.Key.Key_A, ctrl_shift)  # ASK_SHORTCUT
    assert calls == [("P1", "2.1.1", ["insp-1"], "2.1.1.a")]
    [query] = list_queries(lead, "T9")
    assert (query.question_id, query.inspector_id, query.text, query.status) == ("2.1.1.a", "insp-1", QUERY, "open")
    [note] = view.moderation.notes_for("2.1.1")
    assert QUERY in note.text_label.text() and note.caption_label.text().endswith("· OPEN")
    assert "to insp-1 about prompt 2.1.1.a" in note.caption_label.text()
    assert view.moderation.notes_for("2.1.2") == []
    assert "Queries open" in view.moderation.bar.pill.text()
    assert "· query" in view.outline_model.item(1).child(0).text()  # 2.1.1 in the outline

    # The lead's home shows it; the pack carries it.
    lead_window.show_home()
    assert home_row(lead_window, "P1")["Moderation"] == "Queries: 1 open"
    pack = send_pack(lead, lead_keys, folder)

    window = make_window(inspector)
    window.open_pack_file(pack)
    assert window.inspection.id == "T9"
    home = window.home_view
    assert not home.table.isColumnHidden(CaseTableModel.MODERATION_COLUMN)
    assert home_row(window, "P1")["Lead's queries"] == "1 query"
    assert home_row(window, "P2")["Lead's queries"] == ""
    assert home.moderation_label.text() == "The lead has queries on 1 of your cases"
    home.moderation_combo.setCurrentIndex(home.moderation_combo.findText("With the lead's queries"))
    assert visible_refs(window) == ["P1"]

    view = open_case(qtbot, window, case_id(inspector, "P1"))
    assert not view.moderation.lead and view.moderation.bar is None
    assert view.moderation.strip.isVisible()
    assert "Lead's queries: 1" in view.moderation.strip.pill.text()
    [note] = view.moderation.notes_for("2.1.1")
    assert note.text_label.text() == f"Lead's query: {QUERY}"
    assert note.caption_label.text().startswith("About prompt 2.1.1.a · received ")
    assert note.caption_label.text().endswith("(pack 1)")
    assert note.isVisibleTo(view.panel("2.1.1")) and view.panel("2.1.1").isAncestorOf(note)
    assert view.moderation.notes_for("2.1.2") == []

    # Answering the query is changing the answer: the note says so at once.
    view.row("2.1.1.a").setFocus()
    qtbot.keyClick(view.row("2.1.1.a"), Qt.Key.Key_Y)
    [note] = view.moderation.notes_for("2.1.1")
    assert "You changed this answer" in note.detail_label.text()

    # "Next query" takes the keyboard to the question asked about.
    view.row("2.1.2").setFocus()
    view.moderation.strip.next_button.click()
    assert QApplication.focusWidget() is view.row("2.1.1.a")


def test_the_inspector_answer_comes_back_and_the_lead_closes_the_query(qtbot, make_window, monkeypatch, people):
    lead, inspector, lead_keys, inspector_keys, folder = people
    lead_window = make_window(lead)
    view = open_case(qtbot, lead_window, case_id(lead, "P1"))
    answer_asked(monkeypatch, "2.1.1")
    view.panel("2.1.1").findChild(type(view.back_button), "askInspectorButton").click()
    window = make_window(inspector)
    window.open_pack_file(send_pack(lead, lead_keys, folder))
    set_answer(inspector, case_id(inspector, "P1"), "2.1.1", value="no", note="Motivation not analysed.")
    bundle = export_bundle(
        inspector, "T9", folder / "ira.fwbundle", identity=inspector_keys, recipients=[lead_keys.public]
    ).path
    merge_bundles(lead, [bundle], lead_keys)
    lead_window.refresh_home()
    assert home_row(lead_window, "P1")["Moderation"] == "Queries: 1 answered"

    lead_window.activateWindow()
    qtbot.waitUntil(lead_window.isActiveWindow)
    view = open_case(qtbot, lead_window, case_id(lead, "P1"))
    [note] = view.moderation.notes_for("2.1.1")
    assert "ANSWERED" in note.caption_label.text()
    note.close_button.click()
    assert [q.status for q in list_queries(lead, "T9")] == ["closed"]
    assert view.moderation.notes_for("2.1.1") == []
    assert view.moderation.bar.pill.text() == "Moderation: Queries closed"
    assert home_row(lead_window, "P1")["Moderation"] == "Queries closed"
    # The next pack carries no query: the inspector's list empties.
    window.open_pack_file(send_pack(lead, lead_keys, folder))
    assert inspector_marks(inspector, "T9") == {}
    assert window.home_view.table.isColumnHidden(CaseTableModel.MODERATION_COLUMN)


def test_the_lead_marks_a_case_moderated_and_the_home_counts_it(qtbot, make_window, monkeypatch, people):
    lead, *_ = people
    window = make_window(lead)
    home = window.home_view
    assert home.moderation_label.text() == "Moderated 0 of 3 cases (0%)"
    assert home_row(window, "P1")["Moderation"] == "—"
    notes = []
    monkeypatch.setattr(
        ModerationNoteDialog,
        "ask",
        classmethod(lambda cls, parent, ref, state, open_queries=0: notes.append((ref, state)) or "Read in full."),
    )
    view = open_case(qtbot, window, case_id(lead, "P1"))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)  # Mark &moderated…
    qtbot.waitUntil(lambda: notes == [("P1", "moderated")])  # a mnemonic clicks the button after a flash
    state = case_moderation(lead, case_id(lead, "P1"))
    assert (state.state, state.note, state.set_by) == ("moderated", "Read in full.", "lead-1")
    bar = view.moderation.bar
    assert bar.pill.text() == "Moderation: Moderated" and "Read in full." in bar.summary_label.text()
    assert not bar.moderated_button.isEnabled() and bar.agreed_button.isEnabled()

    window.show_home()
    assert home_row(window, "P1")["Moderation"] == "Moderated"
    assert home.moderation_label.text() == "Moderated 1 of 3 cases (33%)"
    home.moderation_combo.setCurrentIndex(home.moderation_combo.findText("Moderated or agreed"))
    assert visible_refs(window) == ["P1"]
    home.moderation_combo.setCurrentIndex(home.moderation_combo.findText("Not moderated yet"))
    assert visible_refs(window) == ["P2", "P3"]

    view = open_case(qtbot, window, case_id(lead, "P2"))
    view.moderation.bar.agreed_button.click()
    window.show_home()
    assert home_row(window, "P2")["Moderation"] == "Agreed"
    assert home.moderation_label.text() == "Moderated 2 of 3 cases (67%)"

    # Marked by mistake: Clear mark takes it away, and the home counts follow.
    view = open_case(qtbot, window, case_id(lead, "P2"))
    bar = view.moderation.bar
    assert bar.clear_button.isVisible()
    bar.clear_button.click()
    assert case_moderation(lead, case_id(lead, "P2")) is None
    assert bar.pill.text() == "Moderation: Not moderated" and not bar.clear_button.isVisible()
    window.show_home()
    assert home_row(window, "P2")["Moderation"] == "—"
    assert home.moderation_label.text() == "Moderated 1 of 3 cases (33%)"


def test_cancelling_the_dialogs_writes_nothing(qtbot, make_window, monkeypatch, people):
    lead, *_ = people
    window = make_window(lead)
    view = open_case(qtbot, window, case_id(lead, "P1"))
    monkeypatch.setattr(ModerationNoteDialog, "ask", classmethod(lambda cls, *args: None))
    monkeypatch.setattr(AskInspectorDialog, "ask", classmethod(lambda cls, *args: None))
    view.moderation.bar.moderated_button.click()
    view.moderation.ask("2.1.1")
    assert case_moderation(lead, case_id(lead, "P1")) is None and list_queries(lead, "T9") == []


def test_a_case_nobody_reads_cannot_be_queried_and_the_lead_is_told_why(
    qtbot, make_window, monkeypatch, people, message_boxes
):
    lead, *_ = people
    window = make_window(lead)
    view = open_case(qtbot, window, case_id(lead, "P3"))
    monkeypatch.setattr(AskInspectorDialog, "ask", classmethod(lambda cls, *args: pytest.fail("no one to ask")))
    view.moderation.ask("2.1.1")
    [(kind, text)] = message_boxes
    assert kind == "warning" and "Case P3 is not allocated to an inspector" in text
    assert list_queries(lead, "T9") == []


def test_an_inspector_without_queries_sees_no_moderation_and_no_lead_controls(qtbot, window, cases):
    home = window.home_view
    assert home.table.isColumnHidden(CaseTableModel.MODERATION_COLUMN)
    assert not home.moderation_combo.isVisible() and not home.moderation_label.isVisible()
    view = open_case(qtbot, window, cases["C001"].id)
    assert view.moderation.header is None
    assert view.panel("2.1.1").findChild(type(view.back_button), "askInspectorButton") is None


def test_queries_keep_the_date_of_the_pack_that_first_brought_them(qtbot, make_window, monkeypatch, people):
    lead, inspector, lead_keys, inspector_keys, folder = people
    from fieldwork.merge import add_query

    add_query(lead, case_id(lead, "P1"), "2.1.1", "First query.")
    window = make_window(inspector)
    window.open_pack_file(send_pack(lead, lead_keys, folder))
    add_query(lead, case_id(lead, "P1"), "2.1.2", "Second query.")
    window.open_pack_file(send_pack(lead, lead_keys, folder))
    view = open_case(qtbot, window, case_id(inspector, "P1"))
    [first] = view.moderation.notes_for("2.1.1")
    [second] = view.moderation.notes_for("2.1.2")
    assert "pack 1" in first.caption_label.text() and "pack 2" in second.caption_label.text()


# --- completion ----------------------------------------------------------------------------------


def answer_everything(store, case) -> None:
    set_answer(store, case, "2.1.1.a", value="yes")
    set_answer(store, case, "2.1.1.b", value="yes")
    set_answer(store, case, "2.1.1", value="yes")
    set_answer(store, case, "2.1.2", value="yes")


@pytest.mark.parametrize("choice", ["cancel", "go", "anyway"])
def test_open_queries_are_shown_before_completing_but_never_block_it(qtbot, make_window, monkeypatch, people, choice):
    lead, inspector, lead_keys, inspector_keys, folder = people
    from fieldwork.merge import add_query

    add_query(lead, case_id(lead, "P1"), "2.1.2", "Is the safety judgement right?")
    window = make_window(inspector)
    window.open_pack_file(send_pack(lead, lead_keys, folder))
    case = case_id(inspector, "P1")
    answer_everything(inspector, case)
    asked = []
    result = {"cancel": None, "go": "2.1.2", "anyway": COMPLETE_ANYWAY}[choice]
    monkeypatch.setattr(
        CompletionDialog,
        "ask_about_queries",
        classmethod(lambda cls, parent, ref, reminders: asked.append(reminders) or result),
    )
    view = open_case(qtbot, window, case)
    view.toggle_complete()
    [[reminder]] = asked
    assert (reminder.question_id, reminder.kind) == ("2.1.2", "lead_query")
    assert "Is the safety judgement right?" in reminder.message
    status = next(s.case.status for s in list_case_summaries(inspector, "T9") if s.case.id == case)
    assert status == ("complete" if choice == "anyway" else "in_progress")
    if choice == "go":
        assert QApplication.focusWidget() is view.row("2.1.2")


def test_the_reminders_dialog_offers_to_complete_anyway(qtbot, mini):
    reminders = query_reminders(mini, "supervision", [("2.1.2", "Second."), ("2.1.1.a", "First line\nmore")])
    assert [r.question_id for r in reminders] == ["2.1.1.a", "2.1.2"]  # framework order
    assert reminders[0].message == "The lead asks about 2.1.1.a: First line …"
    dialog = CompletionDialog("C001", [], reminders=reminders)
    qtbot.addWidget(dialog)
    assert any("do not stop you from completing" in label.text() for label in dialog.findChildren(QLabel))
    assert dialog.model.rowCount() == 2
    anyway = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Mark &complete anyway")
    anyway.click()
    assert dialog.chosen is COMPLETE_ANYWAY and dialog.result() == QDialog.DialogCode.Accepted


# --- the home table's model ------------------------------------------------------------------------


@pytest.fixture
def marked(gui_store, gui_inspection, cases):
    """The three cases: C001 moderated, C002 with an open and an answered query, C003 not moderated."""
    return {
        cases["C001"].id: ModerationMark("moderated"),
        cases["C002"].id: ModerationMark("queries", open_queries=1, answered_queries=1),
    }


@pytest.mark.parametrize("lead", [True, False], ids=["lead", "inspector"])
@pytest.mark.parametrize("force_py", [False, True], ids=["qt-tester", "py-tester"])
def test_case_table_with_moderation_passes_modeltester(
    qtmodeltester, mini, gui_store, gui_inspection, marked, lead, force_py
):
    model = CaseTableModel(mini)
    model.set_summaries(list_case_summaries(gui_store, gui_inspection.id))
    model.set_moderation(marked, lead=lead)
    qtmodeltester.check(model, force_py=force_py)
    proxy = CaseFilterProxyModel()  # owned here, as the views own theirs
    proxy.setSourceModel(model)
    proxy.sort(CaseTableModel.MODERATION_COLUMN, Qt.SortOrder.DescendingOrder)
    proxy.set_moderation_filter("queries")
    qtmodeltester.check(proxy, force_py=force_py)
    assert proxy.rowCount() == 1


def test_the_moderation_column_says_what_each_side_needs(qtbot, mini, gui_store, gui_inspection, cases, marked):
    model = CaseTableModel(mini)
    model.set_summaries(list_case_summaries(gui_store, gui_inspection.id))
    column = CaseTableModel.MODERATION_COLUMN

    def cell(ref, role=Qt.ItemDataRole.DisplayRole):
        return model.index(model.row_of_case(cases[ref].id), column).data(role)

    with qtbot.waitSignal(model.dataChanged):
        model.set_moderation(marked, lead=True)
    assert model.headerData(column, Qt.Orientation.Horizontal) == "Moderation"
    assert [cell(r) for r in ("C001", "C002", "C003")] == ["Moderated", "Queries: 1 open, 1 answered", "—"]
    assert cell("C002", Qt.ItemDataRole.FontRole).bold()  # an answered query waits for the lead
    assert cell("C003", Qt.ItemDataRole.ToolTipRole) == "Not moderated yet"
    assert cell("C001", MODERATION_ROLE) == ModerationMark("moderated")
    with qtbot.waitSignal(model.headerDataChanged):
        model.set_moderation({cases["C002"].id: ModerationMark(open_queries=2)}, lead=False)
    assert model.headerData(column, Qt.Orientation.Horizontal) == "Lead's queries"
    assert [cell(r) for r in ("C001", "C002", "C003")] == ["", "2 queries", ""]
    # Not parented to the model: a Python-owned model with a C++ child proxy, collected together in
    # a reference cycle, crashed the interpreter in a later test's garbage collection (PySide6).
    proxy = CaseFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.sort(column, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, 0).data() == "C002"


def test_lead_and_inspector_marks_come_from_their_own_tables(people):
    lead, inspector, *_ = people
    from fieldwork.merge import add_query, set_case_moderation

    p1, p2 = case_id(lead, "P1"), case_id(lead, "P2")
    set_case_moderation(lead, p1, "agreed")
    add_query(lead, p2, "2.1.1", "Why?")
    assert lead_marks(lead, "T9") == {p1: ModerationMark("agreed"), p2: ModerationMark("queries", open_queries=1)}
    assert inspector_marks(inspector, "T9") == {}
