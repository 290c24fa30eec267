"""`fieldwork bundle export | verify`: hand work to the lead as a signed, encrypted file."""

from __future__ import annotations

import sys

from fieldwork.bundles import ExportError, export_bundle, verify_bundle
from fieldwork.bundles.verify import check_framework, check_records_fit
from fieldwork.cli import EXIT_OK, EXIT_USAGE, print_json
from fieldwork.cli.keys import unlock
from fieldwork.errors import NotFoundError
from fieldwork.identity import keys_exist, load_trust_list, pin_lead, read_identity_file
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store
from fieldwork.store.inspections import framework_for, get_inspection
from fieldwork.text import plural


def register(sub, common) -> None:
    group = sub.add_parser("bundle", help="export and verify signed, encrypted bundles", parents=[common])
    commands = group.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)

    export = commands.add_parser("export", help="write your work on an inspection for the lead", parents=[common])
    export.add_argument("--inspection", required=True, metavar="ID")
    export.add_argument("--out", required=True, metavar="FILE", help="the bundle file, or a folder to name it in")
    export.add_argument(
        "--to", action="append", default=[], metavar="IDENTITY_FILE",
        help="encrypt to this identity (repeatable); default: the inspection's lead",
    )
    export.add_argument("--recovery", metavar="IDENTITY_FILE", help="also encrypt to this recovery key")
    export.add_argument("--pin-lead", action="store_true", help="remember the --to identity as the inspection's lead")
    export.add_argument(
        "--unencrypted", action="store_true",
        help="write the bundle WITHOUT encryption (anyone holding the file can read it)",
    )
    export.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    export.add_argument("--json", action="store_true", help="print JSON")
    export.set_defaults(handler=export_command)

    verify = commands.add_parser("verify", help="check a bundle and show what it holds", parents=[common])
    verify.add_argument("file", metavar="FILE")
    verify.add_argument("--allow-unencrypted", action="store_true", help="accept a bundle that is not encrypted")
    verify.add_argument("--json", action="store_true", help="print JSON")
    verify.set_defaults(handler=verify_command)


def _usage(message: str, as_json: bool) -> int:
    if as_json:
        print_json({"error": {"code": "usage", "message": message}})
    print(f"fieldwork: {message}", file=sys.stderr)
    return EXIT_USAGE


def export_command(args) -> int:
    if args.unencrypted and (args.to or args.recovery or args.pin_lead):
        return _usage("--unencrypted cannot be combined with --to, --recovery or --pin-lead.", args.json)
    if args.pin_lead and len(args.to) != 1:
        return _usage("--pin-lead needs exactly one --to IDENTITY_FILE (the lead's).", args.json)
    recipients = [read_identity_file(path) for path in args.to]
    recovery = read_identity_file(args.recovery) if args.recovery else None
    data_dir = resolve_data_dir(args.data_dir)
    with open_profile_store(data_dir) as store:
        get_inspection(store, args.inspection)
        if args.pin_lead:
            pin_lead(store, args.inspection, recipients[0])
        identity = unlock(data_dir)
        try:
            result = export_bundle(
                store, args.inspection, args.out, identity=identity, recipients=recipients or None,
                recovery=recovery, encrypt=not args.unencrypted, overwrite=args.overwrite,
            )
        except ExportError as error:
            if error.code == "no-recipient":
                return _usage(error.message, args.json)
            raise
    summary = result.summary()
    if args.json:
        print_json(summary)
        return EXIT_OK
    counts = summary["record_counts"]
    print(f"Wrote bundle number {summary['sequence']} for {summary['inspection_id']} to {result.path}.")
    print(f"It holds {plural(counts['case'], 'case')}, {plural(counts['answer'], 'answer')} and "
          f"{counts['change']} history entries.")
    if result.encrypted:
        keys = "key" if len(summary["recipients"]) == 1 else "keys"
        print(f"Encrypted to {keys}: {', '.join(summary['recipients'])}.")
    else:
        print("WARNING: this bundle is NOT encrypted; anyone who gets the file can read it.")
    return EXIT_OK


def verify_command(args) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    with open_profile_store(data_dir, create=False) as store:
        trust = load_trust_list(store)
        identity = unlock(data_dir) if keys_exist(data_dir) else None
        verified = verify_bundle(args.file, identity=identity, trust=trust, allow_unencrypted=args.allow_unencrypted)
        # When this store holds the inspection, the bundle must fit its pinned framework too.
        try:
            framework = framework_for(store, get_inspection(store, verified.manifest.inspection_id))
        except NotFoundError:
            framework = None
        if framework is not None:
            check_framework(verified.manifest, framework)
            check_records_fit(verified.records, framework)
    summary = verified.summary()
    summary["checked_against_framework"] = framework is not None
    if args.json:
        print_json(summary)
        return EXIT_OK
    counts, signer = summary["record_counts"], summary["signer"]
    print(f"Verified bundle {summary['bundle_id']}.")
    print(f"From:       {signer['name']} ({signer['person_id']}), key {signer['key_id']}")
    print(f"Inspection: {summary['inspection_id']}, bundle number {summary['sequence']}, made {summary['created_at']}")
    framework_info = summary["framework"]
    print(f"Framework:  {framework_info['id']} version {framework_info['version']}")
    print(
        f"Holds:      {plural(counts['case'], 'case')}, {plural(counts['case_detail'], 'case detail')}, "
        f"{plural(counts['answer'], 'answer')}, {counts['change']} history entries"
    )
    if not verified.encrypted:
        print("Note: this bundle was not encrypted.")
    return EXIT_OK

