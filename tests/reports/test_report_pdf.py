"""The PDF report: the same HTML laid out by Qt, charts painted as images (offscreen Qt)."""

from __future__ import annotations

import re

import pytest

from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.reports.lead_ratings import OVERRIDE, set_lead_rating

pytest.importorskip("PySide6.QtSvg")


@pytest.fixture
def report(store, crc_inspection, crc_cases):
    for i in range(6):
        crc_cases.case(
            {"2.1.1": "yes", "2.1.2": "yes" if i % 2 else "no", "2.1.3": "yes"},
            details={"ldu": "East" if i % 3 else "West", "gender": "male"},
        )
    set_lead_rating(store, crc_inspection.id, "2.1", OVERRIDE, "Good", "<script>Moderated</script> & checked.")
    return inspection_ratings(store, crc_inspection.id, include_breakdowns=True)


def test_pdf_is_written_with_pages(qapp, report, tmp_path):
    from fieldwork.gui.report_pdf import write_pdf

    path = write_pdf(report, tmp_path / "ratings.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 3  # ratings table, ten standards with charts, breakdowns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ratings.pdf", "store"]


def test_the_document_holds_the_escaped_text_and_a_chart_per_case_standard(qapp, report):
    from fieldwork.gui.report_pdf import chart_image, report_document

    document = report_document(report)
    text = document.toPlainText()
    assert "<script>Moderated</script> & checked." in text  # shown as text, never as markup
    # The shipped CRC file rates out of the reduced maximum (HMI Probation's practice): final, not provisional.
    assert "the overall rating is final" in text and "Westshire <CRC> & Partners: ratings" in text
    assert document.toHtml().count("fieldwork-chart-") >= 6
    image = chart_image(report.framework, report.standard("2.1"))
    assert not image.isNull() and image.width() > image.height() > 0
