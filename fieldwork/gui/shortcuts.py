"""Every keyboard shortcut in one place: the menus use these, and the help view lists them."""

from __future__ import annotations

# (action name, key sequence, what it does). Keys inside a question row are listed too.
WINDOW_SHORTCUTS = (
    ("go_home", "Alt+Left", "Back to the list of cases"),
    ("jump_to_case", "Ctrl+G", "Jump to a case by its reference"),
    ("next_question", "Alt+Down", "Next question (works while typing evidence)"),
    ("previous_question", "Alt+Up", "Previous question"),
    ("next_unanswered", "Ctrl+U", "Next unanswered question"),
    ("toggle_complete", "Ctrl+Return", "Mark the case complete (or reopen it)"),
    ("undo", "Ctrl+Z", "Undo the last answer"),
    ("redo", "Ctrl+Shift+Z", "Redo"),
    ("find", "Ctrl+F", "Search cases by reference"),
    ("export_bundle", "Ctrl+E", "Export a bundle for the lead inspector"),
    ("history", "Ctrl+H", "Change history of this case"),
    ("shortcuts", "F1", "This list of shortcuts"),
    ("quit", "Ctrl+Q", "Quit (everything is already saved)"),
)

ASK_INSPECTOR_KEY = "Ctrl+Shift+A"  # the lead's moderation query about the question under the keyboard

ROW_KEYS = (
    ("Y", "Yes (for a key question: sufficient)"),
    ("N", "No (insufficient)"),
    ("A", "Not applicable, where the framework allows it"),
    ("Delete", "Clear the answer"),
    ("Down / J, Up / K", "Next or previous question"),
    ("Enter", "From a judgement: type its evidence"),
    ("Esc", "From evidence: back to the judgement"),
    ("F2", "Show or hide the guidance (CARaG) for the question, below the questions"),
    ("Tab / Shift+Tab", "Move through the controls"),
)

# The lead inspector's screens: the tabs (their Alt letters come from the tab titles, so this list
# and the screen cannot disagree) and the keys only a lead uses.
CASES_TAB = "C&ases"
LEAD_TAB_TITLES = (CASES_TAB, "A&llocation", "&Merge", "Rati&ngs")
# Only for a framework with standards answered for the premises (approved premises, decision 0037).
PREMISES_TAB = "&Premises"


def alt_key(title: str) -> str:
    """ "Rati&ngs" → "Alt+N"."""
    return f"Alt+{title[title.index('&') + 1].upper()}"


LEAD_KEYS = (
    *((alt_key(title), f"The {title.replace('&', '')} tab") for title in LEAD_TAB_TITLES),
    (alt_key(PREMISES_TAB), "The Premises tab (approved premises)"),
    ("Ctrl+Tab / Ctrl+Shift+Tab", "Next or previous tab"),
    (ASK_INSPECTOR_KEY, "On a question: ask the inspector about it (a moderation query)"),
    ("Alt + underlined letter", "The button with that letter, on any screen"),
)


def key_for(action_name: str) -> str:
    return next(key for name, key, _ in WINDOW_SHORTCUTS if name == action_name)
