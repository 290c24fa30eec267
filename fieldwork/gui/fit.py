"""Dialogs that grow to their content: wrapped text gets the height it needs (issue 19).

A dialog's layout does not ask its word-wrapped labels how tall they are at the dialog's width,
so a message that appears later (a result, a refusal) was squeezed into the old height and the
rows above it overlapped. After such a change a dialog calls `grow_to_content`, which makes it
as tall as its content at its present width, never taller than the screen.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def grow_to_content(dialog: QWidget) -> None:
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    width = max(dialog.width(), layout.totalMinimumSize().width())
    if layout.hasHeightForWidth():
        needed = layout.totalHeightForWidth(width)
    else:
        needed = layout.totalSizeHint().height()
    screen = dialog.screen()
    if screen is not None:
        needed = min(needed, screen.availableGeometry().height())
    dialog.setMinimumHeight(needed)  # and the user cannot shrink it into overlapping rows
    if dialog.height() < needed or dialog.width() != width:
        dialog.resize(width, max(needed, dialog.height()))
