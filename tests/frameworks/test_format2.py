"""Framework format 2: status and dates, reported questions, reduced maximum, sufficiency scheme."""

from __future__ import annotations

import pytest
from helpers.format2 import MINI_PATH, mini2, mini2_text

from fieldwork.errors import FrameworkError
from fieldwork.frameworks import parse_framework
from fieldwork.frameworks.model import RULES


def problems(replace: dict[str, str] | None = None, append: str = "") -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        mini2(replace, append)
    return caught.value.problems


def test_a_format_1_file_still_loads_as_current_with_every_rule_recalled(mini_framework):
    assert (mini_framework.format, mini_framework.status, mini_framework.period) == (1, "current", "")
    assert mini_framework.rating.rule_provenance == {rule: "recalled" for rule in RULES}
    assert mini_framework.rating.unrated_standards == "provisional"


def test_format_2_reads_status_dates_and_rule_provenance():
    framework = mini2(
        {
            'status = "current"\napplies_from = "2025-07"\n': 'status = "historic"\napplies_from = "2018"\n'
            'applies_to = "2021-06"\nstatus_note = "Replaced."\n'
        },
        '\n[rating.rule_provenance]\nreduced_maximum = "confirmed"\n',
    )
    assert (framework.format, framework.historic, framework.period) == (2, True, "2018 to 2021-06")
    assert framework.status_note == "Replaced."
    assert framework.rating.provenance_of("reduced_maximum") == "confirmed"
    assert framework.rating.provenance_of("lowest_key_question") == "recalled"  # not given: recalled


def test_a_format_2_file_must_say_its_status_and_person_term():
    text = mini2_text().replace('status = "current"\n', "").replace('person_term = "person on probation"\n', "")
    with pytest.raises(FrameworkError) as caught:
        parse_framework(text.encode(), source_name="x.toml")
    joined = "\n".join(caught.value.problems)
    assert "missing required field 'status'" in joined and "missing required field 'person_term'" in joined


def test_a_historic_framework_needs_its_end_date_and_the_end_follows_the_start():
    assert any("needs 'applies_to'" in p for p in problems({'status = "current"': 'status = "historic"'}))
    found = problems({'applies_from = "2025-07"\n': 'applies_from = "2025-07"\napplies_to = "2024"\n'})
    assert any("'2024' is before applies_from '2025-07'" in p for p in found)
    assert any("applies_from" in p for p in problems({'applies_from = "2025-07"': 'applies_from = "July 2025"'}))


def test_an_unknown_format_is_named():
    with pytest.raises(FrameworkError) as caught:
        text = MINI_PATH.read_text(encoding="utf-8").replace("format = 1", "format = 3")
        parse_framework(text.encode(), source_name="x.toml")
    assert any("3 is not a framework format this version reads; expected 1 or 2" in p for p in caught.value.problems)


def test_reported_items_leave_the_maximum_and_the_overall_bands_are_checked_against_what_is_left():
    # 2.1 reported, not rated: two rated standards are left, so the maximum is 6, not 9.
    found = problems({'sample = "supervision"\n': 'sample = "supervision"\nrated = false\n'})
    assert any("the top band should end at the maximum score 6 (2 rated standards × 3)" in p for p in found)
    framework = mini2(
        {
            'sample = "supervision"\n': 'sample = "supervision"\nrated = false\n',
            "min_score = 5, max_score = 7": "min_score = 5, max_score = 5",
            "min_score = 8, max_score = 9": "min_score = 6, max_score = 6",
        },
    )
    assert not framework.standard("2.1").rated and [s.id for s in framework.rated_standards] == ["1.1", "3.1"]


def test_a_rated_standard_needs_a_rated_key_question():
    question = 'text = "Is the unpaid work delivered well?"\n'
    found = problems({question: question + "rated = false\n"})
    assert any("a rated standard needs at least one rated key question" in p for p in found)


def test_reduced_overall_bands_must_be_for_a_smaller_multiple_and_run_without_gaps():
    table = (
        "\nreduced_overall_bands = [ { max_score = {m}, bands = ["
        ' { rating = "Inadequate", min_score = 0, max_score = 1 },'
        ' { rating = "Good", min_score = {g}, max_score = {m} } ] } ]\n'
    )
    insert = 'unrated_standards = "provisional"\n'
    ok = mini2({insert: insert + table.replace("{m}", "6").replace("{g}", "2")})
    assert ok.rating.reduced_bands[0].max_score == 6
    assert any(
        "below 9 and a multiple of the top score 3" in p
        for p in problems({insert: insert + table.replace("{m}", "5").replace("{g}", "2")})
    )
    assert any(
        "without gaps or overlaps" in p
        for p in problems({insert: insert + table.replace("{m}", "6").replace("{g}", "3")})
    )


SUFFICIENCY = """[rating]
scheme = "sufficiency"
not_rated = "Not rated"
unrated_standards = "not_rated"
written_judgement = "Chief Inspector's judgement"
"""


def sufficiency_text() -> str:
    text = mini2_text()
    return text[: text.index("[rating]")] + SUFFICIENCY


def test_the_sufficiency_scheme_has_no_bands_and_a_written_judgement():
    framework = parse_framework(sufficiency_text().encode(), source_name="s.toml")
    assert not framework.rating.four_point and framework.rating.bands == ()
    assert framework.rating.ratings() == ("Chief Inspector's judgement",)
    with pytest.raises(FrameworkError) as caught:
        with_bands = sufficiency_text() + 'bands = [{ rating = "Good", min_percent = 0, score = 2 }]\n'
        parse_framework(with_bands.encode(), source_name="s.toml")
    assert any("the sufficiency scheme has no four-point rating; remove 'bands'" in p for p in caught.value.problems)
    without = sufficiency_text().replace('written_judgement = "Chief Inspector\'s judgement"\n', "")
    with pytest.raises(FrameworkError) as caught:
        parse_framework(without.encode(), source_name="s.toml")
    assert any("needs 'written_judgement'" in p for p in caught.value.problems)


def test_a_four_point_file_without_bands_is_refused_in_format_2():
    text = mini2_text()
    text = text[: text.index("bands = [")] + "\n"
    with pytest.raises(FrameworkError) as caught:
        parse_framework(text.encode(), source_name="x.toml")
    assert any("missing required field 'bands'" in p for p in caught.value.problems)
