"""`fieldwork inspection list | create | import-sample | demo` (move-framework: fieldwork.cli.framework_move)."""

from __future__ import annotations

import sys

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, print_json
from fieldwork.errors import ValidationError
from fieldwork.frameworks.catalogue import find_framework
from fieldwork.imports.tables import ImportProblem
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store
from fieldwork.store.assessments import list_case_summaries
from fieldwork.store.inspections import create_inspection, list_inspections
from fieldwork.text import plural


def register(sub, common) -> None:
    group = sub.add_parser("inspection", help="create and list inspections", parents=[common])
    commands = group.add_subparsers(dest="inspection_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="the inspections in this store", parents=[common])
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=list_command)

    create = commands.add_parser("create", help="start a new inspection", parents=[common])
    create.add_argument("--framework", required=True, metavar="FW_ID")
    create.add_argument("--provider", required=True, metavar="NAME")
    create.add_argument("--id", dest="inspection_id", metavar="ID", help="default: derived from provider and date")
    create.add_argument("--provider-type", metavar="TYPE", help="default: the framework's first provider type")
    create.add_argument("--start", metavar="YYYY-MM-DD", help="first day of fieldwork")
    create.add_argument("--end", metavar="YYYY-MM-DD", help="last day of fieldwork")
    create.add_argument(
        "--sample",
        metavar="FILE",
        help="the case sample (CSV or XLSX) to import with it; if it has problems, nothing is created",
    )
    create.add_argument(
        "--clean-rows-only",
        action="store_true",
        help="with --sample: import the rows without problems and record the others as skipped",
    )
    create.add_argument("--json", action="store_true", help="print JSON")
    create.set_defaults(handler=create_command)

    sample = commands.add_parser(
        "import-sample",
        help="import or re-import an inspection's case sample (CSV or XLSX)",
        description="Adds new cases; reports and applies changed case details and allocations; "
        "keeps cases the file leaves out. Nothing is written if the file has problems, "
        "unless --clean-rows-only.",
        parents=[common],
    )
    sample.add_argument("inspection_id", metavar="ID")
    sample.add_argument("file", metavar="FILE")
    sample.add_argument(
        "--clean-rows-only",
        action="store_true",
        help="import the rows without problems and record the others as skipped",
    )
    sample.add_argument("--json", action="store_true", help="print JSON")
    sample.set_defaults(handler=import_sample_command)

    demo = commands.add_parser("demo", help="create the practice inspection (fictional data)", parents=[common])
    demo.add_argument("--json", action="store_true", help="print JSON")
    demo.set_defaults(handler=demo_command)

    from fieldwork.cli import framework_move

    framework_move.register(commands, common)


def _inspection_json(store, inspection) -> dict:
    summaries = list_case_summaries(store, inspection.id)
    return {
        "id": inspection.id,
        "provider": inspection.provider,
        "provider_type": inspection.provider_type,
        "framework_hash": inspection.framework_hash,
        "fieldwork_start": inspection.fieldwork_start,
        "fieldwork_end": inspection.fieldwork_end,
        "is_demo": inspection.is_demo,
        "lead_id": inspection.lead_id,  # this profile leads it when it is the profile's person id
        "cases": len(summaries),
        "complete": sum(1 for s in summaries if s.case.status == "complete"),
    }


def list_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        rows = [_inspection_json(store, i) for i in list_inspections(store)]
    if args.json:
        print_json(rows)
    elif not rows:
        print("No inspections yet. Create one with 'fieldwork inspection create' or try 'fieldwork inspection demo'.")
    for row in [] if args.json else rows:
        print(f"{row['id']:28} {row['provider']:36} {row['cases']:4} cases, {row['complete']} complete")
    return EXIT_OK


def report_import_problem(error: ImportProblem, as_json: bool, outcome: str) -> int:
    """Every problem of a refused import: JSON on stdout, or one line each on stderr."""
    if as_json:
        print_json(error.to_json())
    else:
        for line in error.lines():
            print(line, file=sys.stderr)
        count = len(error.problems)
        print(f"fieldwork: {plural(count, 'problem')} in {error.file_name}; {outcome}", file=sys.stderr)
    return EXIT_REFUSED


def _print_sample_result(result) -> None:
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(result.summary())
    for change in result.changes:
        old = change.old or "(empty)"
        print(f"  changed {change.case_ref} {change.field_id}: {old} → {change.new} (row {change.row})")
    for problem in result.problems:
        print(f"  skipped {result.file_name}: {problem.describe()}")


def create_command(args) -> int:
    if args.clean_rows_only and not args.sample:
        print("fieldwork: --clean-rows-only needs --sample FILE.", file=sys.stderr)
        return EXIT_USAGE
    data_dir = resolve_data_dir(args.data_dir)
    framework = find_framework(args.framework, data_dir)
    if args.provider_type and framework.provider_types and args.provider_type not in framework.provider_types:
        raise ValidationError(
            f"'{args.provider_type}' is not a provider type of {framework.id}; use one of "
            f"{', '.join(framework.provider_types)}."
        )
    from fieldwork.demo import suggest_inspection_id

    fields = {
        "inspection_id": args.inspection_id or suggest_inspection_id(args.provider, args.start),
        "provider": args.provider,
        "provider_type": args.provider_type or framework.provider_types[0],
        "framework": framework,
        "fieldwork_start": args.start,
        "fieldwork_end": args.end,
    }
    sample_result = None
    with open_profile_store(data_dir) as store:
        if args.sample:
            from fieldwork.imports.case_sample import create_inspection_with_sample

            try:
                inspection, sample_result = create_inspection_with_sample(
                    store, args.sample, clean_rows_only=args.clean_rows_only, lead_id=store.actor, **fields
                )
            except ImportProblem as error:
                return report_import_problem(error, args.json, "no inspection was created.")
        else:
            inspection = create_inspection(store, lead_id=store.actor, **fields)
        result = _inspection_json(store, inspection)
    if sample_result is not None:
        result["sample"] = sample_result.to_json()
    if args.json:
        print_json(result)
    else:
        print(f"Created inspection {inspection.id}.")
        if sample_result is not None:
            _print_sample_result(sample_result)
    return EXIT_OK


def import_sample_command(args) -> int:
    from fieldwork.imports.case_sample import import_case_sample

    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        try:
            result = import_case_sample(store, args.inspection_id, args.file, clean_rows_only=args.clean_rows_only)
        except ImportProblem as error:
            return report_import_problem(error, args.json, "nothing was imported.")
    if args.json:
        print_json(result.to_json())
    else:
        _print_sample_result(result)
    return EXIT_OK


def demo_command(args) -> int:
    from fieldwork.demo import create_demo_inspection

    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        inspection = create_demo_inspection(store)
        result = _inspection_json(store, inspection)
    print_json(result) if args.json else print(
        f"Created practice inspection {inspection.id} ({result['cases']} cases)."
    )
    return EXIT_OK
