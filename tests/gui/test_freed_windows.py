"""Closed windows and pages are freed, not kept alive by a timer or a page nobody sees (issue 19).

PySide6 6.11 keeps a callable given to QTimer.singleShot with a context object alive for good,
and everything it refers to with it; the first-run welcome page stayed in the window's stack
after an inspection opened (its width could keep the window wide)."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import QCoreApplication, QEvent

from fieldwork.gui.main_window import MainWindow
from fieldwork.gui.welcome_view import WelcomeView
from tests.gui.conftest import make_inspection


def _delete_later_now() -> None:
    # The app's event loop deletes what deleteLater marked; a test has no loop running.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_main_window_closed_before_its_start_up_check_ran_is_freed(qtbot, gui_store, cases):
    # The retention check at start waits for the event loop's next turn; the window is closed first
    # (the old singleShot with the window as context object kept the window alive then).
    window = MainWindow(gui_store)
    window.show()
    freed = weakref.ref(window)
    window.close()
    window.deleteLater()
    _delete_later_now()
    del window
    gc.collect()
    assert freed() is None, "something still holds the closed main window"


def test_the_welcome_page_is_deleted_once_an_inspection_opens(qtbot, make_window, gui_store, mini):
    window = make_window(gui_store)
    assert isinstance(window.current_view(), WelcomeView)
    welcome = weakref.ref(window.current_view())
    inspection = make_inspection(gui_store, mini)
    window.open_inspection(inspection.id)
    _delete_later_now()
    gc.collect()
    assert window.current_view() is window.home_view
    assert [window.stack.widget(i) for i in range(window.stack.count())] == [window.home_tabs]
    assert not window.findChildren(WelcomeView)
    assert welcome() is None
