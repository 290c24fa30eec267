"""What a verified bundle may say in the lead's store: only its signer's own work, made in the past.

The record rules (bundles/records.py) already refuse an answer or change-log entry that names
anyone but the signer. Here, with the lead's store at hand (decision 0019):
- a bundle signed by the inspection's lead, or by the person this store acts as, is refused:
  nothing a bundle carries may pass for the lead's own decision, edit or change-log entry;
- a bundle made more than a day after the lead's clock is refused: a made-up future time
  must not decide which of two people's versions is shown;
- a case detail naming someone else is a copy of the lead's row that an allocation pack carried.
  It is never stored in that person's name: dropped when the lead's store holds that detail at
  its revision or later, otherwise stored as the signer's own version (see own_details).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence

import msgspec

from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.fields import later_by
from fieldwork.bundles.format import Manifest
from fieldwork.bundles.records import CaseDetailRecord
from fieldwork.errors import FieldworkError

CLOCK_SLACK_DAYS = 1  # inspectors' laptop clocks may be a little off; more is not a clock error


def check_signer_is_not_the_lead(manifest: Manifest, lead_ids: Sequence[str | None]) -> None:
    if manifest.inspector_id in {i for i in lead_ids if i}:
        raise BundleError(
            "foreign-author",
            f"This bundle is signed as {manifest.inspector_id}, the lead of this inspection, so it was not "
            "merged, as it could otherwise pass for the lead's own decisions (the lead's work is entered "
            "in this store directly); ask IT security who holds that key.",
            detail="signed as the lead",
        )


def check_not_from_the_future(manifest: Manifest, now: str) -> None:
    if manifest.created_at > later_by(now, CLOCK_SLACK_DAYS):
        raise FieldworkError(
            f"This bundle from {manifest.inspector_id} says it was made at {manifest.created_at}, after "
            f"this computer's clock ({now[:16].replace('T', ' ')} UTC), so it was not merged: a time in "
            "the future could decide which answer is shown; ask the inspector to check the date on their "
            "computer and export again, and check this computer's date too.",
            code="future-bundle",
        )


def own_details(
    conn: sqlite3.Connection, signer: str, details: Sequence[CaseDetailRecord], target: Mapping[str, str]
) -> list[CaseDetailRecord]:
    """The case details to store as versions, every one in the signer's name.

    A detail naming someone else is a copy of a row an allocation pack carried. When this store
    holds that detail at the copy's revision or later, the copy adds nothing and is dropped. When
    it does not (the lead's store was rebuilt after a lost laptop, or the copy is made up), the
    value is the signer's word and is stored as the signer's version: it can never appear as the
    named person's, and it contends with the lead's own value like any inspector's correction.
    """
    copies = [d for d in details if d.updated_by != signer]
    if not copies:
        return list(details)
    wanted = json.dumps([[target[d.case_uuid], d.field_id] for d in copies])
    known = dict(
        ((case_id, field_id), revision)
        for case_id, field_id, revision in conn.execute(
            "SELECT w.case_id, w.field_id, MAX(COALESCE((SELECT d.revision FROM case_details d "
            "  WHERE d.case_id = w.case_id AND d.field_id = w.field_id), 0), "
            "  COALESCE((SELECT MAX(v.revision) FROM merge_versions v WHERE v.kind = 'detail' "
            "  AND v.case_id = w.case_id AND v.key = w.field_id), 0)) "
            "FROM (SELECT json_extract(value, '$[0]') AS case_id, json_extract(value, '$[1]') AS field_id "
            "FROM json_each(?)) w",
            [wanted],
        )
    )
    kept = [d for d in details if d.updated_by == signer]
    kept += [
        msgspec.structs.replace(d, updated_by=signer)
        for d in copies
        if d.revision > known.get((target[d.case_uuid], d.field_id), 0)
    ]
    return kept
