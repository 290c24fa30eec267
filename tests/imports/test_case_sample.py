"""Importing a provider's case sample: checks with row and column, all-or-nothing, re-imports."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldwork.imports.case_sample import (
    check_case_sample,
    create_inspection_with_sample,
    import_case_sample,
)
from fieldwork.imports.tables import ImportProblem
from fieldwork.store import open_store
from fieldwork.store.assessments import find_case, set_answer, set_status
from fieldwork.store.inspections import create_inspection, list_inspections

CLEAN = (
    "case_ref,sample,inspector_id,ldu,rosh,start_date\n"
    "C1,,insp-1,North,High,2026-01-05\n"
    "C2,Case supervision,insp-2,South,low,\n"
    "U1,Unpaid work,,North,,2026-02-01\n"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def counts(store) -> dict[str, int]:
    return {
        table: store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("inspections", "frameworks", "cases", "case_details", "answers", "change_log")
    }


def state(store, inspection_id: str) -> dict:
    """Everything an import can change, without ids, timestamps or log order."""
    cases = store.db.execute(
        "SELECT case_ref, sample_id, inspector_id, status, revision FROM cases WHERE inspection_id = ? "
        "ORDER BY case_ref",
        [inspection_id],
    ).fetchall()
    details = store.db.execute(
        "SELECT c.case_ref, d.field_id, d.value, d.revision FROM case_details d JOIN cases c ON c.id = d.case_id "
        "ORDER BY 1, 2"
    ).fetchall()
    log = sorted(
        store.db.execute("SELECT target, key, field, old, new, source FROM change_log").fetchall(),
        key=repr,
    )
    return {"cases": cases, "details": details, "log": log}


def log_entries(store, source: str) -> list[tuple]:
    return store.db.execute(
        "SELECT target, key, field, old, new FROM change_log WHERE source = ? ORDER BY seq", [source]
    ).fetchall()


def details_of(store, inspection_id: str, case_ref: str) -> dict[str, str]:
    case = find_case(store, inspection_id, case_ref)
    return dict(store.db.execute("SELECT field_id, value FROM case_details WHERE case_id = ?", [case.id]).fetchall())


# --- a clean file --------------------------------------------------------------------------


def test_clean_sample_is_imported_with_details_samples_and_allocation(store, inspection, tmp_path):
    result = import_case_sample(store, inspection, write(tmp_path, "sample.csv", CLEAN))
    assert result.added == ("C1", "C2", "U1")
    assert result.unchanged == () and result.changes == () and result.problems == ()
    c1 = find_case(store, inspection.id, "C1")
    assert (c1.sample_id, c1.inspector_id, c1.status) == ("supervision", "insp-1", "not_started")
    assert details_of(store, inspection.id, "C1") == {"ldu": "North", "rosh": "high", "start_date": "2026-01-05"}
    assert find_case(store, inspection.id, "C2").sample_id == "supervision"
    u1 = find_case(store, inspection.id, "U1")
    assert (u1.sample_id, u1.inspector_id) == ("unpaid_work", None)
    assert details_of(store, inspection.id, "U1") == {"ldu": "North", "start_date": "2026-02-01"}
    assert [e[:3] for e in log_entries(store, "sample-import:sample.csv")] == [
        ("case", "C1", "added"),
        ("case", "C2", "added"),
        ("case", "U1", "added"),
    ]


def test_sample_column_may_be_absent_and_values_use_any_case(store, inspection, tmp_path):
    path = write(tmp_path, "s.csv", "CASE_REF;RoSH\nC1;VERY HIGH\nC2;medium\n")
    import_case_sample(store, inspection, path)
    assert find_case(store, inspection.id, "C1").sample_id == "supervision"
    assert details_of(store, inspection.id, "C1") == {"rosh": "very_high"}


def test_sample_by_id_title_or_spaced_id(store, inspection, tmp_path):
    path = write(
        tmp_path, "s.csv", "case_ref,sample\nA,unpaid_work\nB,UNPAID WORK\nC,Unpaid-work\nD,case supervision\n"
    )
    import_case_sample(store, inspection, path)
    samples = [find_case(store, inspection.id, ref).sample_id for ref in "ABCD"]
    assert samples == ["unpaid_work"] * 3 + ["supervision"]


def test_cp1252_sample_with_accents_and_bom_semicolons(store, inspection, tmp_path):
    path = write(tmp_path, "win.csv", "case_ref;ldu\r\nC1;Beló\r\n\r\nC2 ;  Søuth  \r\n", encoding="cp1252")
    result = import_case_sample(store, inspection, path)
    assert result.added == ("C1", "C2")
    assert details_of(store, inspection.id, "C1") == {"ldu": "Beló"}
    assert details_of(store, inspection.id, "C2") == {"ldu": "Søuth"}
    assert len(result.warnings) == 1 and "Windows-1252" in result.warnings[0]

    bom = write(tmp_path, "bom.csv", "\ufeffcase_ref;ldu\r\nC3;Beló\r\n")
    assert import_case_sample(store, inspection, bom).warnings == ()
    assert details_of(store, inspection.id, "C3") == {"ldu": "Beló"}


def test_xlsx_sample_with_a_date_cell_and_a_number_cell(store, inspection, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["case_ref", "ldu", "start_date", "rosh"])
    sheet.append([1001, 12, dt.date(2026, 3, 9), "Medium"])
    sheet.append(["X-2", 12.0, dt.datetime(2026, 3, 10), None])
    path = tmp_path / "sample.xlsx"
    workbook.save(path)
    result = import_case_sample(store, inspection, path)
    assert result.added == ("1001", "X-2")
    assert details_of(store, inspection.id, "1001") == {"ldu": "12", "start_date": "2026-03-09", "rosh": "medium"}
    assert details_of(store, inspection.id, "X-2") == {"ldu": "12", "start_date": "2026-03-10"}


# --- a dirty file: every problem, nothing written ------------------------------------------------

DIRTY = (
    "case_ref,sample,ldu,rosh,start_date\n"  # row 1
    "C1,,North,high,2026-01-05\n"  # row 2: clean, but C1 again in row 5
    "C2,probation,South,huge,05/01/2026\n"  # row 3: sample, rosh, date
    ",,East,,\n"  # row 4: no case_ref
    " C1 ,,West,,\n"  # row 5: duplicate of row 2
    "C3,,North,Low,2026-02-30\n"  # row 6: impossible date
    "C4,unpaid work,North,,\n"  # row 7: clean
)


def test_every_problem_is_reported_with_row_and_column_and_nothing_is_written(store, inspection, tmp_path):
    before, log_before = counts(store), state(store, inspection.id)
    with pytest.raises(ImportProblem) as caught:
        import_case_sample(store, inspection, write(tmp_path, "dirty.csv", DIRTY))
    error = caught.value
    assert error.code == "invalid-sample"
    places = [(p.row, p.column) for p in error.problems]
    assert places == [
        (2, "case_ref"),
        (3, "sample"),
        (3, "rosh"),
        (3, "start_date"),
        (4, "case_ref"),
        (5, "case_ref"),
        (6, "start_date"),
    ]
    by_place = {(p.row, p.column): p.message for p in error.problems}
    assert "also in row 5" in by_place[(2, "case_ref")]
    assert "also in row 2" in by_place[(5, "case_ref")]
    assert "'probation' is not a sample" in by_place[(3, "sample")] and "unpaid_work" in by_place[(3, "sample")]
    assert "'huge'" in by_place[(3, "rosh")] and "very_high" in by_place[(3, "rosh")]
    assert "YYYY-MM-DD" in by_place[(3, "start_date")]
    assert "empty" in by_place[(4, "case_ref")]
    assert "dirty.csv" in error.message and "7 problems" in error.message
    assert counts(store) == before
    assert state(store, inspection.id) == log_before


def test_unknown_and_missing_columns_are_heading_problems(store, inspection, tmp_path):
    path = write(tmp_path, "s.csv", "ref,rosh_level,gender,ldu\nC1,high,f,North\n")
    with pytest.raises(ImportProblem) as caught:
        import_case_sample(store, inspection, path, clean_rows_only=True)
    problems = {p.column: p for p in caught.value.problems}
    assert set(problems) == {"case_ref", "ref", "rosh_level", "gender"}
    assert all(p.row == 1 for p in problems.values())
    assert "did you mean 'rosh'" in problems["rosh_level"].message
    assert "case_ref, sample, inspector_id, ldu, rosh, start_date" in problems["gender"].message
    assert counts(store)["cases"] == 0


def test_a_case_reference_with_a_control_character_is_a_row_problem(store, inspection, tmp_path):
    """Found by tests/fuzz/test_fuzz_imports.py: the store refused it with one error for the whole file."""
    before = counts(store)
    with pytest.raises(ImportProblem) as caught:
        import_case_sample(store, inspection, write(tmp_path, "s.csv", "case_ref,ldu\nC1,North\nC\x072,South\n"))
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (3, "case_ref") and "control character" in problem.message
    assert counts(store) == before


def test_value_under_no_heading_is_a_row_problem(store, inspection, tmp_path):
    with pytest.raises(ImportProblem) as caught:
        import_case_sample(store, inspection, write(tmp_path, "s.csv", "case_ref,ldu\nC1,North,oops\n"))
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "C")]


def test_check_reports_without_writing(store, inspection, tmp_path):
    before = counts(store)
    plan = check_case_sample(store, inspection.id, write(tmp_path, "dirty.csv", DIRTY))
    assert not plan.clean
    assert plan.skipped_rows == (2, 3, 4, 5, 6)
    assert [r.case_ref for r in plan.to_add] == ["C4"]
    assert counts(store) == before


# --- clean rows only ----------------------------------------------------------------------------


def test_clean_rows_only_imports_the_rest_and_records_the_skipped_rows(store, inspection, tmp_path):
    result = import_case_sample(store, inspection, write(tmp_path, "dirty.csv", DIRTY), clean_rows_only=True)
    assert result.added == ("C4",)
    assert result.skipped_rows == (2, 3, 4, 5, 6)
    assert len(result.problems) == 7
    assert find_case(store, inspection.id, "C4").sample_id == "unpaid_work"
    skipped = [e for e in log_entries(store, "sample-import:dirty.csv") if e[2] == "sample-import-skipped"]
    assert [e[1] for e in skipped] == ["row 2", "row 3", "row 4", "row 5", "row 6"]
    assert all(e[0] == "inspection" for e in skipped)
    row3 = skipped[1][4]
    assert "sample:" in row3 and "rosh:" in row3 and "start_date:" in row3


# --- re-importing -------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(store, inspection, tmp_path):
    path = write(tmp_path, "sample.csv", CLEAN)
    import_case_sample(store, inspection, path)
    before = state(store, inspection.id)
    counts_before = counts(store)
    again = import_case_sample(store, inspection, path)
    assert again.added == () and again.changes == ()
    assert again.unchanged == ("C1", "C2", "U1")
    assert state(store, inspection.id) == before
    assert counts(store) == counts_before


def test_updated_sample_adds_new_cases_and_reports_and_applies_changes(store, inspection, tmp_path):
    import_case_sample(store, inspection, write(tmp_path, "v1.csv", CLEAN))
    c1 = find_case(store, inspection.id, "C1")
    updated = (
        "case_ref,sample,inspector_id,ldu,rosh,start_date\n"
        "c1,,insp-3,North,Medium,\n"  # row 2: matched ignoring case; rosh and allocation change; blank date kept
        "C2,supervision,insp-2,South,low,\n"  # row 3: unchanged
        "C5,,insp-1,West,low,2026-03-01\n"  # row 4: new
    )
    result = import_case_sample(store, inspection, write(tmp_path, "v2.csv", updated))
    assert result.added == ("C5",)
    assert result.unchanged == ("C2",)
    assert [(c.row, c.case_ref, c.field_id, c.old, c.new) for c in result.changes] == [
        (2, "C1", "rosh", "high", "medium"),
        (2, "C1", "inspector_id", "insp-1", "insp-3"),
    ]
    assert result.changed_cases == ("C1",)
    assert result.not_in_file == ("U1",)
    after = find_case(store, inspection.id, "C1")
    assert after.inspector_id == "insp-3"
    assert after.status == "not_started"  # a provider's update is not the inspector's work
    assert after.revision == c1.revision + 1
    assert details_of(store, inspection.id, "C1") == {"ldu": "North", "rosh": "medium", "start_date": "2026-01-05"}
    assert find_case(store, inspection.id, "U1")  # kept
    assert sorted(log_entries(store, "sample-import:v2.csv")) == sorted(
        [
            ("detail", "rosh", "value", "high", "medium"),
            ("case", "C1", "inspector_id", "insp-1", "insp-3"),
            ("case", "C5", "added", None, "supervision"),
        ]
    )
    summary = result.summary()
    assert "1 case added" in summary and "2 values changed in 1 case" in summary


def test_reimport_cannot_move_a_case_to_another_sample(store, inspection, tmp_path):
    import_case_sample(store, inspection, write(tmp_path, "v1.csv", CLEAN))
    before = counts(store)
    with pytest.raises(ImportProblem) as caught:
        import_case_sample(store, inspection, write(tmp_path, "v2.csv", "case_ref,sample\nC1,unpaid_work\nC9,\n"))
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "sample")]
    assert "cannot move" in caught.value.problems[0].message
    assert counts(store) == before
    plan = check_case_sample(store, inspection, tmp_path / "v2.csv")
    assert plan.not_in_file == ("C2", "U1")  # C1 is in the file, on a row with a problem
    # A blank sample for a known unpaid-work case is not a move.
    result = import_case_sample(store, inspection, write(tmp_path, "v3.csv", "case_ref,sample\nU1,\n"))
    assert result.unchanged == ("U1",)


def test_changed_detail_of_a_complete_case_is_refused(store, inspection, tmp_path, mini_framework):
    import_case_sample(store, inspection, write(tmp_path, "v1.csv", CLEAN))
    c1 = find_case(store, inspection.id, "C1")
    for question in ("2.1.1", "2.1.2"):
        set_answer(store, c1.id, question, value="yes")
    set_status(store, c1.id, "complete")
    same = "case_ref,rosh,inspector_id\nC1,high,insp-9\n"
    result = import_case_sample(store, inspection, write(tmp_path, "same.csv", same))
    assert [c.field_id for c in result.changes] == ["inspector_id"]  # allocation is the lead's, not the case's
    with pytest.raises(ImportProblem) as caught:
        import_case_sample(store, inspection, write(tmp_path, "v2.csv", "case_ref,rosh\nC1,low\n"))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "rosh")
    assert "marked complete" in problem.message and "reopen" in problem.message


def test_create_inspection_with_a_dirty_sample_creates_nothing(store, mini_framework, tmp_path):
    before = counts(store)
    with pytest.raises(ImportProblem):
        create_inspection_with_sample(
            store,
            write(tmp_path, "dirty.csv", DIRTY),
            inspection_id="new-1",
            provider="P",
            provider_type="CRC",
            framework=mini_framework,
        )
    assert counts(store) == before
    assert list_inspections(store) == []
    inspection, result = create_inspection_with_sample(
        store,
        write(tmp_path, "clean.csv", CLEAN),
        inspection_id="new-1",
        provider="P",
        provider_type="CRC",
        framework=mini_framework,
    )
    assert [i.id for i in list_inspections(store)] == ["new-1"]
    assert result.added == ("C1", "C2", "U1")


def test_unreadable_sample_has_the_sample_error_code(store, inspection, tmp_path):
    with pytest.raises(ImportProblem) as caught:
        import_case_sample(store, inspection, write(tmp_path, "empty.csv", ""))
    assert caught.value.code == "invalid-sample"


# --- property: re-imports are idempotent and order does not matter ------------------------------

_refs = st.lists(st.from_regex(r"[A-Z]{1,2}[0-9]{1,3}", fullmatch=True), min_size=1, max_size=8, unique_by=str.casefold)
_row_values = st.tuples(
    st.sampled_from(["", "supervision", "Unpaid work"]),
    st.sampled_from(["", "insp-1", "insp-2"]),
    st.sampled_from(["", "North", "Beló"]),
    st.sampled_from(["", "low", "High", "very high"]),
    st.sampled_from(["", "2026-01-05", "2025-12-31"]),
)


def _csv(rows: list[tuple]) -> str:
    return "case_ref,sample,inspector_id,ldu,rosh,start_date\n" + "".join(",".join(r) + "\n" for r in rows)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), refs=_refs)
def test_import_twice_or_shuffled_gives_the_same_store(mini_framework, data, refs):
    rows = [(ref, *data.draw(_row_values)) for ref in refs]
    shuffled = data.draw(st.permutations(rows))
    states = []
    with tempfile.TemporaryDirectory() as folder:
        for index, order in enumerate([rows, shuffled]):
            with open_store(Path(folder) / f"store{index}", actor="lead") as store:
                inspection = create_inspection(
                    store, inspection_id="i1", provider="P", provider_type="CRC", framework=mini_framework
                )
                path = Path(folder) / "sample.csv"
                path.write_text(_csv(order), encoding="utf-8")
                first = import_case_sample(store, inspection, path)
                once = state(store, "i1")
                second = import_case_sample(store, inspection, path)
                assert second.added == () and second.changes == ()
                assert state(store, "i1") == once
                assert sorted(first.added) == sorted(refs)
                states.append(once)
    assert states[0] == states[1]
