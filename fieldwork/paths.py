"""Where things live: the user's data folder, and the shipped resources (source or frozen)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from fieldwork import APP_AUTHOR, APP_NAME

STORE_FILENAME = "fieldwork.sqlite"


def default_data_dir() -> Path:
    """The platform's per-user data folder, e.g. ~/.local/share/fieldwork on Linux."""
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def resolve_data_dir(data_dir: str | os.PathLike | None) -> Path:
    """`--data-dir` when given, else $FIELDWORK_DATA_DIR, else the platform default."""
    if data_dir:
        return Path(data_dir).expanduser()
    env = os.environ.get("FIELDWORK_DATA_DIR")
    return Path(env).expanduser() if env else default_data_dir()


def resources_dir() -> Path:
    """The shipped resources folder, the same whether run from source, a wheel or a build."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if checkout.is_dir():
        return checkout
    # Installed from a wheel: resources/ is packaged as fieldwork.resources.
    from importlib.resources import files

    return Path(str(files("fieldwork.resources")))


def shipped_frameworks_dir() -> Path:
    return resources_dir() / "frameworks"


FRAMEWORK_FORMATS = (1, 2)


def framework_schema_path(format_version: int = 1) -> Path:
    return shipped_frameworks_dir() / "schema" / f"framework-v{format_version}.schema.json"
