"""`fieldwork premises`: the answers a lead gives once for the premises (decision 0037).

`premises show` lists every question of the standards rated for the premises with its answer,
evidence and the standard's rating; `premises answer` records one answer and/or its evidence;
`premises history` lists every change (who, when, old → new). The override of a computed
premises rating is `fieldwork rate --override`, as for a case-rated standard.
"""

from __future__ import annotations

import sys

from fieldwork.cli import EXIT_OK, EXIT_USAGE, print_json
from fieldwork.cli.arguments import add_text_option
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store

# What may be typed for an answer; "clear" removes it (recorded in the history).
ANSWER_CHOICES = {"yes": "yes", "y": "yes", "no": "no", "n": "no", "na": "na", "n/a": "na", "clear": None}


def register(sub, common) -> None:
    group = sub.add_parser(
        "premises",
        help="answer the standards judged for the premises (approved premises), once per inspection",
        description="For a framework whose standards have basis = \"premises\": each prompt (and each key "
        "question without prompts) is answered once for the inspection, Yes / No / Not applicable with "
        "evidence, and the standard's rating is computed from those answers. Override it with "
        "`fieldwork rate --override --reason`.",
        parents=[common],
    )
    commands = group.add_subparsers(dest="premises_command", metavar="WHAT", required=True)

    show = commands.add_parser("show", help="every question with its answer, and each standard's rating",
                               parents=[common])
    show.add_argument("--inspection", required=True, metavar="ID", dest="inspection_id")
    show.add_argument("--standard", metavar="ID", dest="standard_id", help="only this standard")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=show_command)

    answer = commands.add_parser(
        "answer", help="record the premises' answer to one question and/or its evidence", parents=[common]
    )
    answer.add_argument("--inspection", required=True, metavar="ID", dest="inspection_id")
    answer.add_argument("--question", required=True, metavar="ID", dest="question_id",
                        help="a prompt id (e.g. 1.1.a), or a key question that has no prompts")
    answer.add_argument("--answer", metavar="VALUE", help="yes, no, na (Not applicable) or clear")
    add_text_option(answer, "--evidence", help="the evidence for this answer (an empty file clears it)")
    answer.add_argument("--json", action="store_true", help="print JSON")
    answer.set_defaults(handler=answer_command)

    history = commands.add_parser("history", help="every change to the premises' answers", parents=[common])
    history.add_argument("--inspection", required=True, metavar="ID", dest="inspection_id")
    history.add_argument("--question", metavar="ID", dest="question_id", help="only this question")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.set_defaults(handler=history_command)


def _standard_json(report, rated) -> dict:
    from fieldwork.reports.exports import standard_json

    return standard_json(report, rated)


def show_command(args) -> int:
    from fieldwork.errors import NotFoundError
    from fieldwork.reports.inspection_ratings import inspection_ratings
    from fieldwork.reports.premises_rows import ANSWER_WORDS, premises_rows
    from fieldwork.reports.rule_text import overall_sentence

    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        report = inspection_ratings(store, args.inspection_id)
    fw = report.framework
    standards = [r for r in report.standards if r.standard.rated_for_premises]
    if args.standard_id is not None:
        standards = [r for r in standards if r.standard.id == args.standard_id]
        if not standards:
            known = ", ".join(s.id for s in fw.premises_standards) or "none"
            raise NotFoundError(
                f"'{args.standard_id}' is not a standard answered for the premises in {fw.id} (those: {known})."
            )
    if args.json:
        print_json({
            "inspection": report.inspection.id,
            "framework": fw.id,
            "standards": [_standard_json(report, r) for r in standards],
        })
        return EXIT_OK
    if not fw.premises_standards:
        print(f"{fw.id} has no standard answered for the premises.")
        return EXIT_OK
    for rated in standards:
        how = f" (overridden from {rated.computed})" if rated.override else ""
        print(f"{rated.standard.name}: {rated.rating}{how}; rule {rated.rule.id} ({rated.rule.provenance})")
        for row in premises_rows(fw, report.premises, rated.standard):
            answer = ANSWER_WORDS.get(row.value or "", "not answered")
            evidence = f" — {row.evidence}" if row.evidence else ""
            print(f"  {row.id} {answer}{evidence}")
    print(overall_sentence(report.overall, fw.rating.scheme))
    return EXIT_OK


def answer_command(args) -> int:
    from fieldwork.reports.inspection_ratings import inspection_ratings
    from fieldwork.store.premises import set_premises_answer

    if args.answer is None and args.evidence is None:
        print("fieldwork: give --answer VALUE, --evidence TEXT, or both.", file=sys.stderr)
        return EXIT_USAGE
    kwargs = {}
    if args.answer is not None:
        typed = args.answer.strip().casefold()
        if typed not in ANSWER_CHOICES:
            print(f"fieldwork: '{args.answer}' is not an answer; use yes, no, na or clear.", file=sys.stderr)
            return EXIT_USAGE
        kwargs["value"] = ANSWER_CHOICES[typed]
    if args.evidence is not None:
        kwargs["note"] = args.evidence
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        change = set_premises_answer(store, args.inspection_id, args.question_id, source="cli", **kwargs)
        report = inspection_ratings(store, args.inspection_id)
    standard_id = next(
        s.id for s in report.framework.premises_standards if any(q.id == args.question_id for q in s.premises_questions)
    )
    rated = report.standard(standard_id)
    if args.json:
        stored = report.premises.get(args.question_id)
        print_json({
            "inspection": args.inspection_id,
            "question": args.question_id,
            "changed": change is not None,
            "answer": stored.value if stored else None,
            "evidence": stored.note if stored else "",
            "revision": stored.revision if stored else 0,
            "standard": _standard_json(report, rated),
        })
        return EXIT_OK
    if change is None:
        print(f"{args.question_id} already says that; nothing changed.")
    else:
        print(f"Recorded {args.question_id} for the premises (revision {change.new.revision}).")
    print(f"Standard {rated.standard.name} is now {rated.rating} ({rated.rule.id}, {rated.rule.provenance}).")
    return EXIT_OK


def history_command(args) -> int:
    from fieldwork.store.inspections import get_inspection
    from fieldwork.store.premises import premises_history

    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        get_inspection(store, args.inspection_id)  # an unknown inspection is named, not an empty list
        entries = premises_history(store, args.inspection_id, args.question_id)
    if args.json:
        print_json([
            {"at": e.at, "by": e.actor, "question": e.key, "field": e.field.removeprefix("premises_"),
             "old": e.old, "new": e.new, "source": e.source}
            for e in entries
        ])
        return EXIT_OK
    if not entries:
        print("No answer for the premises is recorded yet.")
    for e in entries:
        what = "answer" if e.field.endswith("value") else "evidence"
        print(f"{e.at} {e.actor} {e.key} {what}: {e.old or '(none)'} → {e.new or '(none)'}")
    return EXIT_OK
