"""Merge verified bundles into the lead's store: one transaction per bundle, all or nothing.

Per file: read once (size-capped) → the same bytes merged before? skip, without decrypting →
verify (decrypt, signature by a trusted key, strict records, every answer and change in the
signer's name) → the inspection is here and the framework matches → not signed as the lead, not
made in the future (authorship.py) → the manifest hash merged before? skip → a used (signer, sequence) or
bundle id with other content? refuse as a fork and raise an alert → numbered too far past the
highest merged from its key? refuse → one transaction: cases, whose work counts (held.py),
versions, central rows, change log, queries answered, manifest chain, the import row.
A refused or failed bundle never blocks the others.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from fieldwork.bundles import DEFAULT_LIMITS, verify_bundle
from fieldwork.bundles.verify import VerifiedBundle
from fieldwork.errors import FieldworkError, NotFoundError, StoreLockedError
from fieldwork.faults import crash_point
from fieldwork.identity.keys import UnlockedIdentity
from fieldwork.identity.trust import TrustList, load_trust_list
from fieldwork.merge import apply, authorship, cases, held, imports, sample_moves
from fieldwork.merge.conflicts import count_open_conflicts
from fieldwork.merge.earlier_framework import checked_for_inspection
from fieldwork.merge.report import (
    ALREADY_IMPORTED,
    IMPORTED,
    IMPORTED_WITH_CONFLICTS,
    REFUSED,
    FileResult,
    MergeReport,
)
from fieldwork.merge.versions import digest
from fieldwork.regular_files import read_regular_file
from fieldwork.store.db import Store
from fieldwork.store.inspections import get_inspection
from fieldwork.text import plural

log = logging.getLogger(__name__)

Progress = Callable[[int, int, FileResult], None]


def merge_bundles(
    store: Store,
    paths: Iterable[str | os.PathLike],
    identity: UnlockedIdentity | None,
    *,
    progress: Progress | None = None,
    inspection_id: str | None = None,
    allow_unencrypted: bool = False,
) -> MergeReport:
    """Merge each file; `progress(done, total, result)` is called after each one.

    identity: the lead's unlocked keys (they decrypt the bundles). inspection_id: when given,
    bundles for any other inspection are refused (wrong-inspection). The trust list is read
    from the store once, at the start.
    """
    if store.read_only:
        raise StoreLockedError(
            "This store is open in another fieldwork window, so nothing can be merged here; close the "
            "other window and try again."
        )
    files = [Path(p) for p in paths]
    trust = load_trust_list(store)
    results = []
    with _checkpoints_deferred(store.db.conn, store.path) as keep_wal_within_room:
        for done, path in enumerate(files, start=1):
            result = _merge_file(store, path, identity, trust, inspection_id, allow_unencrypted)
            keep_wal_within_room()
            results.append(result)
            if progress is not None:
                progress(done, len(files), result)
    touched = sorted({r.inspection_id for r in results if r.inspection_id})
    waiting = held.waiting_totals(w for i in touched for w in held.list_waiting(store, i))
    return MergeReport(
        tuple(results), sum(count_open_conflicts(store, i) for i in touched), tuple(touched), waiting
    )


@contextlib.contextmanager
def _checkpoints_deferred(conn, store_path: Path):
    """Copy the write-ahead log into the database less often while merging many bundles, as far
    as the disk has room for it; yields the check to run after each bundle.

    Every bundle's commit stays durable (it is in the WAL, synchronous=FULL); only SQLite's
    housekeeping of copying pages into the main file is batched, which halves the cost of
    committing each bundle separately. Issue 20: batching let the WAL grow to 64 MiB, so a
    merge was refused on a disk with little room that the final store would fit. Now, after
    each bundle, the WAL is copied in and emptied whenever it is larger than a quarter of the
    disk's free space (or 64 MiB): a merge needs the room of the data it adds, plus at most one
    bundle's pages and that quarter (docs/decisions/0025-restore-and-the-disk.md). The usual
    threshold is restored afterwards, and the log is emptied.
    """
    previous = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute(f"PRAGMA wal_autocheckpoint = {max(previous, _MERGE_CHECKPOINT_PAGES)}")
    try:
        yield lambda: _empty_wal_when_room_is_short(conn, store_path)
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(previous)}")
        with contextlib.suppress(sqlite3.Error):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


_MERGE_CHECKPOINT_PAGES = 16384  # 64 MiB of 4 KiB pages
_MERGE_WAL_MAX_BYTES = _MERGE_CHECKPOINT_PAGES * 4096
_MERGE_WAL_SHARE_OF_FREE_SPACE = 4  # the WAL may use at most 1/4 of the disk's free space


def _empty_wal_when_room_is_short(conn, store_path: Path) -> None:
    wal = Path(str(store_path) + "-wal")
    try:
        size = wal.stat().st_size
        free = shutil.disk_usage(wal.parent).free
    except OSError:
        return
    if size <= min(_MERGE_WAL_MAX_BYTES, free // _MERGE_WAL_SHARE_OF_FREE_SPACE):
        return
    # TRUNCATE empties the file; a reader in another window makes it give up at once (busy
    # timeout 0) rather than stall the merge: the WAL is then emptied after a later bundle.
    timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error as exc:
        log.warning("the write-ahead log was not emptied after a bundle: %s", type(exc).__name__)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")


def _refused(path: Path, error: FieldworkError) -> FileResult:
    return FileResult(str(path), REFUSED, code=error.code, message=error.message)


def _merge_file(
    store: Store, path: Path, identity, trust: TrustList, inspection_id: str | None, allow_unencrypted: bool
) -> FileResult:
    try:
        source, file_sha256 = _read(path)
        if file_sha256 is not None:
            known = imports.imported_file(store.db.conn, file_sha256)
            if known is not None:
                return _already(store, path, known)
        verified = verify_bundle(
            source, identity=identity, trust=trust, inspection_id=inspection_id, allow_unencrypted=allow_unencrypted
        )
        return merge_verified(store, verified, file_name=str(path), file_sha256=file_sha256)
    except FieldworkError as error:  # BundleError included: its code says why
        return _refused(path, error)
    except Exception as exc:  # a bug or the disk: this bundle is rolled back, the others go on
        log.exception("merging %s failed", path)
        return FileResult(
            str(path), REFUSED, code="merge-failed",
            message=f"This bundle could not be merged ({type(exc).__name__}); nothing of it was saved. "
            "Try again; if it fails again, report it with the log file.",
        )


def _read(path: Path) -> tuple[str | os.PathLike | bytes, str | None]:
    """The file's bytes and SHA-256, or the path itself when it is over the size cap or
    unreadable (verify_bundle then refuses it with the right reason)."""
    try:
        data = read_regular_file(path, DEFAULT_LIMITS.max_bundle_bytes)  # a FIFO or /dev/zero: refused
        if len(data) > DEFAULT_LIMITS.max_bundle_bytes:
            return path, None
    except FileNotFoundError:
        raise NotFoundError(f"There is no file {path}; check the name and folder.") from None
    except OSError:
        return path, None
    return data, hashlib.sha256(data).hexdigest()


def _already(store: Store, path: Path, bundle_id: str, file_sha256: str | None = None) -> FileResult:
    if file_sha256 is not None:
        with store.transaction():
            imports.remember_file(store.db.conn, file_sha256, bundle_id)
    row = store.db.execute(
        "SELECT inspection_id, inspector_id, sequence FROM merge_imports WHERE bundle_id = ?", [bundle_id]
    ).fetchone()
    return FileResult(str(path), ALREADY_IMPORTED, bundle_id, row[0], row[1], row[2])


def merge_verified(
    store: Store, verified: VerifiedBundle, *, file_name: str, file_sha256: str | None = None
) -> FileResult:
    """Merge one bundle verified by the caller (with the lead's keys and this store's trust list).

    Checks the inspection is here and the framework (id, version, text) matches, that the bundle
    is not signed as the lead nor made in the future, skips a bundle merged before, and refuses a
    fork or a sequence too far ahead; then merges in one transaction, holding work beyond the
    signer's allocated cases for the lead (held.py). Raises FieldworkError with code
    unknown-inspection, framework-mismatch, malformed-record, foreign-author, future-bundle, fork
    (a fork also raises an alert) or sequence-too-far.
    """
    manifest = verified.manifest
    try:
        inspection = get_inspection(store, manifest.inspection_id)
    except NotFoundError:
        raise FieldworkError(
            f"This bundle is for inspection {manifest.inspection_id}, which is not in this store; merge it "
            "in the store where you set that inspection up.",
            code="unknown-inspection",
        ) from None
    # Made under this text, or under an earlier one the lead moved on from (answers renamed to today's ids).
    verified = checked_for_inspection(store, inspection, verified)
    authorship.check_signer_is_not_the_lead(manifest, (inspection.lead_id, store.actor))
    authorship.check_not_from_the_future(manifest, store.now())
    conn = store.db.conn
    apply.prepare(conn)
    known = imports.imported_with_hash(conn, verified.manifest_sha256)
    if known is not None:
        return _already(store, Path(file_name), known, file_sha256)
    clash = imports.clash(conn, verified)
    if clash is not None:
        raise _fork(store, verified, file_name, *clash)
    imports.check_sequence_step(conn, verified)  # before the transaction: a refusal writes nothing
    with store.transaction():
        result = _merge_records(store, verified, str(file_name), file_sha256)
        crash_point("merge.before_commit")  # fault injection (issue 7): no-op in normal use
    crash_point("merge.after_commit")
    return result


def _fork(store: Store, verified: VerifiedBundle, file_name: str, other_id: str, why: str) -> FieldworkError:
    m = verified.manifest
    if why == "sequence":
        message = (
            f"This is a second, different bundle number {m.sequence} from {m.inspector_id} (key "
            f"{m.signer_key_id[:8]}…); the one merged first is kept and this one was refused. Ask the "
            "inspector which is right: their computer may have been restored from a backup."
        )
    else:
        message = (
            f"This bundle reuses the identity of bundle {other_id} with other content, so it was refused; "
            "ask the inspector to export again."
        )
    with store.transaction():
        imports.record_alert(
            store.db.conn, "fork", m, verified.manifest_sha256, other_id, Path(file_name).name, message, store.now()
        )
    return FieldworkError(message, code="fork")


def _merge_records(store: Store, verified: VerifiedBundle, file_name: str, file_sha256: str | None) -> FileResult:
    """Everything of one bundle, inside the caller's transaction."""
    conn = store.db.conn
    manifest, records = verified.manifest, verified.records
    signer = manifest.inspector_id
    apply.clear_temp(conn)

    placement = cases.place_cases(conn, manifest.inspection_id, signer, records.cases)
    target = placement.target
    # Whose work counts is settled before any row is written (held.py): a case not allocated to
    # the signer keeps their versions out of the central tables until the lead accepts them.
    held.record_readers(conn, signer, target.values())
    changed_cases = cases.record_states(conn, signer, records.cases, placement)
    details = authorship.own_details(conn, signer, records.details, target)

    staged = [
        ("answer", target[a.case_uuid], a.question_id, a.value, a.note, a.revision, a.updated_by, a.updated_at,
         digest(a.value, a.note))
        for a in records.answers
    ]
    staged += [
        ("detail", target[d.case_uuid], d.field_id, d.value, "", d.revision, d.updated_by, d.updated_at,
         digest(d.value, ""))
        for d in details
    ]
    conn.executemany("INSERT INTO temp.merge_stage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", staged)

    before = apply.max_version_id(conn)
    apply.capture_local(conn, "merge_stage")  # the lead's own edits become versions before anything is written
    captured = apply.max_version_id(conn)
    conn.execute(
        "INSERT INTO merge_versions (kind, case_id, key, value, note, revision, author, updated_at, digest, origin, "
        "bundle_id, bundle_created_at) SELECT kind, case_id, key, value, note, revision, author, updated_at, digest, "
        "'bundle', ?1, ?2 FROM temp.merge_stage WHERE true "
        "ON CONFLICT (kind, case_id, key, author, revision, updated_at, digest) DO UPDATE SET "
        "bundle_id = excluded.bundle_id, bundle_created_at = excluded.bundle_created_at "
        # Which bundle brought a version: the earliest made, whatever the order of arrival.
        "WHERE merge_versions.origin = 'bundle' AND (excluded.bundle_created_at, excluded.bundle_id) "
        "< (merge_versions.bundle_created_at, merge_versions.bundle_id)",
        [manifest.bundle_id, manifest.created_at],
    )
    new_versions = apply.max_version_id(conn) - captured
    # Only this signer's versions are new here (the lead's captured edits are never held).
    recomputed = apply.apply_new(conn, before, any_held=held.any_held(conn, signer, target.values()))
    cases.refresh_status(conn, changed_cases)

    conn.executemany(
        "INSERT OR IGNORE INTO change_log (id, at, actor, inspection_id, case_id, target, key, field, old, new, "
        "source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(c.id, c.at, c.actor, c.inspection_id, c.case_uuid, c.target, c.key, c.field, c.old, c.new, c.source)
         for c in records.changes],
    )
    _mark_queries_answered(conn, manifest, target, before, store.now())
    sets_to_decide = sample_moves.record_moves(
        conn, records, signer, target, placement.created, manifest.bundle_id
    )

    conflicts = recomputed.conflicted + placement.new_case_conflicts + sets_to_decide
    answers_per_case = Counter({target[c.uuid]: 0 for c in records.cases})  # every case, answered or not
    answers_per_case.update(target[a.case_uuid] for a in records.answers)
    held_now = held.held_in_bundle(conn, signer, answers_per_case)
    record = imports.ImportRecord(
        bundle_id=manifest.bundle_id, manifest_sha256=verified.manifest_sha256,
        inspection_id=manifest.inspection_id, signer_key_id=manifest.signer_key_id, inspector_id=signer,
        sequence=manifest.sequence, previous_manifest_sha256=manifest.previous_manifest_sha256,
        bundle_created_at=manifest.created_at, file_name=Path(file_name).name, imported_at=store.now(),
        imported_by=store.actor, cases=len(records.cases), case_details=len(records.details),
        answers=len(records.answers), changes=len(records.changes), new_versions=new_versions, conflicts=conflicts,
    )
    imports.record_import(conn, record)
    imports.remember_file(conn, file_sha256, manifest.bundle_id)
    notes = imports.check_chain(conn, record, store.now())
    if placement.new_case_conflicts:
        notes.append(
            f"{plural(placement.new_case_conflicts, 'case reference')} in this bundle "
            f"{'belongs' if placement.new_case_conflicts == 1 else 'belong'} to another case here; "
            "see the case conflicts."
        )
    if sets_to_decide:
        notes.append(
            f"{signer} moved {plural(sets_to_decide, 'case')} to another question set that you had moved "
            "differently; see the conflicts."
        )
    if held_now:
        notes.append(
            f"{held_now.sentence(signer)} ('fieldwork merge accept --inspection {manifest.inspection_id}', "
            "or Accept held work in the Merge tab)."
        )
    apply.clear_temp(conn)
    return FileResult(
        file_name, IMPORTED_WITH_CONFLICTS if conflicts else IMPORTED, manifest.bundle_id, manifest.inspection_id,
        signer, manifest.sequence, cases=record.cases, case_details=record.case_details, answers=record.answers,
        changes=record.changes, new_versions=new_versions, conflicts=conflicts, notes=tuple(notes), held=held_now,
    )


def _mark_queries_answered(conn, manifest, target: dict[str, str], after_id: int, now: str) -> None:
    """An open query to the signer is answered by a newer version of that answer in this bundle,
    changed after the query reached the signer: the bundle must list the query as seen
    (`queries_seen`: same case, question and text), and the version must be later, by the
    signer's own clock, than the moment the pack that brought it was opened. A bundle made before
    the query reached the inspector (or a format-1 bundle, which cannot say) answers nothing."""
    from fieldwork.bundles.seen_queries import text_sha256

    seen = {(target.get(q.case, q.case), q.question_id, q.text_sha256): q.seen_at for q in manifest.queries_seen}
    if not seen:
        return
    open_queries = conn.execute(
        "SELECT id, case_id, question_id, text, base_revision FROM moderation_queries "
        "WHERE status = 'open' AND inspection_id = ? AND inspector_id = ?",
        [manifest.inspection_id, manifest.inspector_id],
    ).fetchall()
    for query_id, case_id, question_id, text, base_revision in open_queries:
        seen_at = seen.get((case_id, question_id, text_sha256(text)))
        if seen_at is None:
            continue
        version_id = conn.execute(
            "SELECT MIN(v.id) FROM merge_versions v WHERE v.id > ? AND v.kind = 'answer' AND v.case_id = ? "
            "AND v.key = ? AND v.author = ? AND v.revision > ? AND v.updated_at > ? "
            f"AND NOT {held.held_version('v')}",  # held work answers nothing until the lead accepts it
            [after_id, case_id, question_id, manifest.inspector_id, base_revision, seen_at],
        ).fetchone()[0]
        if version_id is not None:
            conn.execute(
                "UPDATE moderation_queries SET status = 'answered', answered_at = ?, answered_version_id = ? "
                "WHERE id = ?",
                [now, version_id, query_id],
            )
