"""Durable file writes: a temp file beside the target, fsync, rename, so readers see all or nothing.

Light on purpose (the standard library only): the store, the crash watch and the exports use it
at start-up without loading the crypto stack.

Temp files are named `.<final name>.<pid>-<random>.partial` in the target's folder (a rename is
only atomic within one file system). A crash leaves at most such a temp file, never a partial
file at the final path; `remove_stale_partials` clears the ones whose writer is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

_PARTIAL = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.partial$")
_STALE_AFTER_SECONDS = 24 * 3600  # where we cannot ask whether the writer is still running


def partial_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")


def fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(
    final: Path, data: bytes, *, mode: int = 0o600, before_replace: Callable[[], None] | None = None
) -> Path:
    """Write `data` to `final` so that it appears whole (fsynced) or not at all.

    `before_replace` runs once the data is durable in the temp file and before it is renamed
    into place; if it raises, the temp file is removed and nothing appears at `final`.
    """
    final = Path(final)
    temp = partial_path(final)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(temp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(final.parent)
    return final


def writer_gone(pid: int, age_seconds: float) -> bool:
    """Whether the process that named a temp file after itself is gone (or the file is a day old
    where that cannot be asked)."""
    if pid == os.getpid():
        return False
    if os.name == "posix":
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return age_seconds > _STALE_AFTER_SECONDS  # pid reused by another process
    return age_seconds > _STALE_AFTER_SECONDS


def remove_stale_partials(folder: Path, suffix: str = "") -> list[Path]:
    """Delete temp files left in `folder` by writers that died (names ending in `suffix`)."""
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = _PARTIAL.match(entry.name)
        if not match or not match["name"].endswith(suffix):
            continue
        try:
            age = now - entry.lstat().st_mtime
            if entry.is_file() and not entry.is_symlink() and writer_gone(int(match["pid"]), age):
                entry.unlink()
                removed.append(entry)
        except OSError:
            continue
    return removed
