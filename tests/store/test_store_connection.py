"""The store's plain connection (issue 21): reads and the window's small writes need no
sqlite-utils, and the connection keeps every setting the sqlite-utils wrapper used to add."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from fieldwork.frameworks.catalogue import find_framework
from fieldwork.store import open_store
from fieldwork.store.inspections import add_case, create_inspection

_READ_WITHOUT_SQLITE_UTILS = r"""
import json, sys
from pathlib import Path
from fieldwork.store import open_store
from fieldwork.store.assessments import list_case_summaries
from fieldwork.store.inspections import list_inspections
store = open_store(Path(sys.argv[1]), check="full")
inspections = list_inspections(store)
summaries = list_case_summaries(store, inspections[0].id)
store.set_ui_state("inspection", inspections[0].id)  # what the window writes as it starts
store.close()
print(json.dumps({"cases": len(summaries), "loaded": "sqlite_utils" in sys.modules}))
"""


def test_opening_reading_and_remembering_the_place_need_no_sqlite_utils(tmp_path):
    store = open_store(tmp_path / "store", actor="a")
    inspection = create_inspection(store, inspection_id="T-1", provider="Test provider", provider_type="CRC",
                                   framework=find_framework("hmip-adult-2018-crc"), lead_id="a")
    for number in range(3):
        add_case(store, inspection, f"C{number:03d}")
    store.close()

    run = subprocess.run([sys.executable, "-c", _READ_WITHOUT_SQLITE_UTILS, str(tmp_path / "store")],
                         capture_output=True, text=True, check=True, timeout=120)
    result = json.loads(run.stdout.strip().splitlines()[-1])

    assert result == {"cases": 3, "loaded": False}


def test_the_connection_has_recursive_triggers_before_any_writer_asks_for_sqlite_utils(tmp_path):
    # sqlite-utils' Database() turned them on at every open; the store now sets them itself.
    with open_store(tmp_path / "store", actor="a") as store:
        assert store._db is None
        assert store.conn.execute("PRAGMA recursive_triggers").fetchone()[0] == 1
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert store.db.conn is store.conn  # the writers' wrapper is the same connection


def test_an_unchanged_place_is_not_written_again(tmp_path):
    # Every start-up wrote (and fsynced) the window's place twice, unchanged.
    with open_store(tmp_path / "store", actor="a") as store:
        store.set_ui_state("inspection", "T-1")
        before = store.conn.total_changes
        store.set_ui_state("inspection", "T-1")
        assert store.conn.total_changes == before
        store.set_ui_state("inspection", "T-2")
        assert store.ui_state("inspection") == "T-2"


def test_a_failed_inner_write_undoes_only_itself_and_a_failed_outer_one_everything(tmp_path):
    with open_store(tmp_path / "store", actor="a") as store:
        with store.transaction() as db:
            db.execute("INSERT INTO meta (key, value) VALUES ('outer', '1')")
            with pytest.raises(ValueError), store.transaction() as inner:
                inner.execute("INSERT INTO meta (key, value) VALUES ('inner', '1')")
                raise ValueError("inner")
            store.set_meta("small", "1")  # the small writes' own block nests the same way
        assert (store.meta("outer"), store.meta("inner"), store.meta("small")) == ("1", None, "1")

        with pytest.raises(ValueError), store.transaction():
            store.set_meta("gone", "1")
            raise ValueError("outer")
        assert store.meta("gone") is None
        assert not store.conn.in_transaction
