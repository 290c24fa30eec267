"""Seeded generator of realistic inspections for benchmarks (evidence of realistic length)."""

from __future__ import annotations

import random

from fieldwork.frameworks.catalogue import find_framework
from fieldwork.frameworks.model import Answer, Framework
from fieldwork.store import Store
from fieldwork.store.inspections import add_case, create_inspection

_WORDS = (
    "assessment plan review risk harm partner children police social care contact appointments "
    "motivation compliance accommodation employment drug alcohol programme supervision officer "
    "record analysis sources information victim safety contingency intervention referral agency "
    "engagement attendance enforcement warning licence order requirement progress strengths needs"
).split()


def evidence_text(rng: random.Random, words: int = 90) -> str:
    """About 600 characters of evidence, the length inspectors typically write."""
    body = " ".join(rng.choice(_WORDS) for _ in range(words))
    return body[0].upper() + body[1:] + "."


def benchmark_framework() -> Framework:
    return find_framework("hmip-adult-2018-crc")


def fill_inspection(
    store: Store, inspection_id: str, cases: int, *, seed: int = 1, answered: bool = True, case_prefix: str = "B"
) -> list[str]:
    """Create an inspection with `cases` supervision cases, every question answered with evidence."""
    rng = random.Random(seed)
    framework = benchmark_framework()
    inspection = create_inspection(
        store, inspection_id=inspection_id, provider="Benchmark CRC", provider_type="CRC", framework=framework
    )
    questions = framework.key_questions_for_sample(framework.default_sample.id)
    case_ids = []
    with store.transaction():  # one transaction: generating data is not what is measured
        for number in range(cases):
            case = add_case(
                store, inspection, f"{case_prefix}{number:05d}", details={"rosh": rng.choice(["low", "medium", "high"])}
            )
            case_ids.append(case.id)
            if not answered:
                continue
            now = store.now()
            rows = []
            for question in questions:
                for prompt in question.prompts:
                    rows.append(
                        (case.id, prompt.id, rng.choice([Answer.YES.value, Answer.NO.value]), "", 1, now, store.actor)
                    )
                rows.append(
                    (
                        case.id,
                        question.id,
                        rng.choice([Answer.YES.value, Answer.NO.value]),
                        evidence_text(rng),
                        1,
                        now,
                        store.actor,
                    )
                )
            store.db.conn.executemany(
                "INSERT INTO answers (case_id, question_id, value, note, revision, updated_at, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            store.db.execute("UPDATE cases SET status = 'in_progress', revision = 1 WHERE id = ?", [case.id])
    return case_ids
