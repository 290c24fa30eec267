"""The lead's dialogs (issue 19): warnings titled by what failed, the Merge tab's folders remembered."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from fieldwork.gui.merge_view import MergeView
from fieldwork.store.inspections import framework_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def titles(monkeypatch):
    """(title, text) of every warning shown."""
    shown: list[tuple[str, str]] = []

    def warning(parent, title, text, *args, **kwargs):
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    return shown


def test_a_failed_jump_says_in_its_title_that_no_case_was_found(window, titles, monkeypatch):
    from fieldwork.gui.dialogs import JumpToCaseDialog

    monkeypatch.setattr(JumpToCaseDialog, "ask", classmethod(lambda cls, parent, refs: "NO-SUCH-CASE"))
    window.jump_to_case()
    assert [title for title, _ in titles] == ["Case not found"]


def test_merging_with_nobody_trusted_is_titled_bundles_not_merged(make_window, tmp_path, titles):
    from tests.gui.conftest import lead_and_inspector_stores

    lead, inspector, _lead_keys, _keys = lead_and_inspector_stores(tmp_path)
    try:
        window = make_window(lead)
        window.merge_view.pending_paths = [str(tmp_path / "a.fwbundle")]
        window._merge_pending()
        assert titles and titles[-1][0] == "Bundles not merged"
        assert "No inspector is trusted yet" in titles[-1][1]
    finally:
        window.close()
        inspector.close()
        lead.close()


def test_every_error_the_window_shows_names_what_failed():
    """Each show_error call passes a title: the bare "fieldwork" title said nothing of what failed."""
    untitled = []
    for path in (ROOT / "fieldwork" / "gui").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "show_error" and getattr(node.func.value, "id", "") in ("self", "window")
                    and path.name != "case_view.py"):  # the case details form's own inline error line
                if len(node.args) + len(node.keywords) < 2:
                    untitled.append(f"{path.name}:{node.lineno}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("warning", "critical", "information")
                    and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
                    and node.args[1].value == "fieldwork"):
                untitled.append(f"{path.name}:{node.lineno} (a message box titled 'fieldwork')")
    assert untitled == []


def test_the_merge_tab_opens_its_file_dialogs_where_the_last_bundles_and_receipts_were(
    qtbot, gui_store, gui_inspection, tmp_path, monkeypatch
):
    view = MergeView(gui_store, gui_inspection, framework_for(gui_store, gui_inspection))
    qtbot.addWidget(view)
    bundles, receipts = tmp_path / "usb" / "bundles", tmp_path / "usb" / "receipts"
    bundles.mkdir(parents=True)
    receipts.mkdir()
    opened_in: list[str] = []

    def choose_bundles(parent, caption, folder, filters):
        opened_in.append(folder)
        return [str(bundles / "ann.fwbundle")], filters

    def choose_folder(parent, caption, folder):
        opened_in.append(folder)
        return str(receipts)

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(choose_bundles))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(choose_folder))
    monkeypatch.setattr("fieldwork.gui.key_session.unlocked_keys", lambda parent, why: object())
    monkeypatch.setattr(MergeView, "save_receipts", lambda self, folder, identity, every=False: "written")
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *args: QMessageBox.StandardButton.Ok))
    view._choose()
    view._save_receipts()
    view._choose()
    view._save_receipts()
    assert opened_in[:2] == [str(Path.home())] * 2
    assert opened_in[2:] == [str(bundles), str(receipts)]
    again = MergeView(gui_store, gui_inspection, framework_for(gui_store, gui_inspection))  # kept in the store
    qtbot.addWidget(again)
    again._choose()
    assert opened_in[-1] == str(bundles)
