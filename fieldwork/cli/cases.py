"""`fieldwork case add | set-sample`: one case at a time, and a case's question set changed by hand."""

from __future__ import annotations

from fieldwork.cli import EXIT_OK, print_json
from fieldwork.cli.arguments import add_text_option
from fieldwork.errors import ValidationError
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store


def register(sub, common) -> None:
    group = sub.add_parser("case", help="add a case, or change the question set a case answers", parents=[common])
    commands = group.add_subparsers(dest="case_command", metavar="ACTION", required=True)

    add = commands.add_parser(
        "add",
        help="add one case to an inspection",
        description="Without --sample, the framework's sample rules choose the case's sample (question "
        "set) from its details; the choice and its reason go in the case's change log.",
        parents=[common],
    )
    add.add_argument("inspection_id", metavar="INSPECTION")
    add.add_argument("case_ref", metavar="CASE_REF")
    add.add_argument("--sample", dest="sample_id", metavar="SAMPLE", help="put it in this sample instead of the rule's")
    add.add_argument("--inspector", dest="inspector_id", metavar="ID", help="allocate it to this inspector")
    add.add_argument(
        "--detail", action="append", default=[], metavar="FIELD=VALUE", help="a case detail (repeat for more)"
    )
    add.add_argument("--json", action="store_true", help="print JSON")
    add.set_defaults(handler=add_command)

    change = commands.add_parser(
        "set-sample",
        help="move a case to another sample (question set), with a reason",
        description="The change (who, when, from, to, why) is kept in the case's change log. Answers are "
        "never deleted: those the new set does not ask are kept and listed as not counting. The change "
        "travels: a lead's in the inspector's next pack, an inspector's in their next bundle.",
        parents=[common],
    )
    change.add_argument("inspection_id", metavar="INSPECTION")
    change.add_argument("case_ref", metavar="CASE_REF")
    change.add_argument("sample_id", metavar="SAMPLE")
    add_text_option(change, "--reason", required=True, help="why the case answers this set")
    change.add_argument("--json", action="store_true", help="print JSON")
    change.set_defaults(handler=set_sample_command)


def _details(pairs: list[str]) -> dict[str, str]:
    details = {}
    for pair in pairs:
        field_id, sep, value = pair.partition("=")
        if not sep or not field_id.strip():
            raise ValidationError(
                f"--detail '{pair}' is not FIELD=VALUE; write it like --detail sentence_type=licence."
            )
        details[field_id.strip()] = value
    return details


def add_command(args) -> int:
    from fieldwork.store.assessments import latest_sample_reason
    from fieldwork.store.inspections import add_case, get_inspection

    details = _details(args.detail)
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        inspection = get_inspection(store, args.inspection_id)
        case = add_case(
            store, inspection, args.case_ref, sample_id=args.sample_id, inspector_id=args.inspector_id,
            details=details, source="cli",
        )
        reason = latest_sample_reason(store, case.id)
    result = {"case_ref": case.case_ref, "case_id": case.id, "sample": case.sample_id, "sample_reason": reason}
    if args.json:
        print_json(result)
    else:
        print(f"Added case {case.case_ref} to {inspection.id}, sample {case.sample_id}.")
        if reason:
            print(f"  Why this sample: {reason}")
    return EXIT_OK


def set_sample_command(args) -> int:
    from fieldwork.store.assessments import change_sample, find_case

    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        case = find_case(store, args.inspection_id, args.case_ref)
        change = change_sample(store, case.id, args.sample_id, args.reason, source="cli")
    result = {
        "case_ref": case.case_ref, "old_sample": change.old, "new_sample": change.new,
        "answers_not_counting": change.not_counting,
    }
    if args.json:
        print_json(result)
    else:
        print(f"Case {case.case_ref} moved from sample {change.old} to {change.new}; the reason is in its change log.")
        if change.not_counting:
            print(
                f"  Kept but no longer counted ({len(change.not_counting)}): {', '.join(change.not_counting)}. "
                "They count again if the case returns to its earlier set."
            )
    return EXIT_OK
