"""`fieldwork receipt | retention | settings`: the lead's receipts, the inspector's handover and wipe.

The receipt code (and the crypto stack under it) is imported when a command runs, not when the
parser is built.
"""

from __future__ import annotations

from fieldwork.cli import EXIT_OK, print_json
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store
from fieldwork.text import plural


def register(sub, common) -> None:
    _register_receipt(sub, common)
    _register_retention(sub, common)
    _register_settings(sub, common)


def _register_receipt(sub, common) -> None:
    group = sub.add_parser(
        "receipt", help="the lead's signed receipts for merged bundles, and accepting one (handover and wipe)",
        parents=[common],
    )
    commands = group.add_subparsers(dest="receipt_command", metavar="ACTION", required=True)

    issue = commands.add_parser(
        "issue", help="write a signed receipt for each merged bundle (lead)", parents=[common],
        description="Writes one .fwreceipt per bundle merged into the inspection that has no receipt yet (every "
        "one with --all), signed with your keys. Give each inspector the receipts of their bundles.",
    )
    issue.add_argument("--inspection", required=True, metavar="ID")
    issue.add_argument("--inspector", metavar="PERSON_ID", help="only this inspector's bundles")
    issue.add_argument("--all", dest="every", action="store_true", help="also bundles that already have a receipt")
    issue.add_argument("--out", required=True, metavar="DIR", help="an existing folder for the receipts")
    issue.add_argument("--overwrite", action="store_true", help="replace receipt files already in DIR")
    issue.add_argument("--json", action="store_true", help="print JSON")
    issue.set_defaults(handler=issue_command)

    listing = commands.add_parser(
        "list", help="the bundles merged into an inspection and their receipts (lead)", parents=[common]
    )
    listing.add_argument("--inspection", required=True, metavar="ID")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=list_command)

    accept = commands.add_parser(
        "accept", help="accept your lead's receipt: mark cases handed over, and wipe them (inspector)",
        parents=[common],
        description="Checks the receipt (signed by the inspection's lead, for a bundle this data folder exported), "
        "marks the complete cases the lead holds as handed over, and deletes their personal data from this "
        "laptop if you ask for it (--wipe) or the setting handover_wipe is 'always'. A case changed here after "
        "that bundle was made is left as it is.",
    )
    accept.add_argument("file", metavar="FILE")
    choice = accept.add_mutually_exclusive_group()
    choice.add_argument("--wipe", action="store_true", help="delete the handed-over cases' personal data now")
    choice.add_argument("--keep", action="store_true", help="keep their data on this laptop for now")
    accept.add_argument("--dry-run", action="store_true", help="check the receipt and show what it would do")
    accept.add_argument("--json", action="store_true", help="print JSON")
    accept.set_defaults(handler=accept_command)


def _register_retention(sub, common) -> None:
    group = sub.add_parser(
        "retention", help="wipe inspections from this laptop a set time after fieldwork ended", parents=[common]
    )
    commands = group.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    status = commands.add_parser("status", help="when each inspection is due to be wiped", parents=[common])
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=retention_status_command)
    apply = commands.add_parser(
        "apply", help="wipe the inspections that are due", parents=[common],
        description="Removes each due inspection whose cases were all handed over; in the others, deletes the "
        "personal data of the handed-over cases and keeps the rest, unless --include-not-handed-over.",
    )
    apply.add_argument("--inspection", metavar="ID", help="only this inspection")
    apply.add_argument(
        "--include-not-handed-over", action="store_true",
        help="also delete cases your lead has not confirmed receiving (they are then lost for good)",
    )
    apply.add_argument("--json", action="store_true", help="print JSON")
    apply.set_defaults(handler=retention_apply_command)


def _register_settings(sub, common) -> None:
    group = sub.add_parser("settings", help="this data folder's settings (handover wipe, retention)",
                           parents=[common])
    commands = group.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    listing = commands.add_parser("list", help="every setting and its value", parents=[common])
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=settings_list_command)
    setting = commands.add_parser("set", help="change a setting", parents=[common])
    setting.add_argument("name", metavar="NAME", help="handover_wipe or retention_days")
    setting.add_argument("value", metavar="VALUE", help="ask|always|never, or a number of days|off")
    setting.add_argument("--json", action="store_true", help="print JSON")
    setting.set_defaults(handler=settings_set_command)


# --- the lead ------------------------------------------------------------------------------------


def issue_command(args) -> int:
    from fieldwork.cli.keys import unlock
    from fieldwork.handover.issue import issue_receipts, list_bundle_receipts

    data_dir = resolve_data_dir(args.data_dir)
    with open_profile_store(data_dir) as store:
        identity = unlock(data_dir)
        written = issue_receipts(
            store, args.inspection, args.out, identity=identity, inspector_id=args.inspector, every=args.every,
            overwrite=args.overwrite,
        )
        merged = len(list_bundle_receipts(store, args.inspection))
    if args.json:
        print_json({"written": [w.to_json() for w in written], "merged_bundles": merged})
        return EXIT_OK
    if not written:
        print(
            f"No bundle has been merged into {args.inspection} yet; merge bundles first." if not merged else
            f"Every bundle merged into {args.inspection} already has a receipt; use --all to write them again."
        )
        return EXIT_OK
    for item in written:
        r = item.receipt
        print(f"Wrote the receipt of {r.inspector_id}'s bundle number {r.sequence} ({plural(len(r.cases), 'case')}) "
              f"to {item.path}.")
    print("Give each inspector the receipts of their bundles; their app checks your signature.")
    return EXIT_OK


def list_command(args) -> int:
    from fieldwork.handover.issue import list_bundle_receipts
    from fieldwork.store.inspections import get_inspection

    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        get_inspection(store, args.inspection)  # an unknown id is refused, as everywhere else
        bundles = list_bundle_receipts(store, args.inspection)
    if args.json:
        print_json({"bundles": [b.to_json() for b in bundles]})
        return EXIT_OK
    if not bundles:
        print(f"No bundle has been merged into {args.inspection} yet.")
    for b in bundles:
        state = plural(len(b.receipts), "receipt") if b.receipts else "no receipt yet"
        print(f"{b.bundle.inspector_id} bundle {b.bundle.sequence} (merged {b.bundle.imported_at[:16]}): {state}")
    return EXIT_OK


# --- the inspector -------------------------------------------------------------------------------


def _wipe_choice(args, plan) -> bool:
    """--wipe or --keep when given; otherwise the setting (ask: keep, and say how to wipe)."""
    if args.wipe or args.keep:
        return bool(args.wipe)
    return bool(plan.wipe_by_default())


def accept_command(args) -> int:
    from fieldwork.handover.accept import accept_receipt, plan_receipt
    from fieldwork.handover.cleanup import finish_wipe
    from fieldwork.handover.receipts import verify_receipt

    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        finish_wipe(store)  # an earlier wipe's compaction and backup renewal, if it was interrupted
        verified = verify_receipt(store, args.file)
        plan = plan_receipt(store, verified)
        wipe = _wipe_choice(args, plan)
        if args.dry_run:
            if args.json:
                print_json({**plan.to_json(), "would_wipe": wipe and bool(plan.wipeable), "dry_run": True})
            else:
                _print_plan(plan, wipe, dry_run=True)
            return EXIT_OK
        result = accept_receipt(store, verified, wipe=wipe)
    if args.json:
        print_json(result.to_json())
        return EXIT_OK
    plan = result.plan
    _print_plan(plan, wipe, dry_run=False)
    if result.wiped:
        print(f"Deleted the personal data of {plural(result.wiped, 'handed-over case')} from this laptop.")
        _print_cleanup(result.cleanup)
    elif plan.wipeable:
        print(
            f"The personal data of {plural(len(plan.wipeable), 'handed-over case')} is still on this laptop (setting "
            f"handover_wipe = {plan.wipe_setting}). To delete it, run: fieldwork receipt accept {args.file} --wipe"
        )
    return EXIT_OK


def _print_plan(plan, wipe: bool, *, dry_run: bool) -> None:
    from fieldwork.handover.accept import ALREADY_HANDED_OVER, ALREADY_WIPED, CHANGED_SINCE, HAND_OVER, NOT_COMPLETE

    r = plan.verified.receipt
    print(
        f"Receipt from {r.lead_id} for your bundle number {r.sequence} of {r.inspection_id} "
        f"(merged {r.merged_at[:16].replace('T', ' ')} UTC)."
    )
    verb = "Would mark" if dry_run else "Marked"
    refs = [o.case_ref for o in plan.having(HAND_OVER)]
    if refs:
        print(f"{verb} handed over: {plural(len(refs), 'case')}: {', '.join(refs)}.")
    else:
        print("No case is newly handed over by this receipt.")
    earlier = plan.having(ALREADY_HANDED_OVER, ALREADY_WIPED)
    if earlier:
        print(f"Already handed over earlier: {plural(len(earlier), 'case')}.")
    for outcome in plan.having(CHANGED_SINCE, NOT_COMPLETE):
        print(f"  kept: {outcome.reason(r.sequence)}")
    if plan.not_in_receipt:
        rest = ("is not in this receipt and stays as it is" if plan.not_in_receipt == 1
                else "are not in this receipt and stay as they are")
        print(f"{plural(plan.not_in_receipt, 'case')} of this inspection here {rest}.")
    if dry_run and plan.wipeable:
        how = "" if wipe else f" (setting handover_wipe = {plan.wipe_setting}; add --wipe to delete it)"
        print(f"Would {'delete' if wipe else 'keep'} the personal data of {plural(len(plan.wipeable), 'case')}{how}.")
    if dry_run:
        print("Nothing was changed (dry run).")


def _print_cleanup(cleanup) -> None:
    if cleanup is None:
        return
    if cleanup.finished:
        were = "was" if cleanup.backups_removed == 1 else "were"
        print(f"The store was compacted; {plural(cleanup.backups_removed, 'older backup')} {were} replaced by a "
              "new one.")
    else:
        print(f"Note: {cleanup.problem}")
    for copy in cleanup.copies_kept:
        print(f"Note: {copy} is a copy of the store set aside by a restore; it still holds personal data. Delete "
              "it once you no longer need it.")


def retention_status_command(args) -> int:
    from fieldwork.handover.cleanup import finish_wipe
    from fieldwork.handover.retention import LATER, review

    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        finish_wipe(store)
        current = review(store)
    if args.json:
        print_json(current.to_json())
        return EXIT_OK
    if current.days is None:
        print("Retention is off: inspections stay on this laptop until you hand them over and wipe them.")
        return EXIT_OK
    print(f"Inspections are wiped from this laptop {current.days} days after fieldwork ended.")
    for item in current.items:
        if item.state == LATER:
            print(f"Inspection {item.inspection_id}: due to be wiped on {item.due_on}.")
        else:
            print(item.sentence())
    if current.due:
        print("Run 'fieldwork retention apply' to wipe what is due.")
    return EXIT_OK


def retention_apply_command(args) -> int:
    from fieldwork.handover.retention import apply_retention

    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        result = apply_retention(
            store, inspection_id=args.inspection, include_not_handed_over=args.include_not_handed_over
        )
    if args.json:
        print_json(result.to_json())
        return EXIT_OK
    if not result.outcomes:
        print("Nothing is due to be wiped.")
    for outcome in result.outcomes:
        print(outcome.sentence())
    if any(o.kept_not_handed_over for o in result.outcomes):
        print("Cases not handed over stay until your lead's receipt covers them; to delete them anyway (they are "
              "then lost for good), run: fieldwork retention apply --include-not-handed-over")
    _print_cleanup(result.cleanup)
    return EXIT_OK


# --- settings ------------------------------------------------------------------------------------


def settings_list_command(args) -> int:
    from fieldwork.store.settings import list_settings

    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        settings = list_settings(store)
    if args.json:
        print_json({"settings": settings})
        return EXIT_OK
    for s in settings:
        print(f"{s['name']} = {s['value']}{'' if s['set'] else ' (default)'}: {s['help']}")
    return EXIT_OK


def settings_set_command(args) -> int:
    from fieldwork.store.settings import set_setting

    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        value = set_setting(store, args.name, args.value)
    if args.json:
        print_json({"name": args.name, "value": value})
    else:
        print(f"{args.name} = {value}")
    return EXIT_OK
