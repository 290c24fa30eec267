"""The guidance panel (issue 18): F2 shows the CARaG guidance of the question under the keyboard,
below the questions, follows the keyboard, and F2 again closes it; it fits a laptop's screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication, QLabel

from fieldwork.frameworks.catalogue import find_framework
from fieldwork.store import open_store
from fieldwork.store.inspections import add_case, create_inspection

SCREENS = [(1280, 800), (1024, 700)]
SHOTS = os.environ.get("FIELDWORK_SCREENSHOTS")  # a folder: the panel is saved there as PNGs to look at


def settle() -> None:
    for _ in range(8):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QApplication.processEvents()


@pytest.fixture
def crc_case(tmp_path):
    store = open_store(tmp_path / "data", actor="insp-1")
    framework = find_framework("hmip-adult-2018-crc")
    inspection = create_inspection(store, inspection_id="G1", provider="Guidance provider", provider_type="CRC",
                                   framework=framework)
    case = add_case(store, inspection, "G001", sample_id="supervision")
    yield store, case.id, framework
    store.close()


def guided_and_unguided(framework):
    questions = framework.key_questions_for_sample("supervision")
    guided = next(kq for kq in questions if kq.guidance)
    unguided = next(kq for kq in questions if not kq.guidance and not any(p.guidance for p in kq.prompts))
    return guided, unguided


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_f2_shows_the_guidance_of_the_question_under_the_keyboard(qtbot, make_window, crc_case, screen):
    store, case_id, framework = crc_case
    window = make_window(store)
    window.resize(*screen)
    window.open_case(case_id)
    view = window.case_view
    assert view.rows
    guided, unguided = guided_and_unguided(framework)
    view.focus_question(guided.id)
    settle()
    assert not view.guidance_panel.isVisible()  # on demand only

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F2)
    settle()
    panel = view.guidance_panel
    assert panel.isVisible()
    assert guided.guidance.splitlines()[0] in panel.plain_text()
    assert guided.id in panel.title.text()
    # beside the questions, not over them: the panel sits below the scroll area, inside the window
    scroll_bottom = view.scroll.mapTo(window, view.scroll.rect().bottomLeft()).y()
    assert panel.mapTo(window, panel.rect().topLeft()).y() >= scroll_bottom
    assert panel.mapTo(window, panel.rect().bottomRight()).y() <= window.height()
    assert view.scroll.horizontalScrollBar().maximum() == 0
    # as tall as the guidance, never more than a third of the view: the questions keep the room
    assert panel.height() <= view.height() // 3 and view.scroll.height() >= view.height() // 2
    assert view.row(guided.id).visibleRegion().boundingRect().height() == view.row(guided.id).height()
    if SHOTS:
        window.grab().save(str(Path(SHOTS) / f"guidance-{screen[0]}x{screen[1]}.png"))

    view.focus_question(unguided.id)  # the panel follows the keyboard
    settle()
    assert unguided.id in panel.title.text()
    assert "no guidance for this question" in panel.plain_text()

    view.focus_question(guided.id)
    settle()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F2)
    settle()
    assert not panel.isVisible()


def test_prompt_guidance_is_shown_with_its_key_question(qtbot, make_window, tmp_path):
    import tomllib

    from fieldwork.frameworks.loader import parse_framework
    from fieldwork.frameworks.toml_writer import dumps

    source = find_framework("hmip-adult-2018-crc")
    document = tomllib.loads(source.source_bytes.decode("utf-8"))
    standard = next(s for s in document["standards"] if s.get("sample") == "supervision")
    question = next(kq for kq in standard["key_questions"] if kq.get("prompts"))
    question["guidance"] = "Sufficient: the plan <names> the risks.\nLook for the review date."
    question["prompts"][0]["guidance"] = "Check the case notes for the first three months."
    framework = parse_framework(dumps(document).encode("utf-8"), source_name="guided.toml")
    store = open_store(tmp_path / "data", actor="insp-1")
    try:
        inspection = create_inspection(store, inspection_id="G2", provider="P", provider_type="CRC",
                                       framework=framework)
        case = add_case(store, inspection, "G002", sample_id="supervision")
        window = make_window(store)
        window.resize(1280, 800)
        window.open_case(case.id)
        view = window.case_view
        assert view.rows
        prompt_id = question["prompts"][0]["id"]
        view.focus_question(prompt_id)
        settle()
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F2)
        settle()
        text = view.guidance_panel.plain_text()
        assert "Sufficient: the plan <names> the risks." in text and "Look for the review date." in text
        assert "Check the case notes for the first three months." in text
        assert question["id"] in view.guidance_panel.title.text()
        hints = [w.text() for w in view.panel(question["id"]).findChildren(QLabel) if w.objectName() == "guidanceHint"]
        assert hints == ["Guidance for this question: press F2 on it"], hints
        if SHOTS:
            window.grab().save(str(Path(SHOTS) / "guidance-prompts-1280x800.png"))
    finally:
        store.close()
