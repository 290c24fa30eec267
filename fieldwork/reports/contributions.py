"""A region report's list of the PDU inspections whose results it counts (decision 0035).

One table, used by the CSV, the workbook, the HTML/PDF report and the JSON, so each names the
same PDUs, signers, times and case counts.
"""

from __future__ import annotations

from html import escape

from fieldwork.reports.tables import Column, Table

_COLUMNS = (
    ("pdu_inspection", "PDU inspection"), ("provider", "PDU"), ("signer", "Signed by"), ("key", "Signer key"),
    ("results_number", "Results number"), ("received_at", "Received"), ("cases", "Cases contributed"),
    ("by_sample", "Cases by sample"), ("open_conflicts", "Conflicts open at the PDU"),
)


def contributions_table(report) -> Table:
    """Each PDU inspection taken in: who signed it, when it was received, the cases it gave."""
    rows = tuple(
        (c.pdu_inspection_id, c.provider, f"{c.signer_name} ({c.signer_person_id})", c.signer_key_id,
         c.sequence, c.received_at, c.cases,
         "; ".join(f"{sample}: {n}" for sample, n in c.cases_per_sample.items()), c.open_conflicts)
        for c in report.contributions
    )
    return Table("contributions", "PDU results counted", tuple(Column(k, h) for k, h in _COLUMNS), rows)


def contributions_json(report) -> list[dict]:
    return [c.to_json() for c in report.contributions]


def contributions_html(report) -> list[str]:
    """The section of the HTML report; nothing for an inspection that rates nothing from PDUs."""
    if not report.framework.combined_standards:
        return []
    lines = ["<h2>PDU results counted</h2>"]
    if not report.contributions:
        lines.append("<p>No PDU inspection's results have been taken in yet, so the standards rated from the "
                     "combined PDU data are not rated.</p>")
        return lines
    table = contributions_table(report)
    lines.append("<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in table.headings) + "</tr></thead>")
    lines.append("<tbody>")
    for row in table.rows:
        lines.append("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>")
    lines.append("</tbody></table>")
    return lines
