"""Writing an exported file (bundle or pack): who may export, where it goes, all of it or nothing.

Refusals are the caller's export error (ExportError or PackExportError), worded for `what`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from fieldwork.durable_files import atomic_write, remove_stale_partials
from fieldwork.errors import FieldworkError, StoreLockedError
from fieldwork.identity.keys import UnlockedIdentity
from fieldwork.profile import read_profile
from fieldwork.store.db import Store

ExportRefusal = Callable[..., FieldworkError]  # (message, *, code)


def check_exporter(store: Store, identity: UnlockedIdentity, error: ExportRefusal, *, what: str) -> None:
    """Refuse a store another window holds, and keys that are not this data folder's profile's."""
    if store.read_only:
        raise StoreLockedError(
            f"This store is open in another fieldwork window, so no {what} can be exported from here; "
            "close the other window and try again."
        )
    profile = read_profile(store)
    if profile.is_set and profile.person_id != identity.person_id:
        raise error(
            f"These keys belong to {identity.person_id}, but this data folder's profile is "
            f"{profile.person_id}; use the keys made for this profile.",
            code="wrong-keys",
        )


def target_path(
    out: str | os.PathLike, name: str, error: ExportRefusal, *, overwrite: bool, suffix: str
) -> Path:
    """`out`, or `name` in it when it is a folder; clears temp files that dead writers left there."""
    out = Path(out)
    final = out / name if out.is_dir() else out
    if not final.parent.is_dir():
        raise error(f"The folder {final.parent} does not exist; choose another place.", code="no-folder")
    if final.exists() and not overwrite:
        raise error(f"{final} already exists; choose another name or folder.", code="file-exists")
    remove_stale_partials(final.parent, suffix)
    remove_stale_partials(final.parent, final.name)
    return final


def write_whole(
    final: Path, data: bytes, record: Callable[[], None], error: ExportRefusal, *, what: str, race: str
) -> None:
    """Write `data` to `final` whole or not at all, running `record` once it is durable, before it appears."""

    def recorded() -> None:
        try:
            record()
        except sqlite3.IntegrityError:
            raise error(race, code="export-race") from None

    try:
        # The sequence is recorded before the rename: a crash can leave a gap, never reuse a number.
        atomic_write(final, data, mode=0o600, before_replace=recorded)
    except OSError as exc:
        raise error(
            f"The {what} could not be written to {final.parent} ({exc.strerror}); check there is space and "
            "that you may write there, then export again.",
            code="write-failed",
        ) from None
