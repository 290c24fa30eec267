"""The sheets of a framework workbook, read into a format-2 framework document.

Every value the workbook holds is written into the document explicitly; a blank optional cell
leaves its key out, so the loader's default applies. Each item's workbook row is recorded in
`reader.origins`, so a problem the loader finds later is named by sheet and row.
"""

from __future__ import annotations

from fieldwork.frameworks.model import RULES
from fieldwork.frameworks.workbook_layout import (
    BANDS,
    CASE_DETAILS,
    CHOICES,
    DOMAINS,
    OVERALL_BANDS,
    QUESTIONS,
    RATING_RULES,
    SAMPLE_RULES,
    SAMPLES,
    SETTING_ROWS,
    SETTINGS,
    STANDARDS,
    Column,
)


def _put(target: dict, key: str, value) -> None:
    if value is not None:
        target[key] = value


def _settings(reader, rows) -> tuple[dict, dict[str, int]]:
    specs = {name: (kind, options, required) for name, kind, options, required, _m in SETTING_ROWS}
    values: dict[str, object] = {}
    where: dict[str, int] = {}
    providers: list[str] = []
    setting_column = SETTINGS.column("setting")
    for number, row in rows.rows:
        name = reader.value(SETTINGS.name, number, row, setting_column)
        if name is None:
            continue
        name = name.strip()
        if name not in specs:
            reader.problem(SETTINGS.name, number, "setting", f"'{name}' is not a setting; the settings are: "
                           f"{', '.join(specs)}.")
            continue
        kind, options, required = specs[name]
        column = Column(name, kind, "", choices=options, required=required)
        value = reader.value(SETTINGS.name, number, {name: row.get("value")}, column)
        if name == "provider_type":
            where.setdefault(name, number)
            if value is not None:
                providers.append(value)
            continue
        if name in where:
            reader.problem(SETTINGS.name, number, "setting", f"'{name}' is given twice (also row {where[name]}); "
                           "delete one of the rows.")
            continue
        where[name] = number
        if value is not None:
            values[name] = value
    for name, (_kind, _options, required) in specs.items():
        if required and name not in where:
            reader.problem(SETTINGS.name, None, "setting", f"the setting '{name}' is missing; add a row with "
                           f"'{name}' in column A and its value in column B.")
    values["provider_type"] = providers
    return values, where


def _plain_items(reader, layout, sheets: dict, key: str) -> list[dict]:
    """One table per row, a field per column, each remembered as coming from its row."""
    items: list[dict] = []
    for number, row in sheets[layout.name].rows:
        item: dict = {}
        for column in layout.columns:
            _put(item, column.heading, reader.value(layout.name, number, row, column))
        reader.origins[(key, len(items))] = (layout.name, number)
        items.append(item)
    return items


def build_document(reader, sheets: dict) -> dict:
    settings, where = _settings(reader, sheets[SETTINGS.name])
    for name, number in where.items():
        key = {"provider_type": "provider_types"}.get(name, name)
        if name.startswith(("answer_label_", "judgement_label_")):
            reader.origins[(name.rsplit("_", 1)[0] + "s", name.rsplit("_", 1)[1])] = (SETTINGS.name, number)
        elif name in ("not_rated", "unrated_standards", "written_judgement"):
            reader.origins[("rating", name)] = (SETTINGS.name, number)
        elif name == "rating_scheme":
            reader.origins[("rating", "scheme")] = (SETTINGS.name, number)
        else:
            reader.origins[(key,)] = (SETTINGS.name, number)
    reader.origins[()] = (SETTINGS.name, None)
    document: dict = {"format": 2}
    for name in ("id", "version", "title"):
        _put(document, name, settings.get(name))
    document["provider_types"] = settings["provider_type"]
    for name in ("person_term", "status", "applies_from", "applies_to", "status_note", "source", "attribution",
                 "licence", "provenance", "provenance_note"):
        _put(document, name, settings.get(name))
    for group in ("answer", "judgement"):
        labels = {k: settings[f"{group}_label_{k}"] for k in ("yes", "no", "na") if f"{group}_label_{k}" in settings}
        document[f"{group}_labels"] = labels

    document["samples"] = _plain_items(reader, SAMPLES, sheets, "samples")
    document["domains"] = _plain_items(reader, DOMAINS, sheets, "domains")

    standards: dict[str, tuple[int, dict]] = {}
    document["standards"] = []
    for number, row in sheets[STANDARDS.name].rows:
        item = {}
        for column in STANDARDS.columns:
            _put(item, column.heading, reader.value(STANDARDS.name, number, row, column))
        item["key_questions"] = []
        index = len(document["standards"])
        reader.origins[("standards", index)] = (STANDARDS.name, number)
        document["standards"].append(item)
        if "id" in item and item["id"] not in standards:
            standards[item["id"]] = (index, item)
    _questions(reader, sheets[QUESTIONS.name], standards)
    for index, item in enumerate(document["standards"]):
        if not item["key_questions"] and "id" in item:
            reader.problem(STANDARDS.name, reader.origins[("standards", index)][1], "id",
                           f"standard '{item['id']}' has no key question; add one on the Questions sheet "
                           "(belongs_to = its id) or delete the standard.")

    document["case_details"] = _case_details(reader, sheets[CASE_DETAILS.name], sheets[CHOICES.name])
    rules = _sample_rules(reader, sheets[SAMPLE_RULES.name], document["case_details"])
    if rules:
        document["sample_rules"] = rules
    document["rating"] = _rating(reader, settings, sheets)
    return document


def _questions(reader, rows, standards: dict) -> None:
    key_questions: dict[str, tuple[tuple, dict]] = {}
    for number, row in rows.rows:
        kind = reader.value(QUESTIONS.name, number, row, QUESTIONS.column("type"))
        if kind is None:
            continue
        is_kq = kind == "key question"
        item: dict = {}
        for column in QUESTIONS.columns:
            if column.heading in ("type", "belongs_to"):
                continue
            if not is_kq and column.heading in ("lens", "na_reason_required", "rated", "from_question"):
                if row.get(column.heading) not in (None, ""):
                    reader.problem(QUESTIONS.name, number, column.heading, "a prompt has no "
                                   f"{column.heading}; leave this cell blank.")
                continue
            required = True if is_kq and column.heading in ("na_reason_required", "rated") else None
            _put(item, column.heading, reader.value(QUESTIONS.name, number, row, column, required_here=required))
        parent = reader.value(QUESTIONS.name, number, row, QUESTIONS.column("belongs_to"))
        if parent is None:
            continue
        if is_kq:
            if parent not in standards:
                reader.problem(QUESTIONS.name, number, "belongs_to", f"'{parent}' is not the id of a standard on "
                               "the Standards sheet; correct it or add the standard.")
                continue
            s_index, standard = standards[parent]
            path = ("standards", s_index, "key_questions", len(standard["key_questions"]))
            standard["key_questions"].append(item)
            if "id" in item and item["id"] not in key_questions:
                key_questions[item["id"]] = (path, item)
        else:
            if parent not in key_questions:
                reader.problem(QUESTIONS.name, number, "belongs_to", f"'{parent}' is not the id of a key question on "
                               "a row above; a prompt names its key question, which comes first.")
                continue
            kq_path, question = key_questions[parent]
            prompts = question.setdefault("prompts", [])
            path = (*kq_path, "prompts", len(prompts))
            prompts.append(item)
        reader.origins[path] = (QUESTIONS.name, number)


def _typed(value: str, detail: dict | None):
    """A rule's value as the framework file writes it: booleans and whole numbers typed, as their
    detail is (the workbook holds the stored form: true/false, digits)."""
    kind = (detail or {}).get("type")
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    if kind == "integer" and value.lstrip("-").isdigit():
        return int(value)
    return value


def _sample_rules(reader, rows, details: list[dict]) -> list[dict]:
    """Rows grouped by rule number (lowest first) into [[sample_rules]] with their `when`."""
    by_id = {d["id"]: d for d in details if "id" in d}
    grouped: dict[int, dict] = {}
    for number, row in rows.rows:
        values = {c.heading: reader.value(SAMPLE_RULES.name, number, row, c) for c in SAMPLE_RULES.columns}
        if values["rule"] is None or values["field"] is None:
            continue
        rule = grouped.setdefault(values["rule"], {"sample": values["sample"], "when": {}, "row": number})
        if values["sample"] != rule["sample"]:
            reader.problem(SAMPLE_RULES.name, number, "sample", f"rule {values['rule']} names sample "
                           f"'{rule['sample']}' on an earlier row; a rule chooses one sample, so use the same id.")
        if values["description"] and "description" not in rule:
            rule["description"] = values["description"]
        field, when = values["field"], rule["when"]
        has_range = values["at_least"] is not None or values["at_most"] is not None
        if (values["value"] is None) == (not has_range):
            reader.problem(SAMPLE_RULES.name, number, "value", "give either a value, or at_least / at_most, "
                           "on each row.")
            continue
        if has_range:
            if field in when:
                reader.problem(SAMPLE_RULES.name, number, "field", f"'{field}' already has a condition in rule "
                               f"{values['rule']}; give a range on one row only.")
                continue
            when[field] = {k: values[k] for k in ("at_least", "at_most") if values[k] is not None}
        else:
            existing = when.setdefault(field, [])
            if isinstance(existing, dict):
                reader.problem(SAMPLE_RULES.name, number, "value", f"'{field}' has a range in rule "
                               f"{values['rule']}; a condition is a range or values, not both.")
                continue
            existing.append(_typed(values["value"], by_id.get(field)))
    rules = []
    for number in sorted(grouped):
        rule = grouped[number]
        reader.origins[("sample_rules", len(rules))] = (SAMPLE_RULES.name, rule.pop("row"))
        rules.append(rule)
    return rules


def _case_details(reader, rows, choice_rows) -> list[dict]:
    details: list[dict] = []
    by_id: dict[str, dict] = {}
    for number, row in rows.rows:
        item = {}
        for column in CASE_DETAILS.columns:
            _put(item, column.heading, reader.value(CASE_DETAILS.name, number, row, column))
        reader.origins[("case_details", len(details))] = (CASE_DETAILS.name, number)
        details.append(item)
        if "id" in item:
            by_id.setdefault(item["id"], item)
    for number, row in choice_rows.rows:
        values = {c.heading: reader.value(CHOICES.name, number, row, c) for c in CHOICES.columns}
        if values["field"] is None:
            continue
        detail = by_id.get(values["field"])
        if detail is None:
            reader.problem(CHOICES.name, number, "field", f"'{values['field']}' is not the id of a case detail on "
                           "the Case details sheet; correct it.")
            continue
        choices = detail.setdefault("choices", [])
        index = details.index(detail)
        reader.origins[("case_details", index, "choices", len(choices))] = (CHOICES.name, number)
        choices.append({k: v for k, v in values.items() if k != "field" and v is not None})
    return details


def _rating(reader, settings: dict, sheets: dict) -> dict:
    rating: dict = {}
    _put(rating, "scheme", settings.get("rating_scheme"))
    _put(rating, "written_judgement", settings.get("written_judgement"))
    _put(rating, "not_rated", settings.get("not_rated"))
    _put(rating, "unrated_standards", settings.get("unrated_standards"))
    bands = []
    for number, row in sheets[BANDS.name].rows:
        band = {}
        for column in BANDS.columns:
            _put(band, column.heading, reader.value(BANDS.name, number, row, column))
        reader.origins[("rating", "bands", len(bands))] = (BANDS.name, number)
        bands.append(band)
    reader.origins[("rating", "bands")] = (BANDS.name, None)
    if bands:
        rating["bands"] = bands
    overall: list[dict] = []
    reduced: dict[int, dict] = {}
    for number, row in sheets[OVERALL_BANDS.name].rows:
        out_of = reader.value(OVERALL_BANDS.name, number, row, OVERALL_BANDS.column("out_of"))
        band = {}
        for column in OVERALL_BANDS.columns[1:]:
            _put(band, column.heading, reader.value(OVERALL_BANDS.name, number, row, column))
        if out_of is None:
            reader.origins[("rating", "overall_bands", len(overall))] = (OVERALL_BANDS.name, number)
            overall.append(band)
            continue
        if out_of not in reduced:
            reduced[out_of] = {"max_score": out_of, "bands": []}
            reader.origins[("rating", "reduced_overall_bands", len(reduced) - 1)] = (OVERALL_BANDS.name, number)
        table = reduced[out_of]
        index = list(reduced).index(out_of)
        reader.origins[("rating", "reduced_overall_bands", index, "bands", len(table["bands"]))] = (
            OVERALL_BANDS.name, number)
        table["bands"].append(band)
    reader.origins[("rating", "overall_bands")] = (OVERALL_BANDS.name, None)
    if overall:
        rating["overall_bands"] = overall
    if reduced:
        rating["reduced_overall_bands"] = list(reduced.values())
    provenance: dict[str, str] = {}
    for number, row in sheets[RATING_RULES.name].rows:
        rule = reader.value(RATING_RULES.name, number, row, RATING_RULES.column("rule"))
        value = reader.value(RATING_RULES.name, number, row, RATING_RULES.column("provenance"))
        if rule is None or value is None:
            continue
        if rule in provenance:
            reader.problem(RATING_RULES.name, number, "rule", f"'{rule}' is given twice; delete one of the rows.")
            continue
        reader.origins[("rating", "rule_provenance", rule)] = (RATING_RULES.name, number)
        provenance[rule] = value
    rating["rule_provenance"] = {rule: provenance[rule] for rule in RULES if rule in provenance}
    reader.origins[("rating",)] = (SETTINGS.name, None)
    return rating
