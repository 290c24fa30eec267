"""The folder a file dialog last used, remembered per purpose ("packs", "bundles", "identity"...).

Kept in the store's ui_state, so it survives a restart and each profile has its own. A folder
that has since gone (a USB stick taken out) falls back to the home folder.
"""

from __future__ import annotations

from pathlib import Path

from fieldwork.store import Store


def _key(purpose: str) -> str:
    return f"last_folder:{purpose}"


def last_folder(store: Store, purpose: str) -> str:
    """Where to open a file dialog for `purpose`: the folder last used for it, or the home folder."""
    saved = store.ui_state(_key(purpose), "")
    if saved and Path(saved).is_dir():
        return saved
    return str(Path.home())


def remember_folder(store: Store, purpose: str, chosen: str) -> None:
    """Remember the folder of `chosen` (a folder, or a file in one) for the next dialog of `purpose`."""
    if not chosen:
        return
    path = Path(chosen)
    folder = path if path.is_dir() else path.parent
    if store.read_only:
        return  # another window holds the store: the folder is not worth a refusal
    store.set_ui_state(_key(purpose), str(folder))


def in_last_folder(store: Store, purpose: str, file_name: str) -> str:
    """A suggested path: `file_name` in the folder last used for `purpose`."""
    return str(Path(last_folder(store, purpose)) / file_name)
