"""Save screenshots of the main screens (offscreen) to screenshots/, so anyone can look at them.

Usage: .venv/bin/python scripts/take_screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def settle() -> None:
    """Run the event loop until the window has laid out and painted what it just built."""
    from PySide6.QtCore import QCoreApplication, QEventLoop
    from PySide6.QtWidgets import QApplication

    for _ in range(5):  # a whole case page is built at once: layouts settle over a few passes
        QCoreApplication.sendPostedEvents()
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def identity_shots(window, store, folder: Path, out: Path) -> None:
    """The identity page (after creating keys) and the export dialog with a pinned lead."""
    from fieldwork.gui.export_dialog import ExportDialog
    from fieldwork.gui.identity_dialogs import IdentityDialog
    from fieldwork.identity import create_keys
    from fieldwork.identity.keys import ScryptParams
    from fieldwork.identity.leads import pin_lead

    cheap = ScryptParams(log2_n=10)  # screenshots only; real keys use the default cost
    dialog = IdentityDialog(store, window)
    dialog.create("Demo Inspector", "insp-demo", "practice passphrase only", scrypt=cheap)
    dialog.show()
    dialog.grab().save(str(out / "identity.png"))
    dialog.close()
    lead = create_keys(folder / "lead", name="Lee Lead", person_id="lead-demo", passphrase="lead practice only",
                       scrypt=cheap)
    pin_lead(store, window.inspection.id, lead.public)
    export = ExportDialog(store, window.inspection.id, dialog.created, window)
    export.show()
    export.grab().save(str(out / "export.png"))
    export.close()


def moderation_shot(window, store, out: Path) -> None:
    """The lead's case view of a case read by someone else, with a query raised on its first key question."""

    from fieldwork.merge import add_query
    from fieldwork.store.assessments import list_case_summaries

    summaries = list_case_summaries(store, window.inspection.id)
    case = next(s.case for s in summaries if s.case.inspector_id and s.case.inspector_id != store.actor)
    question = window.framework.key_questions_for_sample(case.sample_id)[0]
    add_query(store, case.id, question.id, "The evidence does not say how motivation was analysed: is this right?")
    window.open_case(case.id, question.id)
    settle()
    window.grab().save(str(out / "case-moderation.png"))
    window.show_home()


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)

    from fieldwork.gui.app import make_application
    from fieldwork.gui.main_window import MainWindow
    from fieldwork.profile import open_profile_store

    _app = make_application()  # held for the whole run
    with tempfile.TemporaryDirectory() as folder:
        store = open_profile_store(Path(folder))
        window = MainWindow(store)
        window.resize(1360, 860)
        window.show()
        welcome = window.current_view()  # the first run asks who you are (docs/decisions/0023)
        welcome.name_edit.setText("Demo Inspector")
        welcome.person_edit.setText("insp-demo")
        window.grab().save(str(out / "welcome.png"))
        welcome.practice_requested.emit()  # as the button does: names the profile, then opens the practice
        settle()
        window.grab().save(str(out / "home.png"))
        if window.allocation_view is not None:
            window.home_tabs.setCurrentWidget(window.allocation_view)
            window.allocation_view.cases_table.selectRow(0)
            window.allocation_view.allocate_selected("insp-2")
            settle()
            window.grab().save(str(out / "allocation.png"))
            moderation_shot(window, store, out)
            window.home_tabs.setCurrentWidget(window.ratings_view)
            settle()
            window.grab().save(str(out / "ratings.png"))
            window.show_home()
        summaries = window.home_view.table_model.summaries()
        in_progress = next(s for s in summaries if s.case.status == "in_progress")
        window.open_case(in_progress.case.id)
        settle()
        window.grab().save(str(out / "case.png"))
        view = window.case_view
        view.next_unanswered()
        settle()
        window.grab().save(str(out / "case-next-unanswered.png"))
        identity_shots(window, store, Path(folder), out)
        complete = next(s for s in summaries if s.case.status == "complete")
        window.open_case(complete.case.id)
        settle()
        window.grab().save(str(out / "case-complete.png"))
        window.close()
        store.close()
    print(f"screenshots written to {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
