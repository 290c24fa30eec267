"""The case's status in the case view: the status pill, progress, banner and outline marks, and
marking the case complete (with the completion list in words) or reopening it.

A mixin of CaseView, kept apart so the view itself stays readable. It uses the view's store,
case_id, framework, _assessment, _panels, _outline_items, details_form, moderation, the header's
labels and complete_button, and its _editable, _apply_editable, _reload, flush_pending and
focus_question; it emits the view's message and case_changed signals.
"""

from __future__ import annotations

from dataclasses import replace

from fieldwork.assessment import Missing
from fieldwork.errors import FieldworkError
from fieldwork.gui import theme
from fieldwork.gui.completion_dialog import COMPLETE_ANYWAY, CompletionDialog
from fieldwork.store.assessments import set_status
from fieldwork.store.records import STATUS_LABELS


class CaseStatus:
    """Status display and the complete / reopen flow of CaseView."""

    def _show_status(self) -> None:
        case = self._assessment.case
        judged, required = self._assessment.progress()
        self.progress_label.setText(f"{judged} of {required} key questions judged")
        self.status_label.setText(STATUS_LABELS[case.status])
        self.status_label.setProperty("status", case.status)
        self.status_label.set_fill(theme.STATUS_FILLS[case.status])
        editable = self._editable()
        self.complete_button.setText("&Reopen case" if case.status == "complete" else "Mark &complete…")
        self.complete_button.setToolTip("Ctrl+Return")
        self.complete_button.setEnabled(not self.store.read_only and case.status != "handed_over")
        for panel in self._panels.values():
            self._apply_editable(panel)
        self.details_form.set_editable(editable)
        if self.store.read_only:
            self._show_banner(
                "Read-only: this store is open in another fieldwork window. Changes are not possible here."
            )
        elif case.status == "complete":
            self._show_banner("This case is marked complete. Reopen it to change answers.")
        elif case.status == "handed_over":
            self._show_banner("This case has been handed over to the lead inspector.")
        else:
            self.banner.hide()
        self._update_outline()

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def _update_outline(self) -> None:
        answers = self._assessment.answers
        for standard in self.framework.standards_for_sample(self._assessment.case.sample_id):
            judged = sum(1 for kq in standard.key_questions if (a := answers.get(kq.id)) and a.value)
            total = len(standard.key_questions)
            mark = "✓" if judged == total else f"{judged}/{total}"
            self._outline_items[standard.id].setText(f"{standard.name}   {mark}")
            for kq in standard.key_questions:
                stored = answers.get(kq.id)
                label = self.framework.judgement_labels.get(stored.value, "") if stored and stored.value else "—"
                shown = self.framework.question_number(kq.id)
                self._outline_items[kq.id].setText(f"{shown}  {label}{self.moderation.outline_mark(kq.id)}")

    def _toggle_complete(self) -> None:
        if not self.flush_pending():
            self.message.emit(
                "Not marked complete: some of what you typed is not saved (marked NOT SAVED). "
                "Try again once it is saved."
            )
            return
        self._reload()
        case = self._assessment.case
        try:
            if case.status == "complete":
                set_status(self.store, self.case_id, "in_progress")
                self.message.emit(f"Case {case.case_ref} reopened.")
            else:
                problems = [self._with_question_text(p) for p in self._assessment.completion_problems()]
                if problems:
                    target = CompletionDialog.ask(self, case.case_ref, problems)
                    if target:
                        self.focus_question(target)
                    return
                # The lead's open queries are advisory: shown once more, never blocking (decision 0016).
                reminders = [self._with_question_text(r) for r in self.moderation.completion_reminders()]
                if reminders:
                    choice = CompletionDialog.ask_about_queries(self, case.case_ref, reminders)
                    if choice is not COMPLETE_ANYWAY:
                        if choice:
                            self.focus_question(choice)
                        return
                set_status(self.store, self.case_id, "complete")
                self.message.emit(f"Case {case.case_ref} marked complete.")
        except FieldworkError as error:
            self.message.emit(error.message)
            return
        self._reload()
        self._show_status()
        self.case_changed.emit(self.case_id)

    def question_text(self, question_id: str) -> str | None:
        """The words of a key question or prompt (None for a case detail or an unknown id)."""
        kind = self.framework.question_kind(question_id)
        if kind == "key_question":
            return self.framework.key_question(question_id).text
        if kind == "prompt":
            return self.framework.prompt(question_id).text
        return None

    def _with_question_text(self, item: Missing) -> Missing:
        """The completion list names the question in words, not only by its number (issue 19)."""
        text = self.question_text(item.question_id)
        return replace(item, message=f"{item.message}\n{item.question_id}: {text}") if text else item

    def toggle_complete(self) -> None:
        self._toggle_complete()

