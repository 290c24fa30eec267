"""Starting work from the main window: the practice inspection, a new inspection, a new case, and
jumping to a case by its reference. Each asks, writes through the store, and opens the result;
a refusal is said in a dialog whose title names what was not done, and changes nothing.

Loaded on first use, not at start-up (the dialogs it opens are not on the first screen)."""

from __future__ import annotations

from fieldwork.errors import FieldworkError
from fieldwork.store.assessments import find_case, list_case_summaries
from fieldwork.store.inspections import add_case as store_add_case
from fieldwork.store.inspections import create_inspection


def open_practice(window) -> None:
    from fieldwork.demo import create_demo_inspection

    try:
        inspection = create_demo_inspection(window.store)
    except FieldworkError as error:
        window.show_error(error.message, "Practice inspection not opened")
        return
    window.open_inspection(inspection.id)


def new_inspection(window) -> None:
    """File → New inspection…: the person setting it up is its lead."""
    from fieldwork.demo import suggest_inspection_id
    from fieldwork.frameworks.catalogue import current_first, list_frameworks
    from fieldwork.gui.dialogs import NewInspectionDialog

    store = window.store
    frameworks = [e.framework for e in current_first(list_frameworks(store.path.parent)) if e.framework]
    values = NewInspectionDialog.ask(window, frameworks)
    if values is None:
        return
    inspection_id = values["inspection_id"] or suggest_inspection_id(values["provider"], values["fieldwork_start"])
    try:
        inspection = create_inspection(
            store,
            inspection_id=inspection_id,
            provider=values["provider"],
            provider_type=values["provider_type"],
            framework=values["framework"],
            fieldwork_start=values["fieldwork_start"],
            fieldwork_end=values["fieldwork_end"],
            lead_id=window.profile.person_id,
        )
    except FieldworkError as error:
        window.show_error(error.message, "Inspection not created")
        return
    window.open_inspection(inspection.id)


def add_case(window) -> None:
    if window.inspection is None:
        window.show_error("Open or create an inspection first.", "Case not added")
        return
    from fieldwork.gui.dialogs import AddCaseDialog

    answer = AddCaseDialog.ask(window, window.framework)
    if answer is None:
        return
    case_ref, sample_id = answer
    try:
        case = store_add_case(
            window.store, window.inspection, case_ref, sample_id=sample_id, inspector_id=window.profile.person_id
        )
    except FieldworkError as error:
        window.show_error(error.message, "Case not added")
        return
    window.refresh_home()
    window.open_case(case.id)


def jump_to_case(window) -> None:
    """Ctrl+G: open a case of the open inspection by its reference."""
    if window.inspection is None:
        return
    from fieldwork.gui.dialogs import JumpToCaseDialog

    refs = [s.case.case_ref for s in list_case_summaries(window.store, window.inspection.id)]
    case_ref = JumpToCaseDialog.ask(window, refs)
    if not case_ref:
        return
    try:
        case = find_case(window.store, window.inspection.id, case_ref)
    except FieldworkError as error:
        window.show_error(error.message, "Case not found")
        return
    window.open_case(case.id)
