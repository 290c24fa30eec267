"""The frameworks available to this profile: shipped ones plus the user's own folder.

A broken file never stops the others from loading: it is listed as unusable, with its problems.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fieldwork.errors import FrameworkError, NotFoundError
from fieldwork.frameworks.loader import load_framework
from fieldwork.frameworks.model import Framework
from fieldwork.paths import shipped_frameworks_dir


@dataclass(frozen=True)
class CatalogueEntry:
    path: Path
    origin: str  # "shipped" or "user"
    framework: Framework | None
    problems: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return self.framework is not None


def user_frameworks_dir(data_dir: Path) -> Path:
    return data_dir / "frameworks"


def list_frameworks(data_dir: Path | None = None) -> list[CatalogueEntry]:
    """Every framework file found, shipped first, each usable or with its problems."""
    folders = [(shipped_frameworks_dir(), "shipped")]
    if data_dir is not None:
        folders.append((user_frameworks_dir(data_dir), "user"))
    entries = []
    for folder, origin in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                entries.append(CatalogueEntry(path, origin, load_framework(path)))
            except FrameworkError as exc:
                entries.append(CatalogueEntry(path, origin, None, tuple(exc.problems)))
            except Exception as exc:  # a loader bug must not hide every other framework
                problem = f"could not be read ({type(exc).__name__}); run 'fieldwork frameworks check' on it"
                entries.append(CatalogueEntry(path, origin, None, (problem,)))
    return entries


def current_first(entries: list[CatalogueEntry]) -> list[CatalogueEntry]:
    """Current frameworks, then historic ones, then unusable files; otherwise in the order found.

    A lead starting an inspection today wants today's programmes first; the historic ones stay
    available to read or re-analyse earlier data.
    """

    def rank(entry: CatalogueEntry) -> int:
        if entry.framework is None:
            return 2
        return 1 if entry.framework.historic else 0

    return sorted(entries, key=rank)


def find_framework(framework_id: str, data_dir: Path | None = None, version: str | None = None) -> Framework:
    """The framework with this id (and version when given); the newest user file wins a tie."""
    matches = [
        e.framework
        for e in list_frameworks(data_dir)
        if e.framework and e.framework.id == framework_id and (version is None or e.framework.version == version)
    ]
    if not matches:
        known = sorted({e.framework.id for e in list_frameworks(data_dir) if e.framework})
        wanted = f"{framework_id} version {version}" if version else framework_id
        raise NotFoundError(
            f"No usable framework '{wanted}'; available: {', '.join(known) or 'none'}. "
            "Run 'fieldwork frameworks list' to see them."
        )
    return matches[-1]
