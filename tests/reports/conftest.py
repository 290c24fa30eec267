"""Stores for the ratings and report tests, built with the real store API (add_case, set_answer)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from fieldwork.frameworks.loader import load_framework
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import add_case, create_inspection
from fieldwork.store.records import Inspection

REPO = Path(__file__).resolve().parents[2]
CRC_PATH = REPO / "resources" / "frameworks" / "hmip-adult-2018-crc.toml"


class CaseMaker:
    """Adds numbered cases with judgements and details to one inspection."""

    def __init__(self, store, inspection: Inspection):
        self.store = store
        self.inspection = inspection
        self.count = 0

    def case(
        self,
        answers: Mapping[str, str | None] | None = None,
        *,
        sample: str | None = None,
        details: Mapping[str, str] | None = None,
        notes: Mapping[str, str] | None = None,
        ref: str | None = None,
    ) -> str:
        """One case: `answers` maps question id → yes/no/na; returns the case id."""
        self.count += 1
        case = add_case(
            self.store, self.inspection, ref or f"C{self.count:04d}", sample_id=sample, details=details or {}
        )
        for question_id, value in (answers or {}).items():
            note = (notes or {}).get(question_id)
            if note is None and value == "na" and self._is_key_question(question_id):
                note = "Not applicable: no review was due."
            if note is None:
                set_answer(self.store, case.id, question_id, value=value)
            else:
                set_answer(self.store, case.id, question_id, value=value, note=note)
        return case.id

    def _is_key_question(self, question_id: str) -> bool:
        from fieldwork.store.inspections import framework_for

        return framework_for(self.store, self.inspection).question_kind(question_id) == "key_question"

    def judged(self, kq_id: str, yes: int = 0, no: int = 0, na: int = 0, **kwargs) -> list[str]:
        """`yes + no + na` cases, each with one judgement on `kq_id`."""
        values = ["yes"] * yes + ["no"] * no + ["na"] * na
        return [self.case({kq_id: value}, **kwargs) for value in values]


@pytest.fixture(scope="session")
def crc_framework():
    return load_framework(CRC_PATH)


@pytest.fixture
def cases(store, inspection) -> CaseMaker:
    """Cases for the mini-framework inspection `insp-test` (store acting as insp-1)."""
    return CaseMaker(store, inspection)


@pytest.fixture
def crc_inspection(store, crc_framework) -> Inspection:
    return create_inspection(
        store,
        inspection_id="crc-1",
        provider="Westshire <CRC> & Partners",
        provider_type="CRC",
        framework=crc_framework,
        fieldwork_start="2026-11-02",
        fieldwork_end="2026-11-13",
        lead_id="lead-1",
    )


@pytest.fixture
def crc_cases(store, crc_inspection) -> CaseMaker:
    return CaseMaker(store, crc_inspection)
