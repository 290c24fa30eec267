"""Reading a file the user named: only a regular file, and never more than the reader's cap.

A named pipe (FIFO) makes `open()` wait for a writer forever, a device such as /dev/zero never
ends, and a socket or a folder is no document at all. Every reader of a path the user gave
(bundles, packs, receipts, identity and rotation files, frameworks, case samples, answers, text
for --text-file, backups to restore) goes through here, so each refuses these the same way,
before reading, instead of hanging or reading without bound:

1. `stat` the path (following links, as opening it would) and refuse anything but a regular file
   before opening it: opening some devices already does something;
2. open it without waiting (O_NONBLOCK: a FIFO swapped in after step 1 cannot block the open)
   and check the opened file again with `fstat`, so what is read is what was checked;
3. read at most `cap + 1` bytes, so the caller can refuse a file over its cap.

The refusals are OSErrors (IsADirectoryError for a folder), so each caller's existing handling
of an unreadable path words them in its own terms.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO


class NotARegularFile(OSError):
    """The path names a pipe, device or socket: refused before it is read."""

    def __init__(self, path: str | os.PathLike, mode: int):
        super().__init__(errno.EINVAL, f"it is {_kind(mode)}, not a regular file", str(path))


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _refuse_unless_regular(path: str | os.PathLike, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", str(path))
    if not stat.S_ISREG(mode):
        raise NotARegularFile(path, mode)


def check_regular_file(path: str | os.PathLike) -> os.stat_result:
    """The path's status when it is a regular file (links followed); an OSError otherwise."""
    status = os.stat(path)
    _refuse_unless_regular(path, status.st_mode)
    return status


def open_regular_file(path: str | os.PathLike) -> BinaryIO:
    """A binary handle on the regular file at `path`, checked before and after opening."""
    check_regular_file(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        _refuse_unless_regular(path, os.fstat(fd).st_mode)
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_file(path: str | os.PathLike, cap: int) -> bytes:
    """At most `cap + 1` bytes of the regular file at `path` (more than `cap`: over the cap)."""
    with open_regular_file(Path(path)) as handle:
        return handle.read(cap + 1)
