"""A line in the case view naming answers kept from an earlier framework version (decision 0042):
the inspection moved to a version without those questions, so they are kept, shown here with
their values, and never counted."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from fieldwork.frameworks.model import Framework
from fieldwork.store.db import Store
from fieldwork.store.framework_move import kept_answers


def kept_answers_text(store: Store, case_id: str, framework: Framework) -> str:
    """"" when the case has none; else one sentence naming each kept answer and its value."""
    kept = kept_answers(store, case_id, framework)
    if not kept:
        return ""
    labels = framework.answer_labels
    items = "; ".join(
        f"{question_id}: {labels.get(value, 'no answer') if value else 'no answer'}"
        + (f" (evidence: {note[:60]}{'…' if len(note) > 60 else ''})" if note else "")
        for question_id, value, note in kept
    )
    return (f"Kept from an earlier version of the framework, no longer asked and not counted: {items}. "
            "The case's history shows the move.")


def kept_answers_label(store: Store, case_id: str, framework: Framework, parent: QWidget) -> QLabel | None:
    text = kept_answers_text(store, case_id, framework)
    if not text:
        return None
    label = QLabel(text, parent)
    label.setObjectName("keptAnswers")
    label.setWordWrap(True)
    label.setAccessibleName("Answers kept from an earlier framework version")
    return label
