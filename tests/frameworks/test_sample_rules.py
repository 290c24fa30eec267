"""Sample rules (decision 0034): the framework chooses a case's question set from its details."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldwork.errors import FrameworkError
from fieldwork.frameworks.loader import load_framework, parse_framework
from fieldwork.paths import shipped_frameworks_dir

DYNAMIC = load_framework(shipped_frameworks_dir() / "hmip-dynamic-public-protection-2025.toml")
SENTENCES = [c.value for c in DYNAMIC.case_detail("sentence_type").choices]


def published_rule(details: dict[str, str]) -> str:
    """CARaG V1.1 in plain Python: adjusted for post-sentence supervision only, or a licence of
    eight weeks or less from release; core for everything else (including unknown details)."""
    sentence = details.get("sentence_type")
    if sentence == "post_sentence_supervision":
        return "adjusted"
    weeks = details.get("licence_weeks")
    if sentence == "licence" and weeks not in (None, "") and int(weeks) <= 8:
        return "adjusted"
    return "core"


details_strategy = st.fixed_dictionaries(
    {},
    optional={
        "sentence_type": st.sampled_from(SENTENCES + [""]),
        "licence_weeks": st.integers(min_value=-5, max_value=520).map(str) | st.just(""),
        "rosh": st.sampled_from(["low", "medium", "high", "very_high"]),
    },
)


@settings(max_examples=300, deadline=None)
@given(details_strategy)
def test_every_case_gets_exactly_one_set_and_the_published_one(details):
    sample_id, rule = DYNAMIC.sample_by_rule(details)
    assert sample_id in {s.id for s in DYNAMIC.samples}
    assert sample_id == published_rule(details)
    # the rule named is the one that chose it; no rule means the default sample
    assert (rule is None) == (sample_id == DYNAMIC.default_sample.id)
    if rule is not None:
        assert rule.matches(details) and rule.description


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ({"sentence_type": "licence", "licence_weeks": "8"}, "adjusted"),
        ({"sentence_type": "licence", "licence_weeks": "9"}, "core"),
        ({"sentence_type": "licence"}, "core"),  # length not recorded yet: core until it is
        ({"sentence_type": "post_sentence_supervision"}, "adjusted"),
        ({"sentence_type": "community_order", "licence_weeks": "4"}, "core"),
        ({}, "core"),
    ],
)
def test_the_dynamic_inspection_rule_at_its_edges(details, expected):
    assert DYNAMIC.sample_by_rule(details)[0] == expected


def _variant(rules: str) -> str:
    text = (shipped_frameworks_dir() / "hmip-dynamic-public-protection-2025.toml").read_text(encoding="utf-8")
    start = text.index("\n[[sample_rules]]") + 1
    end = text.index("\n[[domains]]") + 1
    return text[:start] + rules + "\n\n" + text[end:]


def problems_of(rules: str) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        parse_framework(_variant(rules).encode("utf-8"), source_name="dpp.toml")
    return caught.value.problems


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ('[[sample_rules]]\nsample = "adjusted"\nwhen = { sentence_type = "licnce" }\n',
         "'licnce' is not one of the choices of 'sentence_type'"),
        ('[[sample_rules]]\nsample = "adjustd"\nwhen = { sentence_type = "licence" }\n',
         "sample 'adjustd' is not declared in [[samples]]"),
        ('[[sample_rules]]\nsample = "adjusted"\nwhen = { sentence = "licence" }\n',
         "'sentence' is not declared in [[case_details]]"),
        ('[[sample_rules]]\nsample = "adjusted"\nwhen = { sentence_type = { at_most = 8 } }\n',
         "at_most / at_least apply to integer details only"),
        ('[[sample_rules]]\nsample = "adjusted"\nwhen = { licence_weeks = "eight" }\n', "is not a whole number"),
        ('[[sample_rules]]\nsample = "adjusted"\nwhen = { person_seen = "yes" }\n', "is not true or false"),
        ('[[sample_rules]]\nsample = "adjusted"\nwhen = { licence_weeks = { at_least = 9, at_most = 8 } }\n',
         "at_least is above at_most"),
        ('[[sample_rules]]\nsample = "adjusted"\nwhen = {}\n', "needs at least one condition"),
        ('[[sample_rules]]\nsample = "adjusted"\n', "missing required field 'when'"),
        ('[[sample_rules]]\nsample = "adjusted"\nwhen = { licence_weeks = { below = 8 } }\n',
         "is not a condition; use a value"),
    ],
)
def test_a_wrong_rule_is_refused_with_what_is_wrong(rules, expected):
    problems = problems_of(rules)
    assert any(expected in p for p in problems), problems
    assert all("sample_rules" in p for p in problems), problems


def test_lists_booleans_and_first_match_wins():
    framework = parse_framework(
        _variant(
            '[[sample_rules]]\nsample = "core"\nwhen = { person_seen = true }\n\n'
            '[[sample_rules]]\nsample = "adjusted"\n'
            'when = { sentence_type = ["licence", "post_sentence_supervision"] }\n'
        ).encode("utf-8")
    )
    assert framework.sample_by_rule({"sentence_type": "licence"})[0] == "adjusted"
    assert framework.sample_by_rule({"sentence_type": "licence", "person_seen": "true"})[0] == "core"
    assert framework.sample_by_rule({"sentence_type": "licence", "person_seen": "false"})[0] == "adjusted"


def test_format_one_has_no_sample_rules(make_framework):
    with pytest.raises(FrameworkError) as caught:
        make_framework(append='\n[[sample_rules]]\nsample = "supervision"\nwhen = { ldu = "North" }\n')
    assert any("sample_rules" in p for p in caught.value.problems)


def test_frameworks_show_lists_the_sample_rules():
    from fieldwork.frameworks.describe import framework_to_dict

    rules = framework_to_dict(DYNAMIC)["sample_rules"]
    assert rules == [
        {"sample": "adjusted", "when": {"sentence_type": ["post_sentence_supervision"]},
         "description": "Post-sentence supervision only from release: contact was suspended."},
        {"sample": "adjusted", "when": {"sentence_type": ["licence"], "licence_weeks": {"at_most": 8}},
         "description": "A licence of eight weeks or less from release: contact was suspended."},
    ]
