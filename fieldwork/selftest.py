"""`fieldwork --self-test`: check this installation end to end and say what was checked.

Runs in a temporary folder and touches nothing of the user's. Exit 0 when every check passes.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


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


def _check_crypto(folder: Path) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

    signing = Ed25519PrivateKey.generate()
    message = b"fieldwork self-test"
    signing.public_key().verify(signing.sign(message), message)
    recipient = X25519PrivateKey.generate()
    suite = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_128_GCM)
    sealed = suite.encrypt(message, recipient.public_key(), info=b"self-test")
    if suite.decrypt(sealed, recipient, info=b"self-test") != message:
        raise RuntimeError("HPKE round trip returned different bytes")
    return "Ed25519 sign/verify and HPKE (X25519) encrypt/decrypt round trips"


def _check_window(folder: Path) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from fieldwork.gui.app import make_application
    from fieldwork.gui.main_window import MainWindow
    from fieldwork.profile import open_profile_store

    app = make_application()
    with open_profile_store(folder / "gui") as store:
        window = MainWindow(store)
        window.show()
        QApplication.processEvents()
        shown = window.isVisible()
        window.close()
    del app
    if not shown:
        raise RuntimeError("the main window did not show")
    return f"main window shows and closes ({os.environ['QT_QPA_PLATFORM']} platform)"


CHECKS: list[tuple[str, Callable[[Path], str]]] = [
    ("store", _check_store),
    ("frameworks", _check_frameworks),
    ("crypto", _check_crypto),
    ("window", _check_window),
]


def run_self_test(data_dir: str | None = None) -> int:
    from fieldwork import __version__

    print(f"fieldwork {__version__} self-test ({'frozen build' if getattr(sys, 'frozen', False) else 'from source'})")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="fieldwork-selftest-") as folder:
        for name, check in CHECKS:
            try:
                print(f"  ok    {name}: {check(Path(folder))}")
            except Exception as error:  # every check reports; one failure does not hide the rest
                failures += 1
                print(f"  FAIL  {name}: {type(error).__name__}: {error}")
    print("self-test passed" if not failures else f"self-test FAILED ({failures} check(s))")
    return 0 if not failures else 1
