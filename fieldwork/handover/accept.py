"""Accept a verified receipt on the inspector's laptop: which cases are handed over, and the wipe.

The rules (docs/decisions/0013-handover-receipts-and-wipe.md):
- the receipt must be for a bundle this store exported (bundle id, manifest SHA-256, sequence,
  signer key and inspection all as recorded at export), by this profile, in a store that is not
  the inspection's central database; otherwise it is refused and nothing changes;
- a case is handed over only if it is complete here, its revision here is no higher than the one
  the lead holds, and nothing of it changed here after that bundle was made; any other case stays
  as it is, and the plan says why;
- handing over and the optional wipe are one transaction; accepting the same receipt again
  changes nothing more (but can wipe cases it handed over earlier and kept).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from fieldwork.errors import StoreLockedError
from fieldwork.faults import crash_point
from fieldwork.handover.cleanup import CleanupReport, finish_wipe
from fieldwork.handover.errors import ReceiptError
from fieldwork.handover.receipts import VerifiedReceipt
from fieldwork.handover.wipe import secure_delete, wipe_cases
from fieldwork.profile import read_profile
from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store
from fieldwork.store.settings import handover_wipe

log = logging.getLogger("fieldwork.handover")

HAND_OVER = "hand-over"
ALREADY_HANDED_OVER = "already-handed-over"
ALREADY_WIPED = "already-wiped"
CHANGED_SINCE = "changed-since"
NOT_COMPLETE = "not-complete"
NOT_HERE = "not-here"


@dataclass(frozen=True)
class CaseOutcome:
    """What a receipt means for one case it lists."""

    case_id: str
    case_ref: str | None  # None when the case is not in this store
    status: str | None
    local_revision: int | None
    receipt_revision: int
    outcome: str

    def reason(self, sequence: int) -> str:
        """One sentence for the inspector; ids only."""
        ref = self.case_ref or self.case_id
        return {
            HAND_OVER: f"Case {ref} is with your lead: it will be marked handed over.",
            ALREADY_HANDED_OVER: f"Case {ref} was already handed over (its data is still on this laptop).",
            ALREADY_WIPED: f"Case {ref} was already handed over and wiped.",
            CHANGED_SINCE: f"Case {ref} changed on this laptop after bundle {sequence} was made, so it stays as it "
            "is (nothing of it is deleted); export a new bundle for your lead and accept its receipt.",
            NOT_COMPLETE: f"Case {ref} is not complete, so it stays on this laptop for you to finish.",
            NOT_HERE: f"Case {self.case_id} is not on this laptop.",
        }[self.outcome]

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class HandoverPlan:
    """What accepting a receipt would do; nothing has been written."""

    verified: VerifiedReceipt
    bundle_made_at: str  # when this store made the bundle the receipt is for
    outcomes: tuple[CaseOutcome, ...]
    not_in_receipt: int  # cases of the inspection here that the receipt does not list and that are not handed over
    already_accepted: bool
    wipe_setting: str  # ask, always or never

    def having(self, *outcomes: str) -> list[CaseOutcome]:
        return [o for o in self.outcomes if o.outcome in outcomes]

    @property
    def wipeable(self) -> list[CaseOutcome]:
        """Cases a wipe would delete the personal data of: newly and earlier handed over, not yet wiped."""
        return self.having(HAND_OVER, ALREADY_HANDED_OVER)

    def wipe_by_default(self) -> bool | None:
        """The setting's answer: True (always), False (never), None (ask)."""
        return {"always": True, "never": False}.get(self.wipe_setting)

    def to_json(self) -> dict:
        counts = {kind: len(self.having(kind)) for kind in (
            HAND_OVER, ALREADY_HANDED_OVER, ALREADY_WIPED, CHANGED_SINCE, NOT_COMPLETE, NOT_HERE)}
        return {
            "receipt": self.verified.summary(),
            "bundle_made_at": self.bundle_made_at,
            "counts": counts,
            "cases": [o.to_json() for o in self.outcomes],
            "not_in_receipt": self.not_in_receipt,
            "already_accepted": self.already_accepted,
            "wipe_setting": self.wipe_setting,
        }


@dataclass(frozen=True)
class HandoverResult:
    """What accepting a receipt did."""

    plan: HandoverPlan
    handed_over: tuple[str, ...]  # case references newly marked handed over
    wiped: int  # cases whose personal data was deleted now
    cleanup: CleanupReport | None

    def to_json(self) -> dict:
        return {
            **self.plan.to_json(),
            "handed_over": list(self.handed_over),
            "wiped": self.wiped,
            "cleanup": self.cleanup.to_json() if self.cleanup else None,
        }


def _refuse_if_not_ours(store: Store, verified: VerifiedReceipt) -> str:
    """The export's time, after checking the receipt is for a bundle this store exported."""
    r = verified.receipt
    if store.db.execute("SELECT 1 FROM merge_imports WHERE inspection_id = ? LIMIT 1", [r.inspection_id]).fetchone():
        raise ReceiptError(
            "central-store",
            f"This store holds the central database of inspection {r.inspection_id} (bundles were merged into "
            "it), so receipts are not accepted here; accept it in the inspector's own data folder. Nothing was "
            "changed.",
            detail="merge_imports rows",
        )
    profile = read_profile(store)
    if profile.person_id != r.inspector_id:
        raise ReceiptError(
            "wrong-inspector",
            f"This receipt is for {r.inspector_id}'s bundle, but this data folder is {profile.person_id}'s; accept "
            f"it in {r.inspector_id}'s data folder. Nothing was changed.",
            detail=f"receipt for {r.inspector_id}",
        )
    row = store.db.execute(
        "SELECT signer_key_id, inspection_id, sequence, manifest_sha256, created_at FROM bundle_exports "
        "WHERE bundle_id = ?",
        [r.bundle_id],
    ).fetchone()
    if row is None or tuple(row[:4]) != (r.inspector_key_id, r.inspection_id, r.sequence, r.manifest_sha256):
        raise ReceiptError(
            "not-exported-here",
            f"This receipt is for bundle number {r.sequence} of inspection {r.inspection_id} (key "
            f"{r.inspector_key_id[:8]}…), which this data folder did not export, or exported with other content; "
            "so it was refused and nothing was changed. Check you are in the data folder you exported that "
            "bundle from.",
            detail="no matching bundle_exports row" if row is None else "bundle_exports row differs",
        )
    return row[4]


def plan_receipt(store: Store, verified: VerifiedReceipt) -> HandoverPlan:
    """Check the receipt against this store and work out, per case, what accepting it would do.

    Raises ReceiptError (central-store, wrong-inspector, not-exported-here). Writes nothing.
    """
    r = verified.receipt
    made_at = _refuse_if_not_ours(store, verified)
    ids = json.dumps([c.case_uuid for c in r.cases])
    db = store.db
    local = {
        row[0]: row[1:]
        for row in db.execute(
            "SELECT id, inspection_id, case_ref, status, revision, updated_at FROM cases "
            "WHERE id IN (SELECT value FROM json_each(?))",
            [ids],
        )
    }
    records = {
        row[0]: row[1]
        for row in db.execute(
            "SELECT case_id, wiped_at FROM handover_records WHERE case_id IN (SELECT value FROM json_each(?))", [ids]
        )
    }
    last_change = dict(db.execute(
        "SELECT case_id, max(at) FROM change_log WHERE case_id IN (SELECT value FROM json_each(?)) GROUP BY case_id",
        [ids],
    ).fetchall())
    outcomes = []
    for case in r.cases:
        here = local.get(case.case_uuid)
        if here is None or here[0] != r.inspection_id:
            kind = ALREADY_WIPED if records.get(case.case_uuid) else NOT_HERE
            outcomes.append(CaseOutcome(case.case_uuid, None, None, None, case.revision, kind))
            continue
        _, case_ref, status, revision, updated_at = here
        # A record of an earlier handover counts only while the case is still handed over: a case
        # that retention removed and a later pack brought back is new work (retention.py).
        if case.case_uuid in records and status == "handed_over":
            kind = ALREADY_WIPED if records[case.case_uuid] else ALREADY_HANDED_OVER
        elif revision > case.revision or max(updated_at, last_change.get(case.case_uuid) or "") > made_at:
            kind = CHANGED_SINCE
        elif status not in ("complete", "handed_over"):
            kind = NOT_COMPLETE
        else:
            kind = HAND_OVER
        outcomes.append(CaseOutcome(case.case_uuid, case_ref, status, revision, case.revision, kind))
    not_in_receipt = db.execute(
        "SELECT count(*) FROM cases WHERE inspection_id = ? AND id NOT IN (SELECT value FROM json_each(?)) "
        "AND status <> 'handed_over'",
        [r.inspection_id, ids],
    ).fetchone()[0]
    already = db.execute("SELECT 1 FROM receipts_accepted WHERE receipt_id = ?", [r.receipt_id]).fetchone()
    outcomes.sort(key=lambda o: (o.case_ref is None, o.case_ref or o.case_id))
    return HandoverPlan(verified, made_at, tuple(outcomes), not_in_receipt, already is not None, handover_wipe(store))


def accept_receipt(store: Store, verified: VerifiedReceipt, *, wipe: bool) -> HandoverResult:
    """Mark the receipt's cases handed over and, when `wipe`, delete their personal data; one transaction.

    The plan is made again inside the transaction, so nothing can change between the checks and
    the writes. After a wipe the store is compacted and its backups replaced (`cleanup`).
    Raises ReceiptError for the refusals of `plan_receipt`, StoreLockedError in a read-only window.
    """
    if store.read_only:
        raise StoreLockedError(
            "This store is open in another fieldwork window, so the receipt cannot be accepted here; close the "
            "other window and try again."
        )
    r = verified.receipt
    note = f"personal data deleted after handover (receipt {r.receipt_id})"
    with secure_delete(store.db.conn), store.transaction() as db:
        plan = plan_receipt(store, verified)
        now = store.now()
        newly = plan.having(HAND_OVER)
        for case in newly:
            db.execute(
                "INSERT OR REPLACE INTO handover_records (case_id, inspection_id, revision, receipt_id, bundle_id, "
                "bundle_sequence, lead_key_id, merged_at, handed_over_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [case.case_id, r.inspection_id, case.receipt_revision, r.receipt_id, r.bundle_id, r.sequence,
                 r.lead_key_id, r.merged_at, now],
            )
            if case.status != "handed_over":
                db.execute(
                    "UPDATE cases SET status = 'handed_over', revision = revision + 1, updated_at = ? WHERE id = ?",
                    [now, case.case_id],
                )
                append_change(
                    store, r.inspection_id, case.case_id, "case", case.case_ref, "status", case.status,
                    "handed_over", "receipt",
                )
        wiped = wipe_cases(store, [c.case_id for c in plan.wipeable], reason="receipt", note=note) if wipe else 0
        kept = len(plan.having(CHANGED_SINCE, NOT_COMPLETE))
        db.execute(
            "INSERT INTO receipts_accepted (receipt_id, inspection_id, bundle_id, sequence, lead_key_id, lead_id, "
            "issued_at, merged_at, receipt, handed_over, kept, wiped, accepted_at, accepted_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (receipt_id) DO UPDATE SET "
            "handed_over = handed_over + excluded.handed_over, wiped = wiped + excluded.wiped, kept = excluded.kept",
            [r.receipt_id, r.inspection_id, r.bundle_id, r.sequence, r.lead_key_id, r.lead_id, r.issued_at,
             r.merged_at, verified.data, len(newly), kept, wiped, now, store.actor],
        )
        crash_point("handover.before_commit")  # fault injection (issue 7): no-op in normal use
    crash_point("handover.after_commit")
    log.info(
        "receipt %s accepted: inspection %s, bundle %s, %d handed over, %d kept, %d wiped",
        r.receipt_id, r.inspection_id, r.bundle_id, len(newly), kept, wiped,
    )
    cleanup = finish_wipe(store) if wiped else None
    return HandoverResult(plan, tuple(c.case_ref for c in newly), wiped, cleanup)
