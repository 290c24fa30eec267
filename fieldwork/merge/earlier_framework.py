"""A bundle's framework text against the inspection's (decision 0042).

A bundle made under the inspection's text is checked against it, as always. One made under an
earlier text that the lead moved the inspection on from (fieldwork.store.framework_move) is
checked against that earlier text, then its answers follow the renames of every move since, so
it merges as if made today: an answer to a question that kept its id or was renamed lands on it;
one to a question since removed is kept under its id, shown as kept and never counted. Any other
text is refused (framework-mismatch), as before.
"""

from __future__ import annotations

import dataclasses

from fieldwork.bundles.verify import VerifiedBundle, check_framework, check_records_fit
from fieldwork.frameworks.model import Framework
from fieldwork.store.db import Store
from fieldwork.store.framework_move import moves_of, renames_since
from fieldwork.store.inspections import framework_for
from fieldwork.store.records import Inspection


def checked_for_inspection(store: Store, inspection: Inspection, verified: VerifiedBundle) -> VerifiedBundle:
    """The bundle, its answers under today's question ids; BundleError when its text does not fit."""
    current = framework_for(store, inspection)
    made_under = verified.manifest.framework.hash
    renames = None if made_under == current.content_hash else renames_since(store, inspection, made_under)
    if renames is None:
        check_framework(verified.manifest, current)
        _check_fit(store, inspection, verified, current)
        return verified
    earlier = framework_for(store, dataclasses.replace(inspection, framework_hash=made_under))
    check_framework(verified.manifest, earlier)
    _check_fit(store, inspection, verified, earlier)
    if not renames:
        return verified
    answers = tuple(
        dataclasses.replace(a, question_id=renames.get(a.question_id, a.question_id)) for a in verified.records.answers
    )
    return dataclasses.replace(verified, records=dataclasses.replace(verified.records, answers=answers))


def _check_fit(store: Store, inspection: Inspection, verified: VerifiedBundle, framework: Framework) -> None:
    """check_records_fit, except for answers kept from a question an earlier text of this
    inspection had: they travel back as they are (nothing is lost) and never count."""
    kept = _kept_questions(store, inspection, framework)
    records = verified.records
    if kept and any(a.question_id in kept for a in records.answers):
        records = dataclasses.replace(records, answers=tuple(a for a in records.answers if a.question_id not in kept))
    check_records_fit(records, framework)


def _question_ids(framework: Framework) -> set[str]:
    return {item.id for s in framework.standards for kq in s.key_questions for item in (kq, *kq.prompts)}


def _kept_questions(store: Store, inspection: Inspection, framework: Framework) -> frozenset[str]:
    texts = {m.from_hash for m in moves_of(store, inspection.id)} | {inspection.framework_hash}
    ids: set[str] = set()
    for text in texts:
        ids |= _question_ids(framework_for(store, dataclasses.replace(inspection, framework_hash=text)))
    return frozenset(ids - _question_ids(framework))
