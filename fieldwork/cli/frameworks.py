"""`fieldwork frameworks list | show | check`."""

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
