"""The printable ratings report as one self-contained HTML page (charts as inline SVG).

Laid out like the ratings section of a published inspection report: the ratings table, then
each standard with its chart and key-question table, the breakdowns, and the framework's
attribution. Every piece of text from the store or the framework goes through `escape`, so
evidence, reasons and names can never inject markup. The PDF renderer (fieldwork.gui.report_pdf)
uses the same page with the charts swapped for images, since Qt's rich text cannot show SVG.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from fieldwork import __version__
from fieldwork.ratings import StandardRating
from fieldwork.reports.breakdowns import Breakdown
from fieldwork.reports.charts import band_colours, bar_chart_svg, text_colour
from fieldwork.reports.contributions import contributions_html
from fieldwork.reports.inspection_ratings import RatingsReport
from fieldwork.reports.premises_rows import premises_rows
from fieldwork.reports.tables import about_rows, key_question_band, percent_text, when_text
from fieldwork.text import plural

ChartHtml = Callable[[StandardRating], str]

CSS = """
body { font-family: Arial, Helvetica, sans-serif; color: #1a1a1a; font-size: 11pt;
       max-width: 58em; margin: 2em auto; padding: 0 1em; }
p, li { line-height: 140%; }
h1 { font-size: 20pt; margin: 0 0 0.2em 0; }
h2 { font-size: 15pt; margin: 1.6em 0 0.5em 0; border-bottom: 2px solid #1a1a1a; padding-bottom: 0.15em; }
h3 { font-size: 13pt; margin: 1.4em 0 0.3em 0; }
p { margin: 0.35em 0; }
.meta { color: #444444; }
.small, .note { color: #555555; font-size: 9.5pt; }
table { border-collapse: collapse; margin: 0.5em 0 0.8em 0; }
th, td { border: 1px solid #b8bec6; padding: 4px 7px; text-align: left; vertical-align: top; }
thead th { background-color: #e8ebef; }
td.num, th.num { text-align: right; }
tr.domain th { background-color: #f3f5f7; }
tr.overall th, tr.overall td { background-color: #f3f5f7; font-weight: bold; }
tr.deciding td { font-weight: bold; }
.chip { padding: 1px 6px; font-weight: bold; white-space: nowrap; }
.provisional { border: 2px solid #b3261e; background-color: #fdf0ef; padding: 8px 10px; margin: 0.8em 0; }
.override { border-left: 4px solid #d99a00; background-color: #fff8e6; padding: 6px 10px; margin: 0.5em 0; }
.judgement { border-left: 4px solid #1a5fb4; background-color: #eef4fc; padding: 6px 10px; margin: 0.5em 0; }
.evidence { white-space: pre-wrap; }
.standard { page-break-inside: avoid; }
.chart { margin: 0.4em 0; line-height: 100%; }
table.key-questions, table.breakdown { font-size: 9.5pt; }
table.key-questions th { font-size: 8.5pt; }
tr.standard-row td { background-color: #f3f5f7; font-weight: bold; }
.footer { margin-top: 2em; color: #555555; font-size: 9pt; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
@page { size: A4; margin: 18mm 16mm; }
"""


def _e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def _paragraphs(text: str) -> str:
    """Free text with its line breaks kept, escaped."""
    return "<br>".join(_e(line) for line in text.splitlines()) or "&nbsp;"


def chip(report: RatingsReport, rating: str) -> str:
    fill = band_colours(report.framework).get(rating, "#8a8f96")
    return (
        f'<span class="chip" style="background-color: {fill}; color: {text_colour(fill)};">'
        f"&nbsp;{_e(rating)}&nbsp;</span>"
    )


def inline_svg_chart(report: RatingsReport) -> ChartHtml:
    return lambda rated: bar_chart_svg(report.framework, rated)


def _standard_name(rated: StandardRating) -> str:
    return rated.standard.name


def _header(report: RatingsReport) -> list[str]:
    insp, fw = report.inspection, report.framework
    dates = " to ".join(_e(d) for d in (insp.fieldwork_start, insp.fieldwork_end) if d)
    meta = [f"Inspection {_e(insp.id)}", f"{_e(insp.provider_type)}"]
    if dates:
        meta.append(f"fieldwork {dates}")
    meta.append(f"{_e(fw.title)}, version {_e(fw.version)}")
    return [
        f"<h1>{_e(insp.provider)}: ratings</h1>",
        f'<p class="meta">{" · ".join(meta)}</p>',
        f'<p class="meta">Computed from the case assessments on {_e(when_text(report.generated_at))}.</p>',
    ]


def _status(report: RatingsReport) -> list[str]:
    out = []
    overall = report.overall
    if not report.framework.rating.four_point:
        out.append(
            "<p><strong>No four-point rating.</strong> This programme reports the share of cases judged "
            "sufficient for each question and the lead inspector's written judgement; it gives no rating.</p>"
        )
    elif overall.unrated and not overall.provisional and overall.max:
        missing = [_e(_standard_name(report.standard(s))) for s in overall.unrated]
        scaled = " (overall bands scaled from the full maximum)" if overall.scaled else ""
        out.append(
            f"<p><strong>Out of {overall.max}.</strong> {len(missing)} standard"
            f"{'s were' if len(missing) != 1 else ' was'} not rated ({'; '.join(missing)}), so the maximum "
            f"is reduced from {overall.full_max} to {overall.max}{scaled}; the overall rating is final.</p>"
        )
    if overall.provisional:
        missing = [_e(_standard_name(report.standard(s))) for s in overall.unrated]
        out.append(
            '<div class="provisional"><p><strong>Provisional.</strong> The overall rating is provisional '
            f"because {len(missing)} standard{'s are' if len(missing) != 1 else ' is'} not yet rated: "
            f"{'; '.join(missing)}.</p></div>"
        )
    c = report.cases
    text = (
        f"Based on {c.total} case{'s' if c.total != 1 else ''}: {c.complete} complete, "
        f"{c.in_progress} in progress, {c.not_started} not started."
    )
    if c.in_progress:
        text += " Cases still in progress count with the judgements recorded so far."
    out.append(f"<p>{_e(text)}</p>")
    return out


def _ratings_table(report: RatingsReport) -> list[str]:
    fw, overall = report.framework, report.overall
    out = [
        "<h2>Ratings</h2>",
        '<table class="ratings" border="1" cellspacing="0" cellpadding="5" width="100%">',
        '<thead><tr><th>Standard</th><th>Rating</th><th class="num">Score</th></tr></thead><tbody>',
    ]
    overall_label = chip(report, overall.rating) + (" (provisional)" if overall.provisional else "")
    score_cell = f"{overall.score} / {overall.max}" if fw.rating.four_point else "–"
    out.append(f'<tr class="overall"><th>Overall</th><td>{overall_label}</td><td class="num">{score_cell}</td></tr>')
    overridden = False
    for domain in fw.domains:
        out.append(f'<tr class="domain"><th colspan="3">{_e(domain.id)}. {_e(domain.title)}</th></tr>')
        for std in domain.standards:
            rated = report.standard(std.id)
            mark = ""
            if rated.override:
                overridden = True
                mark = " *"
            score = report.score_for(rated.rating)
            out.append(
                f"<tr><td>{_e(_standard_name(rated))}</td><td>{chip(report, rated.rating)}{mark}</td>"
                f'<td class="num">{"–" if score is None else score}</td></tr>'
            )
    out.append("</tbody></table>")
    if overridden:
        out.append(
            '<p class="note">* Rating changed by the lead inspector from the computed rating; '
            "the reason is given with the standard below.</p>"
        )
    if fw.rating.four_point:
        scores = ", ".join(f"{_e(b.rating)} {b.score}" for b in fw.rating.bands)
        bands = ", ".join(f"{b.min_score}–{b.max_score} {_e(b.rating)}" for b in fw.rating.overall_bands)
        out.append(f'<p class="note">Scores: {scores}. Overall score out of {overall.full_max}: {bands}.</p>')
    out.append(f'<p class="note">Overall: {_e(_rule_text(overall.rule))}</p>')
    out.append(_caveat(report))
    return out


def _rule_text(rule) -> str:
    """E.g. 'the lowest key question rule (recalled: not confirmed from a published document)'."""
    if rule is None:
        return ""
    state = (
        "confirmed from published guidance"
        if rule.provenance == "confirmed"
        else ("recalled: not confirmed from a published HMI Probation document")
    )
    return f"rule {rule.id}, {rule.text} ({state})."


def _caveat(report: RatingsReport) -> str:
    """Which rules behind this report's ratings are recalled rather than confirmed."""
    rules = [r.rule for r in report.standards if r.rule] + ([report.overall.rule] if report.overall.rule else [])
    recalled = sorted({r.id for r in rules if r.provenance == "recalled"})
    if not recalled:
        return '<p class="note">Every rule behind these ratings is marked confirmed in the framework file.</p>'
    return (
        '<p class="note"><strong>Recalled rules.</strong> These rules are not confirmed from a published HMI '
        f"Probation document: {_e(', '.join(recalled))}. In the shipped files that includes the 80/65/50 "
        "key-question bands, the lowest-key-question rule and the overall score bands.</p>"
    )


def _key_question_table(report: RatingsReport, rated: StandardRating) -> list[str]:
    # Premises standards count the answers to prompts (Yes/No), not key-question judgements.
    fw = report.framework
    labels = fw.answer_labels if rated.standard.rated_for_premises else fw.judgement_labels
    texts = {kq.id: kq.text for kq in rated.standard.key_questions}
    if not rated.standard.computed:
        number = report.framework.question_number
        items = "".join(
            f"<li><strong>{_e(number(kq.id))}</strong> {_e(kq.text)}</li>" for kq in rated.standard.key_questions
        )
        return [f'<p class="small">Key questions that structure the evidence:</p><ul class="small">{items}</ul>']
    out = [
        '<table class="key-questions" border="1" cellspacing="0" cellpadding="3" width="100%">',
        f'<thead><tr><th width="29%">Key question</th>'
        f'<th class="num" width="13%">{_e(labels.get("yes", "Yes"))}</th>'
        f'<th class="num" width="14%">{_e(labels.get("no", "No"))}</th>'
        f'<th class="num" width="14%">{_e(labels.get("na", "Not applicable"))}</th>'
        f'<th class="num" width="12%">% {_e(labels.get("yes", "Yes").lower())}</th>'
        '<th width="18%">Band</th></tr></thead><tbody>',
    ]
    for tally in rated.key_questions:
        deciding = tally.id == rated.deciding_key_question
        row_class = ' class="deciding"' if deciding else ""
        suffix = " <em>(deciding)</em>" if deciding else ""
        if rated.standard.rated and not report.framework.key_question(tally.id).rated:
            suffix += " <em>(reported, not rated)</em>"
        band = key_question_band(report, tally)
        out.append(
            f"<tr{row_class}><td><strong>{_e(report.framework.question_number(tally.id))}</strong> "
            f"{_e(texts[tally.id])}{suffix}</td>"
            f'<td class="num">{tally.yes}</td><td class="num">{tally.no}</td><td class="num">{tally.na}</td>'
            f'<td class="num">{_e(percent_text(tally))}</td><td>{_e(band) if band else "–"}</td></tr>'
        )
    out.append("</tbody></table>")
    return out


def _standard_section(report: RatingsReport, rated: StandardRating, chart_html: ChartHtml) -> list[str]:
    std, fw = rated.standard, report.framework
    score = report.score_for(rated.rating)
    out = ['<div class="standard">', f"<h3>{_e(_standard_name(rated))}</h3>"]
    if std.statement:
        out.append(f'<p class="small"><em>{_e(std.statement)}</em></p>')
    score_text = f" &nbsp;Score: {score}" if score is not None else ""
    if not std.rated:
        out.append("<p>Reported, not rated: the results below are shown but never enter a rating.</p>")
    elif fw.rating.four_point or not std.computed:
        out.append(f"<p>Rating: {chip(report, rated.rating)}{score_text}</p>")
    if rated.rule and std.rated:
        out.append(f'<p class="small">How: {_e(_rule_text(rated.rule))}</p>')
    if std.combined:
        n = sum(c.cases_per_sample.get(std.from_sample, 0) for c in report.contributions)
        out.append(
            f"<p>Rated from the key-question judgements on the {n} {_e(std.from_sample)} case{'s' if n != 1 else ''} "
            f"of {len(report.contributions)} PDU inspection{'s' if len(report.contributions) != 1 else ''} "
            f"({_e(std.from_framework)} {_e(std.from_version)}), listed under \"PDU results counted\".</p>"
        )
    elif std.rated_from_cases:
        sample = fw.sample(std.sample_id)
        counts = report.samples.get(std.sample_id)
        n = counts.total if counts else 0
        basis = (
            f"Rated from the inspectors' key-question judgements on the {n} case{'s' if n != 1 else ''} "
            f"of the {sample.title} sample"
        )
        if counts and counts.total:
            basis += f" ({counts.complete} complete, {counts.in_progress} in progress)"
        if not std.rated or not fw.rating.four_point:
            basis += ": the share of cases judged sufficient for each key question."
        elif rated.deciding_key_question:
            tally = next(t for t in rated.key_questions if t.id == rated.deciding_key_question)
            basis += (
                f". The lowest key question, {fw.question_number(rated.deciding_key_question)} "
                f"({percent_text(tally)}), "
                f"gives the computed rating: {rated.computed}."
            )
        else:
            yes, no = fw.judgement_labels.get("yes", "Yes"), fw.judgement_labels.get("no", "No")
            basis += f". No case is judged {yes} or {no} on these key questions yet, so the standard is not rated."
        out.append(f'<p class="small">{_e(basis)}</p>')
        if rated.override:
            ov = rated.override
            out.append(
                '<div class="override"><p><strong>Rating changed by the lead inspector</strong> from the computed '
                f"{_e(rated.computed)} to {_e(ov.rating)} ({_e(ov.by)}, {_e(when_text(ov.at))}).</p>"
                f'<p class="evidence"><strong>Reason:</strong> {_paragraphs(ov.reason)}</p></div>'
            )
        out.append(f'<div class="chart">{chart_html(rated)}</div>')
    elif std.rated_for_premises:
        out.extend(_premises_section(report, rated))
    else:
        if rated.judgement:
            jd = rated.judgement
            out.append(
                '<div class="judgement"><p><strong>Rated by the lead inspector</strong> from evidence gathered '
                f"outside the case sample ({_e(jd.by)}, {_e(when_text(jd.at))}).</p>"
                f'<p class="evidence"><strong>Evidence:</strong> {_paragraphs(jd.evidence)}</p></div>'
            )
        else:
            out.append('<p class="small">Rated by the lead inspector\'s judgement; no rating is recorded yet.</p>')
    out.extend(_key_question_table(report, rated))
    out.append("</div>")
    return out


def _premises_section(report: RatingsReport, rated: StandardRating) -> list[str]:
    """How a standard rated for the premises got its rating, the override, and every answer
    with its evidence (decision 0037)."""
    fw = report.framework
    text = "Rated from the lead inspector's answers for the premises (each prompt answered once, not case by case)"
    if rated.deciding_key_question:
        tally = next(t for t in rated.key_questions if t.id == rated.deciding_key_question)
        text += (
            f". The lowest key question, {rated.deciding_key_question} ({percent_text(tally)} of its prompts "
            f"answered {fw.answer_labels.get('yes', 'Yes')}), gives the computed rating: {rated.computed}."
        )
    else:
        text += ". Nothing is answered Yes or No yet, so the standard is not rated."
    out = [f'<p class="small">{_e(text)}</p>']
    if rated.override:
        ov = rated.override
        out.append(
            '<div class="override"><p><strong>Rating changed by the lead inspector</strong> from the computed '
            f"{_e(rated.computed)} to {_e(ov.rating)} ({_e(ov.by)}, {_e(when_text(ov.at))}).</p>"
            f'<p class="evidence"><strong>Reason:</strong> {_paragraphs(ov.reason)}</p></div>'
        )
    items = []
    for row in premises_rows(fw, report.premises, rated.standard):
        answer = fw.answer_labels.get(row.value, row.value) if row.value else "not answered"
        evidence = f'<br><span class="evidence">{_paragraphs(row.evidence)}</span>' if row.evidence else ""
        items.append(f"<li><strong>{_e(row.id)}</strong> {_e(row.text)}: <strong>{_e(answer)}</strong>{evidence}</li>")
    out.append(f'<p class="small">Answers for the premises:</p><ul class="small">{"".join(items)}</ul>')
    return out


def _in_sentence(label: str) -> str:
    """'Gender' → 'gender' for use mid-sentence; acronyms ('LDU', 'RoSH level') are kept."""
    if len(label) > 1 and (label[1].isupper() or not label[0].isupper()):
        return label
    return label[:1].lower() + label[1:]


def _breakdown_section(report: RatingsReport, breakdown: Breakdown) -> list[str]:
    groups = [g for g in breakdown.groups if g.cases or any(t.yes + t.no + t.na for t in g.key_questions)]
    out = [f"<h3>By {_e(_in_sentence(breakdown.field.label))}</h3>"]
    if not groups:
        return [*out, '<p class="small">No cases yet.</p>']
    header = "".join(
        f'<th class="num">{_e(g.label)}<br><span class="small">{plural(g.cases, "case")}</span></th>' for g in groups
    )
    out.append('<table class="breakdown" border="1" cellspacing="0" cellpadding="4">')
    out.append(f"<thead><tr><th>Key question</th>{header}</tr></thead><tbody>")
    for rated in report.standards:
        if rated.standard.basis != "cases":  # combined standards: the region's own cases answer none
            continue
        judged = [t.id for t in rated.key_questions if t.yes + t.no + t.na]
        if not judged:
            continue  # nothing recorded for this standard yet: no row of dashes
        out.append(f'<tr class="standard-row"><td colspan="{len(groups) + 1}">{_e(_standard_name(rated))}</td></tr>')
        for kq_id in judged:
            cells = []
            for group in groups:
                tally = group.tally(kq_id)
                n = tally.yes + tally.no
                cells.append(f'<td class="num">{_e(percent_text(tally))} <span class="small">(n={n})</span></td>')
            out.append(
                f"<tr><td><strong>{_e(report.framework.question_number(kq_id))}</strong></td>{''.join(cells)}</tr>"
            )
    out.append("</tbody></table>")
    return out


def _breakdowns(report: RatingsReport) -> list[str]:
    if not report.breakdowns:
        return []
    yes = report.framework.judgement_labels.get("yes", "Yes").lower()
    out = [
        "<h2>Breakdowns</h2>",
        f'<p class="small">The percentage of cases judged {_e(yes)} on each key question, for each group of '
        "cases; n is the number of cases judged either way (Not applicable left out). Groups with no cases "
        "are not shown.</p>",
    ]
    for breakdown in report.breakdowns:
        out.extend(_breakdown_section(report, breakdown))
    return out


def _about(report: RatingsReport) -> list[str]:
    fw = report.framework
    yes, no = fw.judgement_labels.get("yes", "Yes"), fw.judgement_labels.get("no", "No")
    rules = (
        f"A key question's percentage is the share of cases judged {yes} among those judged {yes} or {no}; "
        "Not applicable judgements are left out. A standard rated from cases takes the band of its lowest key "
        "question, compared exactly before rounding; percentages are shown rounded to whole numbers. "
        "Standards in the lead inspector's judgement are rated with recorded evidence. The overall score is "
        "the sum of the standards' scores."
    )
    rows = "".join(f"<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>" for label, value in about_rows(report))
    return [
        "<h2>About this report</h2>",
        f'<p class="small">{_e(rules)}</p>',
        f'<table class="about" border="1" cellspacing="0" cellpadding="4" width="100%"><tbody>{rows}</tbody></table>',
        f'<p class="small">Standards, key questions and rating rules: {_e(fw.attribution)}. {_e(fw.licence)}</p>',
    ]


def render_html(report: RatingsReport, *, chart_html: ChartHtml | None = None) -> str:
    """The whole report as an HTML document.

    :param chart_html: the markup for a standard's chart; inline SVG by default.
    """
    chart_html = chart_html or inline_svg_chart(report)
    insp = report.inspection
    body: list[str] = [*_header(report), *_status(report), *_ratings_table(report)]
    for domain in report.framework.domains:
        body.append(f"<h2>Domain {_e(domain.id)}: {_e(domain.title)}</h2>")
        for std in domain.standards:
            body.extend(_standard_section(report, report.standard(std.id), chart_html))
    body.extend(contributions_html(report))
    body.extend(_breakdowns(report))
    body.extend(_about(report))
    body.append(f'<p class="footer">Produced by fieldwork {_e(__version__)}.</p>')
    title = f"Ratings: {insp.provider} ({insp.id})"
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
