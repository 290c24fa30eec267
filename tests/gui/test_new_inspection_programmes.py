"""Starting an inspection offers today's programmes first and says which ones are historic."""

from __future__ import annotations

from fieldwork.frameworks.catalogue import current_first, list_frameworks
from fieldwork.gui.dialogs import NewInspectionDialog


def test_current_programmes_come_first_and_historic_ones_say_so(qtbot):
    frameworks = [e.framework for e in current_first(list_frameworks()) if e.framework]
    dialog = NewInspectionDialog(frameworks)
    qtbot.addWidget(dialog)
    labels = [dialog.framework_combo.itemText(i) for i in range(dialog.framework_combo.count())]
    historic = [label.startswith("Historic: ") for label in labels]
    assert historic == sorted(historic) and any(historic) and not all(historic)  # current first, then historic
    assert [f.historic for f in frameworks] == historic
    # The first offered is current, and the line under the list says so.
    assert "Current programme" in dialog.framework_status_label.text()
    crc = dialog.framework_combo.findData("hmip-adult-2018-crc")
    dialog.framework_combo.setCurrentIndex(crc)
    status = dialog.framework_status_label.text()
    assert status.startswith("Historic, 2018 to 2021-06") and "re-analyse" in status
    assert dialog.provider_type_combo.currentText() == "CRC"
