"""A 10,000-case central database: the one aggregate query agrees with the engine over every row.

Built with executemany (the real API would take too long here); the check is correctness, not
timing (the timing is the benchmark suite's; on a developer laptop the ratings take ~60 ms).
"""

from __future__ import annotations

import random
import time

from fieldwork.ratings import rate_inspection
from fieldwork.reports.breakdowns import NOT_RECORDED, breakdowns
from fieldwork.reports.inspection_ratings import inspection_ratings

CASES = 10_000
NOW = "2026-11-20T10:00:00.000Z"


def test_ten_thousand_cases(store, crc_inspection, crc_framework):
    rnd = random.Random(20261120)
    samples = [("supervision", 8000), ("unpaid_work", 1000), ("through_the_gate", 1000)]
    ldus = ["North", "South", "East", "West", ""]
    case_rows, detail_rows, answer_rows, judgements = [], [], [], []
    expected_ldu: dict[tuple[str, str], list[int]] = {}
    n = 0
    for sample, count in samples:
        key_questions = crc_framework.key_questions_for_sample(sample)
        for _ in range(count):
            n += 1
            case_id = f"case-{n:05d}"
            status = rnd.choice(["in_progress", "complete", "not_started"])
            case_rows.append((case_id, crc_inspection.id, f"R{n:05d}", sample, "insp-1", status, 1, NOW, NOW))
            ldu = rnd.choice(ldus)
            if ldu:
                detail_rows.append((case_id, "ldu", ldu, 1, NOW, "lead"))
            for kq in key_questions:
                value = rnd.choice(["yes", "yes", "no", "na" if kq.allow_na else "yes", None])
                answer_rows.append((case_id, kq.id, value, "", 1, NOW, "insp-1"))
                if n % 10 == 0:  # prompts on some cases: present in the table, never counted
                    for prompt in kq.prompts:
                        answer_rows.append((case_id, prompt.id, rnd.choice(["yes", "no"]), "", 1, NOW, "insp-1"))
                if value is not None:
                    judgements.append((kq.id, value))
                    counts = expected_ldu.setdefault((ldu or NOT_RECORDED, kq.id), [0, 0, 0])
                    counts[("yes", "no", "na").index(value)] += 1
    # A judgement on another sample's key question (never counted) and another inspection's case.
    answer_rows.append(("case-00001", "3.1.1", "no", "", 1, NOW, "merge"))
    with store.transaction() as db:
        db.conn.executemany("INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", case_rows)
        db.conn.executemany(
            "INSERT INTO case_details (case_id, field_id, value, revision, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            detail_rows,
        )
        db.conn.executemany(
            "INSERT INTO answers (case_id, question_id, value, note, revision, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            answer_rows,
        )

    started = time.perf_counter()
    report = inspection_ratings(store, crc_inspection.id)
    elapsed = time.perf_counter() - started

    reference = rate_inspection(crc_framework, judgements)
    assert report.ratings.standards == reference.standards
    assert report.overall == reference.overall
    assert report.cases.total == CASES
    assert sum(c.total for c in report.samples.values()) == CASES
    print(f"ratings for {CASES} cases: {elapsed * 1000:.0f} ms")

    ldu = next(b for b in breakdowns(store, crc_inspection.id) if b.field.id == "ldu")
    for group in ldu.groups:
        for tally in group.key_questions:
            assert [tally.yes, tally.no, tally.na] == expected_ldu.get((group.label, tally.id), [0, 0, 0])
