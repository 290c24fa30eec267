"""Check a case sample file, show every problem by row and column, then import it (or not)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableView, QVBoxLayout

from fieldwork.errors import FieldworkError
from fieldwork.gui import theme
from fieldwork.gui.simple_table_model import RowsTableModel
from fieldwork.imports.case_sample import SamplePlan, apply_sample_plan, check_case_sample
from fieldwork.store import Store
from fieldwork.text import plural


class SampleImportDialog(QDialog):
    """The plan for one file: what would be added and changed, and what is wrong where."""

    def __init__(self, store: Store, inspection, plan: SamplePlan, parent=None):
        super().__init__(parent)
        self.store, self.inspection, self.plan = store, inspection, plan
        self.result = None
        self.setWindowTitle(f"Import case sample: {plan.file_name}")
        summary = QLabel(self._summary(), self)
        summary.setWordWrap(True)
        summary.setMinimumWidth(640)
        self.problems_model = RowsTableModel(
            [("Row", lambda p: p.row or ""), ("Column", lambda p: p.column or ""), ("Problem", lambda p: p.message)],
            plan.problems,
            self,
        )
        table = QTableView(self)
        table.setAccessibleName("Problems in the file")
        table.setModel(self.problems_model)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setVisible(bool(plan.problems))
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        theme.style_text(self.message, "errorText")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        if plan.clean and (plan.to_add or plan.changes):
            import_all = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
            import_all.clicked.connect(lambda: self.apply(clean_rows_only=False))
        elif not plan.clean and not plan.heading_problems and plan.to_add:
            clean_only = self.buttons.addButton(
                f"Import only the {plural(len(plan.to_add), 'clean row')}", QDialogButtonBox.ButtonRole.AcceptRole
            )
            clean_only.clicked.connect(lambda: self.apply(clean_rows_only=True))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(760, 480 if plan.problems else 200)

    def _summary(self) -> str:
        plan = self.plan
        parts = [
            f"<b>{plan.file_name}</b> ({plan.table_format.upper()}):",
            f"{plural(len(plan.to_add), 'new case')} to add,",
            f"{plural(len(plan.changes), 'changed value')},",
            f"{plural(len(plan.unchanged), 'case')} already here unchanged.",
        ]
        if plan.not_in_file:
            parts.append(
                f"{plural(len(plan.not_in_file), 'case')} of the inspection "
                + ("is not in the file; it is kept." if len(plan.not_in_file) == 1
                   else "are not in the file; they are kept.")
            )
        if plan.problems:
            parts.append(
                f"<br><b>{plural(len(plan.problems), 'problem')}</b>, listed below by row and column. Nothing is "
                "imported until the file is fixed"
                + (
                    "."
                    if plan.heading_problems
                    else ", unless you import only the clean rows (the skipped rows are recorded)."
                )
            )
        elif not (plan.to_add or plan.changes):
            parts.append("<br>Nothing to import: the inspection already matches this file.")
        for warning in plan.warnings:
            parts.append(f"<br><i>{warning}</i>")
        return " ".join(parts)

    def apply(self, *, clean_rows_only: bool) -> bool:
        try:
            self.result = apply_sample_plan(self.store, self.inspection, self.plan, clean_rows_only=clean_rows_only)
        except FieldworkError as error:
            self.message.setText(error.message)
            return False
        self.accept()
        return True

    @classmethod
    def run(cls, parent, store: Store, inspection, path: str):
        """Check `path`, show the plan, and return the import result (None if nothing was imported)."""
        plan = check_case_sample(store, inspection, path)
        dialog = cls(store, inspection, plan, parent)
        dialog.exec()
        return dialog.result
