"""Help > About fieldwork: the version, the shipped frameworks, and every bundled component's licence."""

from __future__ import annotations

import tomllib

import pytest
from PySide6.QtCore import QUrl

from fieldwork import __version__
from fieldwork.frameworks.catalogue import list_frameworks
from fieldwork.gui.about_dialog import AboutDialog, component_version, licences_dir, load_components

# The components issue 9 names; their licences require a notice in the app.
REQUIRED = [
    "Qt",
    "PySide6",
    "cryptography",
    "sqlite-utils",
    "platformdirs",
    "jsonschema",
    "keyring",
    "openpyxl",
    "SQLite",
    "Python",
    "OpenSSL",
]


@pytest.fixture
def about(qtbot):
    dialog = AboutDialog(store_path="/somewhere/fieldwork.sqlite", profile="Ann Inspector (insp-1)")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_about_shows_the_version_store_and_profile(about):
    text = about.header.text()
    assert f"fieldwork {__version__}" in text
    assert "/somewhere/fieldwork.sqlite" in text and "Ann Inspector (insp-1)" in text


def test_about_lists_every_shipped_framework_with_version_and_attribution(about):
    text = about.frameworks_browser.toPlainText()
    shipped = [e.framework for e in list_frameworks() if e.usable]
    assert len(shipped) >= 3
    for framework in shipped:
        assert framework.id in text and f"version {framework.version}" in text
        assert f"Attribution: {framework.attribution}" in text


def test_about_lists_every_bundled_component_with_version_and_licence(about):
    text = about.licences_browser.toPlainText()
    components = load_components()
    names = [c.name for c in components]
    for required in REQUIRED:
        assert any(name.startswith(required) for name in names), f"{required} has no licence entry"
    for component in components:
        assert component.name in text
        assert f"Licence: {component.licence}" in text
    import PySide6
    from PySide6.QtCore import qVersion

    assert f"Qt {qVersion()}" in text and f"PySide6 {PySide6.__version__}" in text
    assert "you may replace them with your own builds" in text  # the LGPL's relinking notice
    assert "download.qt.io" in about.licences_browser.toHtml()  # where the Qt source is


def test_every_named_licence_text_is_shipped_and_opens(about):
    components = load_components()
    names = {t for c in components for t in c.texts}
    assert {"LGPL-3.0.txt", "GPL-3.0.txt", "Qt-and-PySide6-NOTICE.txt", "Apache-2.0.txt"} <= names
    for name in names:
        assert (licences_dir() / name).is_file(), name
    # Clicking a licence link shows its text below the list.
    about.licences_browser.anchorClicked.emit(QUrl("licence:LGPL-3.0.txt"))
    assert about.shown_text == "LGPL-3.0.txt"
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in about.text_browser.toPlainText()
    assert about.show_text("../../pyproject.toml") is False  # only files of the licences folder
    assert about.shown_text == "LGPL-3.0.txt"


def test_the_versions_come_from_the_running_app():
    by_name = {c.name: c for c in load_components()}
    import sqlite3

    import cryptography

    assert component_version(by_name["SQLite"]) == sqlite3.sqlite_version
    assert component_version(by_name["cryptography"]) == cryptography.__version__
    assert component_version(by_name["keyring"])  # from the distribution's metadata


def test_the_components_file_is_well_formed():
    data = tomllib.loads((licences_dir() / "components.toml").read_text(encoding="utf-8"))
    for entry in data["component"]:
        assert {"name", "licence", "texts", "notice"} <= set(entry), entry.get("name")


def test_help_menu_opens_the_about_dialog(qtbot, monkeypatch, window):
    shown = []
    monkeypatch.setattr(AboutDialog, "exec", lambda self: shown.append(self) or 0)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    next(a for a in help_menu.actions() if a.text() == "&About fieldwork").trigger()
    [dialog] = shown
    qtbot.addWidget(dialog)
    assert str(window.store.path) in dialog.header.text()
