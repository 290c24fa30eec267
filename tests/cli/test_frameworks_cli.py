"""The command line, run in-process: frameworks list/show/check and inspection create/list."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import fieldwork
from fieldwork.cli import run
from fieldwork.paths import STORE_FILENAME

REPO_DIR = Path(fieldwork.__file__).resolve().parent.parent
MINI = REPO_DIR / "tests" / "fixtures" / "frameworks" / "mini.toml"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys, *argv: str):
    code, out, err = cli(capsys, *argv)
    return code, json.loads(out), err


def write_broken(folder: Path, name: str = "broken.toml") -> Path:
    text = MINI.read_text(encoding="utf-8")
    text = text.replace('domain = "1"', 'domain = "9"', 1)
    text = text.replace('title = "Unpaid work"\n', 'title = "Unpaid work"\ndefault = true\n', 1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def user_frameworks(data_dir) -> Path:
    folder = data_dir / "frameworks"
    folder.mkdir()
    shutil.copy(MINI, folder / "mini.toml")
    return folder


# --- frameworks list ---------------------------------------------------------------------------


def test_list_json_shows_a_user_framework(capsys, data_dir, user_frameworks, mini_framework):
    code, listing, _ = cli_json(capsys, "frameworks", "list", "--json", "--data-dir", str(data_dir))
    assert code == 0
    user = [e for e in listing if e["origin"] == "user"]
    assert len(user) == 1
    entry = user[0]
    assert entry["usable"] is True
    assert entry["id"] == "test-mini"
    assert entry["version"] == "1.0"
    assert entry["standards"] == 3
    assert entry["key_questions"] == 4
    assert entry["hash"] == mini_framework.content_hash
    assert Path(entry["path"]) == user_frameworks / "mini.toml"
    assert all(e["origin"] in ("shipped", "user") for e in listing)


def test_list_json_shows_a_broken_file_as_unusable(capsys, data_dir, user_frameworks):
    write_broken(user_frameworks)
    code, listing, _ = cli_json(capsys, "frameworks", "list", "--json", "--data-dir", str(data_dir))
    assert code == 0
    by_name = {Path(e["path"]).name: e for e in listing if e["origin"] == "user"}
    assert by_name["mini.toml"]["usable"] is True
    broken = by_name["broken.toml"]
    assert broken["usable"] is False
    assert len(broken["problems"]) == 2
    assert any("domain '9'" in p for p in broken["problems"])


def test_list_text_marks_the_unusable_file(capsys, data_dir, user_frameworks):
    write_broken(user_frameworks)
    code, out, _ = cli(capsys, "frameworks", "list", "--data-dir", str(data_dir))
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("test-mini") and "3 standards" in line for line in lines)
    assert any(line.startswith("broken.toml") and "UNUSABLE" in line for line in lines)


# --- frameworks show ---------------------------------------------------------------------------


def test_show_gives_the_whole_framework(capsys, data_dir, user_frameworks, mini_framework):
    code, shown, _ = cli_json(capsys, "frameworks", "show", "test-mini", "--json", "--data-dir", str(data_dir))
    assert code == 0
    assert (shown["id"], shown["version"], shown["hash"]) == ("test-mini", "1.0", mini_framework.content_hash)
    assert [(s["id"], s["default"]) for s in shown["samples"]] == [("supervision", True), ("unpaid_work", False)]
    assert [(s["id"], s["basis"], s["sample"]) for s in shown["standards"]] == [
        ("1.1", "judgement", None),
        ("2.1", "cases", "supervision"),
        ("3.1", "cases", "unpaid_work"),
    ]
    kq = shown["standards"][1]["key_questions"][0]
    assert kq["id"] == "2.1.1"
    assert kq["text"].startswith("Does assessment focus")
    assert [(p["id"], p["allow_na"]) for p in kq["prompts"]] == [("2.1.1.a", False), ("2.1.1.b", True)]
    assert shown["standards"][1]["key_questions"][1]["allow_na"] is True
    details = {d["id"]: d for d in shown["case_details"]}
    assert details["rosh"]["type"] == "choice"
    assert [c["value"] for c in details["rosh"]["choices"]] == ["low", "medium", "high", "very_high"]
    assert details["start_date"]["type"] == "date"
    rating = shown["rating"]
    assert [(b["rating"], b["min_percent"], b["score"]) for b in rating["bands"]] == [
        ("Outstanding", 80, 3),
        ("Good", 65, 2),
        ("Requires improvement", 50, 1),
        ("Inadequate", 0, 0),
    ]
    assert [(b["min_score"], b["max_score"]) for b in rating["overall_bands"]] == [(0, 1), (2, 4), (5, 7), (8, 9)]
    assert rating["max_score"] == 9
    assert rating["not_rated"] == "Not rated"
    assert rating["unrated_standards"] == "provisional"
    assert [d["standards"] for d in shown["domains"]] == [["1.1"], ["2.1", "3.1"]]


def test_show_unknown_framework_is_refused_with_a_sentence(capsys, data_dir, user_frameworks):
    code, out, err = cli(capsys, "frameworks", "show", "no-such-framework", "--data-dir", str(data_dir))
    assert code == 1
    assert out == ""
    assert err.startswith("fieldwork: ")
    assert "no-such-framework" in err
    assert "test-mini" in err  # says what is available
    assert err.count("\n") == 1  # one sentence, no traceback
    assert "Traceback" not in err


def test_show_unknown_framework_json_error(capsys, data_dir):
    code, payload, _ = cli_json(
        capsys, "frameworks", "show", "no-such-framework", "--json", "--data-dir", str(data_dir)
    )
    assert code == 1
    assert payload["error"]["code"] == "not-found"
    assert "no-such-framework" in payload["error"]["message"]


# --- frameworks check --------------------------------------------------------------------------


def test_check_valid_file(capsys):
    code, out, err = cli(capsys, "frameworks", "check", str(MINI))
    assert code == 0
    assert "valid" in out and "test-mini" in out and "3 standards" in out
    assert err == ""


def test_check_valid_file_json(capsys):
    code, result, _ = cli_json(capsys, "frameworks", "check", str(MINI), "--json")
    assert code == 0
    assert result["valid"] is True
    assert result["id"] == "test-mini"


def test_check_invalid_file_lists_every_problem_with_the_file_name(capsys, tmp_path):
    path = write_broken(tmp_path)
    code, out, err = cli(capsys, "frameworks", "check", str(path))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 3  # two problems and the summary
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert any("standards[0].domain" in line and "domain '9'" in line for line in lines)
    assert any("samples" in line and "exactly one sample" in line for line in lines)
    assert "2 problems" in lines[-1]


def test_check_invalid_file_json(capsys, tmp_path):
    path = write_broken(tmp_path)
    code, result, _ = cli_json(capsys, "frameworks", "check", str(path), "--json")
    assert code == 1
    assert result["valid"] is False
    assert result["file"] == str(path)
    assert len(result["problems"]) == 2


def test_check_missing_file(capsys, tmp_path):
    code, _, err = cli(capsys, "frameworks", "check", str(tmp_path / "missing.toml"))
    assert code == 1
    assert "missing.toml" in err


# --- inspections -------------------------------------------------------------------------------


def test_create_then_list_inspection(capsys, data_dir, user_frameworks, mini_framework):
    code, created, _ = cli_json(
        capsys, "inspection", "create", "--framework", "test-mini", "--provider", "X",
        "--data-dir", str(data_dir), "--json",
    )
    assert code == 0
    assert created["provider"] == "X"
    assert created["provider_type"] == "CRC"
    assert created["framework_hash"] == mini_framework.content_hash
    assert created["cases"] == 0
    assert created["id"]
    assert (data_dir / STORE_FILENAME).is_file()

    code, listing, _ = cli_json(capsys, "inspection", "list", "--json", "--data-dir", str(data_dir))
    assert code == 0
    assert [(i["id"], i["provider"], i["cases"], i["complete"]) for i in listing] == [(created["id"], "X", 0, 0)]


def test_create_with_id_and_dates_and_refuse_a_duplicate(capsys, data_dir, user_frameworks):
    args = [
        "inspection", "create", "--framework", "test-mini", "--provider", "Northshire CRC",
        "--id", "NC-2026-11", "--start", "2026-11-02", "--end", "2026-11-13", "--data-dir", str(data_dir),
    ]
    code, created, _ = cli_json(capsys, *args, "--json")
    assert code == 0
    assert (created["id"], created["fieldwork_start"], created["fieldwork_end"]) == (
        "NC-2026-11", "2026-11-02", "2026-11-13",
    )
    code, out, err = cli(capsys, *args)
    assert code == 1
    assert "already exists" in err


def test_create_with_unknown_framework_is_refused(capsys, data_dir):
    code, _, err = cli(
        capsys, "inspection", "create", "--framework", "no-such", "--provider", "X", "--data-dir", str(data_dir)
    )
    assert code == 1
    assert "no-such" in err
    assert not (data_dir / STORE_FILENAME).exists()


@pytest.mark.parametrize("start", ["soon", "2026-02-30", "02/11/2026"])
def test_create_refuses_a_start_that_is_not_a_date(capsys, data_dir, user_frameworks, start):
    code, _, err = cli(
        capsys, "inspection", "create", "--framework", "test-mini", "--provider", "X", "--id", "X-1",
        "--start", start, "--data-dir", str(data_dir),
    )
    assert code == 1
    assert "YYYY-MM-DD" in err or "date" in err


def test_list_with_no_inspections(capsys, data_dir):
    from fieldwork.store import open_store

    open_store(data_dir).close()  # a store with nothing in it (a folder without a store is refused)
    code, listing, _ = cli_json(capsys, "inspection", "list", "--json", "--data-dir", str(data_dir))
    assert code == 0
    assert listing == []


def test_data_dir_before_the_command_is_honoured(capsys, data_dir, user_frameworks, tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDWORK_DATA_DIR", str(tmp_path / "default-store"))
    code, listing, _ = cli_json(capsys, "--data-dir", str(data_dir), "frameworks", "list", "--json")
    assert code == 0
    assert [e["id"] for e in listing if e["origin"] == "user"] == ["test-mini"]


def test_a_store_that_is_not_sqlite_exits_1_with_one_sentence(capsys, data_dir):
    store_file = data_dir / STORE_FILENAME
    store_file.write_bytes(b"not a database\n" * 10)
    before = store_file.read_bytes()
    code, out, err = cli(capsys, "inspection", "list", "--data-dir", str(data_dir))
    assert code == 1
    assert err.startswith("fieldwork: ") and err.count("\n") == 1
    assert "not an SQLite database" in err
    assert store_file.read_bytes() == before


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as caught:
        run(["frameworks", "frobnicate"])
    assert caught.value.code == 2
    capsys.readouterr()


# --- as a program ------------------------------------------------------------------------------


def test_python_dash_m_fieldwork_frameworks_list(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FIELDWORK_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "fieldwork", "frameworks", "list", "--json"],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    assert isinstance(listing, list)
    assert all({"path", "origin", "usable"} <= set(e) for e in listing)


def test_list_shows_current_programmes_first_and_which_are_historic(capsys, data_dir):
    code, listing, _ = cli_json(capsys, "frameworks", "list", "--json", "--data-dir", str(data_dir))
    assert code == 0
    statuses = [e["status"] for e in listing if e["usable"]]
    assert statuses == sorted(statuses) and set(statuses) == {"current", "historic"}  # current first
    crc = next(e for e in listing if e.get("id") == "hmip-adult-2018-crc")
    assert (crc["status"], crc["applies_from"], crc["applies_to"]) == ("historic", "2018", "2021-06")
    pdu = next(e for e in listing if e.get("id") == "hmip-probation-pdu-2023")
    assert (pdu["status"], pdu["person_term"]) == ("current", "person on probation") and "paused" in pdu["status_note"]
    code, out, _ = cli(capsys, "frameworks", "list", "--data-dir", str(data_dir))
    lines = [line for line in out.splitlines() if line.startswith("hmip-")]
    assert "current" in lines[0] and "historic" in lines[-1]
    assert any("hmip-adult-2018-crc" in line and "historic" in line and "(2018 to 2021-06)" in line for line in lines)
