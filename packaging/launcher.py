"""Entry point of the desktop build (fieldwork.spec): the same `main` as the `fieldwork` command.

The Windows and macOS builds are windowed: there is no console, so `sys.stdout` is None and
`fieldwork --self-test` (or any command) would print nothing. When the program is started from
a console on Windows with arguments, attach to that console so what it prints is seen there.
A double-click (no arguments, no console) opens the app as usual.
"""

import sys


def _attach_parent_console() -> None:
    if sys.platform != "win32" or sys.stdout is not None or len(sys.argv) < 2:
        return
    import ctypes

    attach_parent_process = -1
    if ctypes.windll.kernel32.AttachConsole(attach_parent_process):
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
        sys.stderr = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115


if __name__ == "__main__":
    _attach_parent_console()
    from fieldwork.__main__ import main

    main()
