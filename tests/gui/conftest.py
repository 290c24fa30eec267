"""Fixtures for the GUI tests: a store with the mini framework, its cases, and the main window.

Windows are registered with qtbot; after each test they are closed and actually deleted (so no
timer of a case view can fire later against a closed store).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent  # noqa: E402

from fieldwork.frameworks import load_framework, parse_framework  # noqa: E402
from fieldwork.store import open_store  # noqa: E402
from fieldwork.store.assessments import load_assessment  # noqa: E402
from fieldwork.store.changelog import case_history  # noqa: E402
from fieldwork.store.inspections import add_case, create_inspection  # noqa: E402

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks" / "mini.toml"

# The rows of a supervision case of the mini framework, in screen order.
SUPERVISION_ROWS = ["2.1.1.a", "2.1.1.b", "2.1.1", "2.1.2"]


def mini_variant(replace: dict[str, str]):
    """The mini framework with some text replaced (each old text must be there)."""
    text = MINI.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, f"test set-up: {old!r} is not in mini.toml"
        text = text.replace(old, new, 1)
    return parse_framework(text.encode("utf-8"), source_name="mini-variant.toml")


_PLANNING = """[[standards]]
id = "2.2"
domain = "2"
title = "Planning"
basis = "cases"
sample = "supervision"

[[standards.key_questions]]
id = "2.2.1"
text = "Does planning focus sufficiently on keeping other people safe?"

[[standards.key_questions.prompts]]
id = "2.2.1.a"
text = "Set out how risk will be managed."

[[case_details]]
"""


def two_standard_framework():
    """Mini with a second supervision standard (2.2), so a case view has a section built later."""
    return mini_variant(
        {"[[case_details]]\n": _PLANNING, "min_score = 8, max_score = 9": "min_score = 8, max_score = 12"}
    )


def stored(store, case_id: str) -> dict[str, tuple[str | None, str]]:
    """What the store holds for a case: question id → (value, note)."""
    return {q: (a.value, a.note) for q, a in load_assessment(store, case_id).answers.items()}


def stored_value(store, case_id: str, question_id: str) -> str | None:
    answer = load_assessment(store, case_id).answers.get(question_id)
    return answer.value if answer else None


def history(store, case_id: str, key: str | None = None, field: str | None = None):
    return [
        e for e in case_history(store, case_id) if (key is None or e.key == key) and (field is None or e.field == field)
    ]


@pytest.fixture(scope="session")
def mini():
    return load_framework(MINI)


@pytest.fixture
def gui_data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def gui_store(gui_data_dir):
    store = open_store(gui_data_dir, actor="insp-1")
    yield store
    store.close()


def make_inspection(store, framework):
    return create_inspection(
        store,
        inspection_id="T1",
        provider="Test provider",
        provider_type="CRC",
        framework=framework,
        fieldwork_start="2026-11-02",
        fieldwork_end="2026-11-13",
    )


def make_cases(store, inspection):
    """C001 and C002 (supervision), C003 (unpaid work), keyed by case reference."""
    return {
        "C001": add_case(store, inspection, "C001", details={"ldu": "North", "rosh": "high"}),
        "C002": add_case(store, inspection, "C002", details={"ldu": "South", "rosh": "low"}),
        "C003": add_case(store, inspection, "C003", sample_id="unpaid_work", details={"ldu": "East"}),
    }


@pytest.fixture
def gui_inspection(gui_store, mini):
    return make_inspection(gui_store, mini)


@pytest.fixture
def cases(gui_store, gui_inspection):
    return make_cases(gui_store, gui_inspection)


@pytest.fixture
def two_standard_store(tmp_path):
    """A store whose supervision cases answer two standards: 2.1 then 2.2."""
    store = open_store(tmp_path / "two-standards", actor="insp-1")
    cases = make_cases(store, make_inspection(store, two_standard_framework()))
    yield store, cases
    store.close()


@pytest.fixture
def make_window(qtbot):
    """Factory: a shown MainWindow on a store; closed and deleted after the test."""
    from fieldwork.gui.main_window import MainWindow

    made = []

    def make(store) -> MainWindow:
        win = MainWindow(store)
        qtbot.addWidget(win)
        made.append(win)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        qtbot.waitUntil(win.isActiveWindow)
        return win

    yield make
    for win in made:
        try:
            # A test that left text it could not save must not stop here on the "stay or leave?" question.
            win._confirm_losing_unsaved = lambda view: True
            win.close()
        except RuntimeError:  # already deleted
            pass
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def window(make_window, gui_store, cases):
    return make_window(gui_store)


def open_case(qtbot, window, case_id: str):
    """Open a case the way the app does; wait until the keyboard is on its first answerable row."""
    window.open_case(case_id)
    view = window.case_view
    assert view is not None and window.current_view() is view
    first = next((r for r in view.rows if r.isEnabled()), None)
    if first is not None:
        qtbot.waitUntil(first.hasFocus)
    return view


@pytest.fixture
def case_view(qtbot, window, cases):
    """The window with case C001 open and the keyboard on its first question."""
    return open_case(qtbot, window, cases["C001"].id)


@pytest.fixture(autouse=True)
def message_boxes(monkeypatch):
    """No modal message box may block a test: each is recorded here instead of shown."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []

    def record(kind):
        def show(parent, title, text, *args, **kwargs):
            shown.append((kind, text))
            return QMessageBox.StandardButton.Ok

        return staticmethod(show)

    for kind in ("warning", "critical", "information", "about", "question"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return shown


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    """A dialog's modal loop would hang an offscreen test: opening one fails the test instead.

    Tests patch the dialog's `ask` classmethod (or its `exec`) when they mean to open one.
    """
    from PySide6.QtWidgets import QDialog

    def refuse(self, *args):
        raise AssertionError(f"a modal dialog was opened: {type(self).__name__} {self.windowTitle()!r}")

    monkeypatch.setattr(QDialog, "exec", refuse)


def press_shortcut(qtbot, widget, name: str) -> None:
    """Press the window shortcut listed for `name` in WINDOW_SHORTCUTS, on `widget`."""
    from PySide6.QtGui import QKeySequence

    from fieldwork.gui.shortcuts import key_for

    combination = QKeySequence(key_for(name))[0]
    qtbot.keyClick(widget, combination.key(), combination.keyboardModifiers())


def lead_and_inspector_stores(folder: Path):
    """A lead (inspection T9 of the mini framework: P1 and P2 for insp-1, P3 unallocated) and
    insp-1, each with real (cheap) keys and a profile. Returns (lead, inspector, lead keys,
    inspector keys); the caller closes both stores."""
    from fieldwork.identity import create_keys
    from fieldwork.identity.keys import ScryptParams
    from fieldwork.profile import set_profile
    from fieldwork.store.allocation import allocate_cases

    cheap = ScryptParams(log2_n=10)  # tests only
    lead_keys = create_keys(
        folder / "lead", name="Lee Lead", person_id="lead-1", passphrase="lead passphrase long", scrypt=cheap
    )
    inspector_keys = create_keys(
        folder / "inspector", name="Ira Inspector", person_id="insp-1", passphrase="inspector passphrase", scrypt=cheap
    )
    lead = open_store(folder / "lead", actor="lead-1")
    set_profile(lead, "lead-1", "Lee Lead")
    inspection = create_inspection(
        lead,
        inspection_id="T9",
        provider="Test provider",
        provider_type="CRC",
        framework=load_framework(MINI),
        lead_id="lead-1",
    )
    ids = [add_case(lead, inspection, ref, details={"rosh": "high"}).id for ref in ("P1", "P2", "P3")]
    allocate_cases(lead, ids[:2], "insp-1")
    inspector = open_store(folder / "inspector", actor="insp-1")
    set_profile(inspector, "insp-1", "Ira Inspector")
    return lead, inspector, lead_keys, inspector_keys
