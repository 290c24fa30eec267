"""A crash is never silent: a crash log in the data folder, and a plain word at the next start.

While the app runs, a marker file (`running`) sits in the data folder and Python's
`faulthandler` writes to `crash.log` there if the process dies of a fatal error (a segmentation
fault, an abort, "Fatal Python error"). A clean quit removes the marker. At the next start a
marker still present means the last session did not end normally: the app says so, and says
that nothing saved was lost (every answer is written the moment it is made).

`crash.log` holds only what faulthandler writes (thread ids, the app's own file names, function
names and line numbers) and a start line with the time, process id and app version: no names,
case references or evidence. It is kept small (the newest part, at most MAX_LOG_BYTES).
No Qt here: the core is usable, and tested, without it.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import json
import os
from dataclasses import dataclass
from pathlib import Path

from fieldwork import __version__
from fieldwork.durable_files import atomic_write

MARKER_NAME = "running"
LOG_NAME = "crash.log"
MAX_LOG_BYTES = 256 * 1024


@dataclass(frozen=True)
class LastSession:
    """A session that did not end normally."""

    started_at: dt.datetime
    ended_at: dt.datetime | None  # when the crash log was written; None after a kill or power cut
    log_path: Path | None  # the crash log, when the fatal error left a trace in it

    def message(self) -> str:
        """What the user reads at the next start."""
        if self.ended_at is not None:
            when = f"closed unexpectedly at {_local_clock(self.ended_at)}"
        else:
            when = f"did not close normally last time (it was started at {_local_clock(self.started_at)})"
        text = (
            f"fieldwork {when}. Nothing you saved was lost: every answer, and every evidence note "
            "marked \u201cSaved\u201d, was on disk before it closed."
        )
        if self.log_path is not None:
            text += (
                f" A crash report, with no names or evidence in it, was kept in {self.log_path}; "
                "your IT support may ask for it."
            )
        return text


class CrashWatch:
    """The running session's marker and crash log; `finish()` on a clean quit."""

    def __init__(self, folder: Path, log_file):
        self.folder = folder
        self._log_file = log_file

    def finish(self) -> None:
        """A clean end: stop the fatal-error handler and remove the marker."""
        if faulthandler.is_enabled():
            faulthandler.disable()
        self._log_file.close()
        try:
            (self.folder / MARKER_NAME).unlink()
        except FileNotFoundError:
            pass


def start(folder: Path, now: dt.datetime | None = None) -> tuple[CrashWatch, LastSession | None]:
    """Begin watching this session; returns the watch and, if the last one crashed, what happened.

    Call it only for the session that writes to the store (the single writer), so a second,
    read-only window never mistakes a running session for a crashed one.
    """
    now = now or dt.datetime.now(dt.UTC)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    last = _last_session(folder)
    log_path = folder / LOG_NAME
    _keep_newest(log_path)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    log_file = os.fdopen(fd, "a", encoding="utf-8")
    started = now.isoformat(timespec="seconds")
    log_file.write(f"--- session started {started} pid {os.getpid()} fieldwork {__version__}\n")
    log_file.flush()
    start_size = log_file.tell()
    faulthandler.enable(file=log_file, all_threads=True)
    _write_marker(folder, now, start_size)
    return CrashWatch(folder, log_file), last


def _last_session(folder: Path) -> LastSession | None:
    marker = folder / MARKER_NAME
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        started_at = dt.datetime.fromisoformat(recorded["started_at"])
        log_start = int(recorded["log_size"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        # An unreadable marker still means the last session did not finish its quit.
        started_at, log_start = dt.datetime.fromtimestamp(marker.stat().st_mtime, dt.UTC), None
    log_path = folder / LOG_NAME
    try:
        log_stat = log_path.stat()
    except FileNotFoundError:
        log_stat = None
    if log_stat is not None and log_start is not None and log_stat.st_size > log_start:
        return LastSession(started_at, dt.datetime.fromtimestamp(log_stat.st_mtime, dt.UTC), log_path)
    return LastSession(started_at, None, None)


def _write_marker(folder: Path, now: dt.datetime, log_size: int) -> None:
    marker = {"started_at": now.isoformat(), "pid": os.getpid(), "log_size": log_size}
    atomic_write(folder / MARKER_NAME, json.dumps(marker).encode("utf-8"))


def _keep_newest(log_path: Path) -> None:
    """Cut the log to its newest MAX_LOG_BYTES, so years of starts never fill a disk."""
    try:
        if log_path.stat().st_size <= MAX_LOG_BYTES:
            return
        with open(log_path, "rb") as file:
            file.seek(-MAX_LOG_BYTES, os.SEEK_END)
            tail = file.read()
    except FileNotFoundError:
        return
    atomic_write(log_path, tail)


def _local_clock(moment: dt.datetime) -> str:
    return moment.astimezone().strftime("%H:%M")
