"""The main window is never larger than the screen it opens on (issue 19).

At 1280×800 the old default of 1280×820 put the status line and the keyboard-mode strip below the
screen's edge; a size saved on a bigger monitor did the same on a laptop. The offscreen screen is
800×800, smaller than the default, so the same check holds here.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray


def test_a_new_window_fits_the_screen(make_window, gui_store, cases):
    window = make_window(gui_store)
    area = window.screen().availableGeometry()
    assert window.width() <= area.width() and window.height() <= area.height()
    assert area.contains(window.geometry())


def test_a_size_saved_on_a_bigger_monitor_is_fitted_to_this_one(qtbot, make_window, gui_store, cases):
    from fieldwork.gui.main_window import MainWindow

    big = MainWindow(gui_store)
    qtbot.addWidget(big)
    big.setGeometry(3000, 200, 2400, 1400)
    gui_store.set_ui_state("window_geometry", bytes(big.saveGeometry().toBase64()).decode())
    big.deleteLater()
    assert QByteArray.fromBase64(gui_store.ui_state("window_geometry").encode())
    window = make_window(gui_store)
    area = window.screen().availableGeometry()
    assert window.width() <= area.width() and window.height() <= area.height()
    assert area.contains(window.geometry().topLeft())
