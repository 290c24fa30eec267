"""The layout of a framework workbook: its sheets, their columns and what each column means.

One table drives the writer, the reader and the "Read me" sheet, so the three cannot disagree
(decision 0032). Every column is named by its heading in row 1; the reader finds columns by
heading, not by position, so an officer may reorder or widen columns freely.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.frameworks.model import RULES

YES_NO = ("yes", "no")
PROVENANCE = ("confirmed", "recalled")


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str  # text | id | yes_no | choice | integer | number
    meaning: str
    width: int = 18
    choices: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    purpose: str
    columns: tuple[Column, ...]

    def column(self, heading: str) -> Column:
        return next(c for c in self.columns if c.heading == heading)


def _provenance(what: str) -> Column:
    return Column(
        "provenance", "choice", f"confirmed: the {what} was checked against a published source; recalled: it "
        "follows the published structure but its wording must still be checked.", 12, PROVENANCE, True,
    )


SETTINGS = Sheet(
    "Settings",
    "The framework's own settings, one a row: the setting's name in column A, its value in column B.",
    (
        Column("setting", "text", "The name of the setting (see the list below); do not change it.", 24, (), True),
        Column("value", "text", "The value. Leave it blank where the setting is optional and does not apply.", 70),
    ),
)

# (setting, kind, choices, required, meaning); provider_type may be given on several rows.
SETTING_ROWS: tuple[tuple[str, str, tuple[str, ...], bool, str], ...] = (
    ("id", "id", (), True, "The framework's id; keep it the same across versions of the same framework."),
    ("version", "text", (), True, "The version of this text; change it whenever the content changes."),
    ("title", "text", (), True, "The name shown to users."),
    ("provider_type", "text", (), True, "A kind of provider the framework is for; one row each, the default first."),
    ("person_term", "text", (), True, "What the framework calls the person whose case is read (e.g. child)."),
    ("status", "choice", ("current", "historic"), True, "current: a programme run now; historic: kept for old data."),
    ("applies_from", "text", (), True, "When the framework began to apply: YYYY, YYYY-MM or YYYY-MM-DD."),
    ("applies_to", "text", (), False, "When it stopped applying (historic frameworks), in the same form."),
    ("status_note", "text", (), False, "One sentence on the status, e.g. paused and expected to resume."),
    ("source", "text", (), True, "The documents the content comes from, by name and version."),
    ("attribution", "text", (), True, "Whose content it is."),
    ("licence", "text", (), True, "The licence of the content."),
    ("provenance", "choice", PROVENANCE, True, "confirmed or recalled: the framework's own provenance."),
    ("provenance_note", "text", (), False, "Which parts are confirmed and which must still be checked."),
    ("answer_label_yes", "text", (), True, "How a Yes answer to a prompt is shown."),
    ("answer_label_no", "text", (), True, "How a No answer to a prompt is shown."),
    ("answer_label_na", "text", (), True, "How a Not applicable answer to a prompt is shown."),
    ("judgement_label_yes", "text", (), True, "How a Yes judgement on a key question is shown (e.g. Sufficient)."),
    ("judgement_label_no", "text", (), True, "How a No judgement on a key question is shown (e.g. Insufficient)."),
    ("judgement_label_na", "text", (), True, "How a Not applicable judgement is shown."),
    ("rating_scheme", "choice", ("four_point", "sufficiency"), True,
     "four_point: standards and the overall are rated from bands; sufficiency: percentages and a written "
     "judgement only (the band sheets stay empty)."),
    ("not_rated", "text", (), True, "The label of a standard that has no rating yet."),
    ("unrated_standards", "choice", ("reduced_maximum", "provisional", "not_rated"), True,
     "What the overall rating does while a standard is not rated."),
    ("written_judgement", "text", (), False, "Sufficiency scheme only: the label of the lead's written judgement."),
)

SAMPLES = Sheet(
    "Samples",
    "The samples of cases; every standard rated from cases names one.",
    (
        Column("id", "id", "The sample's id; standards name it.", 16, (), True),
        Column("title", "text", "The name shown to users.", 30, (), True),
        Column("default", "yes_no", "yes for the one sample a case goes into when none is given.", 10, YES_NO, True),
        Column("description", "text", "What cases belong in it.", 60),
    ),
)

SAMPLE_RULES = Sheet(
    "Sample rules",
    "Which sample (question set) a case goes into, chosen from its case details (docs/framework-format.md, "
    "\"Sample rules\"). One row per condition: rows with the same rule number are one rule, and all its "
    "conditions must hold. Rules are tried in number order; a case no rule matches goes into the default sample.",
    (
        Column("rule", "integer", "The rule's number: rows with the same number are one rule; tried lowest first.",
               8, (), True),
        Column("sample", "id", "The id of the sample the rule chooses (sheet Samples); the same on every row of "
               "the rule.", 14, (), True),
        Column("field", "id", "The id of the case detail the condition looks at (sheet Case details).", 16, (),
               True),
        Column("value", "text", "A value the detail must have, as stored (a choice's value, true/false, a whole "
               "number). Several rows with the same rule and field: any of their values. Blank when at_least or "
               "at_most is used.", 24),
        Column("at_least", "integer", "Whole-number details only: the lowest value that matches.", 10),
        Column("at_most", "integer", "Whole-number details only: the highest value that matches.", 10),
        Column("description", "text", "Why the rule exists, in words (first row of the rule).", 60),
    ),
)

DOMAINS = Sheet(
    "Domains",
    "The domains, in the order shown.",
    (
        Column("id", "id", "The domain's id; standards name it.", 10, (), True),
        Column("title", "text", "The name shown to users.", 50, (), True),
        _provenance("domain title"),
    ),
)

STANDARDS = Sheet(
    "Standards",
    "The standards, in the order shown, each in one domain.",
    (
        Column("id", "id", "The standard's id; it stays the same across versions. Key questions name it.", 10,
               (), True),
        Column("domain", "id", "The id of its domain (sheet Domains).", 10, (), True),
        Column("number", "text", "The number reports show, where it differs from the id; blank: the id.", 10),
        Column("title", "text", "The standard's name.", 40, (), True),
        Column("statement", "text", "The standard's one-sentence statement.", 60),
        Column("basis", "choice", "cases: rated from the key questions of a sample's cases; premises: its prompts "
               "are answered once for the premises and the rating computed from them; judgement: rated by the "
               "lead inspector with evidence; combined: rated from the results of other inspections (a "
               "region's PDU inspections).", 12, ("cases", "premises", "judgement", "combined"), True),
        Column("sample", "id", "For basis cases: the id of the sample whose cases answer it; blank otherwise.", 14),
        Column("rated", "yes_no", "no: a reported standard, answered and shown but never rated.", 8, YES_NO, True),
        Column("counts_in_overall", "yes_no", "no: rated and shown, but outside the overall rating.", 10, YES_NO, True),
        _provenance("standard's name"),
        Column("statement_provenance", "choice", "The provenance of the statement alone; blank when there is no "
               "statement.", 12, PROVENANCE),
        Column("from_framework", "id", "For basis combined: the id of the framework the contributing inspections "
               "use; blank otherwise.", 22),
        Column("from_version", "text", "For basis combined: that framework's version; blank otherwise.", 10),
        Column("from_sample", "id", "For basis combined: the sample of that framework whose cases count.", 14),
    ),
)

QUESTIONS = Sheet(
    "Questions",
    "Key questions and their prompts, in the order asked: each prompt row follows its key question.",
    (
        Column("type", "choice", "key question, or prompt (a prompt belongs to the key question it names).", 14,
               ("key question", "prompt"), True),
        Column("id", "id", "The question's id. Answers are kept by id: keep it when only the wording changes.", 12,
               (), True),
        Column("belongs_to", "id", "For a key question: its standard's id; for a prompt: its key question's id.", 12,
               (), True),
        Column("text", "text", "The question as the inspectorate words it.", 60, (), True),
        Column("lens", "text", "Key questions: the lens the question looks through (e.g. desistance); may be blank.",
               14),
        Column("allow_na", "yes_no", "yes: Not applicable is an allowed answer.", 9, YES_NO, True),
        Column("na_reason_required", "yes_no", "Key questions: yes when a Not applicable judgement needs a reason "
               "(only with allow_na yes). Blank for prompts.", 11, YES_NO),
        Column("rated", "yes_no", "Key questions: no for a reported question never part of a rating. Blank for "
               "prompts.", 8, YES_NO),
        _provenance("question's wording"),
        Column("guidance", "text", "The CARaG guidance for the inspector: what sufficient looks like, what to look "
               "for. Shown beside the question on demand (F2). Line breaks are kept.", 70),
        Column("from_question", "id", "Key questions of a combined standard: the contributing framework's key "
               "question whose judgements count here. Blank otherwise.", 12),
        Column("renamed_from", "ids", "The ids this question had in earlier versions, separated by spaces (blank "
               "for most questions). When a lead moves an inspection to this version, answers given under those "
               "ids carry over to this question (docs/framework-format.md, \"Renamed questions\").", 14),
    ),
)

CASE_DETAILS = Sheet(
    "Case details",
    "The details recorded for each case (sheet Choices holds the choices of choice fields).",
    (
        Column("id", "id", "The field's id, stored with every case's value.", 16, (), True),
        Column("label", "text", "The name shown to users.", 30, (), True),
        Column("type", "choice", "text, choice, date, integer or boolean.", 10,
               ("text", "choice", "date", "integer", "boolean"), True),
        Column("required", "yes_no", "yes: the field must be filled in.", 10, YES_NO, True),
        Column("personal", "yes_no", "yes: personal data, wiped at hand-over and never logged.", 10, YES_NO, True),
        Column("breakdown", "yes_no", "yes: reports break results down by this field.", 11, YES_NO, True),
        Column("help", "text", "A short note shown with the field.", 50),
    ),
)

CHOICES = Sheet(
    "Choices",
    "The choices of each choice field, in the order offered.",
    (
        Column("field", "id", "The id of a case detail of type choice.", 16, (), True),
        Column("value", "id", "What is stored; unique within the field.", 16, (), True),
        Column("label", "text", "What is shown.", 40, (), True),
    ),
)

RATING_RULES = Sheet(
    "Rating rules",
    "Whether each rule a rating can come from is confirmed from published guidance or recalled.",
    (
        Column("rule", "choice", "The rule's name; do not change it.", 22, tuple(RULES), True),
        _provenance("rule"),
        Column("meaning", "text", "What the rule says (for reading; not imported).", 80),
    ),
)

BANDS = Sheet(
    "Bands",
    "Four-point scheme: the ratings a standard can have, from the highest min_percent down to 0.",
    (
        Column("rating", "text", "The rating's name.", 24, (), True),
        Column("min_percent", "number", "The inclusive lower bound on the key-question percentage (0 to 100).", 12,
               (), True),
        Column("score", "integer", "The score the rating adds to the overall total.", 8, (), True),
    ),
)

OVERALL_BANDS = Sheet(
    "Overall bands",
    "Four-point scheme: the overall rating for a total score. Rows with out_of blank are for the full "
    "maximum; rows with out_of set are bands published for that reduced maximum.",
    (
        Column("out_of", "integer", "Blank: the full maximum; a number: the reduced maximum these bands are for.", 9),
        Column("rating", "text", "The overall rating's name.", 24, (), True),
        Column("min_score", "integer", "The lowest total score with this rating (inclusive).", 10, (), True),
        Column("max_score", "integer", "The highest total score with this rating (inclusive).", 10, (), True),
    ),
)

SHEETS = (
    SETTINGS, SAMPLES, SAMPLE_RULES, DOMAINS, STANDARDS, QUESTIONS, CASE_DETAILS, CHOICES, RATING_RULES, BANDS,
    OVERALL_BANDS,
)
README_SHEET = "Read me"
