"""`fieldwork allocation export | import`: the lead hands each inspector their cases as a pack."""

from __future__ import annotations

import sys

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, fail, print_json
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store
from fieldwork.text import plural

# The pack code (and the crypto stack under it) is imported when a command runs, not when the
# parser is built.


def register(sub, common) -> None:
    group = sub.add_parser(
        "allocation", help="export and open allocation packs (an inspector's cases, signed by the lead)",
        parents=[common],
    )
    commands = group.add_subparsers(dest="allocation_command", metavar="ACTION", required=True)

    export = commands.add_parser(
        "export", help="write one inspector's allocation pack (lead)", parents=[common],
        description="Writes the inspection, its framework and the cases allocated to the inspector, signed "
        "with your keys and encrypted to the inspector's identity from your trust list.",
    )
    export.add_argument("--inspection", required=True, metavar="ID")
    export.add_argument("--inspector", required=True, metavar="PERSON_ID", help="the inspector's person id")
    export.add_argument("--out", required=True, metavar="FILE", help="the .fwpack file, or a folder to name it in")
    export.add_argument(
        "--to", metavar="IDENTITY_FILE",
        help="encrypt to this identity file (default: the inspector's identity in your trust list)",
    )
    export.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    export.add_argument("--json", action="store_true", help="print JSON")
    export.set_defaults(handler=export_command)

    opening = commands.add_parser(
        "import", help="open an allocation pack into your workspace (inspector)", parents=[common],
        description="Checks the pack completely, then adds the inspection and your cases, updates what the "
        "lead changed, and keeps (flagged) any case moved to someone else. Nothing changes if the pack is "
        "refused.",
    )
    opening.add_argument("file", metavar="FILE")
    opening.add_argument(
        "--accept-lead", metavar="FINGERPRINT",
        help="trust the lead who signed the pack, after comparing this fingerprint with them in person",
    )
    opening.add_argument("--dry-run", action="store_true", help="check the pack and show what it would change")
    opening.add_argument("--json", action="store_true", help="print JSON")
    opening.set_defaults(handler=import_command)


def export_command(args) -> int:
    from fieldwork.cli.keys import unlock
    from fieldwork.identity import read_identity_file
    from fieldwork.packs import export_pack

    recipient = read_identity_file(args.to) if args.to else None
    data_dir = resolve_data_dir(args.data_dir)
    with open_profile_store(data_dir) as store:
        identity = unlock(data_dir)
        result = export_pack(
            store, args.inspection, args.inspector, args.out, identity=identity, recipient=recipient,
            overwrite=args.overwrite,
        )
    summary = result.summary()
    if args.json:
        print_json(summary)
        return EXIT_OK
    print(
        f"Wrote pack number {summary['sequence']} for {summary['inspector_id']} on {summary['inspection_id']} "
        f"to {result.path}."
    )
    print(f"It holds {plural(summary['cases'], 'case')} and "
          f"{plural(summary['moderation_queries'], 'open moderation query', 'open moderation queries')}.")
    print(f"Encrypted to key {result.recipient.key_id} (fingerprint {result.recipient.fingerprint}).")
    print(f"Your fingerprint, for the inspector to compare: {result.manifest.lead.fingerprint}")
    if not summary["cases"]:
        print(f"warning: {summary['inspector_id']} has no cases in this inspection.", file=sys.stderr)
    return EXIT_OK


def _refused_unknown_lead(error, args) -> int:
    fail(error, args.json)
    if not args.json and error.lead is not None:
        print(
            "If your lead reads you the same fingerprint, open the pack with:\n"
            f"  fieldwork allocation import {args.file} --accept-lead \"{error.lead.fingerprint}\"",
            file=sys.stderr,
        )
    return EXIT_REFUSED


def import_command(args) -> int:
    from fieldwork.cli.keys import unlock
    from fieldwork.identity import keys_exist, load_trust_list
    from fieldwork.packs import PackError, apply_pack, plan_pack, verify_pack

    data_dir = resolve_data_dir(args.data_dir)
    with open_profile_store(data_dir, create=not args.dry_run) as store:
        trust = load_trust_list(store)
        identity = unlock(data_dir) if keys_exist(data_dir) else None
        try:
            verified = verify_pack(
                args.file, identity=identity, trusted_leads=trust, accept_lead_fingerprint=args.accept_lead
            )
        except PackError as error:
            if error.code == "unknown-signer":
                return _refused_unknown_lead(error, args)
            raise
        if args.dry_run:
            plan = plan_pack(store, verified)
            return _print_plan(verified, plan, args.json)
        result = apply_pack(store, verified)
    if args.json:
        print_json({"pack": verified.summary(), "applied": result.to_json()})
        return EXIT_OK
    print(result.summary())
    if result.lead_trusted:
        print(f"Added {verified.lead.name} ({verified.lead.person_id}) to your trust list for {result.inspection_id}.")
    if result.lead_pinned:
        print(f"Your bundles for {result.inspection_id} will be encrypted to {verified.lead.name}.")
    for update in result.inspection_updates:
        print(f"  inspection {update.field}: {update.old or '(empty)'} → {update.new or '(empty)'}")
    for change in result.updated:
        print(f"  updated {change.case_ref} {change.field_id}: {change.old or '(empty)'} → {change.new}")
    for ref in result.moved_away:
        print(f"  moved away: {ref} is now another inspector's; it stays here with your answers")
    for change in result.held_back:
        print(
            f"  held back: {change.case_ref} is complete, so {change.field_id} stays {change.old or '(empty)'} "
            f"(the lead has {change.new}); reopen the case and import the pack again to take it"
        )
    for change in result.kept_local:
        print(f"  kept your {change.field_id} of {change.case_ref}: {change.old} (newer than the lead's {change.new})")
    for move in result.sample_moves:
        why = f": {move.reason}" if move.reason else ""
        print(f"  question set of {move.case_ref}: {move.old} → {move.new}, by {move.by}{why}")
        if move.not_counting:
            print(f"    your answers kept but no longer counted: {', '.join(move.not_counting)}")
    for move in result.sample_held_back:
        print(
            f"  held back: {move.case_ref} is complete, so it stays in {move.old} (the lead has {move.new}); "
            "reopen the case and import the pack again to take it"
        )
    for move in result.sample_kept_local:
        print(
            f"  kept your question set of {move.case_ref}: {move.old} (the lead has {move.new}; the lead "
            "decides when merging your next bundle)"
        )
    return EXIT_OK


def _print_plan(verified, plan, as_json: bool) -> int:
    preview = {
        "pack": verified.summary(),
        "would": {
            "already_applied": plan.already_applied,
            "create_inspection": plan.create_inspection,
            "inspection_updates": [u.to_json() for u in plan.inspection_updates],
            "add": [c.case_ref for c in plan.added],
            "update": [change.to_json() for change, _ in plan.updates],
            "hold_back": [c.to_json() for c in plan.held_back],
            "keep_local": [c.to_json() for c in plan.kept_local],
            "change_set": [m.to_json() for m in plan.sample_moves],
            "hold_back_set": [m.to_json() for m in plan.sample_held_back],
            "keep_your_set": [m.to_json() for m in plan.sample_kept_local],
            "move_away": [c.case_ref for c in plan.moved_away],
            "return": [c.case_ref for c in plan.returned],
            "trust_lead": plan.trust_lead,
            "pin_lead": plan.pin_lead,
            "changes_anything": plan.changes_anything,
        },
    }
    if as_json:
        print_json(preview)
        return EXIT_OK
    summary = preview["pack"]
    would = preview["would"]
    print(
        f"Pack number {summary['sequence']} from {summary['lead']['name']} for {summary['inspection']['id']}: "
        f"{plural(summary['cases'], 'case')}. Nothing was changed (dry run)."
    )
    print(
        f"It would add {plural(len(would['add']), 'case')}, update {plural(len(would['update']), 'detail')}, "
        f"move away {plural(len(would['move_away']), 'case')}"
        + (", and create the inspection." if would["create_inspection"] else ".")
    )
    return EXIT_OK
