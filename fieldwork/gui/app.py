"""Start the desktop app: logging, the error handler, opening the store off the GUI thread."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sqlite3
import sys
import traceback
from pathlib import Path

import platformdirs
from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from fieldwork import APP_AUTHOR, APP_NAME, __version__
from fieldwork.errors import FieldworkError
from fieldwork.gui import accessibility
from fieldwork.gui.theme import apply_theme
from fieldwork.paths import resolve_data_dir, resources_dir

log = logging.getLogger("fieldwork")


def log_dir() -> Path:
    """The platform's log folder, or $FIELDWORK_LOG_DIR (tests scan it for personal data)."""
    override = os.environ.get("FIELDWORK_LOG_DIR")
    return Path(override).expanduser() if override else Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def _setup_logging() -> None:
    # Logs carry ids and error types, never names or evidence (see docs/decisions).
    folder = log_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        log_file = folder / "fieldwork.log"
        os.close(os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))  # owner-only (issue 7)
        handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=1_000_000, backupCount=3)
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
        QMessageBox.critical(app.activeWindow(), "Something went wrong", message)

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
    accessibility.install(app)  # every control gets a name and description a screen reader can speak
    return app


class _StoreOpener(QObject):
    """Opens (and if needed migrates) the store on a worker thread."""

    opened = Signal(object)
    failed = Signal(str)
    damaged = Signal(object)  # a StoreDamagedError: the dialog offers a restore (issue 7)

    def __init__(self, data_dir: Path):
        super().__init__()
        self.data_dir = data_dir

    def run(self) -> None:
        from fieldwork.profile import read_profile
        from fieldwork.store import open_store
        from fieldwork.store.recovery import StoreDamagedError

        try:
            # The full page check runs here, off the GUI thread, whatever the store's size.
            store = open_store(self.data_dir, check="full")
            store.actor = read_profile(store).person_id
            self.opened.emit(store)
        except StoreDamagedError as error:
            log.warning("the store is damaged (%s backups)", len(error.backups))
            self.damaged.emit(error)
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
    opener.damaged.connect(lambda error: result.setdefault("damaged", error))
    # Direct: quit from the worker as soon as it is done (QThread.quit is thread-safe). Queued, it
    # would wait for this thread's next poll below, up to 20 ms of every start-up.
    for done in (opener.opened, opener.failed, opener.damaged):
        done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    thread.started.connect(opener.run)
    thread.finished.connect(progress.close)
    thread.start()
    while thread.isRunning():
        QApplication.processEvents()
        thread.wait(20)
    QApplication.processEvents()
    progress.close()
    if "damaged" in result:
        return None, result["damaged"]
    return result.get("store"), result.get("error")


# --- a damaged store (issue 7) -------------------------------------------------------------------

RESTORE, READ_ONLY, QUIT = "restore", "read-only", "quit"


def ask_about_damaged_store(error, parent=None) -> str:
    """The damaged-store dialog: restore the latest backup, open read-only, or quit."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Your data is damaged")
    box.setText("Your fieldwork store is damaged. Nothing has been changed in it.")
    box.setInformativeText(error.message)
    choices = {}
    latest = error.latest_backup
    if latest is not None:
        restore = box.addButton(f"Restore the backup from {latest.when()}", QMessageBox.ButtonRole.AcceptRole)
        choices[restore] = RESTORE
        box.setDefaultButton(restore)
    if error.readable:
        choices[box.addButton("Open read-only", QMessageBox.ButtonRole.ActionRole)] = READ_ONLY
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    choices[quit_button] = QUIT
    box.setEscapeButton(quit_button)
    box.exec()
    return choices.get(box.clickedButton(), QUIT)


def recover_damaged_store(data_dir: Path, error, ask=ask_about_damaged_store):
    """Ask what to do with a damaged store; returns the store to show, or None to quit."""
    from fieldwork.profile import read_profile
    from fieldwork.store.recovery import open_damaged, restore_backup

    choice = ask(error)
    try:
        if choice == RESTORE and error.latest_backup is not None:
            log.warning("restoring the latest backup of a damaged store")
            store = restore_backup(data_dir, error.latest_backup.path)
        elif choice == READ_ONLY and error.readable:
            store = open_damaged(data_dir)
        else:
            return None
    except FieldworkError as failure:
        QMessageBox.critical(None, "Data not opened", failure.message)
        return None
    try:
        store.actor = read_profile(store).person_id
    except sqlite3.DatabaseError:  # a damaged page under the profile: the window still shows the rest
        log.warning("the profile of a damaged store could not be read")
    return store


def _watch_for_crashes(store, folder: Path):
    """Start the crash log and marker; returns (watch, the last session if it crashed)."""
    from fieldwork import crash_watch

    # Only the session that writes watches: a second, read-only window on the same store must
    # not take the running session for a crashed one.
    if store.read_only or store.damaged:
        return None, None
    try:
        return crash_watch.start(folder)
    except OSError as error:  # a full disk: the app still opens; saving says what is wrong
        log.warning("the crash log could not be started: %s", type(error).__name__)
        return None, None


def run_app(data_dir: str | None) -> int:
    _setup_logging()
    app = make_application()
    _install_excepthook(app)
    folder = resolve_data_dir(data_dir)
    store, error = open_store_with_progress(folder)
    if store is None and isinstance(error, FieldworkError):
        store = recover_damaged_store(folder, error)
        if store is None:
            return 1
    if store is None:
        QMessageBox.critical(None, "Data not opened", error or "The store could not be opened.")
        return 1
    from fieldwork.gui.main_window import MainWindow

    watch, last_session = _watch_for_crashes(store, folder)
    window = MainWindow(store)
    window.show()
    if last_session is not None:
        log.warning("the last session did not end normally (crash log: %s)", last_session.log_path is not None)
        QMessageBox.information(window, "fieldwork closed unexpectedly", last_session.message())
    if os.environ.get("FIELDWORK_EXIT_WHEN_SHOWN") == "1":
        # For start-up timing (benchmarks/bench_build.py): quit once the shown window is painted.
        QTimer.singleShot(0, app.quit)
    for notice in store.notices:  # e.g. a restore that was killed, finished or undone at this open
        QMessageBox.information(window, "About your data", notice)
    if store.damaged:
        QMessageBox.information(
            window,
            "Read-only: the data is damaged",
            "This store is damaged and open read-only: you can look at what is left and copy it, "
            "but nothing can be changed. Restore a backup to go on working.",
        )
    elif store.no_room:
        QMessageBox.information(
            window,
            "Read-only: the disk is full",
            "The disk is full, so this window is read-only: you can look at everything, but nothing can be "
            "saved. Free some space and start fieldwork again to go on working.",
        )
    elif store.read_only:
        QMessageBox.information(
            window,
            "Read-only: open in another window",
            "This store is already open in another fieldwork window. This window is read-only: "
            "you can look, but changes are made in the other window.",
        )
    try:
        return app.exec()
    finally:
        store.close()
        if watch is not None:
            watch.finish()
