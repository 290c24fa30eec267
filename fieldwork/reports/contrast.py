"""Colour contrast as WCAG 2.2 measures it, for checking every coloured pill, badge and bar label.

Text on a coloured fill must keep a contrast ratio of at least 4.5:1 (WCAG 2.2 AA for normal
text), so that a rating or a status can be read by someone who cannot tell the colours apart,
and on a grey-scale print.
"""

from __future__ import annotations

AA_TEXT = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """The relative luminance of an sRGB colour written "#rrggbb"."""
    digits = colour.strip().lstrip("#")
    if len(digits) != 6:
        raise ValueError(f"expected a colour as #rrggbb, got {colour!r}")
    red, green, blue = (_channel(int(digits[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """From 1 (the same colour) to 21 (black on white); the order of the two does not matter."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
