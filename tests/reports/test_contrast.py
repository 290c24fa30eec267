"""Every rating pill of the HTML and PDF reports is readable: 4.5:1 or more (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from fieldwork.frameworks.loader import load_framework
from fieldwork.reports.charts import BAND_PALETTE, NOT_RATED_COLOUR, text_colour
from fieldwork.reports.contrast import AA_TEXT, contrast_ratio, relative_luminance
from fieldwork.reports.html_report import chip

FRAMEWORKS = sorted((Path(__file__).resolve().parents[2] / "resources" / "frameworks").glob("*.toml"))


def test_the_contrast_ratio_matches_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic AA grey
    assert contrast_ratio("#ffffff", "#767676") == contrast_ratio("#767676", "#ffffff")
    assert relative_luminance("#ffffff") == pytest.approx(1)
    with pytest.raises(ValueError):
        relative_luminance("red")


@pytest.mark.parametrize("fill", [*BAND_PALETTE, NOT_RATED_COLOUR])
def test_text_on_every_band_colour_is_readable(fill):
    assert contrast_ratio(fill, text_colour(fill)) >= AA_TEXT


@pytest.mark.parametrize("path", FRAMEWORKS, ids=[p.stem for p in FRAMEWORKS])
def test_every_rating_pill_of_the_report_is_readable(path):
    """The pill the report shows for each rating, "Not rated" and an unknown rating included."""
    framework = load_framework(path)
    report = SimpleNamespace(framework=framework)
    ratings = [*framework.rating.ratings(), framework.rating.not_rated, "Something else"]
    for rating in ratings:
        html = chip(report, rating)
        fill = re.search(r"background-color: (#[0-9a-f]{6})", html).group(1)
        ink = re.search(r"[^-]color: (#[0-9a-f]{6})", html).group(1)
        assert contrast_ratio(fill, ink) >= AA_TEXT, f"{rating!r}: {ink} on {fill}"
