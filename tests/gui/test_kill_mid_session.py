"""Killing the app mid-session loses nothing the screen showed as saved.

A child process runs the real window offscreen and answers through the widgets with the
keyboard. After each change it checks what the screen shows (the row's answer and the
window's "All changes saved") and only then reports it: "SAVED <case>:<question> <value>".
Before each key press it says what it is about to try ("TRY ..."), so the parent knows which
single change may have reached the disk without being reported. The parent SIGKILLs the child
at a seeded random point, reopens the store and checks every reported answer is on disk.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from fieldwork.store import open_store
from fieldwork.store.assessments import find_case, load_assessment
from tests.gui.conftest import make_cases, make_inspection

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"),
]

REPO = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(r"""
    import random, sys, time
    from pathlib import Path

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from fieldwork.gui.main_window import MainWindow
    from fieldwork.store import open_store
    from fieldwork.store.assessments import find_case

    data_dir, mode, seed = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    app = QApplication(["fieldwork-child"])
    store = open_store(data_dir, actor="insp-1")
    assert not store.read_only, "the child must be the writer"
    window = MainWindow(store)
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    rng = random.Random(seed)

    def say(line):
        print(line, flush=True)

    def wait_until(condition, timeout=5.0):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                say("ODD timed out waiting")
                sys.exit(3)
            QTest.qWait(5)

    def open_case(ref):
        case = find_case(store, "T1", ref)
        if window.case_view is None or window.case_view.case_id != case.id:
            window.open_case(case.id)
        return window.case_view

    KEYS = {"yes": Qt.Key.Key_Y, "no": Qt.Key.Key_N, "na": Qt.Key.Key_A, "none": Qt.Key.Key_Delete}

    if mode == "answers":
        say("READY")
        for _round in range(400):
            ref = rng.choice(["C001", "C002", "C003"])
            view = open_case(ref)
            for _step in range(rng.randint(3, 8)):
                row = rng.choice(view.rows)
                choices = [v for v in ("yes", "no", "na") if v in row.allowed] + ["none"]
                if row.judgement:
                    choices.remove("na") if "na" in choices else None  # keeps every prompt enabled
                value = rng.choice(choices)
                view.focus_question(row.question_id)
                wait_until(row.hasFocus)
                say(f"TRY {ref}:{row.question_id} {value}")
                QTest.keyClick(row, KEYS[value])
                shown = row.value or "none"
                if shown != value or window.save_label.text() != "\u2713 All changes saved":
                    say(f"ODD {ref}:{row.question_id} shows {shown} / {window.save_label.text()}")
                    sys.exit(3)
                say(f"SAVED {ref}:{row.question_id} {value}")
        say("DONE")
    elif mode == "evidence":
        view = open_case("C001")
        panel = view.panel("2.1.1")
        view.focus_question("2.1.1")
        wait_until(view.row("2.1.1").hasFocus)
        QTest.keyClick(view.row("2.1.1"), Qt.Key.Key_Return)
        wait_until(panel.evidence.hasFocus)
        say("READY")
        text = ""
        for number in range(1, 200):
            chunk = f"Point {number}: the plan was reviewed with the person. "
            QTest.keyClicks(panel.evidence, chunk)
            text += chunk
            wait_until(lambda: panel.save_label.text().startswith("Saved")
                       and not panel.evidence.has_unsaved_text())
            say(f"SAVED-NOTE C001:2.1.1 {text}")
        say("DONE")
""")


class Child:
    """The child process and its output, read line by line with a deadline."""

    def __init__(self, data_dir: Path, mode: str, seed: int, stderr_path: Path):
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
        self.stderr = open(stderr_path, "wb")  # closed in finish()
        self.stderr_path = stderr_path
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_dir), mode, str(seed)],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=REPO,
            env=env,
        )
        self._buffer = b""
        self.lines: list[str] = []

    def read_line(self, timeout: float = 30.0) -> str | None:
        """The next line, or None at end of output; fails the test if none comes in time."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                pytest.fail(f"the child said nothing for {timeout} s; stderr:\n{self.errors()}")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                data = os.read(fd, 65536)
                if not data:
                    if self._buffer:
                        break
                    return None
                self._buffer += data
        line, _, self._buffer = self._buffer.partition(b"\n")
        text = line.decode("utf-8")
        self.lines.append(text)
        assert not text.startswith("ODD"), f"the child saw something wrong: {text}\n{self.errors()}"
        return text

    def read_for(self, seconds: float) -> None:
        """Keep reading whatever comes for a while (the child goes on working)."""
        deadline = time.monotonic() + seconds
        fd = self.proc.stdout.fileno()
        while (remaining := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                return
            data = os.read(fd, 65536)
            if not data:
                return
            self._buffer += data
        # Complete lines received before the kill count as reported.

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def finish(self) -> list[str]:
        """All complete lines the parent had received when the child died."""
        self.kill()
        fd = self.proc.stdout.fileno()
        while True:  # anything already in the pipe was written (and shown) before the kill
            data = os.read(fd, 65536)
            if not data:
                break
            self._buffer += data
        self.proc.stdout.close()
        self.stderr.close()
        complete, _, _ = self._buffer.rpartition(b"\n")
        if complete:
            self.lines.extend(complete.decode("utf-8").split("\n"))
        self._buffer = b""
        assert not any(line.startswith("ODD") for line in self.lines), self.lines
        return self.lines

    def errors(self) -> str:
        self.stderr.flush()
        return self.stderr_path.read_text(errors="replace")[-3000:]


@pytest.fixture
def prepared(tmp_path, mini):
    """A store with the mini inspection and three cases, closed so the child can take it."""
    data_dir = tmp_path / "data"
    store = open_store(data_dir, actor="insp-1")
    cases = make_cases(store, make_inspection(store, mini))
    store.close()
    return data_dir, {ref: case.id for ref, case in cases.items()}


def check_store_is_sound(data_dir: Path):
    store = open_store(data_dir, actor="check")
    assert not store.read_only, "the killed child's lock must be gone"
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
    return store


@pytest.mark.parametrize("seed", [11, 22, 33, 44, 55])
def test_killed_mid_answering_keeps_every_answer_shown_as_saved(tmp_path, prepared, seed):
    data_dir, case_ids = prepared
    rng = random.Random(seed)
    kill_after = rng.randint(1, 300)  # reported saves before the kill…
    extra = rng.uniform(0.0, 0.05)  # …and a little more work by the child
    child = Child(data_dir, "answers", seed, tmp_path / "child-stderr.txt")
    try:
        assert child.read_line() == "READY", child.errors()
        saved = 0
        while saved < kill_after:
            line = child.read_line()
            assert line is not None and line != "DONE", f"child ended early: {child.errors()}"
            saved += line.startswith("SAVED ")
        child.read_for(extra)
    finally:
        lines = child.finish()

    # What must be on disk: the last reported value of each question; the last change tried
    # (and perhaps written) but not yet reported may be there instead.
    expected: dict[str, set[str | None]] = {}
    reported = 0
    for line in lines:
        kind, _, rest = line.partition(" ")
        if kind not in ("TRY", "SAVED"):
            continue
        key, value = rest.split(" ")
        value = None if value == "none" else value
        if kind == "SAVED":
            expected[key] = {value}
            reported += 1
        else:
            expected[key] = expected.get(key, {None}) | {value}
    assert reported >= kill_after

    store = check_store_is_sound(data_dir)
    try:
        for key, allowed in expected.items():
            ref, question_id = key.split(":")
            answer = load_assessment(store, case_ids[ref]).answers.get(question_id)
            on_disk = answer.value if answer else None
            assert on_disk in allowed, f"{key}: the screen showed {allowed}, the disk has {on_disk!r}"
        # Every saved change is in the change log too, with the actor that made it.
        logged = store.db.execute(
            "SELECT count(*) FROM change_log WHERE target = 'answer' AND actor = 'insp-1'"
        ).fetchone()[0]
        assert logged >= 1
    finally:
        store.close()


def test_killed_while_typing_evidence_keeps_the_text_shown_as_saved(tmp_path, prepared):
    data_dir, case_ids = prepared
    rng = random.Random(2018)
    kill_after = rng.randint(1, 3)
    child = Child(data_dir, "evidence", 0, tmp_path / "child-stderr.txt")
    try:
        assert child.read_line() == "READY", child.errors()
        for _ in range(kill_after):
            line = child.read_line()
            assert line is not None and line.startswith("SAVED-NOTE "), (line, child.errors())
        # Kill while the next sentence is being typed or is waiting for its pause.
        child.read_for(rng.uniform(0.0, 0.4))
    finally:
        lines = child.finish()

    notes = [line.split(" ", 2)[2] for line in lines if line.startswith("SAVED-NOTE ")]
    assert len(notes) >= kill_after
    store = check_store_is_sound(data_dir)
    try:
        answer = load_assessment(store, case_ids["C001"]).answers["2.1.1"]
        assert answer.note.startswith(notes[-1].rstrip()), (answer.note, notes[-1])
        assert len(answer.note) >= len(notes[-1].rstrip())
        assert find_case(store, "T1", "C001").status == "in_progress"
    finally:
        store.close()
