"""`fieldwork keys init | show | export | rotate | recovery`, and unlocking keys for the other commands."""

from __future__ import annotations

import getpass
import os
import sys
import warnings
from pathlib import Path

from fieldwork.cli import EXIT_OK, print_json
from fieldwork.identity import (
    IdentityError,
    UnlockedIdentity,
    export_identity,
    read_public_identity,
    unlock_keys,
    unlock_methods,
)
from fieldwork.identity.keys import identity_path, private_path
from fieldwork.identity.suites import DEFAULT_SUITE, SUITES
from fieldwork.paths import resolve_data_dir
from fieldwork.profile import open_profile_store

PASSPHRASE_ENV = "FIELDWORK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "FIELDWORK_NEW_PASSPHRASE"


def register(sub, common) -> None:
    group = sub.add_parser("keys", help="create and show this profile's signing and encryption keys", parents=[common])
    commands = group.add_subparsers(dest="keys_command", metavar="ACTION", required=True)

    init = commands.add_parser("init", help="create this profile's keys and set its name and id", parents=[common])
    init.add_argument("--name", required=True, metavar="NAME", help="your name as colleagues know it")
    init.add_argument("--id", dest="person_id", required=True, metavar="PERSON_ID", help="your person id")
    init.add_argument(
        "--suite", choices=sorted(SUITES), default=DEFAULT_SUITE,
        help="encryption suite (mlkem768-x25519 adds protection against future quantum computers)",
    )
    init.add_argument("--keyring", action="store_true", help="also keep an unlock secret in the OS keyring")
    init.add_argument("--json", action="store_true", help="print JSON")
    init.set_defaults(handler=init_command)

    show = commands.add_parser("show", help="this profile's public identity and fingerprint", parents=[common])
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=show_command)

    export = commands.add_parser("export", help="write your public identity file for your lead", parents=[common])
    export.add_argument("--out", required=True, metavar="FILE")
    export.add_argument("--overwrite", action="store_true", help="replace an existing file")
    export.add_argument("--json", action="store_true", help="print JSON")
    export.set_defaults(handler=export_command)

    rotate = commands.add_parser(
        "rotate", help="replace your keys with new ones and write a statement your lead accepts", parents=[common],
        description="Makes new keys for the same person and writes a rotation statement signed by the old and the "
        "new key. The old keys are kept, still encrypted, in keys/retired/. Passphrases: the current one from "
        f"{PASSPHRASE_ENV}, the new one from {NEW_PASSPHRASE_ENV} (otherwise you are asked).",
    )
    rotate.add_argument("--out", required=True, metavar="FILE", help="the .fwrotation file, or a folder to name it in")
    rotate.add_argument("--name", metavar="NAME", help="your name on the new identity (default: as before)")
    rotate.add_argument("--suite", choices=sorted(SUITES), help="encryption suite of the new key (default: as before)")
    rotate.add_argument("--keyring", action="store_true", help="also keep an unlock secret in the OS keyring")
    rotate.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    rotate.add_argument("--json", action="store_true", help="print JSON")
    rotate.set_defaults(handler=rotate_command)

    claim = commands.add_parser(
        "claim", help="make work recorded under this computer's login name yours", parents=[common],
        description="For a data folder whose keys were made before fieldwork carried such work over by itself "
        "(docs/decisions/0023): what was recorded under the login name (inspections you created and lead, your "
        "cases and answers) becomes this profile's, with an entry in each case's history.",
    )
    claim.add_argument("--from", dest="from_id", metavar="NAME", help="the name it is under (default: your login name)")
    claim.add_argument("--json", action="store_true", help="print JSON")
    claim.set_defaults(handler=claim_command)

    from fieldwork.cli import keys_recovery

    keys_recovery.register(commands, common)


def read_passphrase(
    *, confirm: bool = False, env: str = PASSPHRASE_ENV, prompt: str = "Passphrase for your keys: "
) -> str:
    """$FIELDWORK_PASSPHRASE (or `env`) when set; else, in a terminal, a prompt that hides what is
    typed (twice when choosing a new one); else one line of standard input, shown nowhere."""
    from_env = os.environ.get(env)
    if from_env is not None:
        return from_env
    try:
        if not stdin_is_terminal():
            return _line_from_stdin()
        first = _hidden_prompt(prompt, env)
        if confirm and _hidden_prompt("Same passphrase again: ", env) != first:
            raise IdentityError("The two passphrases differ; run the command again.", code="passphrase-mismatch")
    except EOFError:  # no terminal and nothing on standard input (a script, a cron job)
        raise IdentityError(
            f"No passphrase was given; set {env}, give it on standard input or run the command in a terminal.",
            code="passphrase-needed",
        ) from None
    return first


def stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _line_from_stdin() -> str:
    """Without a terminal (a pipe, a file, a service) getpass cannot hide anything: it prints a
    warning, may echo the input, and with a controlling terminal elsewhere it even ignores
    standard input and waits on that terminal. Here the passphrase is one line of standard input,
    read without a prompt and never written anywhere."""
    if sys.stdin is None:
        raise EOFError
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith("\n") else line


def _hidden_prompt(prompt: str, env: str) -> str:
    """getpass, but never its fallback that shows what is typed (a terminal it cannot control)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)  # raised before anything is read
        try:
            return getpass.getpass(prompt)
        except getpass.GetPassWarning:
            raise IdentityError(
                f"This terminal cannot hide what you type, so the passphrase is not asked for here; set {env} or "
                "give it on standard input.",
                code="passphrase-needed",
            ) from None


def unlock(data_dir: Path) -> UnlockedIdentity:
    """This profile's keys: from the OS keyring when possible, else with the passphrase."""
    passphrase = os.environ.get(PASSPHRASE_ENV)
    try:
        return unlock_keys(data_dir, passphrase)
    except IdentityError as error:
        if error.code != "passphrase-needed":
            raise
    return unlock_keys(data_dir, read_passphrase())


def _key_json(public) -> dict:
    return {"key_id": public.key_id, "name": public.name, "person_id": public.person_id,
            "fingerprint": public.fingerprint, "created_at": public.created_at}


def _identity_json(data_dir: Path) -> dict:
    from fieldwork.identity.recovery import restored_recovery_identities
    from fieldwork.identity.rotate import retired_identities

    public = read_public_identity(data_dir)
    return {
        "name": public.name,
        "person_id": public.person_id,
        "key_id": public.key_id,
        "fingerprint": public.fingerprint,
        "encryption_suite": public.encryption_suite,
        "unlock_methods": unlock_methods(data_dir),
        "identity_file": str(identity_path(data_dir)),
        "private_key_file": str(private_path(data_dir)),
        # Earlier keys of this profile (packs sent to them still open) and restored recovery keys.
        "retired_keys": [_key_json(k) for k in retired_identities(data_dir) if k.key_id != public.key_id],
        "recovery_keys": [_key_json(k) for k in restored_recovery_identities(data_dir)],
    }


def _print_identity(info: dict) -> None:
    print(f"Name:         {info['name']}")
    print(f"Person id:    {info['person_id']}")
    print(f"Key id:       {info['key_id']}")
    print(f"Fingerprint:  {info['fingerprint']}")
    print(f"Encryption:   {info['encryption_suite']}")
    print(f"Unlocks with: {', '.join(info['unlock_methods'])}")
    for key in info["retired_keys"]:
        print(f"Retired key:  {key['key_id']} (from {key['created_at'][:10]}; files sent to it still open)")
    for key in info["recovery_keys"]:
        print(f"Recovery key: {key['key_id']} {key['name']} (restored; forget it with "
              f"'fieldwork keys recovery forget {key['key_id'][:8]}')")


def init_command(args) -> int:
    from fieldwork.identity.profile_keys import create_profile_keys, refuse_existing_keys

    _check_new_identity(args.name, args.person_id)
    data_dir = resolve_data_dir(args.data_dir)
    with open_profile_store(data_dir) as store:
        refuse_existing_keys(store, args.person_id, data_dir)  # before asking for a passphrase
        passphrase = read_passphrase(confirm=True)
        _identity, moved = create_profile_keys(
            store, name=args.name, person_id=args.person_id, passphrase=passphrase,
            use_keyring=args.keyring, suite=args.suite, data_dir=data_dir,
        )
    info = _identity_json(data_dir)
    # What was recorded here under the id acting before (the login name, or an id chosen earlier).
    info["moved_records"] = (
        {"from": moved.old, "records": moved.total, "inspections": moved.inspections} if moved.total else None
    )
    if args.json:
        print_json(info)
        return EXIT_OK
    print("Created your keys.")
    _print_identity(info)
    if moved.total:
        print(moved.summary())
    if args.keyring and "keyring" not in info["unlock_methods"]:
        print("No working keyring was found, so your keys unlock with the passphrase only.")
    print("Next: 'fieldwork keys export --out FILE' and give the file to your lead; read the "
          "fingerprint to each other to check it arrived unchanged.")
    return EXIT_OK


def _check_new_identity(name: str, person_id: str) -> None:
    """The name and id checks of create_keys, made before the data folder is opened: opening
    creates the folder and its store, and a refused command must leave nothing behind."""
    from fieldwork.identity.public import check_name, check_person_id

    check_person_id(person_id)
    check_name(name)
    name.encode("utf-8")  # a name with bytes that are not UTF-8 is refused centrally (UnicodeError)


def show_command(args) -> int:
    info = _identity_json(resolve_data_dir(args.data_dir))
    print_json(info) if args.json else _print_identity(info)
    return EXIT_OK


def export_command(args) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    if Path(args.out).exists() and not args.overwrite:
        raise IdentityError(
            f"{args.out} already exists; choose another name, or add --overwrite to replace it.", code="file-exists"
        )
    path = export_identity(data_dir, args.out)
    public = read_public_identity(data_dir)
    if args.json:
        print_json({"path": str(path), "key_id": public.key_id, "fingerprint": public.fingerprint})
    else:
        print(f"Wrote your public identity to {path}.")
        print(f"Fingerprint: {public.fingerprint} (read it to your lead when they add it)")
    return EXIT_OK


def rotate_command(args) -> int:
    from fieldwork.identity.rotate import rotate_keys

    data_dir = resolve_data_dir(args.data_dir)
    new_passphrase = read_passphrase(confirm=True, env=NEW_PASSPHRASE_ENV, prompt="New passphrase for your new keys: ")
    options = dict(
        new_passphrase=new_passphrase, name=args.name, suite=args.suite, use_keyring=args.keyring,
        overwrite=args.overwrite,
    )
    with open_profile_store(data_dir) as store:
        try:
            result = rotate_keys(data_dir, store, args.out, passphrase=os.environ.get(PASSPHRASE_ENV), **options)
        except IdentityError as error:
            if error.code != "passphrase-needed":
                raise
            current = read_passphrase(prompt="Passphrase of your current keys: ")
            result = rotate_keys(data_dir, store, args.out, passphrase=current, **options)
    if args.json:
        print_json(result.summary())
        return EXIT_OK
    lasts = ", ".join(f"{i} number {n}" for i, n in result.statement.last_sequences) or "none"
    print("Made your new keys.")
    print(f"New key id:   {result.new.key_id}")
    print(f"Fingerprint:  {result.new.fingerprint}")
    print(f"Wrote the rotation statement, signed by your old and your new key, to {result.path}.")
    print(f"Old key {result.old.key_id} is retired: it signs nothing from now on; its files are kept, still "
          f"under the old passphrase, in {result.retired_folder}. Last numbers it signed: {lasts}.")
    print("Next: give the statement to your lead (a lead: to each inspector); they accept it with "
          f"'fieldwork trust rotate {result.path.name}' and then merge what you sign with the new key. "
          "Read them the new fingerprint when you can.")
    return EXIT_OK


def claim_command(args) -> int:
    from fieldwork.profile import claim_records, login_name

    with open_profile_store(resolve_data_dir(args.data_dir)) as store:
        moved = claim_records(store, args.from_id or login_name())
    if args.json:
        print_json({"from": moved.old, "to": moved.new, "records": moved.total, "inspections": moved.inspections})
    else:
        print(moved.summary())
    return EXIT_OK
