"""fieldwork: offline case reading, signed hand-over and merged ratings for probation inspections."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fieldwork")
except PackageNotFoundError:  # running from a frozen build or a bare checkout
    __version__ = "0.1.0"

APP_NAME = "fieldwork"
APP_AUTHOR = "fieldwork"
