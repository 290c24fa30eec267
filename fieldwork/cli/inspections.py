"""`fieldwork inspection list | create | demo`."""

from __future__ import annotations

from fieldwork.cli import EXIT_OK, print_json
from fieldwork.frameworks.catalogue import find_framework
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store
from fieldwork.store.assessments import list_case_summaries
from fieldwork.store.inspections import create_inspection, list_inspections


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
    create.add_argument("--json", action="store_true", help="print JSON")
    create.set_defaults(handler=create_command)

    demo = commands.add_parser("demo", help="create the practice inspection (fictional data)", parents=[common])
    demo.add_argument("--json", action="store_true", help="print JSON")
    demo.set_defaults(handler=demo_command)


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
        "cases": len(summaries),
        "complete": sum(1 for s in summaries if s.case.status == "complete"),
    }


def list_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        rows = [_inspection_json(store, i) for i in list_inspections(store)]
    if args.json:
        print_json(rows)
    elif not rows:
        print("No inspections yet. Create one with 'fieldwork inspection create' or try 'fieldwork inspection demo'.")
    for row in [] if args.json else rows:
        print(f"{row['id']:28} {row['provider']:36} {row['cases']:4} cases, {row['complete']} complete")
    return EXIT_OK


def create_command(args) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    framework = find_framework(args.framework, data_dir)
    from fieldwork.demo import suggest_inspection_id

    with open_profile_store(data_dir) as store:
        inspection = create_inspection(
            store,
            inspection_id=args.inspection_id or suggest_inspection_id(args.provider, args.start),
            provider=args.provider,
            provider_type=args.provider_type or framework.provider_types[0],
            framework=framework,
            fieldwork_start=args.start,
            fieldwork_end=args.end,
            lead_id=store.actor,
        )
        result = _inspection_json(store, inspection)
    print_json(result) if args.json else print(f"Created inspection {inspection.id}.")
    return EXIT_OK


def demo_command(args) -> int:
    from fieldwork.demo import create_demo_inspection

    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        inspection = create_demo_inspection(store)
        result = _inspection_json(store, inspection)
    print_json(result) if args.json else print(f"Created practice inspection {inspection.id} ({result['cases']} cases).")
    return EXIT_OK
