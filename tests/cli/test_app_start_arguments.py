"""`fieldwork` with no command opens the app without building every command's parser (issue 21);
its arguments are still checked, and anything else still goes through the full parser."""

from __future__ import annotations

import pytest
from helpers.cli import cheap_and_contained, cli  # noqa: F401 (an autouse fixture: importing it applies it)

from fieldwork.cli import EXIT_USAGE, _app_only


@pytest.mark.parametrize(
    ("argv", "data_dir"),
    [([], None), (["--data-dir", "/x/y"], "/x/y"), (["--data-dir=/x/y"], "/x/y"), (["--data-dir="], "")],
)
def test_only_opening_the_app_takes_the_short_way(argv, data_dir):
    args = _app_only(argv)
    assert args is not None and args.data_dir == data_dir and args.handler is None and not args.self_test


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], ["--self-test"], ["inspection", "list"], ["--data-dir", "/x", "inspection", "list"],
     ["--data", "/x"], ["--data-dir", "--version"], ["--data-dir"]],
)
def test_everything_else_goes_through_the_full_parser(argv):
    assert _app_only(argv) is None


def test_an_empty_data_dir_is_refused_before_any_window_opens(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDWORK_DATA_DIR", str(tmp_path / "default"))
    code, _, err = cli(capsys, "--data-dir=")
    assert code == EXIT_USAGE and "--data-dir is empty" in err and "Traceback" not in err
    code, _, err = cli(capsys, "--data-dir", " ")
    assert code == EXIT_USAGE and "--data-dir is empty" in err
    assert not (tmp_path / "default").exists()
