"""Export files (ratings report, research export) hold personal data: owner-only whatever the
umask, nothing in the system temp folder, and nothing left behind by a failed or killed export
that the next export does not remove (issue 20, section 4)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import pytest

from fieldwork.cli import run
from fieldwork.profile import open_profile_store
from fieldwork.reports import research_export
from fieldwork.reports.exports import export_ratings
from fieldwork.reports.files import ExportError
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.reports.research_export import export_research
from fieldwork.store.assessments import set_answer
from fieldwork.store.inspections import add_case, get_inspection

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and SIGKILL")

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "fixtures" / "frameworks" / "mini.toml"
EVIDENCE = "Evidence about the person on probation"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_0():
    old = os.umask(0)
    yield
    os.umask(old)


@pytest.fixture
def own_temp_folder(tmp_path, monkeypatch) -> Path:
    """The system temp folder, as this process and its children see it."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    return folder


def test_every_export_is_owner_only_under_umask_0(store, inspection, cases, tmp_path, umask_0, qapp):
    from fieldwork.gui.report_pdf import write_pdf

    cases.case({"2.1.1": "yes"}, notes={"2.1.1": EVIDENCE})
    report = inspection_ratings(store, inspection.id, include_breakdowns=True)
    written = [export_ratings(report, fmt, tmp_path / f"ratings.{fmt}") for fmt in ("json", "csv", "xlsx", "html")]
    written.append(write_pdf(report, tmp_path / "ratings.pdf"))
    written += [export_research(store, inspection.id, tmp_path / f"research.{fmt}").path for fmt in ("csv", "xlsx")]
    assert {p.name: oct(mode(p)) for p in written} == {p.name: "0o600" for p in written}


def test_an_export_over_a_readable_file_leaves_it_owner_only(store, inspection, cases, tmp_path, umask_0):
    cases.case({"2.1.1": "yes"})
    target = tmp_path / "research.csv"
    target.write_text("an older export", encoding="utf-8")
    target.chmod(0o644)
    export_research(store, inspection.id, target)
    assert mode(target) == 0o600


def test_nothing_is_spooled_to_the_system_temp_folder(store, inspection, cases, tmp_path, own_temp_folder,
                                                      monkeypatch):
    """Looked at while the workbook is being written, not only after: openpyxl removes its spool
    at the end, so only a killed export showed it (see the kill test below)."""
    for _ in range(3):
        cases.case({"2.1.1": "yes"}, notes={"2.1.1": EVIDENCE})
    seen_in_temp: list[list[str]] = []
    seen_beside: list[list[str]] = []
    real_rows = research_export.research_rows
    target = tmp_path / "out" / "research.xlsx"
    target.parent.mkdir()

    def watched_rows(*args, **kwargs):
        for row in real_rows(*args, **kwargs):
            yield row
            seen_in_temp.append(sorted(os.listdir(own_temp_folder)))
            seen_beside.append(sorted(p.name for p in target.parent.iterdir()))

    monkeypatch.setattr(research_export, "research_rows", watched_rows)
    export_research(store, inspection.id, target)
    assert seen_in_temp and all(names == [] for names in seen_in_temp)
    # Mid-export: the temp file and the sheet's spool, both beside the target and owner-only.
    assert all(len(names) == 2 and all(n.endswith(".partial") for n in names) for names in seen_beside[1:])
    assert [p.name for p in target.parent.iterdir()] == ["research.xlsx"]
    assert list(own_temp_folder.iterdir()) == []


def test_a_failed_export_removes_its_temp_and_spool_files(store, inspection, cases, tmp_path, monkeypatch):
    cases.case({"2.1.1": "yes"})

    def failing_rows(*args, **kwargs):
        yield from []
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(research_export, "research_rows", failing_rows)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("research.csv", "research.xlsx"):
        with pytest.raises(ExportError, match="could not be written"):
            export_research(store, inspection.id, out / name)
    assert list(out.iterdir()) == []


def test_leftovers_of_killed_exports_are_removed_at_the_start(store, inspection, cases, tmp_path):
    """A dead writer's temp file (pid named in it), and the name versions before 0027 used."""
    cases.case({"2.1.1": "yes"})
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftovers = [
        tmp_path / f".research.xlsx.{int(dead.stdout)}-0badf00d.partial",
        tmp_path / ".research.xlsx.k3x_9q2a.partial",
    ]
    for leftover in leftovers:
        leftover.write_text("case references and evidence", encoding="utf-8")
    running = tmp_path / f".research.xlsx.{os.getpid()}-12345678.partial"  # this process still runs
    running.write_text("another export still being written", encoding="utf-8")
    other = tmp_path / "notes.partial"  # not a name fieldwork writes
    other.write_text("someone else's", encoding="utf-8")
    export_research(store, inspection.id, tmp_path / "research.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["research.xlsx", running.name, other.name])


# --- a real kill -----------------------------------------------------------------------------------


@pytest.fixture
def research_data(data_dir, capsys) -> Path:
    """A data folder with inspection NS-1 of 40 supervision cases: 160 research rows."""
    (data_dir / "frameworks").mkdir()
    shutil.copy(MINI, data_dir / "frameworks" / "mini.toml")
    code = run(["--data-dir", str(data_dir), "inspection", "create", "--framework", "test-mini",
                "--provider", "Northshire CRC", "--id", "NS-1"])
    assert code == 0, capsys.readouterr().err
    with open_profile_store(data_dir) as store:
        inspection = get_inspection(store, "NS-1")
        for number in range(40):
            case = add_case(store, inspection, f"C{number:03d}")
            set_answer(store, case.id, "2.1.1", value="yes", note=f"{EVIDENCE} {number}")
    return data_dir


def _export_in_a_child(data: Path, target: Path, temp_folder: Path, crash_at: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(temp_folder), "FIELDWORK_CRASH_AT": crash_at, "FIELDWORK_CRASH_AFTER": "1"}
    return subprocess.run(
        [sys.executable, "-m", "fieldwork", "--data-dir", str(data), "export", "research", "--inspection", "NS-1",
         "--out", str(target), "--overwrite"],
        env=env, capture_output=True, text=True, timeout=120, cwd=REPO,
    )


@pytest.mark.parametrize(
    ("name", "point"),
    [("research.xlsx", "research.mid_write"), ("research.csv", "research.mid_write"),
     ("research.xlsx", "report.before_rename")],
)
def test_killed_mid_export_leaves_no_plaintext_in_the_temp_folder_and_the_next_run_cleans_up(
    research_data, tmp_path, name, point
):
    temp_folder = tmp_path / "system-temp"
    temp_folder.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    target = out / name
    killed = _export_in_a_child(research_data, target, temp_folder, crash_at=point)
    assert killed.returncode == -9, killed.stderr  # SIGKILL at the crash point
    assert list(temp_folder.iterdir()) == []  # no spooled sheet of case data in the temp folder
    assert not target.exists()
    left = list(out.iterdir())
    assert left and all(p.name.startswith(f".{name}.") and p.name.endswith(".partial") for p in left)
    assert all(mode(p) == 0o600 for p in left)  # even the leftovers are owner-only

    finished = _export_in_a_child(research_data, target, temp_folder)
    assert finished.returncode == 0, finished.stderr
    assert [p.name for p in out.iterdir()] == [name]  # the killed export's files are gone
    assert list(temp_folder.iterdir()) == []
    assert mode(target) == 0o600
    if name.endswith(".xlsx"):
        assert openpyxl.load_workbook(target)["Case data"].max_row == 161


@pytest.mark.parametrize("name", ["", ".", ".."])
def test_a_target_without_a_file_name_is_refused(store, inspection, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ExportError, match="needs a file name"):
        export_research(store, inspection.id, Path(name), fmt="csv")
    with pytest.raises(ExportError, match="is a folder"):
        export_research(store, inspection.id, tmp_path, fmt="csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_killed_at_random_moments_the_target_is_whole_or_absent_and_nothing_is_left_in_temp(
    research_data, tmp_path
):
    """SIGKILL at a random moment of `fieldwork export research` (start-up, query, rows, zip,
    rename): whatever the moment, the target is absent or a whole workbook, the temp folder stays
    empty, and the next export leaves only the target."""
    import random
    import signal
    import time

    temp_folder = tmp_path / "system-temp"
    temp_folder.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    target = out / "research.xlsx"
    env = {**os.environ, "TMPDIR": str(temp_folder), "FIELDWORK_CRASH_AT": ""}
    rng = random.Random(2026)
    for _ in range(4):
        child = subprocess.Popen(
            [sys.executable, "-m", "fieldwork", "--data-dir", str(research_data), "export", "research",
             "--inspection", "NS-1", "--out", str(target), "--overwrite"],
            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 2.0))  # when to kill, not an assertion
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert list(temp_folder.iterdir()) == []
        if target.exists():
            assert openpyxl.load_workbook(target)["Case data"].max_row == 161
            assert mode(target) == 0o600
        assert all(p == target or p.name.endswith(".partial") for p in out.iterdir())
    finished = _export_in_a_child(research_data, target, temp_folder)
    assert finished.returncode == 0, finished.stderr
    assert [p.name for p in out.iterdir()] == ["research.xlsx"]
