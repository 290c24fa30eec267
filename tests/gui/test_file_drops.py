"""Files dropped on the window start the same flow as their menu item or button (issue 19).

The drags are synthesized (QDragEnterEvent / QDropEvent carrying QMimeData with file URLs) and
sent to the widget under the pointer, as Qt does: the Merge tab for bundles, the cases list for
packs and receipts.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from fieldwork.gui import handover_dialog
from fieldwork.gui.identity_dialogs import PassphraseDialog
from fieldwork.gui.pack_dialogs import FingerprintCheck, export_packs
from fieldwork.identity import add_trusted_key
from fieldwork.store.assessments import list_case_summaries
from tests.gui import test_merge_view
from tests.gui.conftest import lead_and_inspector_stores


def drop(widget, *paths, text: str | None = None) -> bool:
    """Drag `paths` (or plain text) over `widget` and let go; True if the drop was taken."""
    mime = QMimeData()
    if text is not None:
        mime.setText(text)
    else:
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    position = QPointF(widget.rect().center())
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(position.toPoint(), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(position, Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


double_read = test_merge_view.double_read  # a lead and two inspectors' real bundles of one case


@pytest.fixture
def people(tmp_path):
    lead, inspector, lead_keys, inspector_keys = lead_and_inspector_stores(tmp_path)
    yield lead, inspector, lead_keys, inspector_keys, tmp_path
    lead.close()
    inspector.close()


def test_bundles_dropped_on_the_merge_tab_are_merged(qtbot, make_window, monkeypatch, double_read):
    lead, lead_keys, inspection, case, bundles = double_read
    monkeypatch.setattr(PassphraseDialog, "ask", classmethod(lambda cls, parent, prompt: "a long passphrase"))
    window = make_window(lead)
    window.home_tabs.setCurrentIndex(2)
    view = window.merge_view
    assert window.home_tabs.currentWidget() is view
    with qtbot.waitSignal(view.merged, timeout=20000):
        assert drop(view.results_table.viewport(), *bundles)
    statuses = [view.results_model.row_object(r).status for r in range(view.results_model.rowCount())]
    assert len(statuses) == 2 and "refused" not in statuses


def test_bundles_dropped_anywhere_go_to_the_merge_tab(qtbot, make_window, monkeypatch, double_read):
    lead, lead_keys, inspection, case, bundles = double_read
    monkeypatch.setattr(PassphraseDialog, "ask", classmethod(lambda cls, parent, prompt: "a long passphrase"))
    window = make_window(lead)
    assert window.home_tabs.currentWidget() is window.home_view
    view = window.merge_view
    with qtbot.waitSignal(view.merged, timeout=20000):
        assert drop(window.home_view.table.viewport(), bundles[0])
    assert window.home_tabs.currentWidget() is view and view.results_model.rowCount() == 1


def test_a_pack_dropped_on_the_inspector_window_is_opened(qtbot, make_window, monkeypatch, people):
    lead, inspector, lead_keys, inspector_keys, folder = people
    add_trusted_key(lead, inspector_keys.public)
    (folder / "packs").mkdir()
    export_packs(lead, "T9", ["insp-1"], str(folder / "packs"), lead_keys)
    monkeypatch.setattr(FingerprintCheck, "ask", classmethod(lambda cls, parent, who, role: True))
    monkeypatch.setattr(PassphraseDialog, "ask", classmethod(lambda cls, parent, prompt: "inspector passphrase"))
    window = make_window(inspector)  # the welcome screen: no inspection yet
    assert drop(window.centralWidget(), next((folder / "packs").glob("*.fwpack")))
    assert window.inspection is not None and window.inspection.id == "T9"
    assert sorted(s.case.case_ref for s in list_case_summaries(inspector, "T9")) == ["P1", "P2"]


def test_a_receipt_dropped_starts_the_menu_item_flow(qtbot, make_window, monkeypatch, window, tmp_path):
    receipt = tmp_path / "from-the-lead.FWRECEIPT"  # the suffix is matched whatever its case
    receipt.write_bytes(b"not read here")
    started = []
    monkeypatch.setattr(handover_dialog, "accept_receipt_file", lambda win, path: started.append((win, path)))
    assert drop(window.home_view.table.viewport(), receipt)
    assert started == [(window, str(receipt))]


def test_a_key_change_dropped_starts_the_menu_item_flow(qtbot, monkeypatch, window, tmp_path, message_boxes):
    statement = tmp_path / "new-key.fwrotation"
    statement.write_bytes(b"garbage")
    assert drop(window.home_view.table.viewport(), statement)  # the real flow: it reads and refuses the file
    kind, text = message_boxes[-1]
    assert kind == "warning" and text


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["notes.txt"], "fieldwork cannot open notes.txt. You can drop an allocation pack (.fwpack)"),
        (["a.fwpack", "b.fwbundle"], "Drop one kind of file at a time."),
        (["a.fwpack", "b.fwpack"], "Drop one file at a time"),
        (["ann.fwbundle"], "Bundles are merged by the inspection's lead inspector, on the Merge tab"),
    ],
    ids=["unknown", "mixed", "two-packs", "bundle-not-lead"],
)
def test_wrong_files_get_a_clear_message_and_change_nothing(
    qtbot, monkeypatch, window, gui_store, tmp_path, message_boxes, names, expected
):
    paths = []
    for name in names:
        (tmp_path / name).write_bytes(b"x")
        paths.append(tmp_path / name)
    started = []
    monkeypatch.setattr(type(window), "open_pack_file", lambda self, path=None: started.append(path))
    before = gui_store.db.execute("SELECT count(*) FROM change_log").fetchone()
    assert drop(window.home_view.table.viewport(), *paths)
    kind, text = message_boxes[-1]
    assert kind == "warning" and text.startswith(expected), text
    assert started == []
    assert gui_store.db.execute("SELECT count(*) FROM change_log").fetchone() == before


def test_text_and_links_are_not_taken(window):
    assert not drop(window.home_view.table.viewport(), text="some text")
    assert not drop(window.home_view.table.viewport(), text=None)  # no files at all
