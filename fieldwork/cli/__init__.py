"""The command line: a thin front on the core. Exit 0 success, 1 refused or invalid, 2 usage.

Each command group lives in its own module with a `register(subparsers)` function; add new
groups to COMMAND_GROUPS. Commands print JSON with --json for scripts, readable text otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Callable

from fieldwork import __version__
from fieldwork.errors import FieldworkError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

log = logging.getLogger("fieldwork")


def _command_groups() -> list[Callable[[argparse._SubParsersAction], None]]:
    from fieldwork.cli import allocation as allocation_cli
    from fieldwork.cli import answers, bundle, cases, frameworks, inspections, keys, trust
    from fieldwork.cli import handover as handover_cli
    from fieldwork.cli import merge as merge_cli
    from fieldwork.cli import premises as premises_cli
    from fieldwork.cli import ratings as ratings_cli
    from fieldwork.cli import region as region_cli
    from fieldwork.cli import store as store_cli

    return [
        frameworks.register,
        inspections.register,
        cases.register,  # case add, case set-sample
        answers.register,
        keys.register,
        trust.register,
        bundle.register,
        ratings_cli.register,
        premises_cli.register,  # answers given once for the premises (decision 0037)
        allocation_cli.register,
        store_cli.register,  # backups, restore, check
        merge_cli.register,  # merge, conflicts, moderation
        handover_cli.register,  # receipt, retention, settings
        region_cli.register,  # region export | import | list | remove (decision 0035)
    ]


def build_parser() -> argparse.ArgumentParser:
    data_dir_help = "folder holding the store, keys and settings (default: the platform's user data folder)"
    # Sub-commands accept --data-dir too; SUPPRESS keeps their default from overwriting a
    # --data-dir given before the command.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=data_dir_help)
    parser = argparse.ArgumentParser(
        prog="fieldwork",
        description="Offline case reading, signed hand-over and merged ratings for probation inspections. "
        "With no command, opens the desktop app.",
    )
    parser.add_argument("--data-dir", metavar="DIR", default=None, help=data_dir_help)
    parser.add_argument("--version", action="version", version=f"fieldwork {__version__}")
    parser.add_argument("--self-test", action="store_true", help="check this installation and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.set_defaults(handler=None, common_parent=common)
    for register in _command_groups():
        register(sub, common)
    return parser


def print_json(value) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def fail(error: FieldworkError, as_json: bool) -> int:
    """Report a refusal: JSON on stdout for scripts, one sentence on stderr for people."""
    if as_json:
        print_json(error.to_json())
    else:
        print(f"fieldwork: {error.message}", file=sys.stderr)
    return EXIT_REFUSED


def run(argv: list[str] | None = None) -> int:
    from fieldwork.cli.terminal import terminal_safe_output

    with terminal_safe_output():  # nothing printed can drive the terminal (escape sequences, bidi)
        return _run(argv)


def _app_only(argv: list[str]) -> argparse.Namespace | None:
    """The arguments when they only open the app (nothing, or just --data-dir DIR), else None.

    Start-up (issue 21): building the full parser imports every command's module, and with them
    the crypto stack, bundles and the merge engine, none of which the first window uses. Anything
    else (a command, --help, --version, --self-test, an abbreviation or a mistake) goes through
    the full parser exactly as before.
    """
    if not argv:
        data_dir = None
    elif len(argv) == 2 and argv[0] == "--data-dir" and not argv[1].startswith("-"):
        data_dir = argv[1]
    elif len(argv) == 1 and argv[0].startswith("--data-dir="):
        data_dir = argv[0].removeprefix("--data-dir=")
    else:
        return None
    return argparse.Namespace(data_dir=data_dir, self_test=False, command=None, handler=None)


def _run(argv: list[str] | None) -> int:
    args = _app_only(sys.argv[1:] if argv is None else list(argv))
    if args is None:
        args = build_parser().parse_args(argv)
    from fieldwork.cli.arguments import ArgumentProblem, check_arguments

    try:
        check_arguments(args)  # empty values, lengths, text given by --X-file
    except ArgumentProblem as problem:
        fail(problem, getattr(args, "json", False))
        return EXIT_USAGE if problem.usage else EXIT_REFUSED
    if args.self_test:
        from fieldwork.selftest import run_self_test

        return run_self_test(args.data_dir)
    if args.handler is None:
        from fieldwork.gui.app import run_app

        return run_app(args.data_dir)
    notices = _print_notices()
    try:
        return args.handler(args) or EXIT_OK
    except FieldworkError as error:
        return fail(error, getattr(args, "json", False))
    except BrokenPipeError:
        raise  # the reader of stdout went away (`| head`): fieldwork.__main__ ends quietly
    except KeyboardInterrupt:
        print("fieldwork: interrupted; nothing was changed by the unfinished command.", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as error:  # a path the system refused: missing folder, read-only, too long, a folder
        return fail(_os_refusal(error), getattr(args, "json", False))
    except (UnicodeError, OverflowError) as error:
        what = "a number too large" if isinstance(error, OverflowError) else "text that is not valid UTF-8"
        refusal = FieldworkError(f"The command was given {what}; check its arguments and try again.", code="bad-input")
        return fail(refusal, getattr(args, "json", False))
    finally:
        logging.getLogger("fieldwork.notice").removeHandler(notices)


class _NoticeHandler(logging.Handler):
    """Things the store did on its own at open (an interrupted restore settled), said on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(OSError, ValueError):
            print(f"fieldwork: {record.getMessage()}", file=sys.stderr)


def _print_notices() -> logging.Handler:
    handler = _NoticeHandler(logging.WARNING)
    logging.getLogger("fieldwork.notice").addHandler(handler)
    return handler


def _os_refusal(error: OSError) -> FieldworkError:
    """One sentence for a refused path; writes go to temporary files renamed at the end, so a
    command stopped here has not replaced anything."""
    where = f" ({error.filename})" if error.filename else ""
    reason = error.strerror or type(error).__name__
    return FieldworkError(
        f"The system refused a file or folder{where}: {reason}. Check that the path exists, is a file or "
        "folder as expected, can be written and is not too long, then try again.",
        code="os-error",
    )
