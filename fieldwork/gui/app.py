"""Start the desktop app: logging, the error handler, opening the store off the GUI thread."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from pathlib import Path

import platformdirs
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from fieldwork import APP_AUTHOR, APP_NAME, __version__
from fieldwork.errors import FieldworkError
from fieldwork.gui.theme import apply_theme
from fieldwork.paths import resolve_data_dir, resources_dir

log = logging.getLogger("fieldwork")


def _setup_logging() -> None:
    # Logs carry ids and error types, never names or evidence (see docs/decisions).
    folder = Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(folder / "fieldwork.log", maxBytes=1_000_000, backupCount=3)
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("fieldwork").addHandler(handler)
    logging.getLogger("fieldwork").setLevel(logging.INFO)


def _install_excepthook(app: QApplication) -> None:
    """An unexpected error shows one dialog and is logged; the window never just vanishes."""

    def hook(exc_type, exc, tb):
        log.error("unexpected error: %s", "".join(traceback.format_exception(exc_type, exc, tb)))
        message = (
            exc.message
            if isinstance(exc, FieldworkError)
            else (
                "Something went wrong that fieldwork did not expect. Your saved answers are safe; "
                "the details are in the log file. If it happens again, restart the app."
            )
        )
        QMessageBox.critical(app.activeWindow(), "fieldwork", message)

    sys.excepthook = hook


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("fieldwork")
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_AUTHOR)
    icon = resources_dir() / "icons" / "fieldwork.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    apply_theme(app)
    return app


class _StoreOpener(QObject):
    """Opens (and if needed migrates) the store on a worker thread."""

    opened = Signal(object)
    failed = Signal(str)

    def __init__(self, data_dir: Path):
        super().__init__()
        self.data_dir = data_dir

    def run(self) -> None:
        from fieldwork.profile import open_profile_store

        try:
            self.opened.emit(open_profile_store(self.data_dir))
        except FieldworkError as error:
            self.failed.emit(error.message)
        except Exception as error:  # reported, never silently swallowed
            log.exception("opening the store failed")
            self.failed.emit(f"The store could not be opened: {type(error).__name__}. See the log file.")


def open_store_with_progress(data_dir: Path):
    """Open the store without freezing: a progress dialog runs while a thread does the work."""
    progress = QProgressDialog("Opening your fieldwork store…", None, 0, 0)
    progress.setWindowTitle("fieldwork")
    progress.setMinimumDuration(300)
    thread = QThread()
    opener = _StoreOpener(data_dir)
    opener.moveToThread(thread)
    result: dict = {}
    opener.opened.connect(lambda store: result.setdefault("store", store))
    opener.failed.connect(lambda message: result.setdefault("error", message))
    opener.opened.connect(thread.quit)
    opener.failed.connect(thread.quit)
    thread.started.connect(opener.run)
    thread.finished.connect(progress.close)
    thread.start()
    while thread.isRunning():
        QApplication.processEvents()
        thread.wait(20)
    QApplication.processEvents()
    progress.close()
    return result.get("store"), result.get("error")


def run_app(data_dir: str | None) -> int:
    _setup_logging()
    app = make_application()
    _install_excepthook(app)
    store, error = open_store_with_progress(resolve_data_dir(data_dir))
    if store is None:
        QMessageBox.critical(None, "fieldwork", error or "The store could not be opened.")
        return 1
    from fieldwork.gui.main_window import MainWindow

    window = MainWindow(store)
    window.show()
    if store.read_only:
        QMessageBox.information(
            window,
            "fieldwork",
            "This store is already open in another fieldwork window. This window is read-only: "
            "you can look, but changes are made in the other window.",
        )
    try:
        return app.exec()
    finally:
        store.close()
