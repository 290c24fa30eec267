"""Named crash points for fault-injection tests (issue 7).

`crash_point("answer.before_commit")` does nothing unless the environment variable
FIELDWORK_CRASH_AT names that point; then the process kills itself with SIGKILL right there,
as a power cut or `kill -9` would: no cleanup, no flushing, no `finally`. With
FIELDWORK_CRASH_AFTER=N it dies at the Nth time the point is reached instead of the first.

Only the test suite sets these variables (in child processes it then kills). The cost in normal
use is one environment lookup per point, and the points sit on paths that also fsync.

Points in the code (keep this list and docs/security.md in step):
  answer.before_commit     set_answer: rows written, transaction not yet committed
  answer.after_commit      set_answer: committed, before the caller hears of it
  export.before_write      export_bundle: records gathered, no temp file yet
  export.before_rename     export_bundle: temp file whole and fsynced, sequence not yet recorded
  export.after_record      export_bundle: sequence recorded in the store, file not yet renamed
  export.after_rename      export_bundle: bundle at its final path
  migration.statement      _migrate: after each statement of a migration (use FIELDWORK_CRASH_AFTER)
  migration.before_commit  _migrate: every statement and the version bump run, not committed
  migration.after_commit   _migrate: one migration committed, before the next starts
  backup.mid_copy          backup_to: after each step of the SQLite backup (pages copied so far)
  backup.before_rename     backup_to: snapshot whole and fsynced, not yet at its final name
  restore.before_replace   restore_backup: store and its -wal copied aside, backup copy not yet in place
  restore.after_replace    restore_backup: backup in place, the old -wal and the restore note not yet removed
  merge.before_commit      merge_verified: every row of one bundle written, not committed
  merge.after_commit       merge_verified: one bundle committed, before the caller hears of it
  handover.before_commit   accept_receipt: cases marked handed over and wiped, not committed
  handover.after_commit    accept_receipt: committed, before the store is compacted
  retention.before_commit  apply_retention: one inspection wiped, not committed
  wipe.after_vacuum        finish_wipe: store vacuumed, WAL not yet truncated, backups not yet replaced
  wipe.before_old_backups_removed  finish_wipe: new backup taken, older ones not yet shredded
  research.mid_write       export_research: after every 100 rows written to the temp (and spool) file
  report.before_rename     reports.files: an export (ratings report, research export) whole and
                           fsynced in its temp file, not yet renamed to its final name
"""

from __future__ import annotations

import os
import signal

CRASH_AT = "FIELDWORK_CRASH_AT"
CRASH_AFTER = "FIELDWORK_CRASH_AFTER"

_hits: dict[str, int] = {}


def crash_point(name: str) -> None:
    """Die here, at once, if the fault-injection environment names this point."""
    if os.environ.get(CRASH_AT) != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    try:
        after = max(1, int(os.environ.get(CRASH_AFTER, "1")))
    except ValueError:
        after = 1
    if _hits[name] < after:
        return
    kill = getattr(signal, "SIGKILL", None)
    if kill is not None:
        os.kill(os.getpid(), kill)
    os._exit(137)  # no SIGKILL (Windows): the nearest thing, an exit that runs no cleanup
