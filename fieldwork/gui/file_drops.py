"""Files dropped on the window start the same flow as the menu item or button for their kind.

- allocation packs (.fwpack): File → Open allocation pack…
- handover receipts (.fwreceipt): File → Accept a handover receipt…
- key change statements (.fwrotation): Profile → Accept a key change…
- bundles (.fwbundle), for the inspection's lead: the Merge tab's "Choose bundles…", wherever
  they are dropped (the Merge tab included).

Anything else, or several kinds at once, gets a message that says what can be dropped and
changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from fieldwork.bundles.format import FILE_SUFFIX as BUNDLE
from fieldwork.handover.format import FILE_SUFFIX as RECEIPT
from fieldwork.identity.rotation import FILE_SUFFIX as ROTATION
from fieldwork.packs.format import FILE_SUFFIX as PACK

KINDS = {
    PACK: "an allocation pack",
    RECEIPT: "a handover receipt",
    ROTATION: "a key change statement",
    BUNDLE: "bundles from your inspectors (on the lead's Merge tab)",
}
WHAT_CAN_BE_DROPPED = (
    "You can drop an allocation pack (.fwpack), a handover receipt (.fwreceipt) or a key change statement "
    "(.fwrotation) here; the inspection's lead can also drop inspectors' bundles (.fwbundle)."
)


def dropped_paths(mime) -> list[str]:
    """The local files of a drag's data, in order; empty for text, web links and the like."""
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()] if mime.hasUrls() else []


def _by_kind(paths: list[str]) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    for path in paths:
        suffix = Path(path).suffix.lower()
        kinds.setdefault(suffix if suffix in KINDS else "", []).append(path)
    return kinds


def open_dropped(window, paths: list[str]) -> None:
    """Start the flow for what was dropped on `window` (a MainWindow), or say why not."""
    kinds = _by_kind(paths)
    if "" in kinds:
        names = ", ".join(Path(p).name for p in kinds[""][:3])
        window.show_error(f"fieldwork cannot open {names}. {WHAT_CAN_BE_DROPPED}", "Dropped file not opened")
        return
    if len(kinds) > 1:
        window.show_error(f"Drop one kind of file at a time. {WHAT_CAN_BE_DROPPED}", "Dropped files not opened")
        return
    [(suffix, files)] = kinds.items()
    if suffix == BUNDLE:
        _merge(window, files)
        return
    if len(files) > 1:
        window.show_error(
            f"Drop one file at a time: each of {KINDS[suffix]} is checked with you on its own.",
            "Dropped files not opened",
        )
        return
    if suffix == PACK:
        window.open_pack_file(files[0])
    elif suffix == RECEIPT:
        from fieldwork.gui.handover_dialog import accept_receipt_file

        accept_receipt_file(window, files[0])
    else:
        from fieldwork.gui.rotation_dialogs import accept_key_change

        accept_key_change(window, window.store, files[0])


def _merge(window, bundles: list[str]) -> None:
    if window.merge_view is None:
        window.show_error(
            "Bundles are merged by the inspection's lead inspector, on the Merge tab: this profile does not lead "
            "the open inspection. Send your own bundle to the lead instead.",
            "Bundles not merged",
        )
        return
    if window.store.read_only:
        window.show_error(
            "This data folder is open in another fieldwork window: merge the bundles there.", "Bundles not merged"
        )
        return
    window.show_home()  # saves evidence being typed and leaves the case for the lead's tabs
    if window.current_view() is window.case_view and window.case_view is not None:
        return  # the user chose to stay on a case whose text could not be saved
    window.home_tabs.setCurrentWidget(window.merge_view)
    window.merge_view.pending_paths = bundles
    window._merge_pending()
