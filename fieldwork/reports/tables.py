"""The report's tables as plain rows: one source for the CSV, XLSX and HTML exports and the GUI.

Each column has a stable key (the CSV header, for scripts) and a heading (for people). Cells
are plain Python values: str, int, bool or None (nothing recorded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fieldwork.ratings import KeyQuestionTally, StandardRating, band_for
from fieldwork.reports.breakdowns import Breakdown
from fieldwork.reports.inspection_ratings import RatingsReport


@dataclass(frozen=True)
class Column:
    key: str
    heading: str


@dataclass(frozen=True)
class Table:
    name: str  # short id: "ratings", "key_questions", ...
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(c.heading for c in self.columns)

    def dicts(self) -> list[dict]:
        return [dict(zip(self.keys, row, strict=True)) for row in self.rows]


def _columns(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(k, h) for k, h in pairs)


def percent_text(tally: KeyQuestionTally) -> str:
    """'73%', or an en dash when no case was judged Yes or No."""
    return "–" if tally.percent is None else f"{tally.percent}%"


def when_text(timestamp: str) -> str:
    """A stored UTC timestamp as people read it: '20 November 2026, 10:00 UTC'."""
    try:
        moment = dt.datetime.strptime(timestamp[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return timestamp
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def key_question_band(report: RatingsReport, tally: KeyQuestionTally) -> str | None:
    """The band the key question's own percentage falls in (None when nothing was judged, when the
    question is reported only, or when the framework has no four-point rating)."""
    framework = report.framework
    if tally.fraction is None or not framework.rating.four_point or not framework.key_question(tally.id).rated:
        return None
    return band_for(framework, tally.fraction)


def standard_score(report: RatingsReport, rated: StandardRating) -> int | None:
    return report.score_for(rated.rating)


def ratings_table(report: RatingsReport) -> Table:
    """One row per standard: the rating in force, its score, and how it was reached."""
    columns = _columns(
        ("domain", "Domain"),
        ("standard", "Standard"),
        ("title", "Title"),
        ("basis", "Rated from"),
        ("rating", "Rating"),
        ("score", "Score"),
        ("computed_rating", "Computed rating"),
        ("deciding_key_question", "Deciding key question"),
        ("override_reason", "Override reason"),
        ("override_by", "Overridden by"),
        ("override_at", "Overridden at"),
        ("judgement_evidence", "Lead inspector's evidence"),
        ("judgement_by", "Rated by"),
        ("judgement_at", "Rated at"),
        # Added in format 2; new columns go last so that readers of the older layout still work.
        ("number", "Number shown"),
        ("rule", "Rule"),
        ("rule_provenance", "Rule confirmed or recalled"),
    )
    domains = {d.id: d.title for d in report.framework.domains}
    rows = []
    for rated in report.standards:
        std, ov, jd = rated.standard, rated.override, rated.judgement
        rows.append(
            (
                f"{std.domain_id} {domains.get(std.domain_id, '')}".strip(),
                std.id,
                std.title,
                std.basis if std.rated else "reported, not rated",
                rated.rating,
                standard_score(report, rated),
                rated.computed,
                rated.deciding_key_question,
                ov.reason if ov else None,
                ov.by if ov else None,
                ov.at if ov else None,
                jd.evidence if jd else None,
                jd.by if jd else None,
                jd.at if jd else None,
                std.shown_number,
                rated.rule.id if rated.rule else None,
                rated.rule.provenance if rated.rule else None,
            )
        )
    return Table("ratings", "Ratings by standard", columns, tuple(rows))


def overall_table(report: RatingsReport) -> Table:
    ov = report.overall
    columns = _columns(
        ("rating", "Overall rating"),
        ("score", "Score"),
        ("max", "Maximum score"),
        ("provisional", "Provisional"),
        ("unrated", "Standards not rated"),
        ("full_max", "Maximum with every standard rated"),
        ("rule", "Rule"),
        ("rule_provenance", "Rule confirmed or recalled"),
    )
    rule = ov.rule
    row = (
        ov.rating, ov.score, ov.max, ov.provisional, ", ".join(ov.unrated), ov.full_max,
        rule.id if rule else None, rule.provenance if rule else None,
    )  # fmt: skip
    return Table("overall", "Overall rating", columns, (row,))


def key_questions_table(report: RatingsReport) -> Table:
    """One row per key question of every standard: the judgements counted and the percentage."""
    labels = report.framework.judgement_labels
    columns = _columns(
        ("standard", "Standard"),
        ("key_question", "Key question"),
        ("text", "Question"),
        ("yes", labels.get("yes", "Yes")),
        ("no", labels.get("no", "No")),
        ("na", labels.get("na", "Not applicable")),
        ("percent", f"% {labels.get('yes', 'Yes').lower()}"),
        ("band", "Band"),
        ("deciding", "Deciding"),
        ("rated", "Counts in the rating"),
        ("number", "Number shown"),  # as published, where its standard is published under another number (0036)
    )
    rows = []
    for rated in report.standards:
        kq_text = {kq.id: kq.text for kq in rated.standard.key_questions}
        for tally in rated.key_questions:
            from_cases = rated.standard.computed  # cases, or the premises' answers to prompts
            rows.append(
                (
                    rated.standard.id,
                    tally.id,
                    kq_text[tally.id],
                    tally.yes if from_cases else None,
                    tally.no if from_cases else None,
                    tally.na if from_cases else None,
                    tally.percent if from_cases else None,
                    key_question_band(report, tally) if from_cases else None,
                    tally.id == rated.deciding_key_question,
                    rated.standard.rated and report.framework.key_question(tally.id).rated,
                    report.framework.question_number(tally.id),
                )
            )
    return Table("key_questions", "Key questions", columns, tuple(rows))


def breakdown_table(report: RatingsReport, breakdown: Breakdown) -> Table:
    """One row per group and key question of one breakdown field."""
    labels = report.framework.judgement_labels
    columns = _columns(
        ("breakdown", "Breakdown"),
        ("group", breakdown.field.label),
        ("cases", "Cases"),
        ("key_question", "Key question"),
        ("yes", labels.get("yes", "Yes")),
        ("no", labels.get("no", "No")),
        ("na", labels.get("na", "Not applicable")),
        ("percent", f"% {labels.get('yes', 'Yes').lower()}"),
    )
    rows = tuple(
        (breakdown.field.id, group.label, group.cases, t.id, t.yes, t.no, t.na, t.percent)
        for group in breakdown.groups
        for t in group.key_questions
    )
    return Table(f"breakdown_{breakdown.field.id}", f"By {breakdown.field.label}", columns, rows)


def breakdowns_table(report: RatingsReport) -> Table:
    """Every breakdown field in one long table (for CSV and XLSX)."""
    tables = [breakdown_table(report, b) for b in report.breakdowns]
    labels = report.framework.judgement_labels
    columns = _columns(
        ("breakdown", "Breakdown"),
        ("group", "Group"),
        ("cases", "Cases"),
        ("key_question", "Key question"),
        ("yes", labels.get("yes", "Yes")),
        ("no", labels.get("no", "No")),
        ("na", labels.get("na", "Not applicable")),
        ("percent", f"% {labels.get('yes', 'Yes').lower()}"),
    )
    return Table("breakdowns", "Breakdowns", columns, tuple(row for t in tables for row in t.rows))


def cases_table(report: RatingsReport) -> Table:
    """Cases by sample and how far their reading has got."""
    columns = _columns(
        ("sample", "Sample"),
        ("total", "Cases"),
        ("complete", "Complete"),
        ("in_progress", "In progress"),
        ("not_started", "Not started"),
    )
    titles = {s.id: s.title for s in report.framework.samples}
    rows = [
        (titles.get(sample_id, sample_id), c.total, c.complete, c.in_progress, c.not_started)
        for sample_id, c in report.samples.items()
    ]
    c = report.cases
    rows.append(("All samples", c.total, c.complete, c.in_progress, c.not_started))
    return Table("cases", "Cases", columns, tuple(rows))


def about_rows(report: RatingsReport) -> list[tuple[str, str]]:
    """What the report is about and whose content the framework is, as label/value pairs."""
    insp, fw = report.inspection, report.framework
    dates = " to ".join(d for d in (insp.fieldwork_start, insp.fieldwork_end) if d)
    return [
        ("Inspection", insp.id),
        ("Provider", f"{insp.provider} ({insp.provider_type})"),
        ("Fieldwork", dates or "not recorded"),
        ("Framework", f"{fw.title}, version {fw.version} ({fw.id})"),
        ("Computed", when_text(report.generated_at)),
        ("Source", fw.source),
        ("Attribution", fw.attribution),
        ("Licence", fw.licence),
        ("Provenance", fw.provenance_note or fw.provenance),
    ]
