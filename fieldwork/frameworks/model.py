"""The parsed framework: domains → standards → key questions → prompts, case details, rules.

Everything here is immutable and built only by the loader, which has already checked it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction


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

    def allowed(self) -> tuple[Answer, ...]:
        return (Answer.YES, Answer.NO, Answer.NA) if self.allow_na else (Answer.YES, Answer.NO)


@dataclass(frozen=True)
class Standard:
    id: str
    domain_id: str
    title: str
    statement: str
    basis: str  # "cases" or "judgement"
    sample_id: str | None
    provenance: str
    key_questions: tuple[KeyQuestion, ...]

    @property
    def rated_from_cases(self) -> bool:
        return self.basis == "cases"


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


@dataclass(frozen=True)
class RatingRules:
    bands: tuple[Band, ...]  # highest min_percent first
    not_rated: str
    overall_bands: tuple[OverallBand, ...]
    unrated_standards: str  # "provisional" or "not_rated"

    def ratings(self) -> tuple[str, ...]:
        """Every rating name a standard can have, best first."""
        return tuple(b.rating for b in self.bands)

    def score_for(self, rating: str) -> int | None:
        return next((b.score for b in self.bands if b.rating == rating), None)


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
    source_path: str = ""
    # The exact bytes the framework was parsed from: pinned in stores and packs.
    source_bytes: bytes = field(default=b"", repr=False, compare=False)
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        """Identity of this exact framework text: id, version and content hash."""
        return f"{self.id}@{self.version}#{self.content_hash[:12]}"

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

    def question_kind(self, question_id: str) -> str | None:
        """'key_question', 'prompt', 'case_detail' or None for an unknown id."""
        for kind in ("key_questions", "prompts", "case_details"):
            if question_id in self._index[kind]:
                return kind[:-1]
        return None

    def standards_for_sample(self, sample_id: str) -> tuple[Standard, ...]:
        """The case-rated standards that a case of this sample answers."""
        return tuple(s for s in self.standards if s.rated_from_cases and s.sample_id == sample_id)

    def key_questions_for_sample(self, sample_id: str) -> tuple[KeyQuestion, ...]:
        return tuple(kq for s in self.standards_for_sample(sample_id) for kq in s.key_questions)

    def parent_key_question(self, prompt_id: str) -> KeyQuestion:
        return self._index["prompt_parent"][prompt_id]
