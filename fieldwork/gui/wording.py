"""Messages from the core in the app's own terms: screens, not terminal commands (issue 19).

The core's errors are shared with the command line, so their advice names commands such as
'fieldwork trust add'. Someone using the app has no terminal open and may not know there is one:
every message the app shows passes through `in_app`, which puts the screen that does the same
job in place of the command. Tests check that every command quoted anywhere in the core has a
replacement here (tests/gui/test_keyboard_and_dialogs.py).
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QStatusBar

# Subcommand (longest first wins) → where the same thing is done in the app.
SCREENS = {
    "trust add": "the Allocation tab's \"Add an inspector's identity…\" button",
    "trust rotate": "Profile → \"Accept a key change…\"",
    "trust list": "the Allocation tab (\"Allocate selected to…\" lists the trusted inspectors)",
    "keys export": "Profile → \"Your identity and keys…\" → \"Export identity file…\"",
    "keys init": "Profile → \"Your identity and keys…\"",
    "keys rotate": "Profile → \"Your identity and keys…\" → \"Make new keys…\"",
    "keys show": "Profile → \"Your identity and keys…\"",
    "keys recovery": "the recovery steps in the user guide (docs/recovery-drill.md)",
    "conflicts list": "the Merge tab",
    "merge": "the Merge tab",
    "region remove": "the Ratings tab's \"Take out a PDU's results…\" button",
    "region list": "the Ratings tab (PDU results counted)",
    "region": "the Merge tab (it takes PDU results bundles too)",
    "rate": "the Ratings tab",
    "ratings": "the Ratings tab",
    "retention": "File → \"Handover and retention settings…\"",
    "inspection create": "File → \"New inspection…\"",
    "inspection demo": "File → \"Open the practice inspection\"",
    "inspection move-framework": "Help → \"Frameworks…\" → \"Move this inspection to this version…\"",
    "moderation close": "the Merge tab's moderation queries",
    "frameworks": "Help → \"About this framework\"",
    "store": "the backups the app keeps (it offers the latest one at start-up if the store is damaged)",
    "export research": "the research export described in the user guide (docs/ratings-and-reports.md)",
}

# A command as the core quotes it: 'fieldwork keys export --out FILE' or `fieldwork ratings`.
# Anything up to the closing quote: options and their values ('--inspection M1') go with it.
_COMMAND = re.compile(r"(['`])fieldwork ([a-z][^'`\n]*?)\1")


def screen_for(subcommand: str) -> str | None:
    """The screen for a subcommand ("trust add", "keys export --out FILE"), or None."""
    words = subcommand.split()
    for length in range(len(words), 0, -1):
        found = SCREENS.get(" ".join(words[:length]))
        if found:
            return found
    return None


def in_app(message: str) -> str:
    """`message` with each quoted terminal command replaced by the app screen that does the same."""

    def replace(match: re.Match) -> str:
        return screen_for(match.group(2).strip()) or "the fieldwork user guide"

    return _COMMAND.sub(replace, message)


class AppStatusBar(QStatusBar):
    """The main window's status bar: every message in the app's terms (see in_app)."""

    def showMessage(self, message: str, timeout: int = 0) -> None:  # noqa: N802 (Qt's name)
        super().showMessage(in_app(message), timeout)
