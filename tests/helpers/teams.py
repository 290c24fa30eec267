"""A lead and inspectors set up through the command line, as in real use (keys, trust, a pack).

Use with the `cheap_and_contained` fixture of helpers.cli (cheap scrypt, passphrase from the
environment, no OS keyring).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from fieldwork.cli import EXIT_OK
from fieldwork.store import open_store
from fieldwork.store.assessments import find_case, set_answer
from helpers.cli import cli, cli_json

INSPECTION = "insp-cli"


@dataclass
class Team:
    """Data folders and identity files; `lead` is lee's folder, `folders[person]` anyone's."""

    root: Path
    folders: dict[str, Path]

    @property
    def lead(self) -> Path:
        return self.folders["lee"]

    def identity_file(self, person: str) -> Path:
        return self.root / f"{person}.json"

    def answer(self, person: str, case_ref: str, value: str, note: str = "") -> None:
        """An inspector answers key question 2.1.1 of a case (straight into their store)."""
        with open_store(self.folders[person], actor=person) as store:
            set_answer(store, find_case(store, INSPECTION, case_ref).id, "2.1.1", value=value, note=note)


def make_team(root: Path, capsys, mini_path: Path, inspectors=("ann",)) -> Team:
    """lee leads insp-cli (the mini framework; CRN001 and CRN002 allocated to ann, CRN003 to bob),
    trusts each inspector for it and hands each their pack, which they open after comparing lee's
    fingerprint."""
    people = {"lee": "Lee Lead", "ann": "Ann Inspector", "bob": "Bob Inspector"}
    team = Team(root, {p: root / p for p in ("lee", *inspectors)})
    for person, folder in team.folders.items():
        assert cli(capsys, "keys", "init", "--name", people[person], "--id", person, "--data-dir", folder)[0] == 0
        assert cli(capsys, "keys", "export", "--out", team.identity_file(person), "--data-dir", folder)[0] == 0
    (team.lead / "frameworks").mkdir()
    shutil.copy(mini_path, team.lead / "frameworks" / "mini.toml")
    sample = root / "sample.csv"
    sample.write_text("case_ref,sample,inspector_id,ldu\nCRN001,,ann,North\nCRN002,,ann,\nCRN003,,bob,South\n")
    code, created = cli_json(
        capsys, "inspection", "create", "--framework", "test-mini", "--provider", "Test CRC", "--id", INSPECTION,
        "--sample", sample, "--data-dir", team.lead,
    )
    assert code == EXIT_OK, created
    fingerprint = cli_json(capsys, "keys", "show", "--data-dir", team.lead)[1]["fingerprint"]
    for person in inspectors:
        assert cli(capsys, "trust", "add", team.identity_file(person), "--inspections", INSPECTION,
                   "--data-dir", team.lead)[0] == EXIT_OK
        pack = root / f"{person}-1.fwpack"
        assert cli(capsys, "allocation", "export", "--inspection", INSPECTION, "--inspector", person, "--out", pack,
                   "--data-dir", team.lead)[0] == EXIT_OK
        code, opened = cli_json(capsys, "allocation", "import", pack, "--accept-lead", fingerprint,
                                "--data-dir", team.folders[person])
        assert code == EXIT_OK, opened
    return team


def export_bundle(capsys, team: Team, person: str, name: str, *extra) -> dict:
    """`bundle export` of the inspection by `person` to ROOT/<name>.fwbundle (to the pinned lead)."""
    out = team.root / f"{name}.fwbundle"
    code, made = cli_json(capsys, "bundle", "export", "--inspection", INSPECTION, "--out", out, *extra,
                          "--data-dir", team.folders[person])
    assert code == EXIT_OK, made
    return made


def key_id(capsys, folder: Path) -> str:
    return cli_json(capsys, "keys", "show", "--data-dir", folder)[1]["key_id"]
