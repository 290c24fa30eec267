"""The Frameworks page: list, About, import a workbook (problems in a table, nothing written),
export, and what changed between two versions, without a terminal (issue 18 §5, in part)."""

from __future__ import annotations

import io

import openpyxl

from fieldwork.frameworks.loader import load_framework
from fieldwork.frameworks.workbook_export import build_workbook
from fieldwork.gui.frameworks_dialog import FrameworksDialog
from fieldwork.paths import shipped_frameworks_dir

YOUTH = shipped_frameworks_dir() / "hmip-youth-2025.toml"


def workbook(edit) -> bytes:
    buffer = io.BytesIO()
    build_workbook(load_framework(YOUTH)).save(buffer)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def set_version(book, version: str) -> None:
    for row in book["Settings"].iter_rows(min_row=2):
        if row[0].value == "version":
            row[1].value = version


def test_a_bad_workbook_shows_its_problems_in_a_table_and_stores_nothing(qtbot, tmp_path):
    dialog = FrameworksDialog(tmp_path / "data")
    qtbot.addWidget(dialog)
    shipped = dialog.table.rowCount()
    assert shipped == len(list(shipped_frameworks_dir().glob("*.toml")))

    def bad(book):
        set_version(book, "2025.2")
        book["Questions"]["F3"].value = "maybe"

    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook(bad))
    assert not dialog.import_workbook(path)
    assert not dialog.problems.isHidden()
    row = [dialog.problems.item(0, c).text() for c in range(4)]
    assert row == ["Questions", "3", "allow_na", "'maybe' is not yes or no; type yes or no."]
    assert "nothing was imported" in dialog.status.text()
    assert dialog.table.rowCount() == shipped
    assert not (tmp_path / "data" / "frameworks").exists()


def test_a_corrected_workbook_is_imported_and_compared_with_the_version_in_use(qtbot, tmp_path):
    dialog = FrameworksDialog(tmp_path / "data")
    qtbot.addWidget(dialog)

    def corrected(book):
        set_version(book, "2025.2")
        book["Questions"]["D2"].value = "Reworded by the methodology team?"

    path = tmp_path / "corrected.xlsx"
    path.write_bytes(workbook(corrected))
    assert dialog.import_workbook(path)
    assert dialog.problems.isHidden()
    assert (tmp_path / "data" / "frameworks" / "hmip-youth-2025-2025.2.toml").is_file()
    entry = dialog.selected()
    assert entry.framework.version == "2025.2" and entry.origin == "user"
    assert "Reworded by the methodology team?" in dialog.about.toPlainText()  # its About text
    assert dialog.compare_with.count() == 1 and dialog.diff_button.isEnabled()
    dialog.show_changes()
    text = dialog.about.toPlainText()
    assert "From 2025.1 to 2025.2" in text and "was reworded from" in text

    target = tmp_path / "out.xlsx"
    assert dialog.export_to(target) and target.is_file()
