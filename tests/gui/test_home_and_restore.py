"""The inspection home, first run, coming back where you were, and a second copy of the app."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldwork.gui.case_view import CaseView
from fieldwork.gui.dialogs import AddCaseDialog, NewInspectionDialog
from fieldwork.gui.home_view import HomeView
from fieldwork.gui.welcome_view import WelcomeView
from fieldwork.store import open_store
from fieldwork.store.assessments import find_case, set_answer, set_status
from fieldwork.store.inspections import list_inspections
from tests.gui.conftest import MINI, open_case, press_shortcut, stored, stored_value


def focused_id():
    return getattr(QApplication.focusWidget(), "question_id", None)


def table_rows(home: HomeView) -> dict[str, dict[str, str]]:
    proxy = home.proxy
    headers = [proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(proxy.columnCount())]
    rows = {}
    for r in range(proxy.rowCount()):
        cells = [proxy.index(r, c).data() for c in range(proxy.columnCount())]
        rows[cells[0]] = dict(zip(headers, cells, strict=True))
    return rows


def test_home_lists_the_cases_with_progress(make_window, gui_store, cases):
    set_answer(gui_store, cases["C001"].id, "2.1.1", value="yes")
    set_answer(gui_store, cases["C003"].id, "3.1.1", value="no", note="Placement not suitable.")
    set_status(gui_store, cases["C003"].id, "complete")
    window = make_window(gui_store)
    home = window.home_view
    assert window.current_view() is home
    assert "Test provider" in home.title_label.text()
    assert "T1" in home.subtitle_label.text() and "Mini test framework" in home.subtitle_label.text()
    rows = table_rows(home)
    assert list(rows) == ["C001", "C002", "C003"]  # sorted by case reference
    assert [rows[r]["Progress"] for r in rows] == ["1 / 2", "0 / 2", "1 / 1"]
    assert [rows[r]["Status"] for r in rows] == ["In progress", "Not started", "Complete"]
    assert rows["C002"]["RoSH level"] == "Low"
    assert home.progress_bar.value() == 2 and home.progress_bar.maximum() == 5
    assert home.progress_label.text() == "1 of 3 cases complete"


def test_search_and_status_filter_in_the_home_view(qtbot, window):
    home = window.home_view
    window.actions["find"].trigger()
    assert QApplication.focusWidget() is home.search_edit
    qtbot.keyClicks(home.search_edit, "002")
    assert list(table_rows(home)) == ["C002"]
    home.search_edit.clear()
    home.status_combo.setCurrentIndex(home.status_combo.findData("not_started"))
    assert list(table_rows(home)) == ["C001", "C002", "C003"]
    home.status_combo.setCurrentIndex(home.status_combo.findData("complete"))
    assert list(table_rows(home)) == []


def test_opening_a_case_from_the_table(qtbot, window, cases):
    home = window.home_view
    home.table.setFocus()
    qtbot.waitUntil(home.table.hasFocus)
    qtbot.keyClick(home.table, Qt.Key.Key_Down)  # C001 → C002
    assert home.table.currentIndex().data() == "C002"
    with qtbot.waitSignal(window.view_changed, timeout=1000) as blocker:
        qtbot.keyClick(home.table, Qt.Key.Key_Return)  # activates the current index
    assert blocker.args == ["case"]
    assert isinstance(window.current_view(), CaseView)
    assert window.case_view.case_id == cases["C002"].id
    assert window.case_view.title_label.text() == "Case C002"
    qtbot.waitUntil(lambda: focused_id() == "2.1.1.a")

    # Answer, go back: the row of C002 shows the new progress and status.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Y)  # judgement 2.1.1 → evidence box
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # back on the judgement
    press_shortcut(qtbot, QApplication.focusWidget(), "go_home")
    assert window.current_view() is home
    assert table_rows(home)["C002"]["Progress"] == "1 / 2"
    assert table_rows(home)["C002"]["Status"] == "In progress"
    assert home.table.currentIndex().data() == "C002"  # the case just left stays selected

    # Double-clicking a row opens it too.
    index = home.proxy.index(2, 0)
    rect = home.table.visualRect(index)
    qtbot.mouseClick(home.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(home.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.case_view is not None and window.case_view.case_ref == "C003"


def test_restart_returns_to_the_same_case_and_question(qtbot, make_window, gui_store, gui_data_dir, cases):
    case_id = cases["C002"].id
    window = make_window(gui_store)
    view = open_case(qtbot, window, case_id)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Y)  # 2.1.1.a
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)  # 2.1.1.b → 2.1.1
    assert focused_id() == "2.1.1"
    qtbot.waitUntil(lambda: gui_store.ui_state("position") == f"{case_id}|2.1.1")
    assert view is window.case_view
    window.close()
    gui_store.close()

    reopened = open_store(gui_data_dir, actor="insp-1")
    try:
        assert not reopened.read_only  # the first copy let go of the store
        again = make_window(reopened)
        assert again.case_view is not None and again.current_view() is again.case_view
        assert again.case_view.case_id == case_id
        qtbot.waitUntil(lambda: focused_id() == "2.1.1")
        assert again.case_view.row("2.1.1.a").value == "yes"
        # And it goes on from there.
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N)
        assert stored_value(reopened, case_id, "2.1.1") == "no"
        again.close()
    finally:
        reopened.close()


def test_restart_after_going_home_shows_the_home_view(qtbot, make_window, gui_store, gui_data_dir, cases):
    window = make_window(gui_store)
    open_case(qtbot, window, cases["C001"].id)
    window.actions["go_home"].trigger()
    window.close()
    gui_store.close()
    reopened = open_store(gui_data_dir, actor="insp-1")
    try:
        again = make_window(reopened)
        assert again.current_view() is again.home_view
        assert again.case_view is None
        again.close()
    finally:
        reopened.close()


def test_quitting_right_after_moving_still_remembers_the_question(qtbot, make_window, gui_store, gui_data_dir, cases):
    case_id = cases["C001"].id
    window = make_window(gui_store)
    open_case(qtbot, window, case_id)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    assert focused_id() == "2.1.1"
    press_shortcut(qtbot, QApplication.focusWidget(), "quit")
    assert not window.isVisible()
    assert gui_store.ui_state("position") == f"{case_id}|2.1.1"


def test_welcome_view_when_the_store_has_no_inspection(make_window, gui_store):
    window = make_window(gui_store)
    assert isinstance(window.current_view(), WelcomeView)
    assert window.home_view is None and window.inspection is None
    assert welcome_button(window, "Try the practice inspection").isEnabled()
    assert welcome_button(window, "Set up an inspection (lead inspector)…").isEnabled()
    window.actions["next_unanswered"].trigger()  # harmless with no case open
    window.actions["go_home"].trigger()
    assert isinstance(window.current_view(), WelcomeView)


def welcome_button(window, text):
    from PySide6.QtWidgets import QPushButton

    return next(b for b in window.current_view().findChildren(QPushButton) if b.text().replace("&", "") == text)


def test_start_an_inspection_by_hand_then_add_a_case(qtbot, monkeypatch, make_window, gui_store, gui_data_dir):
    user_frameworks = gui_data_dir / "frameworks"
    user_frameworks.mkdir()
    shutil.copy(MINI, user_frameworks / "mini.toml")
    offered = []

    def fill_in(cls, parent, frameworks):
        offered.extend(f.id for f in frameworks)
        dialog = cls(frameworks, parent)
        qtbot.addWidget(dialog)
        dialog.framework_combo.setCurrentIndex(dialog.framework_combo.findData("test-mini"))
        qtbot.keyClicks(dialog.provider_edit, "Wolds Test CRC")
        qtbot.keyClicks(dialog.id_edit, "HAND-1")
        return dialog.values()

    monkeypatch.setattr(NewInspectionDialog, "ask", classmethod(fill_in))
    monkeypatch.setattr(AddCaseDialog, "ask", classmethod(lambda cls, parent, framework: ("X42", "unpaid_work")))
    window = make_window(gui_store)
    qtbot.mouseClick(welcome_button(window, "Set up an inspection (lead inspector)…"), Qt.MouseButton.LeftButton)
    assert "test-mini" in offered
    [inspection] = list_inspections(gui_store)
    assert (inspection.id, inspection.provider, inspection.provider_type) == ("HAND-1", "Wolds Test CRC", "CRC")
    assert window.current_view() is window.home_view
    assert gui_store.ui_state("inspection") == "HAND-1"

    window.add_case_action.trigger()
    case = find_case(gui_store, "HAND-1", "X42")
    assert case.sample_id == "unpaid_work"
    assert window.case_view is not None and window.case_view.case_id == case.id
    assert [r.question_id for r in window.case_view.rows] == ["3.1.1"]
    assert list(table_rows(window.home_view)) == ["X42"]


def test_practice_button_creates_the_practice_inspection(qtbot, make_window, gui_store, message_boxes):
    from fieldwork.frameworks.catalogue import list_frameworks

    if not any(e.framework and e.framework.id == "hmip-adult-2018-crc" for e in list_frameworks()):
        pytest.skip("the shipped framework hmip-adult-2018-crc is not there yet")
    window = make_window(gui_store)
    qtbot.mouseClick(welcome_button(window, "Try the practice inspection"), Qt.MouseButton.LeftButton)
    assert message_boxes == []
    [inspection] = list_inspections(gui_store)
    assert inspection.is_demo
    assert window.current_view() is window.home_view
    rows = table_rows(window.home_view)
    assert len(rows) == 12
    statuses = {row["Status"] for row in rows.values()}
    assert {"Complete", "In progress", "Not started"} <= statuses

    # A case under way, with the full framework: the next unanswered question takes a Y.
    ref = next(r for r, row in rows.items() if row["Status"] == "In progress")
    case = find_case(gui_store, inspection.id, ref)
    window.open_case(case.id)
    view = window.case_view
    qtbot.waitUntil(lambda: focused_id() is not None)
    window.actions["next_unanswered"].trigger()
    question_id = focused_id()
    assert question_id is not None and stored_value(gui_store, case.id, question_id) is None
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Y)
    assert stored_value(gui_store, case.id, question_id) == "yes"

    # A complete one is locked.
    window.actions["go_home"].trigger()
    done = next(r for r, row in rows.items() if row["Status"] == "Complete")
    window.open_case(find_case(gui_store, inspection.id, done).id)
    assert window.case_view is not view
    assert all(not row.isEnabled() for row in window.case_view.rows)
    assert message_boxes == []


def test_a_second_copy_is_read_only_and_says_so(qtbot, make_window, gui_store, gui_data_dir, cases):
    case_id = cases["C001"].id
    set_answer(gui_store, case_id, "2.1.1.a", value="yes")
    gui_store.set_ui_state("position", f"{case_id}|2.1.1")
    second = open_store(gui_data_dir, actor="insp-1")
    try:
        assert second.read_only
        window = make_window(second)
        view = window.case_view
        assert view is not None and view.case_id == case_id  # it shows where the first copy was
        assert window.save_label.text().startswith("Read-only")
        assert view.banner.isVisible() and "Read-only" in view.banner.text()
        assert all(not row.isEnabled() for row in view.rows)
        assert all(view.panel(q).evidence.isReadOnly() for q in ("2.1.1", "2.1.2"))
        assert not view.complete_button.isEnabled()
        for row in view.rows:
            qtbot.keyClick(row, Qt.Key.Key_N)
            qtbot.keyClick(row, Qt.Key.Key_Delete)
        window.actions["go_home"].trigger()
        window.open_case(cases["C002"].id)
        window.close()
    finally:
        second.close()
    assert stored(gui_store, case_id) == {"2.1.1.a": ("yes", "")}
    assert gui_store.ui_state("position") == f"{case_id}|2.1.1"  # the second copy did not move it


def test_jump_to_case_by_reference(qtbot, monkeypatch, case_view, window, cases, message_boxes):
    from fieldwork.gui.dialogs import JumpToCaseDialog

    offered = []

    def ask(cls, parent, refs):
        offered.extend(refs)
        return answers.pop(0)

    answers = ["C003", "C999"]
    monkeypatch.setattr(JumpToCaseDialog, "ask", classmethod(ask))
    press_shortcut(qtbot, QApplication.focusWidget(), "jump_to_case")
    assert offered == ["C001", "C002", "C003"]
    assert window.case_view.case_id == cases["C003"].id
    qtbot.waitUntil(lambda: focused_id() == "3.1.1")
    window.actions["jump_to_case"].trigger()
    assert window.case_view.case_id == cases["C003"].id  # an unknown reference changes nothing…
    assert len(message_boxes) == 1 and "C999" in message_boxes[0][1]  # …and says why


def test_splitter_and_window_size_are_remembered(qtbot, make_window, gui_store, gui_data_dir, cases):
    window = make_window(gui_store)
    window.resize(700, 520)  # inside the offscreen screen (800 × 600)
    view = open_case(qtbot, window, cases["C001"].id)
    # Leaves the page its minimum width: a wider outline would give way (no sideways scrolling).
    view.splitter.setSizes([200, 450])
    wanted = view.splitter.sizes()
    window.actions["go_home"].trigger()
    view = open_case(qtbot, window, cases["C002"].id)
    assert view.splitter.sizes() == wanted
    size = (window.width(), window.height())  # as resized, within the window's minimum size
    assert size[1] == 520
    window.close()
    gui_store.close()
    reopened = open_store(gui_data_dir, actor="insp-1")
    try:
        again = make_window(reopened)
        assert (again.width(), again.height()) == size
        view = open_case(qtbot, again, cases["C001"].id)
        assert view.splitter.sizes() == wanted
        again.close()
    finally:
        reopened.close()
