"""The byte encodings that get signed or hashed: canonical JSON, DSSE PAE, base64.

Signatures are checked over the exact bytes received, never over a re-serialisation, but the
writer is deterministic (canonical JSON) so hashes of the same content always agree.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


class EncodingError(ValueError):
    """Bytes that are not in the strict form this format requires."""


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys, no whitespace, no floats (see docs/bundle-format.md)."""
    _reject_floats(value)
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. from "\ud800" in the input
        raise EncodingError("text that is not valid Unicode") from exc


def _reject_floats(value: Any) -> None:
    # Floats have no single canonical text form, so the format allows only integers.
    if isinstance(value, float):
        raise EncodingError("floating-point numbers are not allowed")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_floats(item)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    result = {}
    for key, item in pairs:
        if key in result:
            raise EncodingError(f"duplicate key {key!r}")
        result[key] = item
    return result


def _no_constants(name: str) -> Any:
    raise EncodingError(f"{name} is not allowed")


def _no_floats(text: str) -> Any:
    raise EncodingError("floating-point numbers are not allowed")


def parse_strict_json(data: bytes) -> Any:
    """Parse UTF-8 JSON refusing duplicate keys, NaN/Infinity and floats."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EncodingError("not UTF-8") from exc
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_no_constants,
            parse_float=_no_floats,
        )
    except RecursionError as exc:
        raise EncodingError("nested too deeply") from exc
    except json.JSONDecodeError as exc:
        raise EncodingError(f"not JSON ({exc.msg} at {exc.pos})") from exc


def parse_canonical_json(data: bytes) -> Any:
    """Parse JSON that must already be in canonical form (so every reader sees the same bytes)."""
    value = parse_strict_json(data)
    if canonical_json(value) != data:
        raise EncodingError("not in canonical JSON form")
    return value


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: "DSSEv1" SP len(type) SP type SP len(body) SP body."""
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(type_bytes), type_bytes, len(payload), payload)


def b64encode(data: bytes) -> str:
    """Standard base64 with padding (RFC 4648 section 4)."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: Any, *, length: int | None = None) -> bytes:
    """Strict standard base64: canonical padding, no whitespace, optional exact length."""
    if not isinstance(text, str):
        raise EncodingError("expected a base64 string")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise EncodingError("not valid base64") from exc
    if base64.b64encode(data).decode("ascii") != text:
        raise EncodingError("base64 is not in canonical form")
    if length is not None and len(data) != length:
        raise EncodingError(f"expected {length} bytes, got {len(data)}")
    return data
