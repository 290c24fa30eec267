"""`fieldwork region export | import | list | remove`: a region inspection rated from its PDUs' results.

- `region export --inspection PDU_ID --to REGION_LEAD.json --out FILE`: the PDU lead signs the PDU
  inspection's merged results and encrypts them to the region lead (a results bundle).
- `region import --inspection REGION_ID FILE...`: the region lead takes results bundles in (exit 1
  if any was refused; the good ones are still taken in).
- `region list --inspection REGION_ID`: each PDU, its signer, when received, the cases it gave.
- `region remove --inspection REGION_ID --pdu PDU_ID`: take a PDU's results out again.
"""

from __future__ import annotations

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, print_json
from fieldwork.cli.merge import _unlock
from fieldwork.identity import read_identity_file
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store
from fieldwork.text import plural


def register(sub, common) -> None:
    group = sub.add_parser(
        "region", parents=[common],
        help="rate a region inspection from its PDU inspections' results (export, import, list, remove)",
        description="A PDU lead exports the PDU inspection's merged results as a signed results bundle for the "
        "region lead ('region export'); the region lead takes them in ('region import'), and the region's "
        "desistance, public protection, resettlement and court work are rated from them.",
    )
    actions = group.add_subparsers(dest="region_command", metavar="ACTION", required=True)

    export = actions.add_parser("export", help="(PDU lead) write the PDU inspection's results for the region lead",
                                parents=[common])
    export.add_argument("--inspection", required=True, metavar="PDU_ID", help="the PDU inspection")
    export.add_argument("--to", required=True, metavar="IDENTITY_FILE", help="the region lead's identity file")
    export.add_argument("--out", required=True, metavar="FILE", help="the results bundle, or a folder to name it in")
    export.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    export.add_argument("--passphrase-env", metavar="VAR", help="read your keys' passphrase from this variable")
    export.add_argument("--json", action="store_true", help="print JSON")
    export.set_defaults(handler=export_command)

    take_in = actions.add_parser("import", help="(region lead) take PDU results bundles in", parents=[common])
    take_in.add_argument("files", nargs="+", metavar="FILE", help="results bundles (.fwbundle)")
    take_in.add_argument("--inspection", required=True, metavar="REGION_ID", help="the region inspection")
    take_in.add_argument("--passphrase-env", metavar="VAR", help="read your keys' passphrase from this variable")
    take_in.add_argument("--json", action="store_true", help="print JSON")
    take_in.set_defaults(handler=import_command)

    listing = actions.add_parser("list", help="the PDU inspections whose results count", parents=[common])
    listing.add_argument("--inspection", required=True, metavar="REGION_ID")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=list_command)

    remove = actions.add_parser("remove", help="take one PDU inspection's results out", parents=[common])
    remove.add_argument("--inspection", required=True, metavar="REGION_ID")
    remove.add_argument("--pdu", required=True, metavar="PDU_ID", help="the PDU inspection")
    remove.add_argument("--json", action="store_true", help="print JSON")
    remove.set_defaults(handler=remove_command)


def export_command(args) -> int:
    from fieldwork.region.results_export import export_results
    from fieldwork.store.inspections import get_inspection

    region_lead = read_identity_file(args.to)
    data_dir = resolve_data_dir(args.data_dir)
    with open_profile_store(data_dir) as store:
        get_inspection(store, args.inspection)
        identity = _unlock(data_dir, args.passphrase_env)
        if identity is None:
            from fieldwork.errors import FieldworkError

            raise FieldworkError("This data folder has no keys to sign with; run 'fieldwork keys init' first.",
                                 code="no-keys")
        result = export_results(
            store, args.inspection, args.out, identity=identity, region_lead=region_lead, overwrite=args.overwrite
        )
    summary = result.summary()
    if args.json:
        print_json(summary)
        return EXIT_OK
    per_sample = ", ".join(f"{n} {sample}" for sample, n in summary["cases_per_sample"].items()) or "none"
    print(f"Wrote results number {summary['sequence']} of {summary['pdu_inspection_id']} to {result.path}.")
    print(f"It holds {plural(summary['cases'], 'case')} ({per_sample}): samples, coded case details and "
          "key-question judgements only; no evidence text, case references or personal details.")
    if summary["open_conflicts"]:
        print(f"Note: {plural(summary['open_conflicts'], 'conflict')} still open; the region lead will see this.")
    print(f"Encrypted to {region_lead.name} ({region_lead.person_id}), key {region_lead.key_id}.")
    return EXIT_OK


def import_command(args) -> int:
    from fieldwork.region.contributions import REFUSED, take_in_results

    data_dir = resolve_data_dir(args.data_dir)
    with open_profile_store(data_dir, create=False) as store:
        from fieldwork.store.inspections import get_inspection

        get_inspection(store, args.inspection)
        identity = _unlock(data_dir, args.passphrase_env)
        results = take_in_results(store, args.inspection, args.files, identity, data_dir=data_dir)
    if args.json:
        print_json({"results": [r.to_json() for r in results]})
    else:
        for result in results:
            print(result.sentence())
    return EXIT_REFUSED if any(r.status == REFUSED for r in results) else EXIT_OK


def list_command(args) -> int:
    from fieldwork.region.contributions import list_contributions
    from fieldwork.store.inspections import get_inspection

    data_dir = resolve_data_dir(args.data_dir)
    with open_profile_store(data_dir, create=False) as store:
        get_inspection(store, args.inspection)
        found = list_contributions(store, args.inspection)
    if args.json:
        print_json({"inspection_id": args.inspection, "contributions": [c.to_json() for c in found]})
        return EXIT_OK
    if not found:
        print(f"No PDU results count in {args.inspection} yet; take them in with 'fieldwork region import "
              f"--inspection {args.inspection} FILE'.")
        return EXIT_OK
    for c in found:
        conflicts = f"; {plural(c.open_conflicts, 'conflict')} open at the PDU" if c.open_conflicts else ""
        print(f"{c.pdu_inspection_id} ({c.provider}): {plural(c.cases, 'case')}, results number {c.sequence} "
              f"from {c.signer_name} ({c.signer_person_id}, key {c.signer_key_id[:8]}…), received "
              f"{c.received_at}{conflicts}")
    return EXIT_OK


def remove_command(args) -> int:
    from fieldwork.region.contributions import remove_contribution

    data_dir = resolve_data_dir(args.data_dir)
    with open_profile_store(data_dir, create=False) as store:
        removed = remove_contribution(store, args.inspection, args.pdu)
    if args.json:
        print_json({"removed": removed.to_json()})
    else:
        print(f"Took the results of {removed.pdu_inspection_id} ({plural(removed.cases, 'case')}) out of "
              f"{args.inspection}; its ratings no longer count them.")
    return EXIT_OK
