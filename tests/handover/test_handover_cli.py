"""`fieldwork receipt | retention | settings`: the commands, end to end with real data folders."""

from __future__ import annotations

from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
    cli_json,
)

from fieldwork.cli import EXIT_OK, EXIT_REFUSED
from fieldwork.store import open_store

from .helpers import INSPECTION, case_markers, complete_case, export, markers_in, merge


def _ready(world, ann, tmp_path, *refs):
    """ann's cases complete, exported and merged; both stores closed so the commands can open them."""
    for ref in refs or ("H001",):
        complete_case(ann, ref)
    merge(world, export(ann))
    world.lead.store.close()
    ann.store.close()
    out = tmp_path / "receipts"
    out.mkdir(exist_ok=True)
    return out


def test_the_lead_issues_and_the_inspector_accepts_by_the_command_line(world, ann, tmp_path, capsys):
    out = _ready(world, ann, tmp_path)
    code, listed = cli_json(capsys, "receipt", "list", "--inspection", INSPECTION, "--data-dir", world.lead.dir)
    assert code == EXIT_OK and [(b["inspector_id"], b["sequence"], b["receipts"]) for b in listed["bundles"]] == [
        ("ann", 1, [])
    ]
    code, issued = cli_json(
        capsys, "receipt", "issue", "--inspection", INSPECTION, "--out", out, "--data-dir", world.lead.dir
    )
    assert code == EXIT_OK and len(issued["written"]) == 1
    path = issued["written"][0]["path"]
    code, text, _ = cli(capsys, "receipt", "issue", "--inspection", INSPECTION, "--out", out, "--data-dir",
                        world.lead.dir)
    assert code == EXIT_OK and "already has a receipt; use --all" in text

    code, plan = cli_json(capsys, "receipt", "accept", path, "--dry-run", "--data-dir", ann.dir)
    assert code == EXIT_OK and plan["counts"]["hand-over"] == 1 and plan["would_wipe"] is False
    assert plan["dry_run"] and plan["wipe_setting"] == "ask"

    code, text, _ = cli(capsys, "receipt", "accept", path, "--data-dir", ann.dir)
    assert code == EXIT_OK
    assert "Marked handed over: 1 case: H001." in text
    assert f"To delete it, run: fieldwork receipt accept {path} --wipe" in text
    assert markers_in(ann.dir, case_markers("H001"))  # ask means keep, from the command line

    code, result = cli_json(capsys, "receipt", "accept", path, "--wipe", "--data-dir", ann.dir)
    assert code == EXIT_OK and result["wiped"] == 1 and result["cleanup"]["finished"]
    assert not markers_in(ann.dir, case_markers("H001"))


def test_the_setting_always_wipes_and_keep_overrides_it(world, ann, tmp_path, capsys):
    out = _ready(world, ann, tmp_path, "H001", "H002")
    assert cli(capsys, "settings", "set", "handover_wipe", "always", "--data-dir", ann.dir)[0] == EXIT_OK
    code, settings = cli_json(capsys, "settings", "list", "--data-dir", ann.dir)
    assert {s["name"]: s["value"] for s in settings["settings"]}["handover_wipe"] == "always"
    cli_json(capsys, "receipt", "issue", "--inspection", INSPECTION, "--out", out, "--data-dir", world.lead.dir)
    [path] = out.glob("*.fwreceipt")
    code, kept = cli_json(capsys, "receipt", "accept", path, "--keep", "--data-dir", ann.dir)
    assert code == EXIT_OK and kept["wiped"] == 0 and kept["handed_over"] == ["H001", "H002"]
    code, text, _ = cli(capsys, "receipt", "accept", path, "--data-dir", ann.dir)
    assert "Deleted the personal data of 2 handed-over cases" in text
    assert "1 older backup was replaced by a new one" in text
    assert not markers_in(ann.dir, case_markers("H001", "H002"))


def test_refusals_are_one_json_error_and_exit_1(world, ann, tmp_path, capsys):
    _ready(world, ann, tmp_path)
    code, refused = cli_json(capsys, "receipt", "accept", ann.outbox[0], "--data-dir", ann.dir)
    assert code == EXIT_REFUSED and refused["error"]["code"] == "not-a-receipt"
    code, _, err = cli(capsys, "receipt", "accept", ann.outbox[0], "--data-dir", ann.dir)
    assert code == EXIT_REFUSED and err.startswith("fieldwork: This file is not a fieldwork receipt")
    code, refused = cli_json(capsys, "receipt", "issue", "--inspection", INSPECTION, "--out", tmp_path / "none",
                             "--data-dir", world.lead.dir)
    assert code == EXIT_REFUSED and refused["error"]["code"] == "no-folder"
    code, refused = cli_json(capsys, "settings", "set", "handover_wipe", "sometimes", "--data-dir", ann.dir)
    assert code == EXIT_REFUSED and refused["error"]["code"] == "invalid-setting"


def test_retention_status_and_apply_by_the_command_line(world, ann, tmp_path, capsys):
    out = _ready(world, ann, tmp_path)
    cli_json(capsys, "receipt", "issue", "--inspection", INSPECTION, "--out", out, "--data-dir", world.lead.dir)
    [path] = out.glob("*.fwreceipt")
    assert cli(capsys, "receipt", "accept", path, "--keep", "--data-dir", ann.dir)[0] == EXIT_OK

    code, status = cli_json(capsys, "retention", "status", "--data-dir", ann.dir)
    assert code == EXIT_OK and status["retention_days"] == 90 and status["warning_days"] == 14
    assert cli(capsys, "settings", "set", "retention_days", "1", "--data-dir", ann.dir)[0] == EXIT_OK
    code, text, _ = cli(capsys, "retention", "status", "--data-dir", ann.dir)
    assert "fieldwork ended on 2026-11-13; it was due to be wiped from this laptop on 2026-11-14" in text
    assert "Run 'fieldwork retention apply'" in text

    code, text, _ = cli(capsys, "retention", "apply", "--data-dir", ann.dir)
    assert code == EXIT_OK and "personal data of 1 handed-over case wiped; 2 cases not handed over were kept" in text
    assert "--include-not-handed-over" in text
    code, applied = cli_json(capsys, "retention", "apply", "--include-not-handed-over", "--data-dir", ann.dir)
    assert applied["wiped"] == [
        {"inspection_id": INSPECTION, "removed": True, "cases_wiped": 3, "kept_not_handed_over": 0}
    ]
    assert not markers_in(ann.dir)
    code, text, _ = cli(capsys, "retention", "apply", "--data-dir", ann.dir)
    assert "Nothing is due to be wiped." in text
    with open_store(ann.dir) as store:
        assert store.db.execute("SELECT count(*) FROM handover_records").fetchone()[0] == 3
