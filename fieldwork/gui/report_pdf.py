"""The ratings report as a PDF: the same HTML page, laid out and paginated by Qt.

Qt's rich text (QTextDocument) cannot show inline SVG, so each standard's chart, the same SVG
the HTML report carries, is painted into an image with QPainter and handed to the document as
an image resource. This module is the only part of the reports that needs Qt; it lives under
fieldwork.gui because the core never imports PySide6. Callers without a display set
QT_QPA_PLATFORM=offscreen before importing it (the CLI does).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from fieldwork.frameworks.model import Framework
from fieldwork.ratings import StandardRating
from fieldwork.reports.charts import bar_chart_svg, chart_size
from fieldwork.reports.files import atomic_path
from fieldwork.reports.html_report import render_html
from fieldwork.reports.inspection_ratings import RatingsReport

CHART_SCALE = 2  # image pixels per CSS pixel: sharp when printed, small in the file
PAGE_MM = (210.0, 297.0)  # A4
MARGIN_MM = 18.0
FOOTER_MM = 8.0
_APP: QApplication | None = None


def _ensure_application() -> None:
    """Fonts and text layout need a Qt application; the CLI has none of its own.

    A full QApplication (not a QGuiApplication) so that widgets created later in the same
    process, as in the test suite or the app itself, still work.
    """
    global _APP
    if QGuiApplication.instance() is None:
        _APP = QApplication([])


def chart_image(framework: Framework, rated: StandardRating, scale: int = CHART_SCALE) -> QImage:
    """The standard's chart painted into an image: the SVG of the HTML report, drawn by Qt."""
    width, height = chart_size(framework, rated)
    image = QImage(width * scale, height * scale, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    renderer = QSvgRenderer(QByteArray(bar_chart_svg(framework, rated).encode("utf-8")))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        renderer.render(painter)
    finally:
        painter.end()
    return image


def report_document(report: RatingsReport) -> QTextDocument:
    """The report as a QTextDocument, charts included as image resources."""
    _ensure_application()
    document = QTextDocument()
    charts: dict[str, QImage] = {}

    def chart_html(rated: StandardRating) -> str:
        name = f"fieldwork-chart-{len(charts)}.png"
        charts[name] = chart_image(report.framework, rated)
        width, height = chart_size(report.framework, rated)
        return f'<img src="{name}" width="{width}" height="{height}">'

    html = render_html(report, chart_html=chart_html)
    for name, image in charts.items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(html)
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, f"Ratings: {report.inspection.provider}")
    return document


def _source_dpi() -> float:
    """The resolution the document is laid out at (the screen's; 96 without one)."""
    screen = QGuiApplication.primaryScreen()
    return float(screen.logicalDotsPerInch()) if screen is not None else 96.0


def write_pdf(report: RatingsReport, path: str | os.PathLike) -> Path:
    """Write the report as an A4 PDF, whole or not at all; returns the path.

    The document is laid out page by page at screen resolution (as it would show on screen) and
    painted scaled onto the PDF, with a footer on every page: the provider, "Provisional" while
    the overall rating is, and the page number.
    """
    document = report_document(report)
    source_dpi = _source_dpi()
    page_w = PAGE_MM[0] / 25.4 * source_dpi
    page_h = PAGE_MM[1] / 25.4 * source_dpi
    margin = MARGIN_MM / 25.4 * source_dpi
    footer_h = FOOTER_MM / 25.4 * source_dpi
    body = QSizeF(page_w - 2 * margin, page_h - 2 * margin - footer_h)
    document.setPageSize(body)
    pages = document.pageCount()
    provisional = report.overall.provisional
    footer_text = f"{report.inspection.provider}: ratings ({report.inspection.id})"

    with atomic_path(path) as temp:
        writer = QPdfWriter(str(temp))
        writer.setTitle(f"Ratings: {report.inspection.provider} ({report.inspection.id})")
        writer.setCreator("fieldwork")
        writer.setResolution(300)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
                QPageLayout.Unit.Millimeter,
            )
        )
        scale = writer.resolution() / source_dpi
        painter = QPainter(writer)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            for page in range(pages):
                if page:
                    writer.newPage()
                painter.save()
                painter.scale(scale, scale)
                painter.translate(margin, margin - page * body.height())
                document.drawContents(painter, QRectF(0, page * body.height(), body.width(), body.height()))
                painter.restore()
                # The footer in device units, so its point size is true on paper.
                painter.save()
                font = QFont(document.defaultFont())
                font.setPointSizeF(8)
                painter.setFont(font)
                line = QRectF(
                    margin * scale, (page_h - margin - footer_h / 2) * scale, body.width() * scale, footer_h / 2 * scale
                )
                left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                centre = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
                painter.setPen(QColor("#555555"))
                painter.drawText(line, left, footer_text)
                painter.drawText(line, right, f"Page {page + 1} of {pages}")
                if provisional:
                    painter.setPen(QColor("#b3261e"))
                    painter.drawText(line, centre, "Provisional ratings")
                painter.restore()
        finally:
            painter.end()
        del writer  # the PDF is finished and closed when the writer goes
    return Path(path)
