"""`fieldwork answers import FILE --inspection ID`: answers captured outside the app."""

from __future__ import annotations

import sys

from fieldwork.cli import EXIT_OK, print_json
from fieldwork.cli.inspections import report_import_problem
from fieldwork.imports.tables import ImportProblem
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store


def register(sub, common) -> None:
    group = sub.add_parser("answers", help="import answers captured outside the app", parents=[common])
    commands = group.add_subparsers(dest="answers_command", metavar="ACTION", required=True)

    imports = commands.add_parser(
        "import",
        help="record answers from a CSV or XLSX file (case_ref, question_id, answer, note)",
        description="Checks every row first; if any row has a problem, nothing is recorded and every "
        "problem is listed with its row and column. Each value is logged as imported from the file.",
        parents=[common],
    )
    imports.add_argument("file", metavar="FILE")
    imports.add_argument("--inspection", required=True, metavar="ID", dest="inspection_id")
    imports.add_argument("--json", action="store_true", help="print JSON")
    imports.set_defaults(handler=import_command)


def import_command(args) -> int:
    from fieldwork.imports.answers import import_answers

    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        try:
            result = import_answers(store, args.inspection_id, args.file)
        except ImportProblem as error:
            return report_import_problem(error, args.json, "nothing was recorded.")
    if args.json:
        print_json(result.to_json())
    else:
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(result.summary())
    return EXIT_OK
