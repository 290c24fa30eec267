"""The desktop app: a thin PySide6 front on the headless core."""
