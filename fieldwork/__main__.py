"""`python -m fieldwork` and the `fieldwork` console script."""

import os
import sys


def main() -> None:
    from fieldwork.cli import EXIT_REFUSED, run

    try:
        try:
            code = run()
        except SystemExit as done:  # argparse's --help, --version and usage errors end this way
            code = done.code
        # Flushed here, not at interpreter exit, so a reader that went away is caught below.
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader closed the pipe (`fieldwork ... | head`): what it wanted it has; the rest
        # has nowhere to go. Point stdout at the null device so the final flush at exit cannot
        # fail again, and end quietly (no traceback, as for every other refusal).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_REFUSED
    sys.exit(code)


if __name__ == "__main__":
    main()
