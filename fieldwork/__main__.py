"""`python -m fieldwork` and the `fieldwork` console script."""

import sys


def main() -> None:
    from fieldwork.cli import run

    sys.exit(run())


if __name__ == "__main__":
    main()
