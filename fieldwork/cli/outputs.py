"""Files the command line writes: never over an existing file unless the user says so."""

from __future__ import annotations

import os
from pathlib import Path

from fieldwork.errors import FieldworkError

OVERWRITE_HELP = "replace FILE if it exists"


def refuse_existing(path: str | os.PathLike, overwrite: bool) -> None:
    """Refuse an output path that already names something, unless --overwrite.

    Every writer of the command line (keys, bundles, packs, receipts, rotation statements,
    ratings, research exports) refuses the same way: an existing file may be a sample, another
    report or someone's work, and a report named like it must not replace it silently."""
    target = Path(path)
    if target.is_dir():
        return  # the writer names a file inside, or says why a folder will not do
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise FieldworkError(
            f"{target} already exists; choose another name, or add --overwrite to replace it. Nothing was written.",
            code="file-exists",
        )
