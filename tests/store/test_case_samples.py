"""A case's question set: chosen by the framework's rule, changed by hand with a reason (decision 0034).

Through the store, the command line (`case add`, `case set-sample`) and the sample import.
"""

from __future__ import annotations

import json

import pytest

from fieldwork.cli import run
from fieldwork.errors import ValidationError
from fieldwork.frameworks.loader import load_framework
from fieldwork.imports.case_sample import import_case_sample
from fieldwork.paths import shipped_frameworks_dir
from fieldwork.reports.inspection_ratings import inspection_ratings
from fieldwork.store import open_store
from fieldwork.store.assessments import change_sample, find_case, get_case, set_answer, set_detail
from fieldwork.store.changelog import case_history
from fieldwork.store.inspections import add_case, create_inspection

DYNAMIC = load_framework(shipped_frameworks_dir() / "hmip-dynamic-public-protection-2025.toml")


@pytest.fixture
def dpp(store):
    return create_inspection(
        store, inspection_id="DPP-1", provider="North West region", provider_type="Region", framework=DYNAMIC
    )


def c1_tally(store) -> tuple[int, int]:
    """(sufficient, insufficient) judgements counted for C1 in the ratings."""
    standard = next(s for s in inspection_ratings(store, "DPP-1").standards if s.standard.id == "C")
    tally = next((k for k in standard.key_questions if k.id == "C1"), None)
    return (tally.yes, tally.no) if tally else (0, 0)


def sample_log(store, case_id):
    return [(e.actor, e.field, e.old, e.new) for e in case_history(store, case_id) if e.field.startswith("sample")]


def test_adding_a_case_chooses_its_set_from_the_details_and_says_why(store, dpp):
    short = add_case(store, dpp, "L1", details={"sentence_type": "licence", "licence_weeks": "6"})
    long = add_case(store, dpp, "L2", details={"sentence_type": "licence", "licence_weeks": "26"})
    pss = add_case(store, dpp, "P1", details={"sentence_type": "Post-sentence supervision"})
    assert (short.sample_id, long.sample_id, pss.sample_id) == ("adjusted", "core", "adjusted")
    assert sample_log(store, short.id) == [
        ("insp-1", "sample_rule", None, "adjusted"),
        ("insp-1", "sample_reason", None, "A licence of eight weeks or less from release: contact was suspended."),
    ]
    assert sample_log(store, long.id)[1][3].startswith("No sample rule matched")


def test_a_given_set_that_differs_from_the_rule_is_a_recorded_choice_that_sticks(store, dpp):
    case = add_case(store, dpp, "C1", sample_id="adjusted", details={"sentence_type": "community_order"})
    assert case.sample_id == "adjusted"
    assert sample_log(store, case.id)[0] == ("insp-1", "sample_override", None, "adjusted")
    set_detail(store, case.id, "sentence_type", "suspended_sentence_order")
    assert get_case(store, case.id).sample_id == "adjusted"  # the rule never overrules a person


def test_details_changed_before_any_answer_move_the_case_by_the_rule(store, dpp):
    case = add_case(store, dpp, "L1")
    assert case.sample_id == "core"
    set_detail(store, case.id, "sentence_type", "licence")
    assert get_case(store, case.id).sample_id == "core"  # length not known yet
    set_detail(store, case.id, "licence_weeks", "8")
    assert get_case(store, case.id).sample_id == "adjusted"
    assert sample_log(store, case.id)[-2] == ("insp-1", "sample_rule", "core", "adjusted")


def test_once_answered_a_detail_change_does_not_move_the_case(store, dpp):
    case = add_case(store, dpp, "L1", details={"sentence_type": "licence"})
    set_answer(store, case.id, "C1", value="yes", note="Thorough")
    set_detail(store, case.id, "licence_weeks", "4")
    assert get_case(store, case.id).sample_id == "core"


def test_changing_the_set_by_hand_records_who_when_from_to_and_why_and_keeps_the_answers(store, dpp):
    case = add_case(store, dpp, "L1", details={"sentence_type": "licence", "licence_weeks": "12"})
    set_answer(store, case.id, "C1", value="no", note="No risk analysis")
    set_answer(store, case.id, "C1.a", value="no")
    assert c1_tally(store) == (0, 1)

    change = change_sample(store, case.id, "adjusted", "Recalled after 6 weeks; contact suspended")
    assert (change.old, change.new) == ("core", "adjusted")
    assert change.not_counting == ["C1", "C1.a"]
    entries = [e for e in case_history(store, case.id) if e.field.startswith("sample")][-2:]
    assert [(e.actor, e.field, e.old, e.new) for e in entries] == [
        ("insp-1", "sample_override", "core", "adjusted"),
        ("insp-1", "sample_reason", None, "Recalled after 6 weeks; contact suspended"),
    ]
    assert entries[0].at  # when
    answers = store.db.execute("SELECT question_id, value, note FROM answers WHERE case_id = ?", [case.id]).fetchall()
    assert sorted(answers) == [("C1", "no", "No risk analysis"), ("C1.a", "no", "")]  # never deleted
    assert c1_tally(store) == (0, 0)  # kept, but no longer counted
    with pytest.raises(ValidationError, match="not asked of cases in this case's sample"):
        set_answer(store, case.id, "C1", value="yes")

    back = change_sample(store, case.id, "core", "Licence length checked: 12 weeks")
    assert back.not_counting == []


@pytest.mark.parametrize(
    ("sample_id", "reason", "message"),
    [
        ("adjusted", "   ", "a reason is required"),
        ("nope", "why", "'nope' is not a sample"),
        ("core", "why", "already in Core questions"),
        ("adjusted", "two\nlines", "one line"),
    ],
)
def test_a_bad_set_change_is_refused_and_changes_nothing(store, dpp, sample_id, reason, message):
    case = add_case(store, dpp, "C1")
    log_before = len(case_history(store, case.id))
    with pytest.raises(ValidationError, match=message):
        change_sample(store, case.id, sample_id, reason)
    assert get_case(store, case.id).sample_id == "core"
    assert len(case_history(store, case.id)) == log_before


def test_the_sample_import_applies_the_rule_to_blank_sample_cells(store, dpp, tmp_path):
    sample_file = tmp_path / "sample.csv"
    sample_file.write_text(
        "case_ref,sample,sentence_type,licence_weeks\n"
        "A,,licence,6\n"
        "B,,community_order,\n"
        "C,core,post_sentence_supervision,\n"
        "D,,licence,\n",
        encoding="utf-8",
    )
    import_case_sample(store, "DPP-1", sample_file)
    got = {ref: find_case(store, "DPP-1", ref).sample_id for ref in "ABCD"}
    assert got == {"A": "adjusted", "B": "core", "C": "core", "D": "core"}
    assert sample_log(store, find_case(store, "DPP-1", "C").id)[0][1] == "sample_override"
    # re-importing with D's licence length moves D (no answers yet); C stays where a person put it
    sample_file.write_text("case_ref,sample,sentence_type,licence_weeks\nC,,licence,3\nD,,licence,5\n")
    import_case_sample(store, "DPP-1", sample_file)
    assert find_case(store, "DPP-1", "D").sample_id == "adjusted"
    assert find_case(store, "DPP-1", "C").sample_id == "core"


def test_the_command_line_adds_by_rule_and_changes_a_set_with_a_reason(tmp_path, capsys):
    data = tmp_path / "data"
    framework = "hmip-dynamic-public-protection-2025"
    assert run(["--data-dir", str(data), "inspection", "create", "--framework", framework,
                "--provider", "North", "--id", "DPP-1"]) == 0
    capsys.readouterr()
    code = run(["--data-dir", str(data), "case", "add", "DPP-1", "L1", "--detail", "sentence_type=licence",
                "--detail", "licence_weeks=7", "--json"])
    added = json.loads(capsys.readouterr().out)
    assert code == 0 and added["sample"] == "adjusted" and "eight weeks or less" in added["sample_reason"]

    code = run(["--data-dir", str(data), "case", "set-sample", "DPP-1", "L1", "core", "--reason", ""])
    assert code == 1 and "a reason is required" in capsys.readouterr().err
    code = run(["--data-dir", str(data), "case", "set-sample", "DPP-1", "L1", "core",
                "--reason", "Licence is 7 months, not 7 weeks", "--json"])
    changed = json.loads(capsys.readouterr().out)
    assert code == 0 and (changed["old_sample"], changed["new_sample"]) == ("adjusted", "core")
    with open_store(data) as store:
        case = find_case(store, "DPP-1", "L1")
        assert case.sample_id == "core"
        assert sample_log(store, case.id)[-1][3] == "Licence is 7 months, not 7 weeks"

    code = run(["--data-dir", str(data), "case", "add", "DPP-1", "L2", "--detail", "licence_weeks=seven"])
    assert code == 1 and "not a whole number" in capsys.readouterr().err


_BUNDLE_SENT = (
    "INSERT INTO bundle_exports (signer_key_id, inspection_id, sequence, bundle_id, manifest_sha256, "
    "recipients, created_at) VALUES ('k', 'DPP-1', 1, 'b1', 'h', '[]', '2099-01-01T00:00:00.000Z')"
)
TRAVELLED = {
    "received in a pack": (
        "INSERT INTO allocation_cases (case_id, inspection_id, first_pack_id, last_pack_id) "
        "VALUES (?, 'DPP-1', 'p', 'p')"
    ),
    "merged from an inspector's bundle": (
        "INSERT INTO merge_case_origins (case_id, inspection_id, inspector_id) VALUES (?, 'DPP-1', 'insp-2')"
    ),
    "sent to its inspector in a pack": (
        "INSERT INTO allocation_pack_exports (lead_key_id, inspection_id, inspector_id, sequence, pack_id, "
        "manifest_sha256, recipient_key_id, cases, issued_at) "
        "SELECT 'k', 'DPP-1', inspector_id, 1, 'p1', 'h', 'r', 1, created_at FROM cases WHERE id = ?"
    ),
    "sent to the lead in a bundle": _BUNDLE_SENT,
}


@pytest.mark.parametrize("how", sorted(TRAVELLED))
def test_a_case_that_travelled_changes_set_only_by_hand_never_by_the_rule(store, dpp, how):
    """Decision 0036: a change by hand travels (pack or bundle); the rule never moves a travelled case,
    as the other workspace could not tell who chose the set."""
    case = add_case(store, dpp, "L1", inspector_id="insp-2", details={"sentence_type": "licence"})
    with store.transaction():
        store.db.execute(TRAVELLED[how], [] if how == "sent to the lead in a bundle" else [case.id])
    set_detail(store, case.id, "licence_weeks", "6")
    assert get_case(store, case.id).sample_id == "core"  # the rule does not move it
    change_sample(store, case.id, "adjusted", "Six-week licence")
    assert get_case(store, case.id).sample_id == "adjusted"
    assert sample_log(store, case.id)[-2:] == [
        ("insp-1", "sample_override", "core", "adjusted"), ("insp-1", "sample_reason", None, "Six-week licence"),
    ]


def test_a_case_a_later_pack_moved_to_someone_else_keeps_its_set_with_a_refusal_that_says_what_to_do(store, dpp):
    case = add_case(store, dpp, "L1", details={"sentence_type": "licence"})
    with store.transaction():
        store.db.execute(
            "INSERT INTO allocation_cases (case_id, inspection_id, first_pack_id, last_pack_id, moved_away_at, "
            "moved_away_pack_id) VALUES (?, 'DPP-1', 'p', 'p', ?, 'p2')",
            [case.id, store.now()],
        )
    with pytest.raises(ValidationError, match="no longer allocated to you.*ask the lead"):
        change_sample(store, case.id, "adjusted", "Six-week licence")
    assert get_case(store, case.id).sample_id == "core"


def test_the_reason_for_a_set_change_can_come_from_a_file_unseen_by_other_users(tmp_path, capsys):
    """Like every other reason on the command line (issue 20: arguments show in `ps`)."""
    data = tmp_path / "data"
    assert run(["--data-dir", str(data), "inspection", "create", "--framework", DYNAMIC.id,
                "--provider", "North", "--id", "DPP-1"]) == 0
    assert run(["--data-dir", str(data), "case", "add", "DPP-1", "L1", "--detail", "sentence_type=licence",
                "--detail", "licence_weeks=7"]) == 0
    why = tmp_path / "why.txt"
    why.write_text("Licence is 7 months, not 7 weeks\n", encoding="utf-8")
    code = run(["--data-dir", str(data), "case", "set-sample", "DPP-1", "L1", "core", "--reason-file", str(why)])
    assert code == 0, capsys.readouterr().err
    with open_store(data) as store:
        case = find_case(store, "DPP-1", "L1")
        assert case.sample_id == "core"
        assert sample_log(store, case.id)[-1][3].strip() == "Licence is 7 months, not 7 weeks"
