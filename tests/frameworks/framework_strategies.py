"""Hypothesis strategies for valid format-2 framework documents (the dict a file parses to).

Built valid by construction: ids unique, one default sample, every case standard naming a
sample, a rated key question in every rated case standard, bands from the highest down to 0 and
overall bands running from 0 to the maximum the standards give.
"""

from __future__ import annotations

from hypothesis import strategies as st

from fieldwork.frameworks.model import RULES
from fieldwork.frameworks.toml_writer import dumps

# Any printable text, with line breaks, spaces at the ends and a leading "=" now and then:
# a workbook must hold all of it as text.
_letters = st.characters(blacklist_categories=("Cs", "Cc"), max_codepoint=0x2FFFF)
text = st.one_of(
    st.text(_letters, min_size=1, max_size=30),
    st.builds(lambda a, b: f"{a}\n{b}", st.text(_letters, min_size=1, max_size=10), st.text(_letters, max_size=10)),
    st.builds(lambda a: f"={a}", st.text(_letters, max_size=10)),
    st.sampled_from([" padded ", "1.0", "007", "TRUE", "yes", "2025-10"]),
).filter(lambda t: t.strip() != "" or t == "")
optional_text = st.one_of(st.just(""), text)
provenance = st.sampled_from(["confirmed", "recalled"])
period = st.sampled_from(["2021", "2023-10", "2025-04-01"])


def _maybe(draw, target: dict, key: str, strategy) -> None:
    if draw(st.booleans()):
        target[key] = draw(strategy)


@st.composite
def framework_documents(draw) -> dict:
    counter = iter(range(10_000))

    def new_id(prefix: str) -> str:
        start = draw(st.sampled_from([prefix, prefix.upper(), ""]))
        return f"{start}{next(counter)}{draw(st.sampled_from(['', '.a', '-b', '_c']))}"

    samples = [{"id": new_id("s"), "title": draw(text)} for _ in range(draw(st.integers(1, 3)))]
    samples[draw(st.integers(0, len(samples) - 1))]["default"] = True
    for sample in samples:
        _maybe(draw, sample, "description", text)
    domains = [{"id": new_id("d"), "title": draw(text)} for _ in range(draw(st.integers(1, 3)))]
    for domain in domains:
        _maybe(draw, domain, "provenance", provenance)
    standards = []
    for _ in range(draw(st.integers(1, 4))):
        standard = {"id": new_id("std"), "domain": draw(st.sampled_from(domains))["id"], "title": draw(text),
                    "basis": draw(st.sampled_from(["cases", "premises", "judgement"]))}
        if standard["basis"] == "cases":
            standard["sample"] = draw(st.sampled_from(samples))["id"]
        for key, strategy in (("statement", text), ("provenance", provenance), ("statement_provenance", provenance),
                              ("rated", st.booleans()), ("counts_in_overall", st.booleans()),
                              ("number", st.text("0123456789.AB", min_size=1, max_size=6))):
            _maybe(draw, standard, key, strategy)
        questions = []
        for index in range(draw(st.integers(1, 3))):
            question = {"id": new_id("q"), "text": draw(text)}
            allow_na = draw(st.booleans())
            question["allow_na"] = allow_na
            if allow_na:
                _maybe(draw, question, "na_reason_required", st.booleans())
            for key, strategy in (("lens", text), ("guidance", optional_text), ("provenance", provenance)):
                _maybe(draw, question, key, strategy)
            if index > 0:
                _maybe(draw, question, "rated", st.booleans())
            if draw(st.booleans()):  # earlier ids: fresh ones, so never a question of this text
                question["renamed_from"] = [new_id("old") for _ in range(draw(st.integers(1, 2)))]
            prompts = []
            for _ in range(draw(st.integers(0, 2))):
                prompt = {"id": new_id("p"), "text": draw(text)}
                for key, strategy in (("allow_na", st.booleans()), ("provenance", provenance),
                                      ("guidance", optional_text)):
                    _maybe(draw, prompt, key, strategy)
                if draw(st.booleans()):
                    prompt["renamed_from"] = [new_id("old")]
                prompts.append(prompt)
            if prompts:
                question["prompts"] = prompts
            questions.append(question)
        standard["key_questions"] = questions
        standards.append(standard)
    details = []
    for _ in range(draw(st.integers(0, 3))):
        detail = {"id": new_id("f"), "label": draw(text),
                  "type": draw(st.sampled_from(["text", "choice", "date", "integer", "boolean"]))}
        if detail["type"] == "choice":
            detail["choices"] = [{"value": new_id("v"), "label": draw(text)} for _ in range(draw(st.integers(1, 3)))]
        for key in ("required", "personal", "breakdown"):
            _maybe(draw, detail, key, st.booleans())
        _maybe(draw, detail, "help", text)
        details.append(detail)
    rating: dict = {"not_rated": draw(text),
                    "unrated_standards": draw(st.sampled_from(["reduced_maximum", "provisional", "not_rated"]))}
    if draw(st.booleans()):
        rating["scheme"] = "sufficiency"
        rating["written_judgement"] = draw(text)
        for standard in standards:  # nothing four-point to compute from the premises' answers
            if standard["basis"] == "premises":
                standard["basis"] = "judgement"
    else:
        scores = sorted(draw(st.lists(st.integers(0, 5), min_size=1, max_size=4, unique=True)), reverse=True)
        mins = sorted(draw(st.lists(st.sampled_from([10, 33.5, 50, 65, 80, 99.25]), min_size=len(scores) - 1,
                                    max_size=len(scores) - 1, unique=True)), reverse=True) + [0]
        rating["bands"] = [{"rating": f"{draw(text)}{i}", "min_percent": m, "score": s}
                           for i, (m, s) in enumerate(zip(mins, scores, strict=True))]
        counted = [s for s in standards if s.get("rated", True) and s.get("counts_in_overall", True)]
        top = max(scores)
        maximum = top * len(counted)
        cuts = sorted(draw(st.lists(st.integers(1, max(maximum, 1)), max_size=3, unique=True)))
        cuts = [c for c in cuts if c <= maximum]
        edges = [0, *cuts, maximum + 1]
        rating["overall_bands"] = [{"rating": draw(text), "min_score": lo, "max_score": hi - 1}
                                   for lo, hi in zip(edges, edges[1:], strict=False) if hi - 1 >= lo]
        if top and len(counted) > 1 and draw(st.booleans()):
            reduced = top * (len(counted) - 1)
            rating["reduced_overall_bands"] = [{"max_score": reduced, "bands": [
                {"rating": draw(text), "min_score": 0, "max_score": reduced}]}]
    rating["rule_provenance"] = {rule: draw(provenance) for rule in RULES if draw(st.booleans())}
    document = {
        "format": 2, "id": new_id("fw"), "version": draw(text), "title": draw(text),
        "provider_types": draw(st.lists(text, min_size=1, max_size=3)), "person_term": draw(text),
        "status": draw(st.sampled_from(["current", "historic"])), "applies_from": "2021",
        "source": draw(text), "attribution": draw(text), "licence": draw(text), "provenance": draw(provenance),
    }
    if document["status"] == "historic" or draw(st.booleans()):
        document["applies_to"] = draw(period)
    for key in ("status_note", "provenance_note"):
        _maybe(draw, document, key, optional_text)
    for group in ("answer_labels", "judgement_labels"):
        if draw(st.booleans()):
            document[group] = {k: draw(text) for k in ("yes", "no", "na") if draw(st.booleans())}
    document.update(samples=samples, domains=domains, standards=standards, case_details=details, rating=rating)
    return document


def toml_bytes(document: dict) -> bytes:
    return dumps(document).encode("utf-8")
