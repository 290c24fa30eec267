"""Sample rules: which sample (question set) a case goes into, chosen from its case details.

A framework may list `[[sample_rules]]`, each naming a sample and conditions on case details
(`when`). They are tried in file order; the first whose every condition holds chooses the
sample, and a case no rule matches goes into the default sample. So every case gets exactly one
sample. A detail that is not recorded matches no condition: a case whose details are not known
yet stays in the default sample until they are (see docs/framework-format.md, "Sample rules").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Condition:
    field_id: str
    values: tuple[str, ...] = ()  # stored forms (as case details keep them); any of them
    at_most: int | None = None
    at_least: int | None = None

    def holds(self, stored: str | None) -> bool:
        if stored is None or stored == "":
            return False
        if self.values:
            return stored in self.values
        try:
            number = int(stored)
        except ValueError:
            return False
        return (self.at_most is None or number <= self.at_most) and (
            self.at_least is None or number >= self.at_least
        )


@dataclass(frozen=True)
class SampleRule:
    sample_id: str
    conditions: tuple[Condition, ...]
    description: str

    def matches(self, details: Mapping[str, str]) -> bool:
        return all(c.holds(details.get(c.field_id)) for c in self.conditions)


def _stored(value) -> str:
    """A TOML value in the form case details are stored in (booleans as "true"/"false")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def build_rules(raw_rules: list) -> tuple[SampleRule, ...]:
    rules = []
    for raw in raw_rules:
        conditions = []
        for field_id, spec in raw["when"].items():
            if isinstance(spec, dict):
                conditions.append(Condition(field_id, at_most=spec.get("at_most"), at_least=spec.get("at_least")))
            else:
                values = spec if isinstance(spec, list) else [spec]
                conditions.append(Condition(field_id, values=tuple(_stored(v) for v in values)))
        rules.append(SampleRule(raw["sample"], tuple(conditions), raw.get("description", "")))
    return tuple(rules)


def choose(rules: tuple[SampleRule, ...], default_sample_id: str, details: Mapping[str, str]):
    """(sample id, the rule that chose it or None for the default): always exactly one sample."""
    for rule in rules:
        if rule.matches(details):
            return rule.sample_id, rule
    return default_sample_id, None


def rule_problems(raw: dict, at) -> None:
    """Cross-reference checks: declared samples and details, values a detail can hold."""
    samples = {s["id"] for s in raw["samples"]}
    details = {d["id"]: d for d in raw["case_details"]}
    for i, rule in enumerate(raw.get("sample_rules", [])):
        parts = ["sample_rules", i]
        if rule["sample"] not in samples:
            at(parts + ["sample"], f"sample '{rule['sample']}' is not declared in [[samples]]")
        for field_id, spec in rule["when"].items():
            where = parts + ["when", field_id]
            detail = details.get(field_id)
            if detail is None:
                at(where, f"'{field_id}' is not declared in [[case_details]]")
                continue
            kind = detail["type"]
            if isinstance(spec, dict):
                if kind != "integer":
                    at(where, f"at_most / at_least apply to integer details only ('{field_id}' is {kind})")
                elif "at_most" in spec and "at_least" in spec and spec["at_least"] > spec["at_most"]:
                    at(where, "at_least is above at_most, so no case can match")
                continue
            for value in spec if isinstance(spec, list) else [spec]:
                problem = _value_problem(detail, value)
                if problem:
                    at(where, problem)


def _value_problem(detail: dict, value) -> str | None:
    kind = detail["type"]
    if kind == "boolean":
        return None if isinstance(value, bool) else f"{value!r} is not true or false ('{detail['id']}' is yes/no)"
    if isinstance(value, bool):
        return f"true/false only matches a boolean detail ('{detail['id']}' is {kind})"
    if kind == "integer":
        return None if isinstance(value, int) else f"{value!r} is not a whole number ('{detail['id']}' is integer)"
    if not isinstance(value, str):
        return f"{value!r} is not text ('{detail['id']}' is {kind})"
    if kind == "choice":
        allowed = [c["value"] for c in detail.get("choices", [])]
        if value not in allowed:
            return f"'{value}' is not one of the choices of '{detail['id']}' ({', '.join(allowed)})"
    return None
