"""The parsed framework: domains → standards → key questions → prompts, case details, rules.

Everything here is immutable and built only by the loader, which has already checked it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from fieldwork.text import CONTROL_CHARACTERS, DETAIL_MAX_CHARS, SURROGATES


class Answer(StrEnum):
    """The stored value of a prompt answer or a key-question judgement."""

    YES = "yes"
    NO = "no"
    NA = "na"


@dataclass(frozen=True)
class Prompt:
    id: str
    text: str
    allow_na: bool
    provenance: str
    guidance: str = ""  # format 2: the CARaG guidance on this prompt, shown on demand (F2)
    # format 2: the ids this prompt had in earlier versions; answers under them carry over (decision 0042)
    renamed_from: tuple[str, ...] = ()

    def allowed(self) -> tuple[Answer, ...]:
        return (Answer.YES, Answer.NO, Answer.NA) if self.allow_na else (Answer.YES, Answer.NO)


@dataclass(frozen=True)
class KeyQuestion:
    id: str
    standard_id: str
    text: str
    lens: str | None
    allow_na: bool
    na_reason_required: bool
    guidance: str
    provenance: str
    prompts: tuple[Prompt, ...]
    # False: recorded per case and reported (percentages, breakdowns) but never enters a rating,
    # e.g. management oversight in the 2023 probation standards.
    rated: bool = True
    # basis = "combined": the contributing framework's key question whose judgements count here.
    from_question: str = ""
    # format 2: the ids this key question had in earlier versions (decision 0042)
    renamed_from: tuple[str, ...] = ()

    def allowed(self) -> tuple[Answer, ...]:
        return (Answer.YES, Answer.NO, Answer.NA) if self.allow_na else (Answer.YES, Answer.NO)


@dataclass(frozen=True)
class Standard:
    id: str
    domain_id: str
    title: str
    statement: str
    basis: str  # "cases", "premises", "judgement" or "combined" (from other inspections' results)
    sample_id: str | None
    provenance: str
    key_questions: tuple[KeyQuestion, ...]
    # False: a reported standard, answered and shown like any other but never rated and never
    # part of the overall score or its maximum.
    rated: bool = True
    number: str = ""  # the number reports show, where it differs from the id (ids stay stable)
    # The statement's own provenance: a confirmed standard name may carry a recalled statement.
    statement_provenance: str = ""
    # False: rated and shown, but its score is not part of the overall rating (e.g. PDU domain
    # one in the 2023 programme, whose overall rating follows the four core case standards).
    counts_in_overall: bool = True
    # basis = "combined": the framework (id, version) the contributing inspections were recorded
    # under, and the sample of theirs whose cases count (decision 0035).
    from_framework: str = ""
    from_version: str = ""
    from_sample: str = ""

    @property
    def shown_number(self) -> str:
        return self.number or self.id

    @property
    def name(self) -> str:
        """How reports and screens name the standard: its number as published, and its title."""
        return f"{self.shown_number} {self.title}"

    @property
    def rated_from_cases(self) -> bool:
        """Computed from case judgements, this inspection's own or other inspections' (combined)."""
        return self.basis in ("cases", "combined")

    @property
    def combined(self) -> bool:
        """Rated from the combined results of other inspections (a region's PDU inspections)."""
        return self.basis == "combined"

    @property
    def rated_for_premises(self) -> bool:
        """Answered once for the premises (format 2, decision 0037), not case by case."""
        return self.basis == "premises"

    @property
    def computed(self) -> bool:
        """Its rating is computed from answers (cases', other inspections' cases' or the premises'),
        so the lead overrides it with a reason; otherwise the lead rates it by judgement with evidence."""
        return self.basis in ("cases", "combined", "premises")

    @property
    def basis_text(self) -> str:
        """How screens, reports, the About view and the framework diff say where the rating comes from."""
        if self.combined:
            return f"rated from the combined results of {self.from_framework} inspections ({self.from_sample} cases)"
        return {
            "cases": "rated from cases",
            "premises": "rated from the answers for the premises",
        }.get(self.basis, "rated by the lead's judgement")

    @property
    def premises_questions(self) -> tuple:
        """What the lead answers for the premises: each prompt, and each key question without
        prompts (decision 0037); empty unless the standard is rated for the premises."""
        if not self.rated_for_premises:
            return ()
        return tuple(item for kq in self.key_questions for item in (kq.prompts or (kq,)))

    @property
    def rated_key_questions(self) -> tuple[KeyQuestion, ...]:
        """The key questions a rating is drawn from (reported-only ones left out)."""
        return tuple(kq for kq in self.key_questions if kq.rated) if self.rated else ()


@dataclass(frozen=True)
class Domain:
    id: str
    title: str
    provenance: str
    standards: tuple[Standard, ...]


@dataclass(frozen=True)
class Sample:
    id: str
    title: str
    default: bool
    description: str


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class CaseDetailField:
    id: str
    label: str
    type: str  # text | choice | date | integer | boolean
    choices: tuple[Choice, ...]
    required: bool
    personal: bool
    breakdown: bool
    help: str

    def label_for(self, value: str | None) -> str:
        if value is None or value == "":
            return ""
        if self.type == "choice":
            return next((c.label for c in self.choices if c.value == value), value)
        if self.type == "boolean":
            return {"true": "Yes", "false": "No"}.get(value, value)
        return value

    def is_stored_form(self, value: str) -> bool:
        """True when `value` is already as fieldwork stores it (a choice's value, not its label; a
        date YYYY-MM-DD; ...): what packs and bundles must carry, so nothing is normalised twice."""
        try:
            return self.normalise(value) == value
        except ValueError:
            return False

    def normalise(self, raw: str) -> str:
        """The stored form of `raw`, or ValueError naming what is expected.

        Choice fields accept the value or its label in any case; booleans accept
        yes/no/true/false/y/n/1/0; dates are ISO (YYYY-MM-DD); an empty string clears.
        """
        text = raw.strip()
        if text == "":
            return ""
        if self.type == "choice":
            for choice in self.choices:
                if text.casefold() in (choice.value.casefold(), choice.label.casefold()):
                    return choice.value
            allowed = ", ".join(c.value for c in self.choices)
            raise ValueError(f"'{text}' is not one of: {allowed}")
        if self.type == "boolean":
            lowered = text.casefold()
            if lowered in ("yes", "y", "true", "1"):
                return "true"
            if lowered in ("no", "n", "false", "0"):
                return "false"
            raise ValueError(f"'{text}' is not yes or no")
        if self.type == "integer":
            try:
                return str(int(text))
            except ValueError:
                raise ValueError(f"'{text}' is not a whole number") from None
        if self.type == "date":
            try:
                return dt.date.fromisoformat(text).isoformat()
            except ValueError:
                raise ValueError(f"'{text}' is not a date written YYYY-MM-DD") from None
        # Free text is one line of at most DETAIL_MAX_CHARS, as bundles and packs carry it.
        if len(text) > DETAIL_MAX_CHARS:
            raise ValueError(f"the text is {len(text):,} characters long; at most {DETAIL_MAX_CHARS:,} are allowed")
        if CONTROL_CHARACTERS.search(text) or SURROGATES.search(text):
            raise ValueError("the text contains a line break, tab or other control character; write it on one line")
        return text


@dataclass(frozen=True)
class Band:
    rating: str
    min_percent: Fraction
    score: int


@dataclass(frozen=True)
class OverallBand:
    rating: str
    min_score: int
    max_score: int


# The rules a rating can come from. Each is named in every rating fieldwork gives, with whether
# the framework file says it is confirmed from published guidance or recalled (decision 0028).
RULES = {
    "lowest_key_question": "a standard rated from cases takes the band of its lowest key-question percentage",
    "no_cases_not_rated": "a standard with no case judged sufficient or insufficient is not rated",
    "premises_answers": (
        "a standard rated for the premises takes the band of its lowest key question, each key question's "
        "percentage being the share of Yes among the premises' answers to its prompts (its own answer when "
        "it has no prompts)"
    ),
    "premises_not_answered": "a standard rated for the premises with nothing answered Yes or No is not rated",
    "lead_judgement": "the lead inspector's judgement, recorded with evidence",
    "lead_override": "the lead inspector's override of the computed rating, recorded with a reason",
    "reported_not_rated": "a reported standard: results shown, never rated",
    "overall_score_bands": "the overall rating is the band of the sum of the standards' scores",
    "reduced_maximum": "standards not rated leave the maximum; the overall rating is final out of the reduced maximum",
    "provisional": "while a standard is not rated, the overall rating is provisional",
    "withheld": "while a standard is not rated, no overall rating is given",
    "sufficiency_only": "no four-point rating: sufficiency percentages and a written judgement only",
}


@dataclass(frozen=True)
class ReducedBands:
    """Overall bands published for one reduced maximum; they take precedence over scaling."""

    max_score: int
    bands: tuple[OverallBand, ...]


@dataclass(frozen=True)
class RatingRules:
    bands: tuple[Band, ...]  # highest min_percent first; empty for the sufficiency scheme
    not_rated: str
    overall_bands: tuple[OverallBand, ...]
    # "reduced_maximum" (HMI Probation's published practice), "provisional" or "not_rated"
    unrated_standards: str
    scheme: str = "four_point"  # or "sufficiency": percentages and a written judgement only
    written_judgement: str = ""  # sufficiency scheme: the label of the lead's written judgement
    reduced_bands: tuple[ReducedBands, ...] = ()
    # rule id → "confirmed" or "recalled"; every rule of RULES has an entry (default recalled)
    rule_provenance: dict[str, str] = field(default_factory=dict)

    @property
    def four_point(self) -> bool:
        return self.scheme == "four_point"

    def ratings(self) -> tuple[str, ...]:
        """Every rating name a standard can have, best first."""
        if not self.four_point:
            return (self.written_judgement,)
        return tuple(b.rating for b in self.bands)

    def score_for(self, rating: str) -> int | None:
        return next((b.score for b in self.bands if b.rating == rating), None)

    @property
    def top_score(self) -> int:
        return max((b.score for b in self.bands), default=0)

    def provenance_of(self, rule: str) -> str:
        """'confirmed' or 'recalled': never confirmed unless the file says so."""
        return self.rule_provenance.get(rule, "recalled")

    def bands_for_maximum(self, max_score: int, full_max: int) -> tuple[tuple[OverallBand, ...], bool]:
        """The overall bands for `max_score` and whether they are scaled from the full maximum.

        A published table for this maximum wins; otherwise each band's lower bound is taken as
        a fraction of the full maximum (decision 0028), which leaves the full-maximum bands as
        written.
        """
        if max_score == full_max:
            return self.overall_bands, False
        for table in self.reduced_bands:
            if table.max_score == max_score:
                return table.bands, False
        return self.overall_bands, True


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    title: str
    provider_types: tuple[str, ...]
    person_term: str
    source: str
    attribution: str
    licence: str
    provenance: str
    provenance_note: str
    answer_labels: dict[str, str]
    judgement_labels: dict[str, str]
    samples: tuple[Sample, ...]
    domains: tuple[Domain, ...]
    case_details: tuple[CaseDetailField, ...]
    rating: RatingRules
    content_hash: str  # sha256 hex of the file's bytes
    format: int = 1
    status: str = "current"  # "current" or "historic"
    applies_from: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD; "" when the file does not say
    applies_to: str = ""
    status_note: str = ""
    # Rules choosing a case's sample from its case details (format 2; none in format 1).
    sample_rules: tuple = ()
    source_path: str = ""
    # The exact bytes the framework was parsed from: pinned in stores and packs.
    source_bytes: bytes = field(default=b"", repr=False, compare=False)
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        """Identity of this exact framework text: id, version and content hash."""
        return f"{self.id}@{self.version}#{self.content_hash[:12]}"

    @property
    def historic(self) -> bool:
        return self.status == "historic"

    @property
    def period(self) -> str:
        """When the framework applied, e.g. "2018 to 2021" or "from 2025-04"; "" when unknown."""
        if self.applies_from and self.applies_to:
            return f"{self.applies_from} to {self.applies_to}"
        if self.applies_from:
            return f"from {self.applies_from}"
        return ""

    @property
    def standards(self) -> tuple[Standard, ...]:
        return tuple(s for d in self.domains for s in d.standards)

    def standard(self, standard_id: str) -> Standard:
        return self._index["standards"][standard_id]

    def key_question(self, kq_id: str) -> KeyQuestion:
        return self._index["key_questions"][kq_id]

    def prompt(self, prompt_id: str) -> Prompt:
        return self._index["prompts"][prompt_id]

    def case_detail(self, field_id: str) -> CaseDetailField:
        return self._index["case_details"][field_id]

    def sample(self, sample_id: str) -> Sample:
        return self._index["samples"][sample_id]

    @property
    def default_sample(self) -> Sample:
        return next(s for s in self.samples if s.default)

    def sample_by_rule(self, details):
        """(sample id, the rule that chose it or None): the default sample when no rule matches."""
        from fieldwork.frameworks.sample_rules import choose

        return choose(self.sample_rules, self.default_sample.id, details)

    def question_kind(self, question_id: str) -> str | None:
        """'key_question', 'prompt', 'case_detail' or None for an unknown id."""
        for kind in ("key_questions", "prompts", "case_details"):
            if question_id in self._index[kind]:
                return kind[:-1]
        return None

    @property
    def rated_standards(self) -> tuple[Standard, ...]:
        """The standards an overall rating is made of (reported ones and those outside it left out)."""
        return tuple(s for s in self.standards if s.rated and s.counts_in_overall)

    @property
    def premises_standards(self) -> tuple[Standard, ...]:
        """The standards answered once for the premises (decision 0037)."""
        return tuple(s for s in self.standards if s.rated_for_premises)

    def premises_question(self, question_id: str):
        """The prompt or prompt-less key question of a premises standard with this id, or KeyError."""
        for standard in self.premises_standards:
            for item in standard.premises_questions:
                if item.id == question_id:
                    return item
        raise KeyError(question_id)

    def standards_for_sample(self, sample_id: str) -> tuple[Standard, ...]:
        """The case-rated standards that a case of this sample answers."""
        return tuple(s for s in self.standards if s.basis == "cases" and s.sample_id == sample_id)

    @property
    def combined_standards(self) -> tuple[Standard, ...]:
        """The standards rated from other inspections' results (decision 0035)."""
        return tuple(s for s in self.standards if s.combined)

    def key_questions_for_sample(self, sample_id: str) -> tuple[KeyQuestion, ...]:
        return tuple(kq for s in self.standards_for_sample(sample_id) for kq in s.key_questions)

    def question_number(self, question_id: str) -> str:
        """The number screens and reports show for a key question or prompt (decision 0036).

        Where its standard is published under another number than its id (CRC 3.1 is reported
        as 4.1: decision 0029), a question whose id starts with the standard's id shows the
        standard's number in its place: 3.1.1 → 4.1.1, 3.1.1.a → 4.1.1.a. Ids stay as they are
        in the store, the files and every machine output; any other id is shown unchanged."""
        numbers = self._index.get("question_numbers")
        if numbers is None:
            numbers = {}
            for standard in self.standards:
                if not standard.number or standard.number == standard.id:
                    continue
                prefix = standard.id + "."
                for kq in standard.key_questions:
                    for qid in (kq.id, *(p.id for p in kq.prompts)):
                        if qid.startswith(prefix):
                            numbers[qid] = standard.number + qid[len(standard.id):]
            self._index["question_numbers"] = numbers
        return numbers.get(question_id, question_id)

    def renamed_ids(self) -> dict[str, str]:
        """Earlier question id → the key question or prompt of this text that carries it on."""
        return {
            old: item.id
            for kq in (kq for s in self.standards for kq in s.key_questions)
            for item in (kq, *kq.prompts)
            for old in item.renamed_from
        }

    def parent_key_question(self, prompt_id: str) -> KeyQuestion:
        return self._index["prompt_parent"][prompt_id]
