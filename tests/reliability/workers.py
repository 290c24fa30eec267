"""What the killed child processes run: the real code, saying "ACK" after each durable step.

A child is forked from a pre-loaded server (see harness.py), so starting one costs a fork, not
an interpreter start. Each ACK line is written with os.write to a file opened O_APPEND: once the
call returns the line is in the page cache, so the parent reads it even after a SIGKILL. ACK
lines carry numbers and ids only, never personal data.
"""

from __future__ import annotations

import logging
import os
import random
import resource
import signal
import sys
import tempfile
import traceback
from pathlib import Path

from fieldwork import durable_files as identity_files

# Loaded once in the fork server, before any child is forked.
from fieldwork.bundles import export_bundle
from fieldwork.gui.app import _setup_logging  # the app's own log set-up (Qt loads once, here)
from fieldwork.identity import read_identity_file, unlock_keys
from fieldwork.profile import open_profile_store
from fieldwork.store import db as store_db
from fieldwork.store import migrations as store_migrations
from fieldwork.store import open_store
from fieldwork.store.assessments import set_answer
from fieldwork.store.backups import take_backup
from fieldwork.store.recovery import restore_backup

from .data import INSPECTION_ID, KEY_QUESTIONS, PASSPHRASE, note_for

# A test migration whose statements the harness kills the process between.
TEST_MIGRATION = """
    CREATE TABLE reliability_probe (case_id TEXT PRIMARY KEY, notes INTEGER NOT NULL);
    INSERT INTO reliability_probe SELECT case_id, count(*) FROM answers GROUP BY case_id;
    ALTER TABLE cases ADD COLUMN reliability_flag INTEGER NOT NULL DEFAULT 0;
    UPDATE cases SET reliability_flag = 1 WHERE case_ref LIKE 'R00%';
    CREATE INDEX reliability_probe_notes ON reliability_probe (notes);
    CREATE TRIGGER reliability_probe_kept BEFORE DELETE ON reliability_probe
    BEGIN
        SELECT RAISE(ABORT, 'kept');
    END;
"""
TEST_MIGRATION_STATEMENTS = 6


def use_test_migration() -> int:
    """Make the store code see the real migrations plus TEST_MIGRATION (in this process)."""
    migrations = list(store_migrations.MIGRATIONS)
    if migrations[-1] != TEST_MIGRATION:
        migrations.append(TEST_MIGRATION)
    for module in (store_db, store_migrations):
        module.MIGRATIONS = migrations
        module.SCHEMA_VERSION = len(migrations)
    return len(migrations)


class Acks:
    def __init__(self, path: str):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def say(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())


def run(scenario: str, kwargs: dict, env: dict[str, str], err_path: str) -> None:
    """Entry point of every child (called in the forked process)."""
    # stderr to a file the parent keeps (and the personal-data scan reads).
    fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 2)
    os.environ.update(env)
    tempfile.tempdir = None  # honour the TMPDIR given in env
    if "FIELDWORK_LOG_DIR" in env:
        _setup_logging()
    try:
        SCENARIOS[scenario](**kwargs)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(3)
    logging.shutdown()
    os._exit(0)


# --- scenarios -----------------------------------------------------------------------------------


def answers(data_dir: str, acks: str, seed: int, start: int, count: int) -> None:
    say = Acks(acks).say
    store = open_store(Path(data_dir), actor="insp-1")
    assert not store.read_only
    cases = [row[0] for row in store.db.execute("SELECT id FROM cases ORDER BY case_ref")]
    rng = random.Random(seed)
    for number in range(start, start + count):
        case_id, question = rng.choice(cases), rng.choice(KEY_QUESTIONS)
        say(f"TRY {number} {case_id} {question}")
        set_answer(store, case_id, question, note=note_for(number))
        say(f"ACK {number} {case_id} {question}")
    store.close()
    say("DONE")


def _half_writes() -> None:
    """A harness-side point inside atomic_write (fieldwork.durable_files is not instrumented):
    the temp file gets half the bytes, then "export.mid_write" is hit."""
    from fieldwork.faults import crash_point

    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            crash_point("export.mid_write")
            self.handle.write(data[len(data) // 2 :])

        def __getattr__(self, name):
            return getattr(self.handle, name)

    identity_files.os.fdopen = lambda fd, mode: HalfWriter(real_fdopen(fd, mode))


def export(data_dir: str, out: str, lead_file: str, acks: str, count: int) -> None:
    say = Acks(acks).say
    if os.environ.get("FIELDWORK_CRASH_AT") == "export.mid_write":
        _half_writes()
    identity = unlock_keys(data_dir, PASSPHRASE)
    lead = read_identity_file(lead_file)
    with open_profile_store(Path(data_dir)) as store:
        for _ in range(count):
            result = export_bundle(store, INSPECTION_ID, out, identity=identity, recipients=[lead], overwrite=True)
            say(f"ACK {result.manifest.sequence} {result.manifest_sha256}")
    say("DONE")


def migrate(data_dir: str, acks: str) -> None:
    use_test_migration()
    with open_store(Path(data_dir), actor="insp-1") as store:
        version = store.db.execute("PRAGMA user_version").fetchone()[0]
    Acks(acks).say(f"ACK migrated {version}")


def backups(data_dir: str, acks: str, count: int) -> None:
    say = Acks(acks).say
    with open_store(Path(data_dir), actor="insp-1", backups=None) as store:
        for _ in range(count):
            say(f"ACK {take_backup(store, kind='manual').path.name}")
    say("DONE")


def restore(data_dir: str, backup: str, acks: str) -> None:
    with restore_backup(Path(data_dir), Path(backup)) as store:
        store.set_meta("restored", "yes")
    Acks(acks).say("ACK restored")


def mixed(data_dir: str, out: str, lead_file: str, acks: str, seed: int, start: int) -> None:
    """Answers, with an export every 7th and a backup every 11th step, until killed."""
    say = Acks(acks).say
    rng = random.Random(seed)
    identity = unlock_keys(data_dir, PASSPHRASE)
    lead = read_identity_file(lead_file)
    store = open_profile_store(Path(data_dir))
    cases = [row[0] for row in store.db.execute("SELECT id FROM cases ORDER BY case_ref")]
    for number in range(start, start + 10_000):
        case_id, question = rng.choice(cases), rng.choice(KEY_QUESTIONS)
        say(f"TRY {number} {case_id} {question}")
        set_answer(store, case_id, question, note=note_for(number))
        say(f"ACK {number} {case_id} {question}")
        if number % 7 == 0:
            result = export_bundle(store, INSPECTION_ID, out, identity=identity, recipients=[lead], overwrite=True)
            say(f"EXPORTED {result.manifest.sequence} {result.manifest_sha256}")
        if number % 11 == 0:
            say(f"BACKUP {take_backup(store, kind='auto').path.name}")


def full_disk(data_dir: str, out: str, lead_file: str, acks: str, messages: str, room: int) -> None:
    """Writes until the file-size limit (a full disk as far as this process sees) stops them;
    then export and backup must fail cleanly too; then space comes back and work goes on."""
    from fieldwork.errors import FieldworkError

    say = Acks(acks).say
    note = Acks(messages).say
    identity = unlock_keys(data_dir, PASSPHRASE)
    lead = read_identity_file(lead_file)
    store = open_profile_store(Path(data_dir))
    cases = [row[0] for row in store.db.execute("SELECT id FROM cases ORDER BY case_ref")]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    limit = max(Path(data_dir, "fieldwork.sqlite").stat().st_size, 1) + room
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    refused = 0
    for number in range(1, 400):
        case_id = cases[number % len(cases)]
        say(f"TRY {number} {case_id} 2.1.1")
        try:
            set_answer(store, case_id, "2.1.1", note=note_for(number) + " padding" * 400)
        except FieldworkError as error:
            note(f"answer: {error.code}: {error.message}")
            refused += 1
            if refused >= 3:
                break
            continue
        say(f"ACK {number} {case_id} 2.1.1")
    # Fuller still: only the small ACK files may grow; a bundle or a backup no longer fits.
    small = max(os.path.getsize(acks), os.path.getsize(messages)) + 4096
    resource.setrlimit(resource.RLIMIT_FSIZE, (small, hard))
    for attempt in ("export", "backup"):
        try:
            if attempt == "export":
                export_bundle(store, INSPECTION_ID, out, identity=identity, recipients=[lead], overwrite=True)
            else:
                take_backup(store, kind="manual")
            note(f"{attempt}: succeeded")
        except FieldworkError as error:
            note(f"{attempt}: {error.code}: {error.message}")
    # Space again: the same session goes on working.
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    number = 1000
    say(f"TRY {number} {cases[0]} 2.1.2")
    set_answer(store, cases[0], "2.1.2", note=note_for(number))
    say(f"ACK {number} {cases[0]} 2.1.2")
    store.close()
    say("DONE")


def modes(fresh_dir: str, data_dir: str, out: str, lead_file: str, acks: str) -> None:
    """Everything that creates files, under umask 0: the modes must still be owner-only."""
    from fieldwork.identity.keys import ScryptParams, generate_identity, store_private_keys
    from fieldwork.profile import set_profile

    os.umask(0)
    say = Acks(acks).say
    fresh = Path(fresh_dir)
    me = generate_identity("Umask Tester", "insp-9", created_at="2026-11-02T09:00:00.000Z")
    store_private_keys(fresh, me, passphrase=PASSPHRASE, scrypt=ScryptParams(log2_n=10))
    with open_store(fresh, actor="insp-9") as store:
        set_profile(store, "insp-9", "Umask Tester")
    store = open_store(fresh, actor="insp-9")  # it existed: the first automatic backup is taken now
    store.set_meta("probe", "1")
    wal = {tail: os.stat(str(store.path) + tail).st_mode & 0o777 for tail in ("-wal", "-shm")}
    say(f"MODES {wal['-wal']:o} {wal['-shm']:o}")
    manual = take_backup(store, kind="manual")
    store.close()
    restore_backup(fresh, manual.path).close()
    identity = unlock_keys(data_dir, PASSPHRASE)
    with open_profile_store(Path(data_dir)) as working:
        export_bundle(working, INSPECTION_ID, out, identity=identity, recipients=[read_identity_file(lead_file)])
    say("DONE")


SCENARIOS = {
    "answers": answers,
    "export": export,
    "migrate": migrate,
    "backups": backups,
    "restore": restore,
    "mixed": mixed,
    "full_disk": full_disk,
    "modes": modes,
}
