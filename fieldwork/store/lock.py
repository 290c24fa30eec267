"""The single-writer lock, held on the store file itself (issue 20, docs/decisions/0026-the-store-locks-itself.md).

One process at a time may write a store; others open it read-only. Until issue 20 the lock was
a separate file (`fieldwork.sqlite.lock`): deleting it while the app ran let a second writer in.
Now the lock is a byte-range lock on the store file's own descriptor, so there is nothing
separate to delete, and it goes wherever the file goes (a rename keeps it, a restore that puts
a new file in place takes a new lock).

Which byte: one inside the page that holds SQLite's "pending byte" (offset 1 GiB). SQLite never
stores data in that page and locks only its first 512 bytes (pending, reserved and shared
bytes), so a lock on byte 1 GiB + 1024 conflicts with nothing SQLite does, on any platform, and
on Windows (where byte locks are mandatory) it blocks no read or write SQLite makes. Locking a
byte beyond the end of the file is allowed everywhere.

How:
- Linux: an open-file-description lock (F_OFD_SETLK). It belongs to this descriptor only, so
  SQLite closing its own descriptors of the same file (which releases every classic POSIX lock
  the process holds on it) cannot release it, and a second descriptor in the same process is
  refused like another process.
- Other POSIX systems (macOS): a classic fcntl lock on the same byte. SQLite closing a
  connection to the same file in this process could release it, so `StoreLock.confirm()` takes
  it again before every write transaction (a no-op while held; refused if another process got in).
- Windows: msvcrt.locking on the same byte, held by this handle.
"""

from __future__ import annotations

import errno
import os
import struct
import sys
from pathlib import Path

# The byte locked: inside the page at SQLite's PENDING_BYTE (0x40000000) that SQLite never uses,
# past the 512 bytes it locks itself.
LOCK_OFFSET = 0x40000000 + 1024

_BUSY = {errno.EACCES, errno.EAGAIN, errno.EDEADLK}


class LockBusy(Exception):
    """Another process (or another open store in this process) holds the lock."""


class StoreLock:
    """An exclusive lock on one byte of the store file, held through this object's descriptor."""

    def __init__(self, path: Path):
        self.path = Path(path)
        # O_RDWR: a write lock needs a descriptor open for writing. Raises OSError (EACCES, EROFS)
        # for a file or folder that cannot be written: the caller opens the store read-only then.
        self._fd: int | None = os.open(self.path, os.O_RDWR | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            self._lock()
        except BaseException:
            os.close(self._fd)
            self._fd = None
            raise

    @property
    def held(self) -> bool:
        return self._fd is not None

    def confirm(self) -> None:
        """Take the lock again (a no-op while it is held); LockBusy if another writer got it."""
        if self._fd is None:
            raise LockBusy(str(self.path))
        if sys.platform == "win32":
            return  # Windows byte locks are per handle and not re-entrant: held until released
        self._lock()

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            self._unlock(fd)
        except OSError:
            pass  # closing the descriptor releases it anyway
        finally:
            os.close(fd)

    def same_file(self, path: Path) -> bool:
        """True when `path` is still the file this lock is held on (not replaced since)."""
        if self._fd is None:
            return False
        try:
            here, there = os.fstat(self._fd), os.stat(path)
        except OSError:
            return False
        return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)

    # --- per platform ---------------------------------------------------------------------
    def _lock(self) -> None:
        assert self._fd is not None
        if sys.platform == "win32":
            _windows_lock(self._fd)
            return
        import fcntl

        command = getattr(fcntl, "F_OFD_SETLK", None)
        try:
            if command is not None:
                fcntl.fcntl(self._fd, command, _flock(fcntl.F_WRLCK))
            else:
                fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, LOCK_OFFSET, os.SEEK_SET)
        except OSError as exc:
            if exc.errno in _BUSY:
                raise LockBusy(str(self.path)) from None
            raise

    def _unlock(self, fd: int) -> None:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(fd, LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            return
        import fcntl

        command = getattr(fcntl, "F_OFD_SETLK", None)
        if command is not None:
            fcntl.fcntl(fd, command, _flock(fcntl.F_UNLCK))
        else:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, LOCK_OFFSET, os.SEEK_SET)


def _flock(kind: int) -> bytes:
    """A `struct flock` for one byte at LOCK_OFFSET (l_pid 0, as OFD locks require)."""
    return struct.pack("hhqqi", kind, os.SEEK_SET, LOCK_OFFSET, 1, 0) + b"\0" * 4


def _windows_lock(fd: int) -> None:
    import msvcrt

    os.lseek(fd, LOCK_OFFSET, os.SEEK_SET)
    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        if exc.errno in _BUSY or getattr(exc, "winerror", None) in (33, 36):  # lock violation
            raise LockBusy("the store is locked by another process") from None
        raise


def try_lock(path: Path) -> StoreLock | None:
    """The lock on the store file at `path`, or None when another writer holds it.

    OSError when the file cannot be opened for writing (read-only file or folder)."""
    try:
        return StoreLock(path)
    except LockBusy:
        return None
