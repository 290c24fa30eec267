"""Checks every command's arguments share, made once in `run()` before any command runs.

- **Empty values** are refused, never taken as "not given": `--data-dir ""` (an unset shell
  variable) used the default folder, `--out ""` wrote into the current folder, `--sample ""`
  created an inspection without its sample, and `--start ""` left the date out.
- **Lengths**: free text (a query, evidence, a reason, a note) up to MAX_TEXT_CHARS characters;
  any other argument up to MAX_ARGUMENT_CHARS (a path, an id, a name).
- **Text from a file or standard input**: arguments are visible to every user of the computer
  (`ps`), so each free-text option, and --case, has a `--X-file FILE` twin (`-` reads standard
  input) that is read here, through fieldwork.regular_files, into the option's value.
"""

from __future__ import annotations

import argparse
import sys

from fieldwork.errors import FieldworkError
from fieldwork.regular_files import read_regular_file

MAX_TEXT_CHARS = 20_000  # well under a spreadsheet cell (32,767), so every export keeps it whole
MAX_ARGUMENT_CHARS = 4_096  # the longest path most systems accept
STDIN = "-"

# Values that must not be empty: paths, dates and choices where "" used to mean "not given".
_NOT_EMPTY = {
    "data_dir": "--data-dir", "out": "--out", "sample": "--sample", "start": "--start", "end": "--end",
    "to": "--to", "recovery": "--recovery", "file": "FILE", "files": "FILE", "identity_file": "IDENTITY_FILE",
    "statement_file": "STATEMENT_FILE", "folder": "DIR", "backup": "BACKUP", "inspector": "--inspector",
    "fw_version": "--version", "provider_type": "--provider-type", "inspection_id": "the inspection id",
    "accept_lead": "--accept-lead", "passphrase_env": "--passphrase-env",
}
_FREE_TEXT = ("text", "note", "reason", "evidence")


class ArgumentProblem(FieldworkError):
    """An argument that cannot be used: exit 2 (usage) when it is empty, else 1 (refused)."""

    code = "bad-argument"

    def __init__(self, message: str, *, usage: bool = False):
        super().__init__(message, code="usage" if usage else None)
        self.usage = usage


def add_text_option(parser, flag: str, *, required: bool = False, default=None, help: str, metavar: str = "TEXT"):
    """`--X TEXT` and `--X-file FILE` (`-`: standard input), one of them required when `required`."""
    dest = flag.lstrip("-").replace("-", "_")
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument(flag, dest=dest, metavar=metavar, default=default, help=help)
    group.add_argument(
        f"{flag}-file", dest=f"{dest}_file", metavar="FILE",
        help=f"read {flag.lstrip('-')} from FILE instead ('-': standard input); unlike {flag}, not visible to "
        "other users of this computer",
    )
    known = parser.get_default("text_options") or ()
    parser.set_defaults(text_options=(*known, dest))


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse empty and over-long values, then fill in text given by file (ArgumentProblem)."""
    for dest, label in _NOT_EMPTY.items():
        value = getattr(args, dest, None)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and not v.strip() for v in values):
            raise ArgumentProblem(f"{label} is empty; give a value, or leave the option out.", usage=True)
    _read_text_files(args)
    for dest, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str):
                continue
            limit = MAX_TEXT_CHARS if dest in _FREE_TEXT else MAX_ARGUMENT_CHARS
            if len(item) > limit:
                raise ArgumentProblem(
                    f"The {dest.replace('_', ' ')} given is {len(item):,} characters long; at most {limit:,} are "
                    "accepted. Shorten it."
                )


def _read_text_files(args: argparse.Namespace) -> None:
    sources = {dest: getattr(args, f"{dest}_file", None) for dest in getattr(args, "text_options", ()) or ()}
    sources = {dest: path for dest, path in sources.items() if path is not None}
    if sum(1 for path in sources.values() if path == STDIN) > 1:
        raise ArgumentProblem("Only one option can read standard input ('-'); give the others as files.", usage=True)
    for dest, path in sources.items():
        flag = f"--{dest.replace('_', '-')}-file"
        if not path.strip():
            raise ArgumentProblem(f"{flag} is empty; give a file, or '-' for standard input.", usage=True)
        text = _read_text(path, flag)
        setattr(args, dest, text.strip() if dest == "case" else text)  # a reference has no spaces around it
        setattr(args, f"{dest}_file", None)


def _read_text(path: str, flag: str) -> str:
    cap = MAX_TEXT_CHARS * 4  # UTF-8: at most 4 bytes a character
    try:
        data = sys.stdin.buffer.read(cap + 1) if path == STDIN else read_regular_file(path, cap)
    except OSError as exc:
        raise ArgumentProblem(f"{flag}: {path} cannot be read ({exc.strerror}); check the path.") from None
    if len(data) > cap:
        raise ArgumentProblem(f"{flag}: {path} is longer than {MAX_TEXT_CHARS:,} characters; shorten it.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArgumentProblem(f"{flag}: {path} is not UTF-8 text; save it as UTF-8 and try again.") from None
    # A file (or `echo`) ends its last line with a line break: that one is not part of the text.
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    return text
