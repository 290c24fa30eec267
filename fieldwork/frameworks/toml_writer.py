"""Write a framework document (the dict a framework file parses to) as readable TOML.

Only what framework files hold: strings, booleans, whole numbers, decimals, lists of those,
tables and lists of tables. Top-level values first, then each list of tables in the order a
person reads the file (samples, domains, standards with their key questions and prompts, case
details, rating).
"""

from __future__ import annotations

import json
import math


def toml_string(text: str) -> str:
    # JSON's escapes are TOML's basic-string escapes; DEL must be escaped in TOML, not in JSON.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a framework number must be finite")
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _key(name: str) -> str:
    return name if name.replace("_", "").replace("-", "").isalnum() and name.isascii() else toml_string(name)


def _is_table_list(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _write_table(lines: list[str], header: str | None, table: dict, array: bool) -> None:
    if header is not None:
        lines.append("")
        lines.append(f"[[{header}]]" if array else f"[{header}]")
    nested = []
    for key, value in table.items():
        if _is_table_list(value) or (isinstance(value, dict) and header is not None and key == "rule_provenance"):
            nested.append((key, value))
        elif header is None and isinstance(value, dict) and key == "rating":
            nested.append((key, value))
        else:
            lines.append(f"{_key(key)} = {toml_value(value)}")
    for key, value in nested:
        path = f"{header}.{_key(key)}" if header else _key(key)
        if isinstance(value, dict):
            _write_table(lines, path, value, array=False)
        else:
            for item in value:
                _write_table(lines, path, item, array=True)


def dumps(document: dict, comment: str = "") -> str:
    lines = [f"# {line}" if line else "#" for line in comment.splitlines()]
    _write_table(lines, None, document, array=False)
    return "\n".join(lines).lstrip("\n") + "\n"
