"""The chart of a standard's key-question percentages, as plain SVG built in Python.

A horizontal bar per key question, coloured by the band its own percentage falls in, with the
framework's band thresholds drawn as dashed lines and a key below. Only SVG Tiny features are
used so that Qt's SVG renderer draws the same chart into the PDF report.
"""

from __future__ import annotations

from html import escape

from fieldwork.frameworks.model import Framework
from fieldwork.ratings import StandardRating, band_for

FONT = "Arial, Helvetica, sans-serif"
INK, MUTED, GRID, TRACK = "#1a1a1a", "#555555", "#6b7280", "#eef0f3"
NOT_RATED_COLOUR = "#8a8f96"
# Best band first; frameworks with another number of bands are spread over these.
BAND_PALETTE = ("#1f6e43", "#3b7a25", "#d99a00", "#b3261e")
# Text on each fill that keeps at least 4.5:1 contrast (WCAG 2.2 AA; tests/reports/test_contrast.py).
TEXT_ON = {"#1f6e43": "#ffffff", "#3b7a25": "#ffffff", "#d99a00": "#1a1a1a", "#b3261e": "#ffffff", "#8a8f96": "#1a1a1a"}

WIDTH = 600  # fits the 17 cm text width of an A4 page with 2 cm margins
LABEL_W = 56  # key-question ids
BAR_W = 340  # 0 to 100 %
TOP = 26  # room for the threshold labels
ROW_H = 30
BAR_H = 18
LEGEND_ROW_H = 18
UNBANDED = "#5b6b7a"  # slate: a sufficiency percentage with no band


def band_colours(framework: Framework) -> dict[str, str]:
    """Rating name → fill colour, best band dark green to lowest band red; Not rated grey."""
    bands = framework.rating.bands
    last = len(BAND_PALETTE) - 1
    colours = {}
    for i, band in enumerate(bands):
        index = 0 if len(bands) == 1 else round(i * last / (len(bands) - 1))
        colours[band.rating] = BAND_PALETTE[index]
    colours[framework.rating.not_rated] = NOT_RATED_COLOUR
    return colours


def text_colour(fill: str) -> str:
    return TEXT_ON.get(fill, INK)


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _percent_label(value) -> str:
    return f"{_number(float(value))}%"


def _band_range(framework: Framework, index: int) -> str:
    """'80% and over', '65% to under 80%', 'under 50%' for the band at `index`."""
    bands = framework.rating.bands
    low = bands[index].min_percent
    if index == 0:
        return f"{_percent_label(low)} and over"
    high = bands[index - 1].min_percent
    if low == 0:
        return f"under {_percent_label(high)}"
    return f"{_percent_label(low)} to under {_percent_label(high)}"


def chart_size(framework: Framework, rated: StandardRating) -> tuple[int, int]:
    """The chart's width and height in CSS pixels."""
    legend_rows = -(-len(framework.rating.bands) // 2)
    return WIDTH, TOP + ROW_H * len(rated.key_questions) + 22 + LEGEND_ROW_H * legend_rows + 4


def bar_chart_svg(framework: Framework, rated: StandardRating) -> str:
    """The standard's key-question percentages as an SVG document (no XML declaration)."""
    colours = band_colours(framework)
    bands = framework.rating.bands
    rows = rated.key_questions
    bars_bottom = TOP + ROW_H * len(rows)
    legend_top = bars_bottom + 22
    _, height = chart_size(framework, rated)
    x0 = LABEL_W
    yes = framework.judgement_labels.get("yes", "Yes").lower()
    title = f"Standard {rated.standard.name}: percentage of cases judged {yes}, by key question"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    # Bars first, thresholds over them so the lines stay visible.
    for i, tally in enumerate(rows):
        y = TOP + i * ROW_H
        bar_y = y + (ROW_H - BAR_H) / 2
        text_y = y + ROW_H / 2 + 4
        deciding = tally.id == rated.deciding_key_question
        weight = ' font-weight="bold"' if deciding else ""
        out.append(
            f'<text x="{x0 - 8}" y="{text_y}" text-anchor="end" font-family="{FONT}" font-size="12" '
            f'fill="{INK}"{weight}>{escape(tally.id)}</text>'
        )
        out.append(f'<rect x="{x0}" y="{bar_y}" width="{BAR_W}" height="{BAR_H}" fill="{TRACK}"/>')
        if tally.fraction is None:
            out.append(
                f'<text x="{x0 + 6}" y="{text_y}" font-family="{FONT}" font-size="11" fill="{MUTED}">'
                "no cases judged</text>"
            )
            continue
        # A percentage that rates nothing (a reported question, or a framework with no four-point
        # rating) is drawn in one neutral colour, so that no band is implied.
        banded = framework.rating.four_point and rated.standard.rated and framework.key_question(tally.id).rated
        fill = colours[band_for(framework, tally.fraction)] if banded else UNBANDED
        width = float(tally.fraction) * BAR_W
        out.append(f'<rect x="{x0}" y="{bar_y}" width="{width:.2f}" height="{BAR_H}" fill="{fill}"/>')
        judged = tally.yes + tally.no
        label = f"{tally.percent}% ({tally.yes} of {judged})"
        if deciding:
            label += " – deciding"
        out.append(
            f'<text x="{x0 + BAR_W + 8}" y="{text_y}" font-family="{FONT}" font-size="12" '
            f'fill="{INK}"{weight}>{escape(label)}</text>'
        )
    # The band thresholds.
    for band in bands:
        if band.min_percent <= 0:
            continue
        x = x0 + float(band.min_percent) / 100 * BAR_W
        out.append(
            f'<line x1="{x:.2f}" y1="{TOP - 4}" x2="{x:.2f}" y2="{bars_bottom + 2}" stroke="{GRID}" '
            'stroke-width="1.2" stroke-dasharray="4,3"/>'
        )
        out.append(
            f'<text x="{x:.2f}" y="{TOP - 8}" text-anchor="middle" font-family="{FONT}" font-size="10" '
            f'fill="{MUTED}">{escape(_percent_label(band.min_percent))}</text>'
        )
    for edge, anchor in ((0, "start"), (100, "end")):
        x = x0 + edge / 100 * BAR_W
        out.append(
            f'<text x="{x:.2f}" y="{bars_bottom + 14}" text-anchor="{anchor}" font-family="{FONT}" font-size="10" '
            f'fill="{MUTED}">{edge}%</text>'
        )
    # The key: colour, band name and range.
    for i, band in enumerate(bands):
        col, row = i % 2, i // 2
        x = x0 + col * 270
        y = legend_top + row * LEGEND_ROW_H
        out.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colours[band.rating]}"/>')
        out.append(
            f'<text x="{x + 18}" y="{y + 10}" font-family="{FONT}" font-size="11" fill="{INK}">'
            f"{escape(band.rating)}: {escape(_band_range(framework, i))}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)
