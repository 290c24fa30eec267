"""Read a framework file: TOML → schema check → cross-reference checks → immutable model.

Every problem is collected (not just the first) and named by file, line where we can find it,
path inside the file, and what was expected, so an editor of the file can fix them in one pass.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from fractions import Fraction
from functools import cache
from pathlib import Path

from fieldwork.errors import FrameworkError
from fieldwork.frameworks.model import (
    RULES,
    Band,
    CaseDetailField,
    Choice,
    Domain,
    Framework,
    KeyQuestion,
    OverallBand,
    Prompt,
    RatingRules,
    ReducedBands,
    Sample,
    Standard,
)
from fieldwork.frameworks.sample_rules import build_rules, rule_problems
from fieldwork.paths import FRAMEWORK_FORMATS, framework_schema_path
from fieldwork.regular_files import read_regular_file

_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")
MAX_FRAMEWORK_BYTES = 512 * 1024  # the shipped frameworks are about 30 KiB


@cache
def _validator(format_version: int = 1):
    # Imported here: jsonschema costs ~60 ms to import, and reopening a store's pinned
    # framework (the common start-up path) does not need it.
    import jsonschema

    schema = json.loads(framework_schema_path(format_version).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _format_of(raw: dict) -> int:
    """The file's format number; an unknown one is checked against format 1, whose schema names it."""
    value = raw.get("format")
    return value if isinstance(value, int) and not isinstance(value, bool) and value in FRAMEWORK_FORMATS else 1


def load_framework(path: str | Path) -> Framework:
    """Load and check the framework file at `path`; FrameworkError lists every problem."""
    path = Path(path)
    try:
        data = read_regular_file(path, MAX_FRAMEWORK_BYTES)  # more is refused by parse_framework
    except OSError as exc:
        raise FrameworkError(str(path), [f"cannot be read ({exc.strerror}); check the path"]) from None
    return parse_framework(data, source_name=str(path))


def parse_framework(data: bytes, *, source_name: str = "<framework>", checked: bool = False) -> Framework:
    """Parse framework bytes (as found in a file or an allocation pack).

    `checked=True` skips the schema and cross-reference checks, for text that passed them
    when it was pinned and is named by its content hash (a store's own copy).
    """
    if not checked and len(data) > MAX_FRAMEWORK_BYTES:
        # tomllib needs up to 150 bytes of memory per byte of a long number, and about a second
        # per megabyte: a size cap bounds both, whatever the file holds.
        raise FrameworkError(
            source_name,
            [f"is larger than a framework file may be ({MAX_FRAMEWORK_BYTES // 1024} KiB; the shipped ones are "
             "about 30 KiB); check this is a framework file"],
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FrameworkError(
            source_name, [f"line {line}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"]
        ) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_LINE.search(message)
        where = f"line {match.group(1)}: " if match else ""
        detail = _TOML_LINE.sub("", message).strip()
        raise FrameworkError(source_name, [f"{where}not valid TOML: {detail}"]) from None
    except (RecursionError, ValueError):
        # tomllib's own limits, outside its TOMLDecodeError: arrays or tables nested hundreds
        # deep (RecursionError) and integers longer than Python reads (ValueError, 4,300 digits).
        raise FrameworkError(
            source_name,
            ["not a usable framework file: it has lists or tables nested too deeply, or a number with "
             "thousands of digits; check the file is a framework file and correct it"],
        ) from None

    if not checked:
        huge = _out_of_range_integer(raw)
        if huge is not None:
            line = _line_of_item(raw, huge, text)
            raise FrameworkError(
                source_name,
                [f"{f'line {line}, ' if line else ''}{_format_path(huge)}: not valid TOML: a whole number "
                 f"outside {-(2**63)} to {2**63 - 1}; use a smaller number"],
            )
        problems = [_describe_schema_error(err, raw, text) for err in _schema_errors(raw)]
        if not problems:
            problems = _cross_reference_problems(raw, text)
        if problems:
            raise FrameworkError(source_name, problems)
    try:
        return _build(raw, data, source_name)
    except (KeyError, TypeError, ValueError) as exc:  # only reachable for unchecked text
        raise FrameworkError(source_name, [f"is not a valid framework ({type(exc).__name__}: {exc})"]) from None


def _out_of_range_integer(value, path: tuple = ()) -> list | None:
    """The path of an integer TOML cannot hold (64-bit signed; tomllib reads any length), or None.

    Such numbers are not valid TOML, and one of thousands of digits cannot even be shown in a
    message (Python refuses to print integers over 4,300 digits).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return list(path) if not -(2**63) <= value < 2**63 else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _out_of_range_integer(item, (*path, key))
        if found is not None:
            return found
    return None


def _schema_errors(raw: dict) -> list:
    errors = _validator(_format_of(raw)).iter_errors(raw)
    return sorted(errors, key=lambda e: list(map(str, e.absolute_path)))


def _show(value) -> str:
    """A value as the file would spell it; TOML dates and times are shown as written."""
    return json.dumps(value, default=str)


def _format_path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line_of_item(raw: dict, path_parts: list, text: str, occurrence: int = 0) -> int | None:
    """The line of the nearest enclosing item with an id, found by searching the source.

    `occurrence` picks the n-th line declaring that id (0 = first), for a repeated id.
    """
    node, best_id = raw, None
    for part in path_parts:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            best_id = node["id"]
    if best_id is None:
        return None
    pattern = r'^\s*id\s*=\s*["\']' + re.escape(best_id) + r'["\']'
    matches = list(re.finditer(pattern, text, re.MULTILINE))
    if not matches:
        return None
    match = matches[min(occurrence, len(matches) - 1)]
    return text.count("\n", 0, match.start()) + 1


def _describe_schema_error(error, raw: dict, text: str) -> str:
    parts = list(error.absolute_path)
    line = _line_of_item(raw, parts, text)
    where = f"line {line}, " if line else ""
    validator = error.validator
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        expected = f"missing required field '{missing}'"
    elif validator == "additionalProperties":
        expected = f"{error.message}; remove it or check its spelling"
    elif validator == "enum":
        allowed = ", ".join(_show(v) for v in error.validator_value)
        expected = f"{_show(error.instance)} is not allowed; expected one of {allowed}"
    elif validator == "const" and parts == ["format"]:
        expected = f"{_show(error.instance)} is not a framework format this version reads; expected 1 or 2"
    elif validator == "const":
        expected = f"expected {_show(error.validator_value)}, found {_show(error.instance)}"
    elif validator == "type":
        expected = f"expected a {error.validator_value}, found {_show(error.instance)}"
    elif parts[:1] == ["sample_rules"] and validator == "oneOf":
        expected = (
            f"{_show(error.instance)} is not a condition; use a value, a list of values, "
            "or { at_most = n } / { at_least = n }"
        )
    elif parts[:1] == ["sample_rules"] and validator == "minProperties":
        expected = "needs at least one condition, e.g. when = { sentence_type = \"licence\" }"
    elif validator == "pattern":
        expected = f"{_show(error.instance)} is not a valid id; use letters, digits, '.', '_' or '-'"
    else:
        expected = error.message
    return f"{where}{_format_path(parts)}: {expected}"


def _cross_reference_problems(raw: dict, text: str) -> list[str]:
    """Checks a schema cannot express: unique ids, references, band order, one default."""
    problems: list[str] = []

    def at(parts: list, message: str, occurrence: int = 0) -> None:
        line = _line_of_item(raw, parts, text, occurrence)
        where = f"line {line}, " if line else ""
        problems.append(f"{where}{_format_path(parts)}: {message}")

    seen: dict[str, str] = {}
    sightings: dict[str, int] = {}  # how often each bare id has been met, in file order

    def unique(item_id: str, parts: list) -> None:
        bare = item_id.split(":", 1)[-1]
        occurrence = sightings.get(bare, 0)
        sightings[bare] = occurrence + 1
        if item_id in seen:
            message = f"id '{bare}' is used twice (also {seen[item_id]}); ids must be unique"
            at(parts, message, occurrence)
        else:
            seen[item_id] = _format_path(parts)

    samples = {s["id"] for s in raw["samples"]}
    defaults = [s["id"] for s in raw["samples"] if s.get("default")]
    if len(defaults) != 1:
        at(["samples"], f"exactly one sample needs default = true (found {len(defaults)})")
    for i, sample in enumerate(raw["samples"]):
        unique("sample:" + sample["id"], ["samples", i])
    domains = set()
    for i, domain in enumerate(raw["domains"]):
        unique("domain:" + domain["id"], ["domains", i])
        domains.add(domain["id"])
    for i, std in enumerate(raw["standards"]):
        parts = ["standards", i]
        unique(std["id"], parts)
        if std["domain"] not in domains:
            at(parts + ["domain"], f"domain '{std['domain']}' is not declared in [[domains]]")
        if std["basis"] == "cases":
            if "sample" not in std:
                at(parts, "a standard rated from cases needs 'sample' naming one of [[samples]]")
            elif std["sample"] not in samples:
                at(parts + ["sample"], f"sample '{std['sample']}' is not declared in [[samples]]")
        elif "sample" in std:
            what = {"premises": "answered for the premises", "judgement": "rated by judgement"}.get(
                std["basis"], f"rated by {std['basis']}"
            )
            at(parts + ["sample"], f"a standard {what} has no sample; remove it")
        _combined_problems(std, parts, at)
        if std["basis"] == "premises" and raw["rating"].get("scheme", "four_point") == "sufficiency":
            at(parts + ["basis"], "the sufficiency scheme has no four-point rating to compute from the premises' "
               "answers; use basis = \"judgement\" for the lead's written judgement")
        for j, kq in enumerate(std["key_questions"]):
            kq_parts = parts + ["key_questions", j]
            unique(kq["id"], kq_parts)
            if kq.get("na_reason_required") and not kq.get("allow_na"):
                at(kq_parts, "na_reason_required needs allow_na = true")
            for k, prompt in enumerate(kq.get("prompts", [])):
                unique(prompt["id"], kq_parts + ["prompts", k])
    for i, detail in enumerate(raw["case_details"]):
        parts = ["case_details", i]
        unique(detail["id"], parts)
        if detail["type"] == "choice" and not detail.get("choices"):
            at(parts, "a choice field needs a 'choices' list")
        if detail["type"] != "choice" and "choices" in detail:
            at(parts, f"only choice fields have 'choices' (this one is '{detail['type']}')")
        values = [c["value"] for c in detail.get("choices", [])]
        if len(values) != len(set(values)):
            at(parts + ["choices"], "choice values must be unique")
    _period_problems(raw, at)
    _renamed_problems(raw, at)
    rule_problems(raw, at)
    for i, std in enumerate(raw["standards"]):
        if std.get("rated", True) and std["basis"] in ("cases", "combined", "premises"):
            if not any(kq.get("rated", True) for kq in std["key_questions"]):
                at(["standards", i], "a rated standard needs at least one rated key question (or rated = false)")
    rating = raw["rating"]
    if rating.get("scheme", "four_point") == "sufficiency":
        for name in ("bands", "overall_bands", "reduced_overall_bands"):
            if name in rating:
                at(["rating", name], f"the sufficiency scheme has no four-point rating; remove '{name}'")
        if "written_judgement" not in rating:
            at(["rating"], "the sufficiency scheme needs 'written_judgement', the label of the lead's judgement")
        return problems
    if "written_judgement" in rating:
        at(["rating", "written_judgement"], "only the sufficiency scheme has a written judgement; remove it")
    missing = [name for name in ("bands", "overall_bands") if name not in rating]
    for name in missing:
        at(["rating"], f"missing required field '{name}' (needed unless scheme = \"sufficiency\")")
    if missing:
        return problems
    if any(not math.isfinite(b["min_percent"]) for b in rating["bands"]):
        at(["rating", "bands"], "every min_percent must be a number from 0 to 100 (found nan or inf)")
        return problems
    mins = [Fraction(str(b["min_percent"])) for b in rating["bands"]]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        at(["rating", "bands"], "bands must be listed from the highest min_percent down, no repeats")
    if mins and mins[-1] != 0:
        at(["rating", "bands"], "the last band needs min_percent = 0 so every percentage has a band")
    top = max(b["score"] for b in rating["bands"])
    rated = [s for s in raw["standards"] if s.get("rated", True) and s.get("counts_in_overall", True)]
    max_score = top * len(rated)
    counted = "standards" if len(rated) == len(raw["standards"]) else "rated standards"
    why = f"{len(rated)} {counted} × {top}"
    _overall_band_problems(rating["overall_bands"], max_score, why, ["rating", "overall_bands"], at)
    seen_max: set[int] = set()
    for i, table in enumerate(rating.get("reduced_overall_bands", [])):
        parts = ["rating", "reduced_overall_bands", i]
        if not 0 < table["max_score"] < max_score or table["max_score"] % top:
            at(parts + ["max_score"], f"a reduced maximum is below {max_score} and a multiple of the top score {top}")
        elif table["max_score"] in seen_max:
            at(parts + ["max_score"], f"bands for the maximum {table['max_score']} are given twice")
        seen_max.add(table["max_score"])
        _overall_band_problems(table["bands"], table["max_score"], "the reduced maximum", parts + ["bands"], at)
    return problems


_COMBINED_FIELDS = ("from_framework", "from_version", "from_sample")


def _combined_problems(std: dict, parts: list, at) -> None:
    """A combined standard names the framework, version and sample it counts, and each key question
    the contributing key question; no other standard does (decision 0035)."""
    combined = std["basis"] == "combined"
    for name in _COMBINED_FIELDS:
        if combined and name not in std:
            at(parts, f"a standard with basis = \"combined\" needs '{name}' (the contributing inspections' "
               "framework id, version and sample)")
        elif not combined and name in std:
            at(parts + [name], f"only a standard with basis = \"combined\" has '{name}'; remove it")
    for j, kq in enumerate(std["key_questions"]):
        kq_parts = parts + ["key_questions", j]
        if combined and "from_question" not in kq:
            at(kq_parts, "a key question of a combined standard needs 'from_question', the contributing "
               "framework's key question it counts")
        elif not combined and "from_question" in kq:
            at(kq_parts + ["from_question"], "only key questions of a combined standard have 'from_question'; "
               "remove it")
        if combined and kq.get("prompts"):
            at(kq_parts + ["prompts"], "a key question of a combined standard is not asked here, so it has no "
               "prompts; remove them")
    if combined:
        sources = [kq.get("from_question") for kq in std["key_questions"]]
        if len(sources) != len(set(sources)):
            at(parts, "two key questions count the same 'from_question'; each contributing key question once")


def _overall_band_problems(bands: list, max_score: int, why: str, parts: list, at) -> None:
    """Overall bands must run from 0 to `max_score` without gaps or overlaps."""
    expected_min = 0
    for band in sorted(bands, key=lambda b: b["min_score"]):
        if band["min_score"] > band["max_score"]:
            at(parts, f"'{band['rating']}' has min_score above max_score")
        if band["min_score"] != expected_min:
            at(parts, f"scores must run on from {expected_min} without gaps or overlaps (see '{band['rating']}')")
        expected_min = band["max_score"] + 1
    if bands and expected_min - 1 != max_score:
        at(parts, f"the top band should end at the maximum score {max_score} ({why})")


def _renamed_problems(raw: dict, at) -> None:
    """An earlier id carries on in one question only, and never names a question of this text:
    either would make a moved answer's new place ambiguous (decision 0042)."""
    questions: set[str] = set()
    for std in raw["standards"]:
        for kq in std["key_questions"]:
            questions.add(kq["id"])
            questions.update(p["id"] for p in kq.get("prompts", []))
    claimed: dict[str, str] = {}
    for i, std in enumerate(raw["standards"]):
        for j, kq in enumerate(std["key_questions"]):
            items = [(["standards", i, "key_questions", j], kq)]
            items += [
                (["standards", i, "key_questions", j, "prompts", k], p) for k, p in enumerate(kq.get("prompts", []))
            ]
            for parts, item in items:
                for old in item.get("renamed_from", []):
                    if old in questions:
                        at(parts + ["renamed_from"], f"'{old}' is a question of this framework; renamed_from names "
                           "only ids that earlier versions had and this one does not")
                    elif old in claimed:
                        at(parts + ["renamed_from"], f"'{old}' is also renamed to '{claimed[old]}'; an earlier id "
                           "carries on in one question only")
                    else:
                        claimed[old] = item["id"]


def _period_problems(raw: dict, at) -> None:
    """A historic framework says when it stopped; a period does not end before it starts."""
    if raw.get("status") == "historic" and "applies_to" not in raw:
        at(["applies_to"], "a historic framework needs 'applies_to', when it stopped applying")
    start, end = raw.get("applies_from"), raw.get("applies_to")
    if isinstance(start, str) and isinstance(end, str) and end < start:
        at(["applies_to"], f"'{end}' is before applies_from '{start}'")


def _build(raw: dict, data: bytes, source_name: str) -> Framework:
    file_provenance = raw["provenance"]
    index: dict[str, dict] = {
        "standards": {},
        "key_questions": {},
        "prompts": {},
        "case_details": {},
        "samples": {},
        "prompt_parent": {},
    }
    standards_by_domain: dict[str, list[Standard]] = {d["id"]: [] for d in raw["domains"]}
    domain_provenance = {d["id"]: d.get("provenance", file_provenance) for d in raw["domains"]}
    for std in raw["standards"]:
        std_prov = std.get("provenance", domain_provenance[std["domain"]])
        key_questions = []
        for kq in std["key_questions"]:
            kq_prov = kq.get("provenance", std_prov)
            allow_na = kq.get("allow_na", False)
            prompts = tuple(
                Prompt(
                    p["id"], p["text"], p.get("allow_na", False), p.get("provenance", kq_prov), p.get("guidance", ""),
                    tuple(p.get("renamed_from", ())),
                )
                for p in kq.get("prompts", [])
            )
            question = KeyQuestion(
                id=kq["id"],
                standard_id=std["id"],
                text=kq["text"],
                lens=kq.get("lens"),
                allow_na=allow_na,
                na_reason_required=kq.get("na_reason_required", allow_na),
                guidance=kq.get("guidance", ""),
                provenance=kq_prov,
                prompts=prompts,
                rated=kq.get("rated", True),
                from_question=kq.get("from_question", ""),
                renamed_from=tuple(kq.get("renamed_from", ())),
            )
            key_questions.append(question)
            index["key_questions"][question.id] = question
            for prompt in prompts:
                index["prompts"][prompt.id] = prompt
                index["prompt_parent"][prompt.id] = question
        standard = Standard(
            id=std["id"],
            domain_id=std["domain"],
            title=std["title"],
            statement=std.get("statement", ""),
            basis=std["basis"],
            sample_id=std.get("sample"),
            provenance=std_prov,
            key_questions=tuple(key_questions),
            rated=std.get("rated", True),
            number=std.get("number", ""),
            statement_provenance=std.get("statement_provenance", std_prov) if std.get("statement") else "",
            counts_in_overall=std.get("counts_in_overall", True),
            from_framework=std.get("from_framework", ""),
            from_version=std.get("from_version", ""),
            from_sample=std.get("from_sample", ""),
        )
        index["standards"][standard.id] = standard
        standards_by_domain[std["domain"]].append(standard)
    domains = tuple(
        Domain(d["id"], d["title"], domain_provenance[d["id"]], tuple(standards_by_domain[d["id"]]))
        for d in raw["domains"]
    )
    samples = tuple(
        Sample(s["id"], s["title"], s.get("default", False), s.get("description", "")) for s in raw["samples"]
    )
    index["samples"] = {s.id: s for s in samples}
    details = tuple(
        CaseDetailField(
            id=d["id"],
            label=d["label"],
            type=d["type"],
            choices=tuple(Choice(c["value"], c["label"]) for c in d.get("choices", [])),
            required=d.get("required", False),
            personal=d.get("personal", False),
            breakdown=d.get("breakdown", False),
            help=d.get("help", ""),
        )
        for d in raw["case_details"]
    )
    index["case_details"] = {d.id: d for d in details}
    rules = raw["rating"]

    def overall_bands(bands: list) -> tuple[OverallBand, ...]:
        ordered = sorted(bands, key=lambda b: b["min_score"])
        return tuple(OverallBand(b["rating"], b["min_score"], b["max_score"]) for b in ordered)

    # A rule whose provenance the file does not give is recalled: never silently confirmed.
    rule_provenance = {rule: rules.get("rule_provenance", {}).get(rule, "recalled") for rule in RULES}
    rating = RatingRules(
        bands=tuple(Band(b["rating"], Fraction(str(b["min_percent"])), b["score"]) for b in rules.get("bands", [])),
        not_rated=rules["not_rated"],
        overall_bands=overall_bands(rules.get("overall_bands", [])),
        unrated_standards=rules["unrated_standards"],
        scheme=rules.get("scheme", "four_point"),
        written_judgement=rules.get("written_judgement", ""),
        reduced_bands=tuple(
            ReducedBands(t["max_score"], overall_bands(t["bands"])) for t in rules.get("reduced_overall_bands", [])
        ),
        rule_provenance=rule_provenance,
    )
    default_labels = {"yes": "Yes", "no": "No", "na": "Not applicable"}
    return Framework(
        id=raw["id"],
        version=raw["version"],
        title=raw["title"],
        provider_types=tuple(raw["provider_types"]),
        person_term=raw.get("person_term", "person on probation"),
        source=raw["source"],
        attribution=raw["attribution"],
        licence=raw["licence"],
        provenance=file_provenance,
        provenance_note=raw.get("provenance_note", ""),
        answer_labels={**default_labels, **raw.get("answer_labels", {})},
        judgement_labels={
            **{"yes": "Sufficient", "no": "Insufficient", "na": "Not applicable"},
            **raw.get("judgement_labels", {}),
        },
        samples=samples,
        domains=domains,
        case_details=details,
        rating=rating,
        content_hash=hashlib.sha256(data).hexdigest(),
        format=raw["format"],
        status=raw.get("status", "current"),
        applies_from=raw.get("applies_from", ""),
        applies_to=raw.get("applies_to", ""),
        status_note=raw.get("status_note", ""),
        sample_rules=build_rules(raw.get("sample_rules", [])),
        source_path=source_name,
        source_bytes=data,
        _index=index,
    )
