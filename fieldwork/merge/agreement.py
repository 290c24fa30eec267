"""Agreement between inspectors on double-read cases: percentage agreement and Cohen's kappa.

Per key question, over the cases at least two inspectors judged: each inspector's latest
judgement (their highest revision; the lead's own edits are not an inspector's reading). With
more than two readers every pair counts. In a pair the "first reader" is the case's allocated
inspector (else the lower person id), so Cohen's two raters are first and second reader.
kappa = (p_o - p_e) / (1 - p_e) over the categories yes / no / na; when p_e = 1 (everyone
always gave the same one category) kappa is undefined and reported as None with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from fieldwork.merge.held import held_version
from fieldwork.merge.versions import LOCAL, Version, heads, rank
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection

CATEGORIES = ("yes", "no", "na")


@dataclass(frozen=True)
class Agreement:
    """Agreement on one key question (or, with question_id None, all key questions pooled)."""

    question_id: str | None
    double_read: int  # cases judged by two or more inspectors
    pairs: int
    agreed: int
    percent: float | None
    kappa: float | None
    kappa_note: str | None  # why kappa is None

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AgreementReport:
    inspection_id: str
    questions: tuple[Agreement, ...]  # framework order
    overall: Agreement

    def to_json(self) -> dict:
        return {
            "inspection_id": self.inspection_id,
            "questions": [q.to_json() for q in self.questions],
            "overall": self.overall.to_json(),
        }


def score(question_id: str | None, pairs: list[tuple[str, str]], double_read: int) -> Agreement:
    """Percentage agreement and Cohen's kappa for (first reader, second reader) judgements."""
    n = len(pairs)
    if n == 0:
        return Agreement(question_id, 0, 0, 0, None, None, "no double-read cases")
    agreed = sum(1 for a, b in pairs if a == b)
    observed = Fraction(agreed, n)
    first = {c: Fraction(sum(1 for a, _ in pairs if a == c), n) for c in CATEGORIES}
    second = {c: Fraction(sum(1 for _, b in pairs if b == c), n) for c in CATEGORIES}
    expected = sum(first[c] * second[c] for c in CATEGORIES)
    percent = round(float(observed * 100), 1)
    if expected == 1:
        return Agreement(
            question_id, double_read, n, agreed, percent, None,
            "undefined: every judgement was the same one answer, so chance agreement is 100%",
        )
    kappa = (observed - expected) / (1 - expected)
    return Agreement(question_id, double_read, n, agreed, percent, round(float(kappa), 3), None)


def agreement(store: Store, inspection_id: str) -> AgreementReport:
    """Per key question of the framework, and pooled over all of them."""
    inspection = get_inspection(store, inspection_id)
    framework = framework_for(store, inspection)
    key_questions = [kq.id for s in framework.standards if s.basis == "cases" for kq in s.key_questions]
    not_readers = {a for a in (inspection.lead_id, store.actor) if a}
    allocated = dict(store.db.execute("SELECT id, inspector_id FROM cases WHERE inspection_id = ?", [inspection_id]))
    grouped: dict[tuple[str, str], list[Version]] = defaultdict(list)
    rows = store.db.execute(
        "SELECT v.id, v.kind, v.case_id, v.key, v.value, v.note, v.revision, v.author, v.updated_at, v.origin, "
        "v.bundle_id FROM merge_versions v JOIN cases c ON c.id = v.case_id "
        f"WHERE c.inspection_id = ? AND v.kind = 'answer' AND v.origin != ? AND NOT {held_version('v')}",
        [inspection_id, LOCAL],
    )
    wanted = set(key_questions)
    for row in rows:
        version = Version(*row)
        if version.key in wanted and version.author not in not_readers:
            grouped[(version.case_id, version.key)].append(version)
    per_question: dict[str, list[tuple[str, str]]] = defaultdict(list)
    double_read: dict[str, int] = defaultdict(int)
    for (case_id, question_id), versions in grouped.items():
        latest: dict[str, str] = {}
        for v in rank(heads(versions)):  # best first: a fork counts as its preferred version
            latest.setdefault(v.author, v.value)
        judged = {a: value for a, value in latest.items() if value is not None}
        if len(judged) < 2:
            continue
        double_read[question_id] += 1
        for a, b in combinations(sorted(judged), 2):
            first, second = (b, a) if allocated.get(case_id) == b else (a, b)
            per_question[question_id].append((judged[first], judged[second]))
    questions = tuple(score(q, per_question[q], double_read[q]) for q in key_questions)
    pooled = [pair for q in key_questions for pair in per_question[q]]
    return AgreementReport(inspection_id, questions, score(None, pooled, sum(double_read.values())))
