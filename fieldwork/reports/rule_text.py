"""How a rating and the rule behind it are said in words, the same in the CLI, the app and reports."""

from __future__ import annotations

from fieldwork.ratings import OverallRating, RuleUsed


def rule_words(rule: RuleUsed | None) -> str:
    """E.g. "Rule: lowest_key_question (recalled)"; "" when no rule applies."""
    return f"Rule: {rule.id} ({rule.provenance})" if rule else ""


def overall_sentence(overall: OverallRating, scheme: str = "four_point") -> str:
    """One line for the overall rating: rating, score, what is missing, and the rule."""
    if scheme != "four_point":
        return "Overall: no four-point rating (sufficiency percentages and the written judgement only)."
    text = f"Overall: {overall.rating}, {overall.score} of {overall.max}"
    if overall.provisional:
        text += f", provisional (not rated: {', '.join(overall.unrated)})"
    elif overall.unrated and overall.max:
        scaled = ", bands scaled from the full maximum" if overall.scaled else ""
        text += (
            f", final out of the reduced maximum {overall.max} of {overall.full_max}{scaled} "
            f"(not rated: {', '.join(overall.unrated)})"
        )
    elif overall.unrated:
        text += f", no standard rated yet (not rated: {', '.join(overall.unrated)})"
    words = rule_words(overall.rule)
    return f"{text}. {words}." if words else f"{text}."
