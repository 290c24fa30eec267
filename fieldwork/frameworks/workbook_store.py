"""Storing an imported framework in the profile's frameworks folder, and naming frameworks.

An imported framework is a framework file like any other (decision 0032): it is written
atomically, owner-only, as `<id>-<version>.toml`, and never over a different text with the same
id and version (stores pin frameworks by id, version and hash; two texts under one version
would make "version 2.1" mean two things).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fieldwork.errors import FieldworkError
from fieldwork.frameworks.catalogue import find_framework, list_frameworks, user_frameworks_dir
from fieldwork.frameworks.loader import load_framework
from fieldwork.frameworks.model import Framework
from fieldwork.reports.files import atomic_write


@dataclass(frozen=True)
class Stored:
    path: Path
    new: bool


def file_name(framework: Framework) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{framework.id}-{framework.version}").strip("._") or "framework"
    return f"{safe[:100]}.toml"


def store_imported(imported, data_dir: Path) -> Stored:
    fw = imported.framework
    for entry in list_frameworks(data_dir):
        other = entry.framework
        if other and other.id == fw.id and other.version == fw.version:
            if other.content_hash == fw.content_hash or _same_content(other, fw):
                return Stored(entry.path, False)
            raise FieldworkError(
                f"A different framework {fw.id} version {fw.version} already exists ({entry.path}); nothing was "
                "imported. Give the corrected text a new version on the workbook's Settings sheet and import again.",
                code="framework-exists",
            )
    folder = user_frameworks_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / file_name(fw)
    if target.exists():
        raise FieldworkError(f"{target} already exists and holds another framework; nothing was imported. Move it "
                             "away or give the workbook a new version.", code="framework-exists")
    atomic_write(target, lambda temp: temp.write_bytes(imported.toml))
    return Stored(target, True)


def _same_content(a: Framework, b: Framework) -> bool:
    from fieldwork.frameworks.describe import framework_to_dict

    first, second = framework_to_dict(a), framework_to_dict(b)
    first.pop("hash"), second.pop("hash")
    return first == second


def framework_named(name: str, data_dir: Path | None) -> Framework:
    """A framework given as a file (.toml or .xlsx) or as ID or ID@VERSION."""
    path = Path(name)
    if name.lower().endswith(".xlsx"):
        from fieldwork.frameworks.workbook_import import read_workbook_file

        return read_workbook_file(path).framework
    if name.lower().endswith(".toml") or path.is_file():
        return load_framework(path)
    framework_id, _, version = name.partition("@")
    return find_framework(framework_id, data_dir, version or None)
