"""The worked example in docs/framework-format.md gives the ratings the page says it gives."""

from __future__ import annotations

import re
from pathlib import Path

from fieldwork.frameworks import parse_framework
from fieldwork.ratings import LeadJudgement, Override, rate_inspection

DOC = Path(__file__).resolve().parents[2] / "docs" / "framework-format.md"


def example_text() -> str:
    page = DOC.read_text(encoding="utf-8")
    section = page[page.index("## A worked example") :]
    return re.search(r"```toml\n(.*?)```", section, re.DOTALL).group(1)


JUDGEMENTS = (
    [("2.1.1", "yes")] * 40 + [("2.1.1", "no")] * 10
    + [("2.1.2", "yes")] * 31 + [("2.1.2", "no")] * 17 + [("2.1.2", "na")] * 2
    + [("2.1.3", "yes")] * 30 + [("2.1.3", "no")] * 12 + [("2.1.3", "na")] * 8
)  # fmt: skip
GOOD = LeadJudgement("Good", "Evidence.", "lead", "t")


def test_the_worked_example_as_written():
    framework = parse_framework(example_text().encode(), source_name="example.toml")
    first = rate_inspection(framework, JUDGEMENTS)
    assert (first.standards[1].computed, first.standards[1].deciding_key_question) == ("Requires improvement", "2.1.2")
    assert (first.overall.rating, first.overall.score, first.overall.provisional) == ("Inadequate", 1, True)
    assert first.overall.unrated == ("1.1",)
    judged = rate_inspection(framework, JUDGEMENTS, lead_judgements={"1.1": GOOD})
    overall = judged.overall
    assert (overall.rating, overall.score, overall.provisional) == ("Requires improvement", 3, False)
    overridden = rate_inspection(
        framework, JUDGEMENTS, lead_judgements={"1.1": GOOD}, overrides={"2.1": Override("Good", "r", "lead", "t")}
    )
    assert (overridden.overall.rating, overridden.overall.score) == ("Good", 4)


def test_the_worked_example_in_format_2_with_a_reduced_maximum():
    text = example_text().replace("format = 1\n", 'format = 2\nstatus = "current"\napplies_from = "2026"\n')
    text = text.replace('unrated_standards = "provisional"', 'unrated_standards = "reduced_maximum"')
    framework = parse_framework(text.encode(), source_name="example2.toml")
    overall = rate_inspection(framework, JUDGEMENTS).overall
    assert (overall.score, overall.max, overall.full_max, overall.provisional) == (1, 3, 6, False)
    assert overall.rating == "Requires improvement"
    assert (overall.rule.id, overall.rule.provenance) == ("reduced_maximum", "recalled")
