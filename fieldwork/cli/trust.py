"""`fieldwork trust add | list | revoke | rotate`: the keys whose bundles (or packs) this store accepts."""

from __future__ import annotations

from fieldwork.cli import EXIT_OK, print_json
from fieldwork.identity import add_trusted_key, load_trust_list, read_identity_file, revoke_key
from fieldwork.identity.errors import IdentityError
from fieldwork.identity.trust import TrustedKey
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store


def register(sub, common) -> None:
    group = sub.add_parser("trust", help="the inspectors' keys whose bundles you accept", parents=[common])
    commands = group.add_subparsers(dest="trust_command", metavar="ACTION", required=True)

    add = commands.add_parser("add", help="trust an inspector's identity file", parents=[common])
    add.add_argument("identity_file", metavar="IDENTITY_FILE")
    add.add_argument(
        "--inspections", metavar="ID,...",
        help="only for these inspections (comma-separated); default: every inspection",
    )
    add.add_argument(
        "--not-created-yet", action="store_true",
        help="accept --inspections ids this store does not hold yet (a new laptop, before 'inspection create')",
    )
    add.add_argument("--json", action="store_true", help="print JSON")
    add.set_defaults(handler=add_command)

    listing = commands.add_parser("list", help="every trusted key", parents=[common])
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=list_command)

    revoke = commands.add_parser("revoke", help="refuse a key's bundles after a sequence number", parents=[common])
    revoke.add_argument("key_id", metavar="KEY_ID", help="the key id (or its first 8 or more characters)")
    revoke.add_argument(
        "--after-sequence", required=True, type=int, metavar="N",
        help="bundles numbered above N are refused (0: all of them)",
    )
    revoke.add_argument("--json", action="store_true", help="print JSON")
    revoke.set_defaults(handler=revoke_command)

    rotate = commands.add_parser(
        "rotate", help="accept a key rotation statement (an inspector's, or your lead's)", parents=[common],
        description="Checks both signatures, then trusts the new key for the same person and inspections as the "
        "old one, revokes the old key after the last number it signed, and re-pins a lead who rotated.",
    )
    rotate.add_argument("statement_file", metavar="STATEMENT_FILE", help="the .fwrotation file")
    rotate.add_argument("--json", action="store_true", help="print JSON")
    rotate.set_defaults(handler=rotate_command)


def _inspections_label(key: TrustedKey) -> str:
    return "all inspections" if key.inspections is None else ", ".join(sorted(key.inspections)) or "no inspections"


def _revocation_label(key: TrustedKey) -> str:
    if key.revoked_after_sequence is None:
        return "active"
    return f"revoked after sequence {key.revoked_after_sequence}"


def add_command(args) -> int:
    identity = read_identity_file(args.identity_file)
    inspections = None
    if args.inspections is not None:
        inspections = [part.strip() for part in args.inspections.split(",") if part.strip()]
        if not inspections:
            raise IdentityError("--inspections is empty; give inspection ids separated by commas.", code="usage")
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        if not args.not_created_yet:
            _check_inspections_exist(store, inspections or [])
        entry = add_trusted_key(store, identity, inspections)
    if args.json:
        print_json(entry.to_json())
        return EXIT_OK
    print(f"Trusted {entry.name} ({entry.person_id}), key {entry.key_id}, for {_inspections_label(entry)}.")
    print(f"Fingerprint: {entry.identity.fingerprint}")
    print(f"Check this fingerprint with {entry.name} in person or by phone before merging their bundles.")
    if entry.revoked_after_sequence is not None:
        print(f"This key stays {_revocation_label(entry)}.")
    return EXIT_OK


def _check_inspections_exist(store, inspections: list[str]) -> None:
    """A mistyped inspection id would trust the key for an inspection no bundle ever names, and
    the real one would refuse the inspector's bundles; name the ids this store holds instead."""
    from fieldwork.errors import NotFoundError
    from fieldwork.store.inspections import list_inspections

    known = {i.id for i in list_inspections(store)}
    unknown = [i for i in inspections if i not in known]
    if unknown:
        held = ", ".join(sorted(known)) or "none yet (create the inspection first)"
        raise NotFoundError(
            f"No inspection {', '.join(repr(i) for i in unknown)} in this store; nothing was trusted. "
            f"The inspections here: {held}. Check the id; for an inspection you will create later (a new "
            "laptop), add --not-created-yet."
        )


def list_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir), create=False) as store:
        trust = load_trust_list(store)
    if args.json:
        print_json([key.to_json() for key in trust])
        return EXIT_OK
    if not len(trust):
        print("No trusted keys yet. Add an inspector's identity file with 'fieldwork trust add FILE'.")
    for key in trust:
        print(f"{key.key_id}  {key.name} ({key.person_id})")
        print(f"    fingerprint {key.identity.fingerprint}; {_inspections_label(key)}; {_revocation_label(key)}")
    return EXIT_OK


def revoke_command(args) -> int:
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        entry = revoke_key(store, args.key_id, args.after_sequence)
    if args.json:
        print_json(entry.to_json())
    else:
        print(
            f"Key {entry.key_id} of {entry.name} is {_revocation_label(entry)}: their bundles numbered "
            f"above {entry.revoked_after_sequence} will be refused."
        )
    return EXIT_OK


def rotate_command(args) -> int:
    from fieldwork.identity.rotation import read_statement_file
    from fieldwork.identity.rotation_accept import accept_rotation

    statement = read_statement_file(args.statement_file)
    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        accepted = accept_rotation(store, statement)
    if args.json:
        print_json(accepted.to_json())
        return EXIT_OK
    new, old = statement.new, statement.old
    print(f"Accepted the key rotation of {new.name} ({statement.person_id}), signed by the old and the new key.")
    print(f"New key {new.key_id}, fingerprint {new.fingerprint}")
    if accepted.new_entry is not None:
        print(f"    trusted for {_inspections_label(accepted.new_entry)}.")
    if accepted.old_entry is not None:
        print(f"Old key {old.key_id} is {_revocation_label(accepted.old_entry)}: what it signed up to number "
              f"{accepted.revoked_after} is still accepted, anything later is refused.")
    for inspection_id, last in accepted.send_again:
        print(f"    {inspection_id}: its last number was {last}; ask {statement.person_id} to export "
              f"{inspection_id} again (with the new key) so nothing is missing.")
    for inspection_id in accepted.repinned:
        print(f"Your bundles for {inspection_id} will now be encrypted to the new key.")
    print(f"Read the new fingerprint back to {new.name} when you next speak.")
    return EXIT_OK
