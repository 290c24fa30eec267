"""Reading a signed file (bundle or pack) from a path or bytes, refusing it over a size cap unread."""

from __future__ import annotations

import os
from pathlib import Path

from fieldwork.bundles.errors import Refusal
from fieldwork.errors import FieldworkError, NotFoundError
from fieldwork.regular_files import open_regular_file

Source = str | os.PathLike | bytes | bytearray | memoryview

_MIB = 1024 * 1024


def read_source(
    source: Source, cap: int, error: Refusal, *, what: str, folder_hint: str | None = None
) -> bytes:
    """The file's bytes; over `cap` (checked before reading) it is `error("too-large")` naming `what`."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        path = Path(source)
        try:
            with open_regular_file(path) as handle:  # a FIFO or device is refused, never read
                if os.fstat(handle.fileno()).st_size > cap:
                    raise _too_large(error, cap, what)
                data = handle.read(cap + 1)
        except FileNotFoundError:
            raise NotFoundError(f"There is no file {path}; check the name and folder.") from None
        except IsADirectoryError as exc:
            # Packs tell the inspector which file to choose in the folder; bundles say unreadable, as always.
            if folder_hint is None:
                raise _unreadable(path, exc) from None
            raise NotFoundError(f"{path} is a folder; {folder_hint}") from None
        except OSError as exc:
            raise _unreadable(path, exc) from None
    if len(data) > cap:
        raise _too_large(error, cap, what)
    return data


def _too_large(error: Refusal, cap: int, what: str) -> FieldworkError:
    return error(
        "too-large",
        f"This file is larger than any {what} may be ({cap // _MIB} MiB); check you chose the right file.",
        detail="over the size cap",
    )


def _unreadable(path: Path, exc: OSError) -> FieldworkError:
    return FieldworkError(f"{path} cannot be read ({exc.strerror}); check the file.", code="unreadable")
