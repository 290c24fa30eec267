"""`fieldwork frameworks list | show | check | export | import | diff`."""

from __future__ import annotations

import sys

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, print_json
from fieldwork.errors import FrameworkError
from fieldwork.frameworks.catalogue import current_first, find_framework, list_frameworks
from fieldwork.frameworks.describe import framework_summary, framework_to_dict
from fieldwork.frameworks.loader import load_framework
from fieldwork.paths import resolve_data_dir
from fieldwork.text import plural


def register(sub, common) -> None:
    group = sub.add_parser("frameworks", help="list, show and check inspection frameworks", parents=[common])
    commands = group.add_subparsers(dest="frameworks_command", metavar="ACTION", required=True)

    listing = commands.add_parser(
        "list",
        help="the frameworks this app can use, current programmes first",
        description="Current programmes first, then historic ones (kept to read or re-analyse earlier data), "
        "then files that cannot be used and why.",
        parents=[common],
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=list_command)

    show = commands.add_parser("show", help="one framework in full", parents=[common])
    show.add_argument("framework_id", metavar="ID")
    show.add_argument("--version", dest="fw_version", help="a specific version")
    show.add_argument("--json", action="store_true", help="print JSON (the default)")
    show.set_defaults(handler=show_command)

    check = commands.add_parser("check", help="validate a framework file", parents=[common])
    check.add_argument("file", metavar="FILE")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(handler=check_command)

    export = commands.add_parser(
        "export", help="write a framework as a workbook to edit in Excel", parents=[common],
        description="Writes the framework as an .xlsx workbook: a Read me sheet, then one sheet each for the "
        "settings, samples, domains, standards, questions and prompts (with guidance), case details, choices, "
        "rating rules and bands. Edit it and bring it back with 'fieldwork frameworks import'.",
    )
    export.add_argument("framework_id", metavar="ID")
    export.add_argument("--version", dest="fw_version", help="a specific version")
    export.add_argument("--xlsx", required=True, metavar="FILE", help="the workbook to write")
    export.add_argument("--json", action="store_true", help="print JSON")
    export.set_defaults(handler=export_command)

    bring_in = commands.add_parser(
        "import", help="turn an edited framework workbook into a framework file", parents=[common],
        description="Checks the whole workbook and, only if every sheet is valid, stores it as a framework file "
        "in this profile's frameworks folder. Every problem is listed with its sheet, row and column.",
    )
    bring_in.add_argument("file", metavar="FILE.xlsx")
    bring_in.add_argument("--json", action="store_true", help="print JSON")
    bring_in.set_defaults(handler=import_command)

    diff = commands.add_parser(
        "diff", help="what changed between two versions of a framework", parents=[common],
        description="OLD and NEW are framework ids (ID or ID@VERSION), framework files (.toml) or workbooks "
        "(.xlsx). Lists questions added, removed, reworded, renumbered, moved between standards or samples, "
        "guidance and provenance changes, and rating rules changed.",
    )
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--json", action="store_true", help="print JSON")
    diff.set_defaults(handler=diff_command)


def list_command(args) -> int:
    entries = current_first(list_frameworks(resolve_data_dir(args.data_dir)))
    if args.json:
        print_json(
            [
                {**framework_summary(e.framework), "path": str(e.path), "origin": e.origin, "usable": True}
                if e.framework
                else {"path": str(e.path), "origin": e.origin, "usable": False, "problems": list(e.problems)}
                for e in entries
            ]
        )
        return EXIT_OK
    for entry in entries:
        if entry.framework:
            fw = entry.framework
            period = f" ({fw.period})" if fw.period else ""
            print(f"{fw.id:26} {fw.version:8} {fw.status:9} {len(fw.standards):3} standards  {fw.title}{period}")
        else:
            print(f"{entry.path.name:24} UNUSABLE  {entry.problems[0]}")
    return EXIT_OK


def show_command(args) -> int:
    framework = find_framework(args.framework_id, resolve_data_dir(args.data_dir), args.fw_version)
    print_json(framework_to_dict(framework))
    return EXIT_OK


def check_command(args) -> int:
    try:
        framework = load_framework(args.file)
    except FrameworkError as error:
        if args.json:
            print_json({"valid": False, "file": args.file, "problems": error.problems})
        else:
            for problem in error.problems:
                print(f"{args.file}: {problem}", file=sys.stderr)
            them = "it" if len(error.problems) == 1 else "them"
            print(f"{args.file}: {plural(len(error.problems), 'problem')}; fix {them} and check again.",
                  file=sys.stderr)
        return EXIT_REFUSED
    if args.json:
        print_json({"valid": True, "file": args.file, **framework_summary(framework)})
    else:
        print(f"{args.file}: valid — {framework.id} {framework.version}, {len(framework.standards)} standards")
    return EXIT_OK


def export_command(args) -> int:
    from fieldwork.frameworks.workbook_export import export_workbook

    framework = find_framework(args.framework_id, resolve_data_dir(args.data_dir), args.fw_version)
    path = export_workbook(framework, args.xlsx)
    if args.json:
        print_json({"exported": True, "file": str(path), "id": framework.id, "version": framework.version})
    else:
        print(f"{path}: {framework.id} {framework.version} written as a workbook; edit it, then run "
              f"'fieldwork frameworks import {path}'.")
    return EXIT_OK


def import_command(args) -> int:
    from fieldwork.frameworks.workbook_import import WorkbookError, read_workbook_file
    from fieldwork.frameworks.workbook_store import store_imported

    try:
        imported = read_workbook_file(args.file)
    except WorkbookError as error:
        if args.json:
            print_json({"imported": False, "file": args.file, "problems": [p.as_dict() for p in error.problems]})
        else:
            for problem in error.problems:
                print(f"{args.file}: {problem.describe()}", file=sys.stderr)
            print(f"{args.file}: {plural(len(error.problems), 'problem')}; nothing was imported. Correct the "
                  "workbook and import it again.", file=sys.stderr)
        return EXIT_REFUSED
    outcome = store_imported(imported, resolve_data_dir(args.data_dir))
    fw = imported.framework
    if args.json:
        print_json({"imported": True, "file": args.file, "path": str(outcome.path), "new": outcome.new,
                    **framework_summary(fw)})
    elif outcome.new:
        print(f"{args.file}: valid — {fw.id} {fw.version} stored as {outcome.path}")
    else:
        print(f"{args.file}: {fw.id} {fw.version} is already stored, unchanged, as {outcome.path}")
    return EXIT_OK


def diff_command(args) -> int:
    from fieldwork.frameworks.diff import diff_summary, framework_changes
    from fieldwork.frameworks.workbook_store import framework_named

    data_dir = resolve_data_dir(args.data_dir)
    old, new = framework_named(args.old, data_dir), framework_named(args.new, data_dir)
    changes = framework_changes(old, new)
    if args.json:
        print_json(diff_summary(old, new, changes))
        return EXIT_OK
    print(f"From {old.title} ({old.version}) to {new.title} ({new.version}):")
    if not changes:
        same = "the same text" if old.content_hash == new.content_hash else "no change to questions or ratings"
        print(f"  no changes ({same}).")
    for change in changes:
        print(f"  - {change.words}")
    return EXIT_OK
