"""Help > About fieldwork: the version, the shipped frameworks, and the bundled components with
their licences (as the licences require: Qt's and PySide6's LGPL notice, every copyright notice).

The components and their licence texts are data: resources/licences/components.toml and the
texts beside it, the same from source and in the desktop build.
"""

from __future__ import annotations

import html
import platform
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fieldwork import __version__
from fieldwork.paths import resources_dir

LICENCE_SCHEME = "licence"  # links to a licence text in the Licences tab: licence:LGPL-3.0.txt


def licences_dir() -> Path:
    return resources_dir() / "licences"


@dataclass(frozen=True)
class Component:
    name: str
    licence: str
    url: str
    notice: str
    texts: tuple[str, ...]
    dists: tuple[str, ...] = ()
    version_source: str = ""
    source: str = ""


def load_components(folder: Path | None = None) -> list[Component]:
    data = tomllib.loads(((folder or licences_dir()) / "components.toml").read_text(encoding="utf-8"))
    return [
        Component(
            name=c["name"],
            licence=c["licence"],
            url=c.get("url", ""),
            notice=c.get("notice", ""),
            texts=tuple(c.get("texts", ())),
            dists=tuple(c.get("dists", ())),
            version_source=c.get("version", ""),
            source=c.get("source", ""),
        )
        for c in data["component"]
    ]


def _openssl_version() -> str:
    import ssl

    try:
        from cryptography.hazmat.backends.openssl import backend

        return f"{backend.openssl_version_text()} in cryptography; {ssl.OPENSSL_VERSION} for Python"
    except Exception:  # the version is information only
        return ssl.OPENSSL_VERSION


def linux_notices_dir() -> Path:
    """Debian copyright files of the system libraries, written by scripts/build into the build."""
    return licences_dir() / "linux"


def component_version(component: Component) -> str:
    """The version of this component in the running app ("" when it cannot be told)."""
    source = component.version_source or (component.dists[0] if component.dists else "")
    if source == "qt":
        return qVersion()
    if source == "pyside6":
        import PySide6

        return PySide6.__version__
    if source == "icu":
        found = sorted(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath)).glob("libicuuc.so.*"))
        return found[0].name.split(".so.")[-1] if found else "not bundled (Qt uses the system's)"
    if source == "python":
        return platform.python_version()
    if source == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    if source == "openssl":
        return _openssl_version()
    if source == "linux-build":
        folder = linux_notices_dir()
        count = len(list(folder.glob("*"))) if folder.is_dir() else 0
        return f"{count} libraries in this build" if count else "not in this copy (running from source)"
    if not source:
        return ""
    from importlib import metadata

    try:
        return metadata.version(source)
    except metadata.PackageNotFoundError:
        return ""


def qt_source_links() -> dict[str, str]:
    """Where the source of exactly the bundled Qt and PySide6 versions is published."""
    import PySide6

    qt, pyside = qVersion(), PySide6.__version__
    series = ".".join(qt.split(".")[:2])
    return {
        f"Qt {qt}": f"https://download.qt.io/official_releases/qt/{series}/{qt}/",
        f"PySide6 {pyside}": f"https://download.qt.io/official_releases/QtForPython/pyside6/PySide6-{pyside}-src/",
    }


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def components_html(components: list[Component]) -> str:
    qt_lib = QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath)
    parts = [
        "<h3>Bundled components and their licences</h3>",
        "<p>fieldwork is under the MIT licence. It is built with the components below, each under its "
        "own licence; click a licence to read its text.</p>",
        "<p><b>Qt and PySide6 (LGPL-3.0):</b> the Qt libraries and PySide6 are separate, unmodified "
        "libraries in the app's folder, and you may replace them with your own builds. In this copy the "
        f"Qt libraries are in <code>{_e(qt_lib)}</code>. The source code of these exact versions: "
        + ", ".join(f'<a href="{_e(url)}">{_e(name)}</a>' for name, url in qt_source_links().items())
        + ' (see the <a href="licence:Qt-and-PySide6-NOTICE.txt">notice</a>).</p>',
        "<table cellspacing='0' cellpadding='4' width='100%'>",
    ]
    for component in components:
        version = component_version(component)
        texts = list(component.texts)
        if component.version_source == "linux-build" and linux_notices_dir().is_dir():
            texts += [f"linux/{p.name}" for p in sorted(linux_notices_dir().glob("*.txt"))]
        links = " · ".join(f'<a href="{LICENCE_SCHEME}:{_e(t)}">{_e(t)}</a>' for t in texts)
        home = f' — <a href="{_e(component.url)}">{_e(component.url)}</a>' if component.url else ""
        source = (
            f'<br>Source code: <a href="{_e(component.source)}">{_e(component.source)}</a>' if component.source else ""
        )
        parts.append(
            "<tr><td>"
            f"<b>{_e(component.name)}</b> {_e(version)}{home}<br>"
            f"Licence: {_e(component.licence)}{(' — ' + links) if links else ''}{source}<br>"
            f"<span style='color:#555555'>{_e(component.notice)}</span>"
            "</td></tr>"
        )
    parts.append("</table>")
    return "\n".join(parts)


def frameworks_html() -> str:
    from fieldwork.frameworks.catalogue import current_first, list_frameworks
    from fieldwork.frameworks.describe import status_sentence

    rows = []
    for entry in current_first(list_frameworks()):
        fw = entry.framework
        if fw is None:
            rows.append(f"<li><b>{_e(entry.path.name)}</b>: cannot be used ({_e(entry.problems[0])})</li>")
            continue
        rows.append(
            f"<li><b>{_e(fw.title)}</b><br><code>{_e(fw.id)}</code> version {_e(fw.version)}<br>"
            f"{_e(status_sentence(fw))}<br>"
            f"Attribution: {_e(fw.attribution)}<br>{_e(fw.licence)}</li>"
        )
    return "<h3>Shipped inspection frameworks</h3><ul>" + "".join(rows) + "</ul>"


class AboutDialog(QDialog):
    """Version and build, the shipped frameworks, and every bundled component's licence."""

    def __init__(self, parent=None, *, store_path: str | None = None, profile: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("About fieldwork")
        self.components = load_components()

        build = "desktop build" if getattr(sys, "frozen", False) else "running from source"
        header = QLabel(
            f"<h2>fieldwork {_e(__version__)}</h2>"
            "<p>Offline case reading, signed hand-over and merged ratings for probation inspections.</p>"
            f"<p>{_e(build)}; Qt {_e(qVersion())}, Python {_e(platform.python_version())}, "
            f"{_e(platform.system())} {_e(platform.machine())}</p>"
            + (f"<p>Store: {_e(store_path)}</p>" if store_path else "")
            + (f"<p>Profile: {_e(profile)}</p>" if profile else "")
        )
        header.setObjectName("aboutHeader")
        header.setTextFormat(Qt.TextFormat.RichText)
        header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.setWordWrap(True)
        self.header = header

        self.frameworks_browser = QTextBrowser()
        self.frameworks_browser.setAccessibleName("Shipped frameworks")
        self.frameworks_browser.setHtml(frameworks_html())

        self.licences_browser = QTextBrowser()
        self.licences_browser.setAccessibleName("Bundled components and their licences")
        self.licences_browser.setOpenLinks(False)
        self.licences_browser.anchorClicked.connect(self._open_link)
        self.licences_browser.setHtml(components_html(self.components))
        self.text_browser = QTextBrowser()
        self.text_browser.setAccessibleName("Licence text")
        licences = QSplitter(Qt.Orientation.Vertical)
        licences.addWidget(self.licences_browser)
        licences.addWidget(self.text_browser)
        licences.setSizes([320, 220])
        self.show_text("Qt-and-PySide6-NOTICE.txt")

        self.tabs = QTabWidget()
        about = QWidget()
        about_layout = QVBoxLayout(about)
        about_layout.addWidget(header)
        about_layout.addWidget(self.frameworks_browser, 1)
        self.tabs.addTab(about, "&About")
        self.tabs.addTab(licences, "&Licences")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(760, 620)

    def show_text(self, name: str) -> bool:
        """Show one licence text of resources/licences/ (or its linux/ folder) below the list."""
        folder = licences_dir().resolve()
        path = (folder / name).resolve()
        if folder not in path.parents or not path.is_file():
            return False
        self.text_browser.setPlainText(path.read_text(encoding="utf-8", errors="replace"))
        self.shown_text = path.relative_to(folder).as_posix()
        return True

    def _open_link(self, url: QUrl) -> None:
        if url.scheme() == LICENCE_SCHEME:
            self.show_text(url.path())
        else:
            QDesktopServices.openUrl(url)
