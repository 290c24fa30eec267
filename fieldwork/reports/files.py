"""Writing export files whole or not at all, readable by the user only.

Every export (ratings report, research export) may hold personal data, so:
- it is written to a temp file beside the target (`.<name>.<pid>-<8 hex>.partial`, the name
  every fieldwork writer uses), fsynced, then renamed over the target: a reader never sees a
  half-written file, and a rename is only atomic within one file system;
- the temp file, any spool file the writer needs (`spool_path`), and so the final file, are mode
  0600 whatever the umask;
- nothing is written to the system temp folder (a writer that would spool there is given a
  spool file beside the target instead);
- a failed write removes its temp and spool files; a killed one leaves them, and the next
  export to the same folder removes those whose writer is gone (`remove_leftovers`). (The rule
  is fieldwork.durable_files', which loads nothing beyond the standard library.)
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from fieldwork.durable_files import fsync_dir
from fieldwork.errors import FieldworkError
from fieldwork.faults import crash_point
from fieldwork.store.recovery import remove_stale_temp_files, temp_path

OWNER_ONLY = 0o600
# What versions before 0027 left: tempfile.mkstemp(prefix=".<name>.", suffix=".partial") has no
# pid in it, so nothing can tell whether its writer still runs; no fieldwork writes this name
# any more, so a file with it is a leftover of a killed export.
_OLD_PARTIAL = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.partial$")


class ExportError(FieldworkError):
    """An export file that cannot be written."""

    code = "export"


def remove_leftovers(target: Path) -> list[Path]:
    """Delete temp and spool files that killed fieldwork writers left beside `target`."""
    folder = target.parent
    removed = remove_stale_temp_files(folder)
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            match = _OLD_PARTIAL.match(entry.name)
            if match and match["name"] == target.name and entry.is_file() and not entry.is_symlink():
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed.append(entry)
    return removed


def owner_only_file(target: Path) -> Path:
    """A new, empty temp file beside `target`, mode 0600 whatever the umask."""
    path = temp_path(target)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), OWNER_ONLY)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, OWNER_ONLY)  # a umask such as 0o277 would leave the owner unable to write
    finally:
        os.close(fd)
    return path


class _Spools:
    """The spool files of one export: removed when the export ends, however it ends."""

    def __init__(self, target: Path):
        self.target = target
        self.paths: list[Path] = []

    def __call__(self) -> Path:
        path = owner_only_file(self.target)
        self.paths.append(path)
        return path

    def remove(self) -> None:
        for path in self.paths:
            with contextlib.suppress(OSError):
                path.unlink()


@contextlib.contextmanager
def atomic_spooled_path(target: str | os.PathLike) -> Iterator[tuple[Path, Callable[[], Path]]]:
    """(temp path, spool maker): write the file at the temp path; `spool maker()` gives another
    owner-only file beside the target for a writer that spools. Renamed over the target only if
    the block succeeds; the old file (if any) stays until the new one is complete and on disk."""
    target = Path(target)
    if not target.name or target.name in (".", ".."):
        raise ExportError("The export needs a file name to write to; give one (for example report.csv).")
    folder = target.parent if str(target.parent) else Path(".")
    target = folder / target.name
    if not folder.is_dir():
        raise ExportError(f"The folder {folder} does not exist; create it or choose another place for {target.name}.")
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give the name of a file to write in it.")
    remove_leftovers(target)
    spools = _Spools(target)
    try:
        temp = owner_only_file(target)
    except OSError as exc:
        raise ExportError(f"{target} cannot be written ({exc.strerror}); choose another folder.") from None
    try:
        yield temp, spools
        spools.remove()
        # A writer may have replaced the file rather than written into it: make sure of the mode.
        os.chmod(temp, OWNER_ONLY)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        crash_point("report.before_rename")
        os.replace(temp, target)
        with contextlib.suppress(OSError):  # the file is whole either way; only the rename's durability
            fsync_dir(folder)
    except OSError as exc:
        spools.remove()
        temp.unlink(missing_ok=True)
        raise ExportError(f"{target} could not be written ({exc.strerror or exc}); nothing was changed.") from None
    except BaseException:
        spools.remove()
        temp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """A temp path beside the target; renamed over the target only if the block succeeds."""
    with atomic_spooled_path(target) as (temp, _):
        yield temp


def atomic_write(target: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call `write(temporary_path)`, then move the finished file to `target`."""
    with atomic_path(target) as temp:
        write(temp)
    return Path(target)


def atomic_spooled_write(target: str | os.PathLike, write: Callable[[Path, Callable[[], Path]], None]) -> Path:
    """Call `write(temporary_path, spool_maker)`, then move the finished file to `target`."""
    with atomic_spooled_path(target) as (temp, spools):
        write(temp, spools)
    return Path(target)
