"""fieldwork: offline case reading, signed hand-over and merged ratings for probation inspections."""

# The one place the version is written; pyproject.toml reads it from here. (Reading it back
# through importlib.metadata would cost 40 ms at every start.)
__version__ = "0.1.0"

APP_NAME = "fieldwork"
APP_AUTHOR = "fieldwork"
