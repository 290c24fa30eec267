"""The Frameworks page for the lead (issue 18 §5, decision 0042): compare a framework with the
version in use, preview it as inspectors will see it, and move the inspection to it after a
confirmation showing the diff; a refused move says why and changes nothing."""

from __future__ import annotations

import pytest
from helpers.moved_framework import version_text
from packs.helpers import dump
from PySide6.QtWidgets import QDialog

from fieldwork.gui.framework_move_dialogs import FrameworkPreviewDialog, MoveConfirmDialog, move_html
from fieldwork.store.assessments import load_assessment, set_answer
from fieldwork.store.framework_move import plan_move
from fieldwork.store.inspections import add_case, framework_for, get_inspection


@pytest.fixture
def page(qtbot, store, store_dir, inspection):
    folder = store_dir / "frameworks"
    folder.mkdir()
    (folder / "mini-1.1.toml").write_text(version_text(), encoding="utf-8")
    (folder / "mini-0.9.toml").write_text(version_text("0.9"), encoding="utf-8")
    from fieldwork.gui.frameworks_dialog import FrameworksDialog

    moved = []
    dialog = FrameworksDialog(store_dir, store=store, inspection=inspection, on_moved=lambda: moved.append(True))
    qtbot.addWidget(dialog)
    dialog.moved = moved
    return dialog


def select_version(dialog, version: str) -> None:
    row = next(i for i, e in enumerate(dialog.entries) if e.framework and e.framework.id == "test-mini"
               and e.framework.version == version)
    dialog.table.selectRow(row)


def test_the_lead_moves_the_inspection_after_seeing_the_diff(page, store, inspection, monkeypatch):
    case = add_case(store, inspection, "CRN001")
    set_answer(store, case.id, "2.1.1.a", value="yes")
    assert "Inspection insp-test uses Mini test framework, version 1.0" in page.in_use_label.text()
    select_version(page, "1.1")
    assert page.move_button.isEnabled() and page.in_use_button.isEnabled()
    page.in_use_button.click()
    assert "2.1.1.a is now the prompt 2.1.1.m" in page.about.toPlainText()

    shown = []

    def confirm(dialog):
        shown.append(dialog.text.toPlainText())
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(MoveConfirmDialog, "exec", confirm)
    assert page.move_inspection()
    assert "Move insp-test from version 1.0 to 1.1?" in shown[0] and "carry over to 2.1.1.m" in shown[0]
    assert framework_for(store, get_inspection(store, inspection.id)).version == "1.1"
    assert load_assessment(store, case.id).answers["2.1.1.m"].value == "yes"
    assert "Moved insp-test" in page.status.text() and page.moved == [True]
    in_use_row = next(i for i, e in enumerate(page.entries) if e.framework and e.framework.version == "1.1"
                      and e.framework.id == "test-mini")
    assert page.table.item(in_use_row, 2).text().endswith("(in use)")


def test_cancelling_or_a_refused_move_changes_nothing(page, store, monkeypatch):
    before = dump(store)
    select_version(page, "1.1")
    monkeypatch.setattr(MoveConfirmDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    assert not page.move_inspection()
    assert page.status.text() == "Not moved: nothing was changed."
    select_version(page, "0.9")
    assert not page.move_inspection()  # refused before any confirmation
    assert "older than version 1.0" in page.status.text() and "Nothing was changed" in page.status.text()
    assert dump(store) == before and page.moved == []


def test_another_framework_cannot_be_moved_to(page):
    row = next(i for i, e in enumerate(page.entries) if e.framework and e.framework.id != "test-mini")
    page.table.selectRow(row)
    assert not page.move_button.isEnabled() and not page.in_use_button.isEnabled()


def test_the_confirmation_names_answers_kept_for_removed_questions(store, inspection, qtbot):
    case = add_case(store, inspection, "CRN001")
    set_answer(store, case.id, "2.1.1.b", value="na")
    from helpers.moved_framework import mini_1_1

    dialog = MoveConfirmDialog(plan_move(store, inspection, mini_1_1()))
    qtbot.addWidget(dialog)
    text = dialog.text.toPlainText()
    assert "1 answer(s) to 1 question(s) no longer in version 1.1 are kept" in text and "2.1.1.b" in text
    assert "2.1.1.b" in move_html(plan_move(store, inspection, mini_1_1()))


def test_the_preview_shows_a_blank_case_that_cannot_be_answered(qtbot):
    from helpers.moved_framework import mini_1_1

    preview = FrameworkPreviewDialog(mini_1_1())
    qtbot.addWidget(preview)
    view = preview.view
    assert "Preview of Mini test framework 1.1" in view.banner.text() and not view.banner.isHidden()
    assert view.store.read_only and view.back_button.isHidden()
    rows = [row for panel in view._panels.values() for row in panel.rows()]
    assert {row.question_id for row in rows} >= {"2.1.1", "2.1.1.m", "2.1.1.c"}
    assert all(not row.isEnabled() for row in rows)
    preview.sample.setCurrentIndex(preview.sample.findData("unpaid_work"))
    assert {r.question_id for p in preview.view._panels.values() for r in p.rows()} >= {"3.1.1"}
    folder = preview._folder.name
    preview.done(0)
    import os

    assert not os.path.exists(folder)


def test_after_a_move_the_case_shows_kept_answers_and_ratings_name_the_version(qtbot, store, inspection):
    from helpers.moved_framework import mini_1_1
    from PySide6.QtGui import QUndoStack

    from fieldwork.gui.case_view import CaseView
    from fieldwork.gui.ratings_view import RatingsView
    from fieldwork.store.framework_move import move_inspection

    case = add_case(store, inspection, "CRN001")
    set_answer(store, case.id, "2.1.1.b", value="na")
    before = CaseView(store, case.id, QUndoStack())
    qtbot.addWidget(before)
    assert before.kept_answers is None
    move_inspection(store, inspection.id, mini_1_1())
    view = CaseView(store, case.id, QUndoStack())
    qtbot.addWidget(view)
    assert view.kept_answers is not None
    assert "no longer asked and not counted: 2.1.1.b: Not applicable" in view.kept_answers.text()
    moved = get_inspection(store, inspection.id)
    ratings = RatingsView(store, moved, framework_for(store, moved))
    qtbot.addWidget(ratings)
    ratings.refresh()
    assert "Computed under Mini test framework, version 1.1." in ratings.cases_label.text()


def test_help_frameworks_lets_the_lead_move_the_open_inspection(make_window, tmp_path, monkeypatch, mini_framework):
    from fieldwork.gui.frameworks_dialog import FrameworksDialog
    from fieldwork.profile import set_profile
    from fieldwork.store.db import open_store
    from fieldwork.store.inspections import create_inspection

    folder = tmp_path / "lead"
    store = open_store(folder, actor="lead-1")
    set_profile(store, "lead-1", "Lee Lead")
    create_inspection(store, inspection_id="T9", provider="Test provider", provider_type="CRC",
                      framework=mini_framework, lead_id="lead-1")
    (folder / "frameworks").mkdir()
    (folder / "frameworks" / "mini-1.1.toml").write_text(version_text(), encoding="utf-8")
    window = make_window(store)
    window.open_inspection("T9")
    seen = []

    def use_page(page):
        seen.append(page.in_use_label.text())
        select_version(page, "1.1")
        page.move_inspection()
        return 0

    monkeypatch.setattr(FrameworksDialog, "exec", use_page)
    monkeypatch.setattr(MoveConfirmDialog, "exec", lambda dialog: QDialog.DialogCode.Accepted)
    action = next(a for a in window.menuBar().findChildren(type(window.menuBar().actions()[0]))
                  if a.text() == "F&rameworks…")
    action.trigger()
    assert seen and "Inspection T9 uses Mini test framework, version 1.0" in seen[0]
    assert window.framework.version == "1.1"  # the window reopened the inspection under the new text


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_no_framework_title_is_cut(page, qtbot, size):
    """Each title is whole, wrapped if need be ("Approved premises (standards v…" hid the version)."""
    from PySide6.QtCore import QRect, Qt

    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    table, metrics = page.table, page.table.fontMetrics()
    model, header = table.model(), table.horizontalHeader()
    for column in range(model.columnCount()):
        room = header.sectionSize(column) - 8
        for row in range(model.rowCount()):
            text = model.index(row, column).data() or ""
            assert table.wordWrap() or metrics.horizontalAdvance(text) <= room, text
            wrapped = metrics.boundingRect(QRect(0, 0, room, 10_000), Qt.TextFlag.TextWordWrap, text)
            assert wrapped.height() <= table.rowHeight(row), text
