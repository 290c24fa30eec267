"""Writing export files whole or not at all: a temporary file beside the target, then a rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from fieldwork.errors import FieldworkError


class ExportError(FieldworkError):
    """An export file that cannot be written."""

    code = "export"


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """A temporary path in the target's folder; renamed over the target only if the block succeeds.

    A reader never sees a half-written report: the old file (if any) stays until the new one is
    complete and flushed to disk.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"The folder {folder} does not exist; create it or choose another place for {target.name}.")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
    except OSError as exc:
        raise ExportError(f"{target} cannot be written ({exc.strerror}); choose another folder.") from None
    os.close(fd)
    temp = Path(temp_name)
    try:
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        # mkstemp makes the file owner-only; an export is an ordinary document.
        with contextlib.suppress(OSError):
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(temp, 0o666 & ~mask)
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ExportError(f"{target} could not be written ({exc.strerror or exc}); nothing was changed.") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def atomic_write(target: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call `write(temporary_path)`, then move the finished file to `target`."""
    with atomic_path(target) as temp:
        write(temp)
    return Path(target)
