"""Screens show a key question's published number where its standard is published under another
number (decision 0036): a CRC unpaid-work case shows 4.1.1, not 3.1.1."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from fieldwork.frameworks.loader import load_framework
from fieldwork.gui.guidance_panel import guidance_html
from fieldwork.gui.ratings_view import RatingsView
from fieldwork.paths import shipped_frameworks_dir
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import add_case, create_inspection
from tests.gui.conftest import open_case

CRC = load_framework(shipped_frameworks_dir() / "hmip-adult-2018-crc.toml")


def test_a_renumbered_standards_questions_show_their_published_numbers(qtbot, make_window, gui_store, tmp_path):
    inspection = create_inspection(gui_store, inspection_id="CRC-1", provider="West", provider_type="CRC",
                                   framework=CRC)
    case = add_case(gui_store, inspection, "U1", sample_id="unpaid_work")
    set_answer(gui_store, case.id, "3.1.1", value="yes", note="Placed promptly.")
    gui_store.set_ui_state("inspection", "CRC-1")
    window = make_window(gui_store)
    view = open_case(qtbot, window, case.id)

    texts = [label.text() for label in view.findChildren(QLabel)]
    assert any(text.startswith("4.1.1  ") for text in texts), texts
    assert not any(text.startswith("3.1.1") for text in texts), [t for t in texts if t.startswith("3.1.1")]
    outline = view.outline_model.item(1)  # the first standard, after the case details
    assert outline.text().startswith("4.1 Unpaid work") and outline.child(0).text().startswith("4.1.1 ")
    assert view.mode_label.text().startswith("ANSWERING 4.1.1.a ")
    view.guidance_panel.show_for("3.1.1.a")
    assert view.guidance_panel.title.text().startswith("GUIDANCE FOR 4.1.1 ")
    kq = CRC.key_question("3.1.1")
    with_guidance = type(kq.prompts[0])(**{**kq.prompts[0].__dict__, "guidance": "Look at the first session."})
    html = guidance_html(type(kq)(**{**kq.__dict__, "prompts": (with_guidance,)}), CRC.question_number)
    assert "<b>4.1.1.a</b>" in html and "3.1.1.a" not in html
    for width, height in ((1280, 800), (1024, 700)):
        window.resize(width, height)
        window.grab().save(str(tmp_path / f"crc-case-{width}.png"))

    ratings = RatingsView(gui_store, inspection, CRC)
    qtbot.addWidget(ratings)
    ratings.refresh()
    row = next(r for r in range(ratings.standards_model.rowCount())
               if ratings.standards_model.row_object(r).standard.id == "3.1")
    ratings.standards_table.selectRow(row)
    shown = [ratings.kq_model.index(r, 0).data() for r in range(ratings.kq_model.rowCount())]
    assert shown[:3] == ["4.1.1", "4.1.2", "4.1.3"]
