"""The Merge tab's one button for both kinds of file: inspectors' work bundles and, in a region
inspection, PDU results bundles (decision 0035). The kind is read from the signed manifest of a
file the lead's keys open; nothing is trusted from it before the full verification that follows.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from fieldwork.errors import FieldworkError
from fieldwork.merge.report import ALREADY_IMPORTED, IMPORTED, REFUSED, FileResult, MergeReport
from fieldwork.region import contributions
from fieldwork.region.results_format import RESULTS_KIND
from fieldwork.region.results_verify import peek_kind
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection
from fieldwork.text import plural

_STATUS = {contributions.IMPORTED: IMPORTED, contributions.REPLACED: IMPORTED,
           contributions.ALREADY: ALREADY_IMPORTED, contributions.REFUSED: REFUSED}


def _as_file_result(result: contributions.ResultsFileResult, region_id: str) -> FileResult:
    """A results file in the Merge tab's table: the signer as the person, the PDU in the notes."""
    notes = ()
    if result.status in (contributions.IMPORTED, contributions.REPLACED):
        what = "replaced its earlier results" if result.status == contributions.REPLACED else "taken in"
        notes = (f"Results of PDU inspection {result.pdu_inspection_id}: {plural(result.cases, 'case')}, {what}; "
                 "see the Ratings tab.",)
    return FileResult(
        result.path, _STATUS[result.status], inspection_id=region_id, inspector_id=result.signer or None,
        sequence=result.sequence or None, cases=result.cases, code=result.code or None,
        message=result.message or None, notes=notes,
    )


def _kind(path: str, identity) -> str:
    try:
        return peek_kind(path, identity)
    except (FieldworkError, OSError):
        return "work"  # the merge's own verification says what is wrong with it


def merge_any(
    store: Store,
    paths: Sequence[str | os.PathLike],
    identity,
    *,
    inspection_id: str,
    progress: Callable[[int, int, FileResult], None] | None = None,
    data_dir: Path | None = None,
) -> MergeReport:
    """Merge work bundles and, when `inspection_id` is a region inspection, take results bundles in;
    results in the order given. Elsewhere a results bundle reaches the merge, which refuses it with
    where it goes."""
    from fieldwork.merge import merge_bundles

    framework = framework_for(store, get_inspection(store, inspection_id))
    paths = [os.fspath(p) for p in paths]
    kinds = {p: _kind(p, identity) for p in set(paths)} if framework.combined_standards else {}
    results_at = [i for i, p in enumerate(paths) if kinds.get(p) == RESULTS_KIND]
    work_at = [i for i in range(len(paths)) if i not in set(results_at)]
    total, done = len(paths), 0
    by_index: dict[int, FileResult] = {}

    def step(result: FileResult) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, result)

    report = MergeReport(())
    if work_at:
        report = merge_bundles(
            store, [paths[i] for i in work_at], identity, inspection_id=inspection_id,
            progress=lambda _d, _t, result: step(result),
        )
        by_index.update(zip(work_at, report.results, strict=True))
    for i in results_at:
        [taken] = contributions.take_in_results(store, inspection_id, [paths[i]], identity, data_dir=data_dir)
        by_index[i] = _as_file_result(taken, inspection_id)
        step(by_index[i])
    return dataclasses.replace(report, results=tuple(by_index[i] for i in range(len(paths))))
