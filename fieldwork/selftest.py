"""`fieldwork --self-test`: check this installation end to end and say what was checked.

Runs in a temporary folder and touches nothing of the user's. Exit 0 when every check passes.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


def _check_resources(folder: Path) -> str:
    import tomllib

    from fieldwork.paths import FRAMEWORK_FORMATS, framework_schema_path, resources_dir

    root = resources_dir()
    licences = root / "licences"
    components = tomllib.loads((licences / "components.toml").read_text(encoding="utf-8"))["component"]
    texts = {name for c in components for name in c.get("texts", ())}
    schemas = [framework_schema_path(f) for f in FRAMEWORK_FORMATS]
    needed = [*schemas, root / "icons" / "fieldwork.svg"] + [licences / t for t in sorted(texts)]
    missing = [str(path) for path in needed if not path.is_file()]
    if missing:
        raise RuntimeError("missing: " + ", ".join(missing))
    return f"in {root}: framework schemas, app icon, {len(components)} components' {len(texts)} licence texts"


def _check_store(folder: Path) -> str:
    from fieldwork.store import open_store

    with open_store(folder / "store", actor="self-test") as store:
        mode = store.db.execute("PRAGMA journal_mode").fetchone()[0]
        ok = store.db.execute("PRAGMA integrity_check").fetchone()[0]
    if mode != "wal" or ok != "ok":
        raise RuntimeError(f"journal mode {mode}, integrity {ok}")
    return "store opens durably (WAL), integrity ok"


def _check_frameworks(folder: Path) -> str:
    from fieldwork.frameworks.catalogue import list_frameworks

    entries = list_frameworks()
    broken = [f"{e.path.name}: {e.problems[0]}" for e in entries if not e.usable]
    if broken or not entries:
        raise RuntimeError("; ".join(broken) or "no shipped framework found")
    return "frameworks load: " + ", ".join(f"{e.framework.id} ({len(e.framework.standards)})" for e in entries)


SELF_TEST_PASSPHRASE = "self-test passphrase"


def _make_keys(folder: Path, name: str, person_id: str, suite: str):
    """Keys made and unlocked exactly as `fieldwork keys init` does, with a cheap scrypt cost."""
    from fieldwork.identity import IdentityError, ScryptParams, create_keys, unlock_keys

    create_keys(
        folder,
        name=name,
        person_id=person_id,
        passphrase=SELF_TEST_PASSPHRASE,
        suite=suite,
        scrypt=ScryptParams(log2_n=10),
    )
    try:
        unlock_keys(folder, "not the passphrase")
    except IdentityError as error:
        if error.code != "wrong-passphrase":
            raise
    else:
        raise RuntimeError("the private keys unlocked with a wrong passphrase")
    return unlock_keys(folder, SELF_TEST_PASSPHRASE)


def _check_crypto(folder: Path) -> str:
    """A real hand-over through the project's own code: keys, a tiny inspection, a bundle
    signed by the inspector and encrypted to the lead (hybrid suite) and a recovery key
    (X25519), opened and verified by each, and an altered copy refused."""
    from fieldwork.bundles import BundleError, export_bundle, verify_bundle
    from fieldwork.bundles.records import records_from_store
    from fieldwork.frameworks.catalogue import list_frameworks
    from fieldwork.identity import TrustList, pin_lead
    from fieldwork.profile import set_profile
    from fieldwork.store import open_store
    from fieldwork.store.assessments import set_answer
    from fieldwork.store.inspections import add_case, create_inspection

    inspector = _make_keys(folder / "inspector", "Self-test Inspector", "selftest-inspector", "x25519")
    lead = _make_keys(folder / "lead", "Self-test Lead", "selftest-lead", "mlkem768-x25519")
    recovery = _make_keys(folder / "recovery", "Self-test Recovery", "selftest-recovery", "x25519")
    framework = next(e.framework for e in list_frameworks() if e.usable)
    question = framework.key_questions_for_sample(framework.default_sample.id)[0]
    with open_store(folder / "inspector", actor="selftest-inspector") as store:
        set_profile(store, "selftest-inspector", "Self-test Inspector")
        inspection = create_inspection(
            store,
            inspection_id="SELFTEST",
            provider="Self-test provider",
            provider_type=framework.provider_types[0],
            framework=framework,
            lead_id="selftest-lead",
        )
        pin_lead(store, inspection.id, lead.public)
        case = add_case(store, inspection, "SELFTEST-1")
        set_answer(store, case.id, question.id, value="yes", note="Self-test evidence: “quoted”, é.")
        out = folder / "bundles"
        out.mkdir()
        exported = export_bundle(store, inspection.id, out, identity=inspector, recovery=recovery.public)
        expected = records_from_store(store, inspection.id, inspector.person_id)
    trust = TrustList.of(inspector.public)
    for reader in (lead, recovery):
        verified = verify_bundle(
            exported.path, identity=reader, trust=trust, inspection_id="SELFTEST", framework=framework
        )
        if verified.records != expected or verified.signer.key_id != inspector.key_id or not verified.encrypted:
            raise RuntimeError(f"the bundle opened by {reader.person_id} does not match what was exported")
    altered = bytearray(exported.path.read_bytes())
    altered[len(altered) // 2] ^= 0x01
    try:
        verify_bundle(bytes(altered), identity=lead, trust=trust)
    except BundleError:
        pass
    else:
        raise RuntimeError("an altered bundle was accepted")
    return (
        f"keys made and unlocked (scrypt; a wrong passphrase refused); a {exported.size:,}-byte bundle "
        f"({framework.id}, 1 case) signed with Ed25519, encrypted to ML-KEM-768+X25519 and X25519, "
        "decrypted and verified by each; an altered copy refused"
    )


def _check_window(folder: Path) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from fieldwork.gui.about_dialog import AboutDialog
    from fieldwork.gui.app import make_application
    from fieldwork.gui.main_window import MainWindow
    from fieldwork.profile import open_profile_store

    app = make_application()
    if app.windowIcon().isNull():
        raise RuntimeError("the app icon did not load")
    with open_profile_store(folder / "gui") as store:
        window = MainWindow(store)
        window.show()
        QApplication.processEvents()
        shown = window.isVisible()
        about = AboutDialog(window)
        about.show()
        QApplication.processEvents()
        about_ok = about.isVisible() and all(c.name in about.licences_browser.toPlainText() for c in about.components)
        about.close()
        # The lead's ratings charts (QtCharts, which brings Qt's OpenGL libraries along).
        from PySide6.QtCharts import QBarSeries, QBarSet, QChart, QChartView

        chart = QChart()
        series = QBarSeries()
        series.append(QBarSet("self-test"))
        chart.addSeries(series)
        chart_view = QChartView(chart)
        chart_view.show()
        QApplication.processEvents()
        charts_ok = chart_view.isVisible()
        chart_view.close()
        window.close()
    del app
    if not shown:
        raise RuntimeError("the main window did not show")
    if not about_ok:
        raise RuntimeError("the About dialog did not show every bundled component")
    if not charts_ok:
        raise RuntimeError("a chart did not show")
    from PySide6.QtCore import QLibraryInfo, qVersion

    libraries = QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath)
    return (
        f"main window, About dialog and a chart show and close, app icon set ({os.environ['QT_QPA_PLATFORM']} "
        f"platform; Qt {qVersion()} from {libraries})"
    )


CHECKS: list[tuple[str, Callable[[Path], str]]] = [
    ("resources", _check_resources),
    ("store", _check_store),
    ("frameworks", _check_frameworks),
    ("crypto", _check_crypto),
    ("window", _check_window),
]


def run_self_test(data_dir: str | None = None) -> int:
    from fieldwork import __version__
    from fieldwork.text import plural

    print(f"fieldwork {__version__} self-test ({'frozen build' if getattr(sys, 'frozen', False) else 'from source'})")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="fieldwork-selftest-") as folder:
        for name, check in CHECKS:
            try:
                print(f"  ok    {name}: {check(Path(folder))}")
            except Exception as error:  # every check reports; one failure does not hide the rest
                failures += 1
                print(f"  FAIL  {name}: {type(error).__name__}: {error}")
    print("self-test passed" if not failures else f"self-test FAILED ({plural(failures, 'check')})")
    return 0 if not failures else 1
