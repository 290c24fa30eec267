"""File → Export results for the region…: a PDU lead signs the inspection's results for the
region lead, in the app (decision 0035; the same core call as `fieldwork region export`).

Everything that can be checked without the keys is checked first (an inspection open, this
profile its lead, a region framework fed by it, the region lead's identity file readable, a
folder chosen), so the passphrase is asked only when the bundle can really be written.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

from fieldwork.errors import FieldworkError
from fieldwork.text import plural

FAILED = "Results not exported"


def regions_fed_by(framework_id: str, data_dir) -> list[str]:
    """Titles of the usable region frameworks whose combined standards count this framework's cases."""
    from fieldwork.frameworks.catalogue import list_frameworks

    return sorted({
        entry.framework.title
        for entry in list_frameworks(data_dir)
        if entry.framework is not None
        and any(s.from_framework == framework_id for s in entry.framework.combined_standards)
    })


def export_results_for_region(window) -> None:
    """Ask for the region lead's identity file and a folder, then the passphrase, then write."""
    from fieldwork.gui.key_session import unlocked_keys
    from fieldwork.gui.last_folder import last_folder, remember_folder
    from fieldwork.identity import read_identity_file
    from fieldwork.region.results_export import export_results

    inspection = window.inspection
    if inspection is None:
        window.show_error("Open the PDU inspection whose results the region needs first.", FAILED)
        return
    if not window.is_lead():
        window.show_error(
            f"Inspection {inspection.id} is led by {inspection.lead_id or 'nobody yet'}: only its lead signs its "
            "results for the region.", FAILED,
        )
        return
    if not regions_fed_by(window.framework.id, window.store.path.parent):
        window.show_error(
            f"No region inspection counts {window.framework.title} results: results bundles are for PDU "
            "inspections whose cases a region inspection rates (e.g. Probation Service PDU, 2023 standards).", FAILED,
        )
        return
    if window.case_view is not None and not window.case_view.flush_pending():
        window.show_error("Some of what you typed is not saved yet; export again once it is saved.", FAILED)
        return
    identity_path, _ = QFileDialog.getOpenFileName(
        window, "Choose the region lead's identity file", last_folder(window.store, "identity files"),
        "Identity files (*.json);;All files (*)",
    )
    if not identity_path:
        return
    remember_folder(window.store, "identity files", identity_path)
    try:
        region_lead = read_identity_file(identity_path)
        region_lead.verify_self_signature()
    except FieldworkError as error:
        window.show_error(f"That identity file cannot be used: {error.message}", FAILED)
        return
    folder = QFileDialog.getExistingDirectory(
        window, "Choose a folder for the results bundle", last_folder(window.store, "results")
    )
    if not folder:
        return
    remember_folder(window.store, "results", folder)
    identity = unlocked_keys(window, "signing the results for the region")
    if identity is None:
        return
    try:
        done = export_results(window.store, inspection.id, folder, identity=identity, region_lead=region_lead)
    except FieldworkError as error:
        window.show_error(error.message, FAILED)
        return
    samples = ", ".join(f"{sample}: {count}" for sample, count in sorted(done.cases_per_sample.items()))
    open_note = (
        f"\n\n{plural(done.open_conflicts, 'conflict')} were still open here; the region lead sees that number."
        if done.open_conflicts else ""
    )
    QMessageBox.information(
        window, "Results exported for the region",
        f"Wrote {done.path.name} (results number {done.manifest.sequence}) for {region_lead.person_id}, signed "
        f"with your keys and encrypted to theirs.\n\nCases by sample: {samples or 'none'}.{open_note}\n\nSend the "
        "file to the region lead; they take it in on their Merge tab. A newer export replaces this one there.",
    )
