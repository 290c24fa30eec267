"""`fieldwork merge | conflicts | moderation`: the lead brings bundles together and quality-assures.

- `merge FILE...` merges bundles (exit 1 if any was refused; the good ones are still merged);
  `merge gaps` and `merge alerts` list missing bundle numbers and forks for an inspection;
  `merge held` lists the work held for the lead's acceptance and `merge accept` accepts it all.
- `conflicts list | resolve | resolve-case` shows and settles what disagrees.
- `moderation set | query | queries | close | agreement` is the lead's quality assurance.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, print_json
from fieldwork.cli.arguments import add_text_option
from fieldwork.errors import FieldworkError, ValidationError
from fieldwork.merge import (
    MODERATION_STATES,
    add_query,
    agreement,
    author_choice,
    clear_case_moderation,
    close_query,
    count_open_conflicts,
    list_alerts,
    list_case_conflicts,
    list_conflicts,
    list_queries,
    merge_bundles,
    resolve_case_conflict,
    resolve_conflict,
    sequence_gaps,
    set_case_moderation,
)
from fieldwork.merge.provenance import kind_of
from fieldwork.merge.sample_moves import list_sample_moves
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store
from fieldwork.store.assessments import find_case
from fieldwork.store.inspections import get_inspection
from fieldwork.text import plural

# `fieldwork merge gaps --inspection ID` (a file really named "gaps" is merged as ./gaps).
MERGE_REPORTS = ("gaps", "alerts")
# `fieldwork merge held | accept --inspection ID`: work that counts once the lead accepts it.
MERGE_HELD = ("held", "accept")


def register(sub, common) -> None:
    merge = sub.add_parser(
        "merge", parents=[common],
        help="merge inspectors' bundles into this store (or: merge gaps | alerts | held | accept --inspection ID)",
        description="Merge bundles into the inspection's central database. 'fieldwork merge gaps "
        "--inspection ID' lists missing bundle numbers; 'fieldwork merge alerts --inspection ID' "
        "lists forks and broken bundle chains; 'fieldwork merge held --inspection ID' lists work held "
        "out of the ratings (cases added by hand, not allocated to the inspector who sent them, answers "
        "on another inspector's case) and 'fieldwork merge accept --inspection ID' accepts all of it.",
    )
    merge.add_argument("files", nargs="+", metavar="FILE", help="bundle files (.fwbundle)")
    merge.add_argument("--inspection", metavar="ID", help="only accept bundles for this inspection")
    merge.add_argument("--passphrase-env", metavar="VAR", help="read your keys' passphrase from this variable")
    merge.add_argument("--allow-unencrypted", action="store_true", help="accept bundles that are not encrypted")
    merge.add_argument("--json", action="store_true", help="print JSON")
    merge.set_defaults(handler=merge_command)

    conflicts = sub.add_parser("conflicts", help="list and resolve merge conflicts", parents=[common])
    actions = conflicts.add_subparsers(dest="conflicts_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="answers, details and case references in conflict", parents=[common])
    listing.add_argument("--inspection", required=True, metavar="ID")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=conflicts_list_command)
    resolve = actions.add_parser("resolve", help="decide one answer or case detail", parents=[common])
    resolve.add_argument("--inspection", required=True, metavar="ID")
    add_text_option(resolve, "--case", required=True, metavar="REF", help="case reference")
    resolve.add_argument("--question", required=True, metavar="QID", help="question or case-detail id")
    resolve.add_argument(
        "--choose", required=True, metavar="AUTHOR|VALUE",
        help="keep that person's version, or this value (yes, no, na, none; a detail's value)",
    )
    add_text_option(resolve, "--note", help="evidence text to go with a value of your own")
    add_text_option(resolve, "--reason", required=True, help="why (kept with the decision)")
    resolve.add_argument("--json", action="store_true", help="print JSON")
    resolve.set_defaults(handler=conflicts_resolve_command)
    case = actions.add_parser("resolve-case", help="decide a case-reference conflict", parents=[common])
    case.add_argument("--inspection", required=True, metavar="ID")
    case.add_argument("--id", dest="conflict_id", required=True, type=int, metavar="N", help="from 'conflicts list'")
    how = case.add_mutually_exclusive_group(required=True)
    how.add_argument("--same", action="store_true", help="it is the same case: merge its answers into it")
    how.add_argument("--separate", metavar="NEW_REF", help="it is another case: add it under this reference")
    add_text_option(case, "--reason", required=True, help="why (kept with the decision)")
    case.add_argument("--json", action="store_true", help="print JSON")
    case.set_defaults(handler=conflicts_case_command)

    moved = actions.add_parser(
        "resolve-set", help="decide a case an inspector moved to another question set than you did",
        description="Take the inspector's set, or keep yours; either way your reason goes in the case's "
        "change log, and the inspector's next pack brings their workspace to the set you decided.",
        parents=[common],
    )
    moved.add_argument("--inspection", required=True, metavar="ID")
    moved.add_argument("--id", dest="move_id", required=True, type=int, metavar="N", help="from 'conflicts list'")
    choice = moved.add_mutually_exclusive_group(required=True)
    choice.add_argument("--take", action="store_true", help="move the case to the inspector's set")
    choice.add_argument("--keep", action="store_true", help="keep the case in the set you chose")
    add_text_option(moved, "--reason", required=True, help="why (kept in the case's change log)")
    moved.add_argument("--json", action="store_true", help="print JSON")
    moved.set_defaults(handler=conflicts_set_command)

    moderation = sub.add_parser("moderation", help="moderate cases, raise queries, see agreement", parents=[common])
    actions = moderation.add_subparsers(dest="moderation_command", metavar="ACTION", required=True)
    state = actions.add_parser("set", help="mark a case moderated, agreed or with queries", parents=[common])
    state.add_argument("--inspection", required=True, metavar="ID")
    add_text_option(state, "--case", required=True, metavar="REF", help="case reference")
    state.add_argument("--state", required=True, choices=MODERATION_STATES)
    add_text_option(state, "--note", default="", help="a note kept with the mark")
    state.add_argument("--json", action="store_true", help="print JSON")
    state.set_defaults(handler=moderation_set_command)
    clear = actions.add_parser("clear", help="take a case's moderation mark away (set by mistake)", parents=[common])
    clear.add_argument("--inspection", required=True, metavar="ID")
    add_text_option(clear, "--case", required=True, metavar="REF", help="case reference")
    clear.add_argument("--json", action="store_true", help="print JSON")
    clear.set_defaults(handler=moderation_clear_command)
    query = actions.add_parser("query", help="ask the inspector about one answer", parents=[common])
    query.add_argument("--inspection", required=True, metavar="ID")
    add_text_option(query, "--case", required=True, metavar="REF", help="case reference")
    query.add_argument("--question", required=True, metavar="QID")
    add_text_option(query, "--text", required=True, help="the question for the inspector")
    query.add_argument("--to", metavar="PERSON_ID", help="the inspector (default: the case's allocated inspector)")
    query.add_argument("--json", action="store_true", help="print JSON")
    query.set_defaults(handler=moderation_query_command)
    queries = actions.add_parser("queries", help="list queries", parents=[common])
    queries.add_argument("--inspection", required=True, metavar="ID")
    queries.add_argument("--inspector", metavar="PERSON_ID")
    queries.add_argument("--status", choices=("open", "answered", "closed"))
    queries.add_argument("--json", action="store_true", help="print JSON")
    queries.set_defaults(handler=moderation_queries_command)
    close = actions.add_parser("close", help="close a query", parents=[common])
    close.add_argument("query_id", metavar="QUERY_ID")
    close.add_argument("--json", action="store_true", help="print JSON")
    close.set_defaults(handler=moderation_close_command)
    agree = actions.add_parser("agreement", help="agreement on double-read cases", parents=[common])
    agree.add_argument("--inspection", required=True, metavar="ID")
    agree.add_argument("--json", action="store_true", help="print JSON")
    agree.set_defaults(handler=moderation_agreement_command)


def _usage(message: str, as_json: bool) -> int:
    if as_json:
        print_json({"error": {"code": "usage", "message": message}})
    print(f"fieldwork: {message}", file=sys.stderr)
    return EXIT_USAGE


def _unlock(data_dir: Path, passphrase_env: str | None):
    from fieldwork.cli.keys import unlock
    from fieldwork.identity import keys_exist, unlock_keys

    if not keys_exist(data_dir):
        return None  # only unencrypted bundles can be read; the others are refused one by one
    if passphrase_env:
        passphrase = os.environ.get(passphrase_env)
        if passphrase is None:
            raise FieldworkError(f"The variable {passphrase_env} is not set; set it to your passphrase.",
                                 code="passphrase-needed")
        return unlock_keys(data_dir, passphrase)
    return unlock(data_dir)


# --- merge ---------------------------------------------------------------------------------------


def merge_command(args) -> int:
    if len(args.files) == 1 and args.files[0] in MERGE_REPORTS and not Path(args.files[0]).exists():
        return _merge_report(args, args.files[0])
    if len(args.files) == 1 and args.files[0] in MERGE_HELD and not Path(args.files[0]).exists():
        return _merge_held(args, args.files[0])
    data_dir = resolve_data_dir(args.data_dir)
    with open_profile_store(data_dir, create=False) as store:
        if args.inspection:
            get_inspection(store, args.inspection)
        identity = _unlock(data_dir, args.passphrase_env)
        show = None if args.json else _print_result
        report = merge_bundles(
            store, args.files, identity, inspection_id=args.inspection, allow_unencrypted=args.allow_unencrypted,
            progress=(lambda done, total, result: show(result)) if show else None,
        )
        gaps = {i: sequence_gaps(store, i) for i in report.inspections}
    if args.json:
        print_json(report.to_json())
    else:
        print(f"Open conflicts: {report.open_conflicts}" + (" (see 'fieldwork conflicts list')" if
                                                             report.open_conflicts else ""))
        if report.waiting:
            print(f"Waiting for you: {report.waiting.sentence()} (see 'fieldwork merge held --inspection ID', "
                  "then 'fieldwork merge accept --inspection ID').")
        for inspection_id, found in gaps.items():
            for gap in found:
                numbers = "number" if gap.count == 1 else "numbers"
                print(f"Missing from {gap.inspector_id} ({inspection_id}): bundle {numbers} {gap.describe()}")
    return EXIT_REFUSED if report.refused else EXIT_OK


def _print_result(result) -> None:
    if result.status == "refused":
        print(f"Refused   {result.file}: {result.message}")
    elif result.status == "already_imported":
        print(f"Already merged  {result.file} (bundle {result.sequence} from {result.inspector_id})")
    else:
        extra = f", {plural(result.conflicts, 'conflict')}" if result.conflicts else ""
        print(
            f"Merged    {result.file}: bundle {result.sequence} from {result.inspector_id}, "
            f"{plural(result.cases, 'case')}, {plural(result.answers, 'answer')}{extra}"
        )
        for note in result.notes:
            print(f"          Note: {note}")


def _merge_report(args, which: str) -> int:
    if not args.inspection:
        return _usage(f"'fieldwork merge {which}' needs --inspection ID.", args.json)
    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        get_inspection(store, args.inspection)
        items = sequence_gaps(store, args.inspection) if which == "gaps" else list_alerts(store, args.inspection)
    if args.json:
        print_json({"inspection": args.inspection, which: [item.to_json() for item in items]})
        return EXIT_OK
    if not items:
        print("No missing bundles." if which == "gaps" else "No alerts.")
    for item in items:
        if which == "gaps":
            missing = f"bundle {item.describe()}" if item.count == 1 else (
                f"bundles {item.describe()} ({item.count} in all)"
            )
            print(f"{item.inspector_id} (key {item.signer_key_id[:8]}…): missing {missing}; "
                  f"highest merged {item.highest}")
        else:
            print(f"{item.kind.upper():12} {item.detected_at}  {item.message}")
    return EXIT_OK


def _merge_held(args, which: str) -> int:
    """`merge held` lists what waits for the lead; `merge accept` accepts all of it (one action, logged)."""
    from fieldwork.merge import accept_held, list_waiting, waiting_totals

    if not args.inspection:
        return _usage(f"'fieldwork merge {which}' needs --inspection ID.", args.json)
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        get_inspection(store, args.inspection)
        if which == "accept":
            accepted = accept_held(store, args.inspection)
        else:
            items = list_waiting(store, args.inspection)
    if which == "accept":
        if args.json:
            print_json(accepted.to_json())
        elif accepted.cases:
            print(f"Accepted: {accepted.held.sentence().split(':')[0]} now count in {args.inspection} "
                  "(recorded in each case's history).")
        else:
            print("Nothing was waiting for acceptance.")
        return EXIT_OK
    if args.json:
        print_json({"inspection": args.inspection, "totals": waiting_totals(items).to_json(),
                    "held": [item.to_json() for item in items]})
        return EXIT_OK
    if not items:
        print("Nothing is waiting for acceptance.")
    why = {"added": "added by hand", "unallocated": "allocated to nobody", "other": "allocated to {}"}
    for item in items:
        reason = why[item.reason].format(item.allocated_to)
        print(f"{item.case_ref:12} {item.inspector_id}: {plural(item.answers, 'answer')}, case {reason}")
    return EXIT_OK


# --- conflicts -----------------------------------------------------------------------------------


def conflicts_list_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        answers = list_conflicts(store, args.inspection)
        cases = list_case_conflicts(store, args.inspection)
        moves = list_sample_moves(store, args.inspection)
        total = count_open_conflicts(store, args.inspection)
    if args.json:
        print_json({
            "inspection": args.inspection, "open": total,
            "conflicts": [c.to_json() for c in answers], "case_conflicts": [c.to_json() for c in cases],
            "question_set_conflicts": [m.to_json() for m in moves],
        })
        return EXIT_OK
    if not total:
        print("No open conflicts.")
    for conflict in answers:
        print(f"{conflict.case_ref}  {conflict.key}  ({_REASONS[conflict.reason]})")
        for v in conflict.versions:
            value = v.value if v.value is not None else "(none)"
            where = f"bundle {v.sequence} of {v.bundle_inspector}" if v.bundle_id else "edited here"
            note = f" — {v.note}" if v.note else ""
            print(f"    {v.author:12} {value:8} rev {v.revision}, {v.updated_at}, {where}{note}")
    for c in cases:
        print(f"Case reference {c.case_ref} (conflict {c.id}): {c.inspector_id} sent it as another case "
              f"({c.case_id[:8]}…); decide with 'fieldwork conflicts resolve-case --id {c.id}'.")
    for m in moves:
        print(f"Case {m.case_ref} question set (conflict {m.id}): {m.inspector_id} moved it from {m.old_sample} to "
              f"{m.new_sample} ({m.reason}); you have it in {m.lead_sample}. Decide with "
              f"'fieldwork conflicts resolve-set --id {m.id} --take' or '--keep'.")
    return EXIT_OK


def conflicts_set_command(args) -> int:
    from fieldwork.merge.sample_moves import decide_move

    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        get_inspection(store, args.inspection)
        if args.move_id not in {m.id for m in list_sample_moves(store, args.inspection, status=None)}:
            raise FieldworkError(f"No question-set conflict {args.move_id} in {args.inspection}.", code="not-found")
        decided = decide_move(store, args.move_id, take=args.take, reason=args.reason)
    if args.json:
        print_json(decided.to_json())
    else:
        kept = "took the inspector's set" if decided.status == "taken" else "kept your set"
        print(f"Case {decided.case_ref} is in {decided.lead_sample}: you {kept}. Reason kept in its change log.")
    return EXIT_OK


_REASONS = {
    "parallel": "different judgements",
    "evidence": "same judgement, different evidence",
    "fork": "two versions from one person",
}


def conflicts_resolve_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        case = find_case(store, args.inspection, args.case)
        kind = kind_of(store, case.id, args.question)
        version_id = author_choice(store, case.id, args.question, args.choose, kind=kind)
        if version_id is not None:
            resolution = resolve_conflict(store, case.id, args.question, reason=args.reason, version_id=version_id,
                                          kind=kind)
        else:
            value = None if kind == "answer" and args.choose.lower() in ("none", "") else args.choose
            if kind == "answer" and value is not None:
                value = value.lower()
                if value not in ("yes", "no", "na"):
                    raise ValidationError(
                        f"'{args.choose}' is neither someone with a version of {args.question} nor an answer "
                        "(yes, no, na or none); see 'fieldwork conflicts list'."
                    )
            resolution = resolve_conflict(store, case.id, args.question, reason=args.reason, value=value,
                                          note=args.note, kind=kind)
    if args.json:
        print_json(resolution.to_json())
    else:
        print(f"Decided {args.case} {args.question}: {resolution.value!r} ({resolution.author}). Reason kept.")
    return EXIT_OK


def conflicts_case_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        get_inspection(store, args.inspection)
        known = list_case_conflicts(store, args.inspection, include_decided=True)
        if args.conflict_id not in {c.id for c in known}:
            raise FieldworkError(f"No case conflict {args.conflict_id} in {args.inspection}.", code="not-found")
        decided = resolve_case_conflict(
            store, args.conflict_id, same=args.same, new_ref=args.separate, reason=args.reason
        )
    if args.json:
        print_json(decided.to_json())
    elif decided.status == "same":
        print(f"Case {decided.case_ref}: the second copy is the same case; its answers joined it.")
    else:
        print(f"Case {decided.case_ref}: the second copy is a separate case, now {decided.new_ref}.")
    return EXIT_OK


# --- moderation ----------------------------------------------------------------------------------


def moderation_set_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        case = find_case(store, args.inspection, args.case)
        result = set_case_moderation(store, case.id, args.state, args.note)
    if args.json:
        print_json(result.to_json())
    else:
        print(f"Case {args.case} is now marked {result.state}.")
    return EXIT_OK


def moderation_clear_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        case = find_case(store, args.inspection, args.case)
        cleared = clear_case_moderation(store, case.id)
    if args.json:
        print_json({"case_ref": args.case, "cleared": cleared.to_json() if cleared else None})
    elif cleared is None:
        print(f"Case {args.case} had no moderation mark; nothing changed.")
    else:
        print(f"Case {args.case} is no longer marked {cleared.state}; it shows as not moderated.")
    return EXIT_OK


def moderation_query_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        case = find_case(store, args.inspection, args.case)
        query = add_query(store, case.id, args.question, args.text, inspector_id=args.to)
    if args.json:
        print_json(query.to_json())
    else:
        print(f"Query {query.id} for {query.inspector_id} on {args.case} {args.question}; it goes in their next pack.")
    return EXIT_OK


def moderation_queries_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        get_inspection(store, args.inspection)
        found = list_queries(store, args.inspection, inspector_id=args.inspector, status=args.status)
    if args.json:
        print_json([q.to_json() for q in found])
        return EXIT_OK
    if not found:
        print("No queries.")
    for q in found:
        print(f"{q.status:9} {q.case_ref} {q.question_id} → {q.inspector_id}: {q.text}  [{q.id}]")
    return EXIT_OK


def moderation_close_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        query = close_query(store, args.query_id)
    if args.json:
        print_json(query.to_json())
    else:
        print(f"Query on {query.case_ref} {query.question_id} closed.")
    return EXIT_OK


def moderation_agreement_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        report = agreement(store, args.inspection)
    if args.json:
        print_json(report.to_json())
        return EXIT_OK
    print(f"{'Key question':14} {'double-read':>11} {'agree %':>8} {'kappa':>7}")
    for item in (*report.questions, report.overall):
        name = item.question_id or "all"
        percent = "-" if item.percent is None else f"{item.percent:.1f}"
        kappa = "-" if item.kappa is None else f"{item.kappa:.3f}"
        print(f"{name:14} {item.double_read:>11} {percent:>8} {kappa:>7}" + (f"  ({item.kappa_note})" if
                                                                             item.kappa_note and item.pairs else ""))
    return EXIT_OK
