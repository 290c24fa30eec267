"""The region's steps through the real command line (issue 17; decision 0035): a PDU lead exports
the PDU inspection's results for the region lead, who trusts the key for the region inspection,
takes the results in, lists them and sees the region ratings count them."""

from __future__ import annotations

import json

from helpers.cli import (
    cheap_and_contained,  # noqa: F401 (an autouse fixture: importing it applies it here)
    cli,
    cli_json,
)

from fieldwork.cli import EXIT_OK, EXIT_REFUSED
from fieldwork.store import open_store
from fieldwork.store.assessments import find_case, set_answer

REGION, PDU = "region-ne", "pdu-gateshead"


def _set_up(tmp_path, capsys):
    pdu, reg = tmp_path / "pdu", tmp_path / "reg"
    for folder, name, person in ((pdu, "Pat PDU Lead", "pat"), (reg, "Rae Region Lead", "rae")):
        assert cli(capsys, "keys", "init", "--name", name, "--id", person, "--data-dir", folder)[0] == EXIT_OK
        assert cli(capsys, "keys", "export", "--out", tmp_path / f"{person}.json", "--data-dir", folder)[0] == EXIT_OK
    sample = tmp_path / "pdu.csv"
    sample.write_text("case_ref,sample\nCR1,court_reports\nCR2,court_reports\nCR3,court_reports\nS1,supervision\n")
    code, out = cli_json(capsys, "inspection", "create", "--framework", "hmip-probation-pdu-2023", "--provider",
                         "Gateshead", "--id", PDU, "--sample", sample, "--data-dir", pdu)
    assert code == EXIT_OK, out
    with open_store(pdu, actor="pat") as store:
        for ref, value in (("CR1", "yes"), ("CR2", "yes"), ("CR3", "no")):
            set_answer(store, find_case(store, PDU, ref).id, "cw.1", value=value, note="Read the report.")
    region_sample = tmp_path / "region.csv"
    region_sample.write_text("case_ref,sample\nUPW1,unpaid_work\n")
    code, out = cli_json(capsys, "inspection", "create", "--framework", "hmip-probation-region-2023", "--provider",
                         "North East", "--id", REGION, "--sample", region_sample, "--data-dir", reg)
    assert code == EXIT_OK, out
    return pdu, reg


def test_a_pdu_leads_results_reach_the_region_ratings(tmp_path, capsys):
    pdu, reg = _set_up(tmp_path, capsys)
    bundle = tmp_path / "gateshead-results.fwbundle"
    code, made = cli_json(capsys, "region", "export", "--inspection", PDU, "--to", tmp_path / "rae.json",
                          "--out", bundle, "--data-dir", pdu)
    assert code == EXIT_OK, made
    assert (made["kind"], made["cases"], made["cases_per_sample"]) == ("results", 4, {"court_reports": 3,
                                                                                      "supervision": 1})

    # Not trusted yet: refused, nothing taken in, no traceback.
    code, out, err = cli(capsys, "region", "import", "--inspection", REGION, bundle, "--data-dir", reg)
    assert code == EXIT_REFUSED and "not in your trust list" in out and "Traceback" not in out + err
    assert cli_json(capsys, "region", "list", "--inspection", REGION, "--data-dir", reg)[1]["contributions"] == []

    assert cli(capsys, "trust", "add", tmp_path / "pat.json", "--inspections", REGION, "--data-dir", reg)[0] == 0
    code, taken = cli_json(capsys, "region", "import", "--inspection", REGION, bundle, "--data-dir", reg)
    assert code == EXIT_OK and taken["results"][0]["status"] == "imported", taken
    code, again = cli_json(capsys, "region", "import", "--inspection", REGION, bundle, "--data-dir", reg)
    assert code == EXIT_OK and again["results"][0]["status"] == "already-imported"

    code, out, _ = cli(capsys, "region", "list", "--inspection", REGION, "--data-dir", reg)
    assert code == EXIT_OK and "pdu-gateshead (Gateshead): 4 cases" in out and "Pat PDU Lead (pat" in out

    code, out, _ = cli(capsys, "ratings", "--inspection", REGION, "--data-dir", reg)
    ratings = json.loads(out)
    court = next(s for s in ratings["standards"] if s["title"] == "Court work")
    assert court["combined_from"] == {"framework": "hmip-probation-pdu-2023", "version": "2023.1",
                                      "sample": "court_reports"}
    assert court["key_questions"][0]["yes"] == 2 and court["key_questions"][0]["no"] == 1
    assert court["rating"] == "Good" and court["rule"]["id"] == "lowest_key_question"  # 67 %: Good
    [contribution] = ratings["contributions"]
    assert (contribution["pdu_inspection_id"], contribution["signer_person_id"], contribution["cases"]) == (
        PDU, "pat", 4)
    html = tmp_path / "region.html"
    assert cli(capsys, "ratings", "--inspection", REGION, "--out", html, "--data-dir", reg)[0] == EXIT_OK
    assert "PDU results counted" in html.read_text(encoding="utf-8")

    # The work merge says where a results bundle goes instead.
    code, out, err = cli(capsys, "merge", bundle, "--data-dir", reg)
    assert code == EXIT_REFUSED and "region import" in out + err and "Traceback" not in out + err

    code, out, _ = cli(capsys, "region", "remove", "--inspection", REGION, "--pdu", PDU, "--data-dir", reg)
    assert code == EXIT_OK
    assert cli_json(capsys, "region", "list", "--inspection", REGION, "--data-dir", reg)[1]["contributions"] == []


def test_results_go_only_to_a_region_inspection_and_only_the_pdu_lead_exports_them(tmp_path, capsys):
    pdu, reg = _set_up(tmp_path, capsys)
    code, out, err = cli(capsys, "region", "export", "--inspection", PDU, "--to", tmp_path / "pat.json",
                         "--out", tmp_path / "r.fwbundle", "--data-dir", reg)
    assert code == EXIT_REFUSED and "Traceback" not in err  # reg's store has no such inspection
    bundle = tmp_path / "r.fwbundle"
    assert cli(capsys, "region", "export", "--inspection", PDU, "--to", tmp_path / "rae.json", "--out", bundle,
               "--data-dir", pdu)[0] == EXIT_OK
    code, out, err = cli(capsys, "region", "import", "--inspection", PDU, bundle, "--data-dir", pdu)
    assert code == EXIT_REFUSED and "rates nothing from other inspections" in err
