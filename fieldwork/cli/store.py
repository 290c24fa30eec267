"""`fieldwork store backup | backups | restore | check`: the store's backups and its health."""

from __future__ import annotations

from pathlib import Path

from fieldwork.cli import EXIT_OK, EXIT_REFUSED, print_json
from fieldwork.errors import StoreError
from fieldwork.paths import STORE_FILENAME, resolve_data_dir
from fieldwork.regular_files import check_regular_file


def register(sub, common) -> None:
    group = sub.add_parser("store", help="back up, check and restore this data folder's store", parents=[common])
    commands = group.add_subparsers(dest="store_command", metavar="ACTION", required=True)

    backup = commands.add_parser("backup", help="take a backup now (kept until you delete it)", parents=[common])
    backup.add_argument("--json", action="store_true", help="print JSON")
    backup.set_defaults(handler=backup_command)

    listing = commands.add_parser("backups", help="list the backups, newest first", parents=[common])
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=backups_command)

    restore = commands.add_parser(
        "restore", help="replace the store with a backup (the current store is kept aside)", parents=[common]
    )
    restore.add_argument(
        "backup", nargs="?", metavar="BACKUP",
        help="a backup file or its name in the backups folder (default: the newest backup)",
    )
    restore.add_argument("--json", action="store_true", help="print JSON")
    restore.set_defaults(handler=restore_command)

    check = commands.add_parser("check", help="check every page of the store (changes nothing)", parents=[common])
    check.add_argument("--full", action="store_true", help="the slower, complete integrity check")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(handler=check_command)


def backup_command(args) -> int:
    from fieldwork.store import open_store
    from fieldwork.store.backups import take_backup

    with open_store(resolve_data_dir(args.data_dir), create=False) as store:
        if store.no_room:
            raise StoreError(
                f"The disk holding {store.path} is full, so no backup can be written; free some space first."
            )
        if store.read_only:
            raise StoreError("The store is open in another fieldwork window; take the backup from there or close it.")
        backup = take_backup(store, kind="manual")
    if args.json:
        print_json(backup.to_json())
    else:
        print(f"Backed up to {backup.path} ({backup.size:,} bytes).")
    return EXIT_OK


def backups_command(args) -> int:
    from fieldwork.store.backups import list_backups

    backups = list_backups(resolve_data_dir(args.data_dir))
    if args.json:
        print_json([b.to_json() for b in backups])
        return EXIT_OK
    if not backups:
        print("No backups yet. One is taken automatically each day the store is opened.")
    for backup in backups:
        print(f"{backup.when():<26} {backup.kind:<17} {backup.size:>12,} bytes  {backup.path.name}")
    return EXIT_OK


def _choose(data_dir: Path, name: str | None):
    from fieldwork.store.backups import backups_dir, list_backups

    backups = list_backups(data_dir)
    if name is None:
        if not backups:
            raise StoreError(f"There are no backups in {backups_dir(data_dir)} to restore.")
        return backups[0].path
    path = Path(name)
    if not path.exists() and (backups_dir(data_dir) / name).is_file():
        path = backups_dir(data_dir) / name
    if path.exists():
        check_regular_file(path)  # a FIFO or device named as the backup: refused before it is opened
    return path


def restore_command(args) -> int:
    from fieldwork.store.recovery import restore_backup

    data_dir = resolve_data_dir(args.data_dir)
    source = _choose(data_dir, args.backup)
    before = {p.name for p in data_dir.iterdir()} if data_dir.is_dir() else set()
    with restore_backup(data_dir, source) as store:
        check = store.db.execute("PRAGMA quick_check").fetchone()[0]
    aside = sorted(p.name for p in data_dir.iterdir() if p.name not in before and p.name != STORE_FILENAME)
    kept = [name for name in aside if name.endswith(".sqlite")]
    if args.json:
        print_json({"restored_from": str(source), "check": check, "damaged_store_kept_as": kept})
    else:
        print(f"Restored the store from {source}.")
        if kept:
            print(f"The previous store is kept as {data_dir / kept[0]}; delete it once you no longer need it.")
    return EXIT_OK


def check_command(args) -> int:
    from fieldwork.store.recovery import check_store

    data_dir = resolve_data_dir(args.data_dir)
    problems = check_store(data_dir, full=args.full)
    if args.json:
        print_json({"ok": not problems, "problems": problems[:100]})
    elif problems:
        print(f"The store in {data_dir} is damaged: {problems[0]}")
        print("Restore a backup with 'fieldwork store restore' (the damaged store is kept aside).")
    else:
        print(f"The store in {data_dir} passed the {'full' if args.full else 'quick'} check.")
    return EXIT_OK if not problems else EXIT_REFUSED
