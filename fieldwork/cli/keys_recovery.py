"""`fieldwork keys recovery init | restore | forget`: the organisation's offline recovery key.

The drill these commands serve, step by step: docs/recovery-drill.md. The recovery key's own
passphrase comes from FIELDWORK_RECOVERY_PASSPHRASE (otherwise you are asked); this profile's
from FIELDWORK_PASSPHRASE, as for every command.
"""

from __future__ import annotations

import os

from fieldwork.cli import EXIT_OK, print_json
from fieldwork.identity.errors import IdentityError
from fieldwork.identity.suites import DEFAULT_SUITE, SUITES
from fieldwork.paths import resolve_data_dir

RECOVERY_PASSPHRASE_ENV = "FIELDWORK_RECOVERY_PASSPHRASE"


def register(commands, common) -> None:
    group = commands.add_parser(
        "recovery", help="make, restore and forget the organisation's offline recovery key", parents=[common]
    )
    actions = group.add_subparsers(dest="recovery_command", metavar="ACTION", required=True)

    init = actions.add_parser(
        "init", help="make a recovery key pair in a folder to keep offline", parents=[common],
        description="Writes DIR/identity.json (give it to inspectors: 'bundle export --recovery DIR/identity.json') "
        f"and DIR/private.json (lock it away with its passphrase, from {RECOVERY_PASSPHRASE_ENV} or asked).",
    )
    init.add_argument("--out", required=True, metavar="DIR", help="an empty folder, e.g. on a USB stick")
    init.add_argument("--name", required=True, metavar="NAME", help='e.g. "HMIP recovery key 2026"')
    init.add_argument("--id", dest="person_id", required=True, metavar="ID", help="e.g. hmip-recovery")
    init.add_argument("--suite", choices=sorted(SUITES), default=DEFAULT_SUITE, help="encryption suite")
    init.add_argument("--json", action="store_true", help="print JSON")
    init.set_defaults(handler=init_command)

    restore = actions.add_parser(
        "restore", help="let this profile open what was encrypted to the recovery key (a lost laptop)",
        parents=[common],
    )
    restore.add_argument("folder", metavar="DIR", help="the recovery key's folder")
    restore.add_argument("--json", action="store_true", help="print JSON")
    restore.set_defaults(handler=restore_command)

    forget = actions.add_parser("forget", help="remove a restored recovery key from this profile", parents=[common])
    forget.add_argument("key_id", metavar="KEY_ID", help="its key id (or the first 8 or more characters)")
    forget.add_argument("--json", action="store_true", help="print JSON")
    forget.set_defaults(handler=forget_command)


def _with_own_passphrase(action):
    """Run `action(passphrase)` with $FIELDWORK_PASSPHRASE (or the keyring), asking when needed."""
    from fieldwork.cli.keys import PASSPHRASE_ENV, read_passphrase

    try:
        return action(os.environ.get(PASSPHRASE_ENV))
    except IdentityError as error:
        if error.code != "passphrase-needed":
            raise
    return action(read_passphrase())


def _recovery_passphrase(*, confirm: bool = False) -> str:
    from fieldwork.cli.keys import read_passphrase

    return read_passphrase(confirm=confirm, env=RECOVERY_PASSPHRASE_ENV, prompt="Passphrase of the recovery key: ")


def init_command(args) -> int:
    from fieldwork.identity.recovery import create_recovery_keys

    passphrase = _recovery_passphrase(confirm=True)
    identity = create_recovery_keys(
        args.out, name=args.name, person_id=args.person_id, passphrase=passphrase, suite=args.suite
    )
    info = {
        "folder": str(args.out), "key_id": identity.key_id, "name": identity.name, "person_id": identity.person_id,
        "fingerprint": identity.public.fingerprint, "identity_file": os.path.join(str(args.out), "identity.json"),
    }
    if args.json:
        print_json(info)
        return EXIT_OK
    print(f"Made the recovery key {identity.key_id} ({identity.name}) in {args.out}.")
    print(f"Fingerprint: {identity.public.fingerprint}")
    print(f"Give {info['identity_file']} to inspectors (bundle export --recovery FILE); keep the folder, with "
          "private.json, offline and its passphrase apart from it. A lost lead laptop then needs "
          "'fieldwork keys recovery restore DIR' (docs/recovery-drill.md).")
    return EXIT_OK


def restore_command(args) -> int:
    from fieldwork.identity.recovery import restore_recovery_key

    data_dir = resolve_data_dir(args.data_dir)
    recovery_passphrase = _recovery_passphrase()
    key, added = _with_own_passphrase(
        lambda passphrase: restore_recovery_key(
            data_dir, args.folder, recovery_passphrase=recovery_passphrase, passphrase=passphrase
        )
    )
    info = {"key_id": key.key_id, "name": key.public.name, "fingerprint": key.public.fingerprint, "added": added}
    if args.json:
        print_json(info)
        return EXIT_OK
    if added:
        print(f"Restored the recovery key {key.key_id} ({key.public.name}): bundles encrypted to it now open "
              "with your keys here.")
    else:
        print(f"The recovery key {key.key_id} was already restored here; nothing was changed.")
    print(f"When the bundles are merged: 'fieldwork keys recovery forget {key.key_id[:8]}', and put the "
          "recovery key back offline.")
    return EXIT_OK


def forget_command(args) -> int:
    from fieldwork.identity.recovery import forget_recovery_key

    data_dir = resolve_data_dir(args.data_dir)
    key = _with_own_passphrase(lambda passphrase: forget_recovery_key(data_dir, args.key_id, passphrase=passphrase))
    if args.json:
        print_json({"key_id": key.key_id, "name": key.public.name, "forgotten": True})
    else:
        print(f"Removed the recovery key {key.key_id} from your keys here; bundles encrypted only to it no longer "
              "open on this laptop.")
    return EXIT_OK
