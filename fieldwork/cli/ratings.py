"""`fieldwork ratings`, `fieldwork rate` and `fieldwork export research`."""

from __future__ import annotations

import os
import sys

from fieldwork.cli import EXIT_OK, EXIT_USAGE, print_json
from fieldwork.cli.arguments import add_text_option
from fieldwork.cli.outputs import OVERWRITE_HELP, refuse_existing
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store


def register(sub, common) -> None:
    ratings = sub.add_parser(
        "ratings",
        help="the inspection's ratings: key questions, standards, overall, breakdowns",
        description="Recomputes the ratings from the recorded judgements and the lead inspector's decisions. "
        "Prints JSON unless --out is given; the format follows --format, else the file name's ending.",
        parents=[common],
    )
    ratings.add_argument("--inspection", required=True, metavar="ID", dest="inspection_id")
    ratings.add_argument("--format", dest="fmt", choices=("json", "csv", "xlsx", "html", "pdf"), help="default: json")
    ratings.add_argument("--out", metavar="FILE", help="write the report to FILE (needed for csv, xlsx, html, pdf)")
    ratings.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    ratings.set_defaults(handler=ratings_command)

    rate = sub.add_parser(
        "rate",
        help="record the lead inspector's rating of a standard, or an override",
        description="For a standard rated by judgement: --rating with --evidence. For a standard rated from "
        "cases or from the answers for the premises: --override --rating with --reason. --withdraw removes the "
        "one in force (recorded).",
        parents=[common],
    )
    rate.add_argument("--inspection", required=True, metavar="ID", dest="inspection_id")
    rate.add_argument("--standard", required=True, metavar="ID", dest="standard_id")
    rate.add_argument("--rating", metavar="NAME", help='as the framework spells it, e.g. "Good"')
    add_text_option(rate, "--evidence", help="the evidence for a judgement")
    rate.add_argument("--override", action="store_true", help="override a computed rating (cases or premises)")
    add_text_option(rate, "--reason", help="why the override (or the withdrawal)")
    rate.add_argument("--withdraw", action="store_true", help="withdraw the judgement or override in force")
    rate.add_argument("--json", action="store_true", help="print JSON")
    rate.set_defaults(handler=rate_command)

    export = sub.add_parser("export", help="export an inspection's case data", parents=[common])
    exports = export.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    research = exports.add_parser(
        "research",
        help="all case data, one row per case and question (CSV or XLSX)",
        description="Every case of the inspection with its details and every question asked of its sample, "
        "answered or not. The file contains personal data unless --omit-personal.",
        parents=[common],
    )
    research.add_argument("--inspection", required=True, metavar="ID", dest="inspection_id")
    research.add_argument("--out", required=True, metavar="FILE", help="a .csv or .xlsx file")
    research.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    research.add_argument(
        "--omit-personal", action="store_true", help="leave out the case details marked personal (age, gender, ...)"
    )
    research.add_argument("--json", action="store_true", help="print JSON")
    research.set_defaults(handler=research_command)


def ratings_command(args) -> int:
    from fieldwork.reports.exports import export_ratings, format_for, ratings_json
    from fieldwork.reports.inspection_ratings import inspection_ratings

    fmt = format_for(args.out, args.fmt) if args.out else (args.fmt or "json")
    if fmt != "json" and not args.out:
        print(f"fieldwork: --format {fmt} writes a file; add --out FILE.", file=sys.stderr)
        return EXIT_USAGE
    if args.out:
        refuse_existing(args.out, args.overwrite)
    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        report = inspection_ratings(store, args.inspection_id, include_breakdowns=True)
    if not args.out:
        print_json(ratings_json(report))
        return EXIT_OK
    if fmt == "pdf":
        # The PDF is drawn by Qt; without a display it must still work (servers, scripts).
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from fieldwork.gui.report_pdf import write_pdf

        path = write_pdf(report, args.out)
    else:
        path = export_ratings(report, fmt, args.out)
    print(f"Wrote the ratings of {report.inspection.id} as {fmt.upper()} to {path}.")
    return EXIT_OK


def _decision_json(record, report) -> dict:
    from fieldwork.reports.exports import overall_json

    rated = report.standard(record.standard_id)
    ov = report.overall
    return {
        "inspection": record.inspection_id,
        "standard": record.standard_id,
        "kind": record.kind,
        "rating": record.rating,
        "text": record.text,
        "by": record.by,
        "at": record.at,
        "withdrawn": record.withdrawn,
        "standard_rating": {
            "rating": rated.rating,
            "computed_rating": rated.computed,
            "score": report.score_for(rated.rating),
        },
        "overall": overall_json(ov),
    }


def rate_command(args) -> int:
    from fieldwork.reports.inspection_ratings import inspection_ratings
    from fieldwork.reports.lead_ratings import JUDGEMENT, OVERRIDE, set_lead_rating, withdraw_lead_rating
    from fieldwork.store.inspections import framework_for, get_inspection

    if args.withdraw and (args.rating or args.evidence):
        print("fieldwork: --withdraw takes no --rating or --evidence.", file=sys.stderr)
        return EXIT_USAGE
    if not args.withdraw and not args.rating:
        print("fieldwork: give --rating NAME, or --withdraw.", file=sys.stderr)
        return EXIT_USAGE
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        if args.withdraw:
            kind = OVERRIDE if args.override else None
            if kind is None:
                # Unambiguous from the standard: a computed rating (cases, premises) can only be overridden.
                framework = framework_for(store, get_inspection(store, args.inspection_id))
                try:
                    computed = framework.standard(args.standard_id).computed
                except KeyError:
                    computed = False  # the core names the unknown standard
                kind = OVERRIDE if computed else JUDGEMENT
            record = withdraw_lead_rating(store, args.inspection_id, args.standard_id, kind, args.reason or "")
        elif args.override:
            record = set_lead_rating(store, args.inspection_id, args.standard_id, OVERRIDE, args.rating, args.reason)
        else:
            record = set_lead_rating(store, args.inspection_id, args.standard_id, JUDGEMENT, args.rating, args.evidence)
        report = inspection_ratings(store, args.inspection_id)
    if args.json:
        print_json(_decision_json(record, report))
        return EXIT_OK
    rated, ov = report.standard(record.standard_id), report.overall
    name = rated.standard.name
    if record.withdrawn:
        print(f"Withdrew the {record.kind} of standard {name}; its rating is now {rated.rating}.")
    else:
        print(f"Recorded {record.rating} for standard {name} ({record.kind} by {record.by}).")
    from fieldwork.reports.rule_text import overall_sentence

    print(overall_sentence(ov, report.framework.rating.scheme))
    return EXIT_OK


def research_command(args) -> int:
    from fieldwork.reports.research_export import export_research

    refuse_existing(args.out, args.overwrite)
    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        result = export_research(store, args.inspection_id, args.out, omit_personal=args.omit_personal)
    if args.json:
        print_json(result.to_json())
    else:
        print(f"Wrote {result.rows} rows for {result.cases} cases to {result.path}.")
    return EXIT_OK
