"""Key-question tallies of a region's combined standards, from its PDU inspections' results.

One GROUP BY over the contributed judgements (by framework, sample, question, value); each
region key question then takes the counts of the PDU key question and sample it names. The
counting is the one own cases get (reports/tallies.py): Yes / (Yes + No), Not applicable apart,
only cases of the named sample, so three PDUs taken in give exactly the percentages of the same
cases recorded in one inspection.
"""

from __future__ import annotations

from fieldwork.frameworks.model import Framework
from fieldwork.ratings import KeyQuestionTally
from fieldwork.reports.tallies import add_counts
from fieldwork.store.db import Store


def contributed_tallies(store: Store, inspection_id: str, framework: Framework) -> dict[str, KeyQuestionTally]:
    """Region key question id → its tally over every contributed case of the named sample."""
    standards = framework.combined_standards
    if not standards:
        return {}
    rows = store.db.execute(
        "SELECT r.framework_id, r.framework_version, c.sample_id, j.question_id, j.value, COUNT(*) "
        "FROM region_contributed_judgements j "
        "JOIN region_contributed_cases c USING (region_inspection_id, pdu_inspection_id, signer_key_id, case_uuid) "
        "JOIN region_contributions r USING (region_inspection_id, pdu_inspection_id, signer_key_id) "
        "WHERE j.region_inspection_id = ? "
        "GROUP BY r.framework_id, r.framework_version, c.sample_id, j.question_id, j.value",
        [inspection_id],
    ).fetchall()
    counted: dict[tuple[str, str, str, str], list[tuple[str, int]]] = {}
    for fw_id, fw_version, sample, question, value, n in rows:
        counted.setdefault((fw_id, fw_version, sample, question), []).append((value, n))
    counts: dict[str, list[int]] = {}
    for standard in standards:
        for kq in standard.key_questions:
            source = (standard.from_framework, standard.from_version, standard.from_sample, kq.from_question)
            for value, n in counted.get(source, ()):
                add_counts(counts, kq.id, value, n)
    return {kq_id: KeyQuestionTally(kq_id, *row) for kq_id, row in counts.items()}
