"""A region inspection takes in its PDU inspections' results bundles (decision 0035).

Per file: read once → verify (decrypt, signature by a key trusted for the region inspection,
strict results records) → the region inspection is here and rates standards from combined data
→ the results were recorded under the framework text the region expects (id, version and
content hash) → every record fits that framework (known samples, coded non-personal details,
key questions asked of the case's sample) → not made in the future → sequence: the same bundle
again is a no-op, an older one or another with a used number is refused, one numbered too far
ahead is refused, a PDU inspection already contributed under another key is refused → one
transaction: the PDU's previous cases out, its new cases in, the contribution row.

Contributed cases are stored apart from the region's own (never in its case list, allocation,
packs or bundles). A refused file changes nothing and never blocks the others.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from fieldwork.bundles.errors import BundleError
from fieldwork.bundles.fields import later_by
from fieldwork.bundles.format import MAX_SEQUENCE_STEP
from fieldwork.errors import FieldworkError, NotFoundError, StoreLockedError
from fieldwork.frameworks.catalogue import list_frameworks
from fieldwork.frameworks.loader import parse_framework
from fieldwork.frameworks.model import Framework
from fieldwork.identity.keys import UnlockedIdentity
from fieldwork.identity.trust import TrustList, load_trust_list
from fieldwork.merge.authorship import CLOCK_SLACK_DAYS
from fieldwork.region.results_verify import VerifiedResults, verify_results
from fieldwork.store.db import Store
from fieldwork.store.inspections import framework_for, get_inspection
from fieldwork.text import plural

log = logging.getLogger(__name__)

IMPORTED, REPLACED, ALREADY, REFUSED = "imported", "replaced", "already-imported", "refused"


@dataclass(frozen=True)
class Contribution:
    """One PDU inspection's results as the region holds them."""

    pdu_inspection_id: str
    provider: str
    signer_key_id: str
    signer_person_id: str
    signer_name: str
    sequence: int
    bundle_id: str
    framework_id: str
    framework_version: str
    framework_hash: str
    bundle_created_at: str
    received_at: str
    received_by: str
    file_name: str
    open_conflicts: int
    cases: int
    cases_per_sample: dict[str, int]

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ResultsFileResult:
    path: str
    status: str  # imported | replaced | already-imported | refused
    pdu_inspection_id: str = ""
    signer: str = ""
    sequence: int = 0
    cases: int = 0
    code: str = ""
    message: str = ""

    def to_json(self) -> dict:
        return dict(self.__dict__)

    def sentence(self) -> str:
        name = Path(self.path).name
        if self.status == REFUSED:
            return f"{name}: refused: {self.message}"
        if self.status == ALREADY:
            return (f"{name}: already taken in (results number {self.sequence} of {self.pdu_inspection_id}); "
                    "nothing changed.")
        verb = "replaced the earlier results of" if self.status == REPLACED else "took in"
        return (f"{name}: {verb} {self.pdu_inspection_id} from {self.signer}, number {self.sequence}: "
                f"{plural(self.cases, 'case')}.")


_COLUMNS = (
    "pdu_inspection_id, provider, signer_key_id, signer_person_id, signer_name, sequence, bundle_id, framework_id, "
    "framework_version, framework_hash, bundle_created_at, received_at, received_by, file_name, open_conflicts, "
    "cases, cases_per_sample"
)


def list_contributions(store: Store, region_inspection_id: str) -> list[Contribution]:
    """The PDU inspections whose results count in the region inspection, by PDU inspection id."""
    rows = store.db.execute(
        f"SELECT {_COLUMNS} FROM region_contributions WHERE region_inspection_id = ? "
        "ORDER BY pdu_inspection_id, signer_key_id",
        [region_inspection_id],
    ).fetchall()
    return [Contribution(*row[:-1], json.loads(row[-1])) for row in rows]


def _region(store: Store, region_inspection_id: str) -> Framework:
    inspection = get_inspection(store, region_inspection_id)
    framework = framework_for(store, inspection)
    if not framework.combined_standards:
        raise FieldworkError(
            f"Inspection {region_inspection_id} uses {framework.id}, which rates nothing from other inspections' "
            "results, so a results bundle cannot be taken in there; choose the region inspection.",
            code="not-a-region",
        )
    return framework


def expected_framework(store: Store, region: Framework, ref, data_dir: Path | None = None) -> Framework:
    """The contributing framework the region expects for this (id, version): the text already kept
    in this store, else the catalogue's. Refuses another id/version or another text (by hash)."""
    wanted = {(s.from_framework, s.from_version) for s in region.combined_standards}
    if (ref.id, ref.version) not in wanted:
        expected = ", ".join(f"{i} version {v}" for i, v in sorted(wanted))
        raise BundleError(
            "framework-mismatch",
            f"These results were recorded under {ref.id} version {ref.version}, but this region inspection takes "
            f"results recorded under {expected}; the PDU inspection cannot count here.",
            detail="framework id or version differs",
        )
    row = store.db.execute(
        "SELECT source, hash FROM frameworks WHERE id = ? AND version = ? ORDER BY added_at, hash LIMIT 1",
        [ref.id, ref.version],
    ).fetchone()
    if row is not None:
        framework = parse_framework(bytes(row[0]), source_name=f"{ref.id} {ref.version}", checked=True)
    else:
        found = [e.framework for e in list_frameworks(data_dir)
                 if e.framework and (e.framework.id, e.framework.version) == (ref.id, ref.version)]
        if not found:
            raise BundleError(
                "framework-mismatch",
                f"This fieldwork does not have framework {ref.id} version {ref.version}, which these results were "
                "recorded under; install the fieldwork the PDU inspections use, or import that framework "
                "(Help → Frameworks…).",
                detail="framework unknown here",
            )
        framework = next((f for f in found if f.content_hash == ref.hash), found[0])
    if framework.content_hash != ref.hash:
        raise BundleError(
            "framework-mismatch",
            f"These results were recorded under a different text of {ref.id} version {ref.version} "
            f"({ref.hash[:12]}) than this region uses ({framework.content_hash[:12]}), so they were refused: the "
            "same key question could mean something else. Ask the PDU lead which framework file they used.",
            detail="framework hash differs",
        )
    return framework


def _not_fitting(detail: str) -> BundleError:
    return BundleError(
        "malformed-record",
        f"These results do not fit their framework ({detail}), so nothing of them was taken in; ask the PDU lead "
        "to export again with the current fieldwork, and report the file if it happens again.",
        detail=detail,
    )


def check_results_fit(verified: VerifiedResults, framework: Framework) -> None:
    """Every case in a known sample; only coded, non-personal details in their stored form; only
    key-question judgements asked of the case's sample, with an allowed value."""
    samples = {s.id: {kq.id: kq for kq in framework.key_questions_for_sample(s.id)} for s in framework.samples}
    details = {f.id: f for f in framework.case_details}
    for case in verified.records.cases:
        asked = samples.get(case.sample)
        if asked is None:
            raise _not_fitting(f"a case is in unknown sample {case.sample!r}")
        for field_id, value in case.details.items():
            field = details.get(field_id)
            if field is None:
                raise _not_fitting(f"unknown case detail {field_id!r}")
            if field.personal or field.type == "text":
                raise _not_fitting(f"case detail {field_id!r} is personal or free text, which results never carry")
            if not field.is_stored_form(value):
                raise _not_fitting(f"a {field_id} value the framework does not allow")
        for question_id, value in case.judgements.items():
            question = asked.get(question_id)
            if question is None:
                raise _not_fitting(f"{question_id!r} is not a key question asked of sample {case.sample!r}")
            if value not in question.allowed():
                raise _not_fitting(f"{value!r} is not allowed for {question_id}")


def _check_sequence(store: Store, region_id: str, verified: VerifiedResults) -> str | None:
    """None for new results, 'same' for the bundle taken in before; refuses older, forks, jumps and
    a PDU inspection another key already speaks for."""
    m = verified.manifest
    rows = store.db.execute(
        "SELECT signer_key_id, signer_name, sequence, manifest_sha256 FROM region_contributions "
        "WHERE region_inspection_id = ? AND pdu_inspection_id = ?",
        [region_id, m.inspection_id],
    ).fetchall()
    other = [r for r in rows if r[0] != m.signer_key_id]
    if other:
        raise FieldworkError(
            f"The results of {m.inspection_id} already count here, from {other[0][1]} (key {other[0][0][:8]}…); one "
            "PDU inspection counts once, so these results signed with another key were refused. If the PDU lead "
            f"has new keys, remove the earlier results first ('fieldwork region remove --inspection {region_id} "
            f"--pdu {m.inspection_id}'), then take these in.",
            code="pdu-already-contributed",
        )
    if not rows:
        if m.sequence > MAX_SEQUENCE_STEP:
            raise FieldworkError(
                f"These results are numbered {m.sequence}, more than {MAX_SEQUENCE_STEP} for a first export; they "
                "were refused. Ask the PDU lead to export again.",
                code="sequence-too-far",
            )
        return None
    _key, _name, sequence, manifest_sha256 = rows[0]
    if manifest_sha256 == verified.manifest_sha256:
        return "same"
    if m.sequence == sequence:
        raise FieldworkError(
            f"These are a second, different results bundle number {m.sequence} of {m.inspection_id}; the one taken "
            "in first is kept and this one was refused. Ask the PDU lead which is right.",
            code="fork",
        )
    if m.sequence < sequence:
        raise FieldworkError(
            f"These results of {m.inspection_id} are number {m.sequence}, older than number {sequence} already "
            "taken in, so they were refused and nothing changed; ask the PDU lead for their latest export.",
            code="older-results",
        )
    if m.sequence > sequence + MAX_SEQUENCE_STEP:
        raise FieldworkError(
            f"These results are numbered {m.sequence}, more than {MAX_SEQUENCE_STEP} past number {sequence} taken "
            "in before; they were refused. Ask the PDU lead to export again.",
            code="sequence-too-far",
        )
    return None


def take_in_verified(
    store: Store, region_id: str, verified: VerifiedResults, *, file_name: str, data_dir: Path | None = None
) -> ResultsFileResult:
    """Every check that needs the store, then one transaction; raises FieldworkError to refuse."""
    region = _region(store, region_id)
    m = verified.manifest
    if m.inspection_id == region_id:
        raise FieldworkError(
            f"These results claim to be of {region_id}, the region inspection itself; a region counts only its "
            "PDU inspections' results.",
            code="wrong-inspection",
        )
    framework = expected_framework(store, region, m.framework, data_dir)
    check_results_fit(verified, framework)
    if m.created_at > later_by(store.now(), CLOCK_SLACK_DAYS):
        raise FieldworkError(
            f"These results say they were made at {m.created_at}, after this computer's date; check both clocks "
            "and ask the PDU lead to export again.",
            code="future-bundle",
        )
    state = _check_sequence(store, region_id, verified)
    base = ResultsFileResult(
        file_name, ALREADY, m.inspection_id, m.inspector_id, m.sequence, len(verified.records.cases)
    )
    if state == "same":
        return base
    replaced = _write(store, region_id, verified, framework, Path(file_name).name)
    return ResultsFileResult(
        file_name, REPLACED if replaced else IMPORTED, m.inspection_id, m.inspector_id, m.sequence,
        len(verified.records.cases),
    )


def _write(store: Store, region_id: str, verified: VerifiedResults, framework: Framework, file_name: str) -> bool:
    """The PDU's previous cases out and its new ones in, with the contribution row: one transaction."""
    m, records = verified.manifest, verified.records
    key = (region_id, m.inspection_id, m.signer_key_id)
    with store.transaction() as db:
        conn = db.conn
        conn.execute(
            "INSERT OR IGNORE INTO frameworks (hash, id, version, title, source, added_at) VALUES (?, ?, ?, ?, ?, ?)",
            [framework.content_hash, framework.id, framework.version, framework.title, framework.source_bytes,
             store.now()],
        )
        replaced = conn.execute(
            "DELETE FROM region_contributions WHERE region_inspection_id = ? AND pdu_inspection_id = ? "
            "AND signer_key_id = ?", key,
        ).rowcount > 0  # its cases, judgements and details go with it (ON DELETE CASCADE)
        conn.execute(
            f"INSERT INTO region_contributions (region_inspection_id, {_COLUMNS}, manifest_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [region_id, m.inspection_id, records.inspection.provider, m.signer_key_id, m.inspector_id,
             verified.signer.name, m.sequence, m.bundle_id, m.framework.id, m.framework.version, m.framework.hash,
             m.created_at, store.now(), store.actor, file_name, records.inspection.open_conflicts,
             len(records.cases), json.dumps(records.cases_per_sample()), verified.manifest_sha256],
        )
        conn.executemany(
            "INSERT INTO region_contributed_cases VALUES (?, ?, ?, ?, ?)",
            [(*key, c.uuid, c.sample) for c in records.cases],
        )
        conn.executemany(
            "INSERT INTO region_contributed_judgements VALUES (?, ?, ?, ?, ?, ?)",
            [(*key, c.uuid, q, v) for c in records.cases for q, v in c.judgements.items()],
        )
        conn.executemany(
            "INSERT INTO region_contributed_details VALUES (?, ?, ?, ?, ?, ?)",
            [(*key, c.uuid, f, v) for c in records.cases for f, v in c.details.items()],
        )
    return replaced


def take_in_results(
    store: Store,
    region_id: str,
    paths,
    identity: UnlockedIdentity | None,
    *,
    data_dir: Path | None = None,
    trust: TrustList | None = None,
) -> list[ResultsFileResult]:
    """Take in each results bundle for the region inspection; a refused one never blocks the others."""
    if store.read_only:
        raise StoreLockedError(
            "This store is open in another fieldwork window, so nothing can be taken in here; close the other "
            "window and try again."
        )
    _region(store, region_id)  # refuse the wrong inspection once, before any file
    trust = trust if trust is not None else load_trust_list(store)
    results = []
    for path in paths:
        name = os.fspath(path)
        try:
            verified = verify_results(path, identity=identity, trust=trust, region_inspection_id=region_id)
            results.append(take_in_verified(store, region_id, verified, file_name=name, data_dir=data_dir))
        except FieldworkError as error:
            results.append(ResultsFileResult(name, REFUSED, code=error.code, message=error.message))
        except Exception as exc:  # a bug or the disk: this file is rolled back, the others go on
            log.exception("taking in %s failed", name)
            results.append(ResultsFileResult(
                name, REFUSED, code="merge-failed",
                message=f"These results could not be taken in ({type(exc).__name__}); nothing of them was saved. "
                "Try again; if it fails again, report it with the log file.",
            ))
    return results


def remove_contribution(store: Store, region_id: str, pdu_inspection_id: str) -> Contribution:
    """Take a PDU inspection's results out of the region inspection (e.g. before its lead's new key)."""
    found = [c for c in list_contributions(store, region_id) if c.pdu_inspection_id == pdu_inspection_id]
    if not found:
        raise NotFoundError(
            f"No results of {pdu_inspection_id} count in {region_id}; 'fieldwork region list --inspection "
            f"{region_id}' shows those that do."
        )
    with store.transaction() as db:
        db.conn.execute(
            "DELETE FROM region_contributions WHERE region_inspection_id = ? AND pdu_inspection_id = ?",
            [region_id, pdu_inspection_id],
        )
    return found[0]
