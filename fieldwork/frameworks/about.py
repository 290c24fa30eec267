""" "About this framework": where it comes from, whether it is current, and for every item and
rating rule whether its wording is confirmed from a published source or recalled.

Plain HTML (escaped throughout) so that the app shows it and tests read it without Qt.
"""

from __future__ import annotations

from html import escape

from fieldwork.frameworks.describe import status_sentence
from fieldwork.frameworks.model import RULES, Framework

CONFIRMED_COLOUR, RECALLED_COLOUR = "#1b7f3b", "#9a5b00"


def provenance_mark(provenance: str) -> str:
    colour = CONFIRMED_COLOUR if provenance == "confirmed" else RECALLED_COLOUR
    return f'<span style="color:{colour}">[{escape(provenance)}]</span>'


def guidance_html(guidance: str) -> str:
    """The CARaG guidance under a question, line breaks kept; nothing when there is none."""
    if not guidance:
        return ""
    return "<br><i>Guidance:</i> " + "<br>".join(escape(line) for line in guidance.splitlines())


def _standard_flags(standard) -> str:
    flags = []
    if not standard.rated:
        flags.append("reported, not rated")
    elif not standard.counts_in_overall:
        flags.append("rated, outside the overall rating")
    flags.append(standard.basis_text)
    return f" <i>({escape('; '.join(flags))})</i>"


def about_html(framework: Framework) -> str:
    """The whole "About this framework" text, item by item."""
    fw = framework
    recalled_items = sum(
        1
        for s in fw.standards
        for item in (s, *s.key_questions, *(p for kq in s.key_questions for p in kq.prompts))
        if item.provenance == "recalled"
    )
    total_items = sum(1 + len(s.key_questions) + sum(len(kq.prompts) for kq in s.key_questions) for s in fw.standards)
    out = [
        f"<h3>{escape(fw.title)}</h3>",
        f"<p>Id <code>{escape(fw.id)}</code>, version {escape(fw.version)}, format {fw.format}<br>"
        f"Content hash <code>{escape(fw.content_hash[:16])}…</code></p>",
        f"<p><b>{escape(status_sentence(fw))}</b></p>",
        f"<p>The person whose case is read: {escape(fw.person_term)}.</p>",
        f"<p><b>Source:</b> {escape(fw.source)}</p>",
        f"<p><b>Attribution:</b> {escape(fw.attribution)}<br><b>Licence:</b> {escape(fw.licence)}</p>",
        f"<p><b>Wording:</b> {escape(fw.provenance_note)}</p>",
        f"<p>{recalled_items} of {total_items} standards, key questions and prompts are marked "
        f"{provenance_mark('recalled')}: they follow the published structure, but their exact wording must be "
        "checked against the standards document before a release. Items marked "
        f"{provenance_mark('confirmed')} were checked against a published source.</p>",
        "<h4>Rating rules</h4><ul>",
    ]
    if fw.rating.four_point:
        bands = ", ".join(f"{escape(b.rating)} from {float(b.min_percent):g}%" for b in fw.rating.bands)
        overall = ", ".join(f"{b.min_score}–{b.max_score} {escape(b.rating)}" for b in fw.rating.overall_bands)
        out.append(f"<li>Key-question bands: {bands}. Overall score bands: {overall}.</li>")
        reduced = "; ".join(
            f"out of {t.max_score}: " + ", ".join(f"{b.min_score}–{b.max_score} {escape(b.rating)}" for b in t.bands)
            for t in fw.rating.reduced_bands
        )
        out.append(
            "<li>Overall bands for a reduced maximum: "
            + (f"as given in the file ({reduced}); otherwise " if reduced else "")
            + f"the bands above as fractions of the full maximum: fieldwork's reading {provenance_mark('recalled')} "
            "(decision 0028).</li>"
        )
    for rule, text in RULES.items():
        mark = provenance_mark(fw.rating.provenance_of(rule))
        out.append(f"<li>{mark} <code>{escape(rule)}</code>: {escape(text)}</li>")
    out.append(
        "</ul><p>Unless a rule above is marked confirmed, it is not confirmed from a published HMI Probation "
        "document: in the shipped files that includes the 80/65/50 bands, the lowest-key-question rule and the "
        "overall score bands.</p><h4>Every item</h4>"
    )
    for domain in fw.domains:
        mark = provenance_mark(domain.provenance)
        out.append(f"<p><b>{escape(domain.id)}. {escape(domain.title)}</b> {mark}</p><ul>")
        for standard in domain.standards:
            out.append(
                f"<li>{provenance_mark(standard.provenance)} <b>{escape(standard.name)}</b>{_standard_flags(standard)}"
            )
            if standard.statement:
                out.append(
                    f"<br>Statement {provenance_mark(standard.statement_provenance or standard.provenance)}: "
                    f"{escape(standard.statement)}"
                )
            out.append("<ul>")
            for kq in standard.key_questions:
                unrated = " <i>(reported, not rated)</i>" if standard.rated and not kq.rated else ""
                number = framework.question_number
                out.append(f"<li>{provenance_mark(kq.provenance)} {escape(number(kq.id))} {escape(kq.text)}{unrated}"
                           f"{guidance_html(kq.guidance)}")
                if kq.prompts:
                    out.append("<ul>")
                    out.extend(
                        f"<li>{provenance_mark(p.provenance)} {escape(number(p.id))} {escape(p.text)}"
                        f"{guidance_html(p.guidance)}</li>"
                        for p in kq.prompts
                    )
                    out.append("</ul>")
                out.append("</li>")
            out.append("</ul></li>")
        out.append("</ul>")
    return "\n".join(out)
