"""`fieldwork inspection move-framework INSPECTION --to FILE_OR_ID@VERSION [--dry-run]` (decision 0042)."""

from __future__ import annotations

from fieldwork.cli import EXIT_OK, print_json
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store


def register(commands, common) -> None:
    move = commands.add_parser(
        "move-framework",
        help="move an inspection to a newer version of its framework",
        description="Moves the inspection (this store, and through each inspector's next allocation pack, their "
        "laptops) to a newer version of the same framework. Prints what changed first. Answers keep their "
        "question id, or follow the new version's renamed_from; answers to removed questions are kept and shown "
        "as such but no longer counted. Refuses an older version, another framework or a file with problems, "
        "changing nothing.",
        parents=[common],
    )
    move.add_argument("inspection_id", metavar="INSPECTION")
    move.add_argument("--to", dest="target", required=True, metavar="FILE_OR_ID@VERSION",
                      help="a framework file (.toml), a workbook (.xlsx) or ID@VERSION of an installed framework")
    move.add_argument("--dry-run", action="store_true", help="show what would change and change nothing")
    move.add_argument("--json", action="store_true", help="print JSON")
    move.set_defaults(handler=move_framework_command)


def move_framework_command(args) -> int:
    from fieldwork.frameworks.diff import diff_summary
    from fieldwork.frameworks.workbook_store import framework_named
    from fieldwork.store.framework_move import move_inspection, plan_move
    from fieldwork.store.inspections import get_inspection

    data_dir = resolve_data_dir(args.data_dir)
    new = framework_named(args.target, data_dir)  # a file with problems is refused here, naming each
    with open_profile_store(data_dir, create=False) as store:
        plan = plan_move(store, get_inspection(store, args.inspection_id), new)
        if not args.json:
            print(f"From {plan.old.title} ({plan.old.version}) to {new.title} ({new.version}):")
            for change in plan.changes or []:
                print(f"  - {change.words}")
            if not plan.changes:
                print("  no change to questions or ratings.")
            for line in plan.summary():
                print(line)
        if not args.dry_run:
            plan = move_inspection(store, args.inspection_id, new, source="cli")
    if args.json:
        print_json({
            "inspection": args.inspection_id, "moved": not args.dry_run, "dry_run": args.dry_run,
            "renamed": plan.renamed, "answers_kept_by_id": plan.kept_by_id,
            "answers_renamed": plan.carried_renamed, "answers_to_removed_questions": plan.removed,
            "diff": diff_summary(plan.old, new, plan.changes),
        })
    elif args.dry_run:
        print("Dry run: nothing was changed.")
    else:
        print(f"Moved {args.inspection_id} to {new.id} version {new.version}. Each inspector's next allocation pack "
              "brings the move to their laptop ('fieldwork allocation export').")
    return EXIT_OK
