"""What changed between two versions of a framework, in words an inspector reads.

Questions are matched by id (answers are kept by id), so a question whose id is kept but whose
wording changed is "reworded", one that moved to another standard is "moved", and one whose
standard now takes its cases from another sample is "moved between samples".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from fieldwork.frameworks.model import RULES, Framework


@dataclass(frozen=True)
class Change:
    # added | removed | renamed | reworded | renumbered | moved | moved_sample | guidance | provenance | rating | ...
    kind: str
    item: str  # the id of the question, standard or rule; "" for the framework itself
    words: str

    def as_dict(self) -> dict:
        return asdict(self)


def _questions(fw: Framework) -> dict[str, tuple[str, object, object]]:
    """id → ("key question" | "prompt", the item, its standard)."""
    found = {}
    for standard in fw.standards:
        for kq in standard.key_questions:
            found[kq.id] = ("key question", kq, standard)
            for prompt in kq.prompts:
                found[prompt.id] = ("prompt", prompt, standard)
    return found


def _quote(text: str) -> str:
    return f"“{text}”"


def framework_changes(old: Framework, new: Framework) -> list[Change]:
    changes: list[Change] = []
    add = changes.append
    old_q, new_q = _questions(old), _questions(new)
    old_std = {s.id: s for s in old.standards}
    new_std = {s.id: s for s in new.standards}

    for sid, standard in new_std.items():
        if sid not in old_std:
            add(Change("added", sid, f"Standard {standard.name} was added."))
    for sid, standard in old_std.items():
        if sid not in new_std:
            add(Change("removed", sid, f"Standard {standard.name} was removed."))
            continue
        after = new_std[sid]
        if standard.shown_number != after.shown_number:
            add(Change("renumbered", sid, f"Standard {standard.name} is now numbered {after.shown_number}."))
        if standard.title != after.title:
            add(Change("reworded", sid, f"Standard {after.shown_number} was retitled from {_quote(standard.title)} "
                       f"to {_quote(after.title)}."))
        if standard.statement != after.statement:
            add(Change("reworded", sid, f"The statement of standard {after.shown_number} was reworded to "
                       f"{_quote(after.statement)}."))
        if standard.sample_id != after.sample_id and after.sample_id and standard.sample_id:
            add(Change("moved_sample", sid, f"Standard {after.name} is now answered for the cases of sample "
                       f"'{new.sample(after.sample_id).title}' (was '{old.sample(standard.sample_id).title}')."))
        if (standard.basis, standard.rated, standard.counts_in_overall) != (
                after.basis, after.rated, after.counts_in_overall):
            add(Change("rating", sid, f"Standard {after.name} is now {_standard_rating(after)} "
                       f"(was {_standard_rating(standard)})."))

    # A question the new text says was renamed (renamed_from) is one question under a new id:
    # its answers carry over when an inspection moves (decision 0042), so it is not added + removed.
    renamed = {o: n for o, n in new.renamed_ids().items() if o in old_q and o not in new_q and n not in old_q}
    for old_id, new_id in renamed.items():
        kind, item, standard = new_q[new_id]
        add(Change("renamed", new_id, f"The {old_q[old_id][0]} {old_id} is now the {kind} {new_id} in standard "
                   f"{standard.shown_number}; answers given to {old_id} carry over."))
        if old_q[old_id][1].text != item.text:
            add(Change("reworded", new_id, f"The {kind} {new_id} (was {old_id}) was reworded from "
                       f"{_quote(old_q[old_id][1].text)} to {_quote(item.text)}."))
    carried = set(renamed.values())
    for qid, (kind, item, standard) in new_q.items():
        if qid not in old_q and qid not in carried:
            add(Change("added", qid, f"The {kind} {qid} was added to standard {standard.shown_number}: "
                       f"{_quote(item.text)}"))
    for qid, (kind, item, standard) in old_q.items():
        if qid in renamed:
            continue
        if qid not in new_q:
            add(Change("removed", qid, f"The {kind} {qid} was removed from standard {standard.shown_number} "
                       f"(it read {_quote(item.text)}); answers given to it are kept."))
            continue
        new_kind, after, new_standard = new_q[qid]
        if new_kind != kind:
            add(Change("moved", qid, f"{qid} was a {kind} and is now a {new_kind}."))
        if item.text != after.text:
            add(Change("reworded", qid, f"The {new_kind} {qid} was reworded from {_quote(item.text)} to "
                       f"{_quote(after.text)}."))
        if new_standard.id != standard.id:
            add(Change("moved", qid, f"The {new_kind} {qid} moved from standard {standard.shown_number} to "
                       f"standard {new_standard.shown_number}."))
        elif new_standard.shown_number != standard.shown_number:
            add(Change("renumbered", qid, f"The {new_kind} {qid} is now under standard number "
                       f"{new_standard.shown_number} (was {standard.shown_number})."))
        if (standard.sample_id != new_standard.sample_id and standard.sample_id and new_standard.sample_id
                and new_kind == "key question"):
            add(Change("moved_sample", qid, f"The key question {qid} is now answered for the cases of sample "
                       f"'{new.sample(new_standard.sample_id).title}' (was '{old.sample(standard.sample_id).title}')."))
        if item.guidance != after.guidance:
            words = "now has guidance" if not item.guidance else (
                "no longer has guidance" if not after.guidance else "has new guidance")
            add(Change("guidance", qid, f"The {new_kind} {qid} {words}."))
        if item.provenance != after.provenance:
            add(Change("provenance", qid, f"The wording of {qid} is now {after.provenance} "
                       f"(was {item.provenance})."))
        if item.allow_na != after.allow_na:
            now = "may now be answered Not applicable" if after.allow_na else "may no longer be answered Not applicable"
            add(Change("answers", qid, f"The {new_kind} {qid} {now}."))
        if new_kind == "key question" and kind == new_kind and item.rated != after.rated:
            now = "counts in its standard's rating again" if after.rated else "is now reported, not rated"
            add(Change("rating", qid, f"The key question {qid} {now}."))

    changes.extend(_rating_changes(old, new))
    return changes


def _standard_rating(standard) -> str:
    if not standard.rated:
        return "reported, not rated"
    basis = standard.basis_text
    return basis if standard.counts_in_overall else f"{basis}, outside the overall rating"


def _rating_changes(old: Framework, new: Framework) -> list[Change]:
    out = []
    a, b = old.rating, new.rating
    if a.scheme != b.scheme:
        out.append(Change("rating", "scheme", f"The rating scheme changed from {a.scheme} to {b.scheme}."))
    def bands(rules) -> str:
        return ", ".join(f"{x.rating} from {float(x.min_percent):g}% (score {x.score})" for x in rules.bands)

    if bands(a) != bands(b):
        out.append(Change("rating", "bands", f"The key-question bands are now: {bands(b) or 'none'} "
                          f"(were: {bands(a) or 'none'})."))
    def overall(table) -> str:
        return ", ".join(f"{x.min_score}–{x.max_score} {x.rating}" for x in table)

    if overall(a.overall_bands) != overall(b.overall_bands):
        out.append(Change("rating", "overall_bands", "The overall bands are now: "
                          f"{overall(b.overall_bands) or 'none'} (were: {overall(a.overall_bands) or 'none'})."))
    def reduced(rules) -> str:
        return "; ".join(f"out of {t.max_score}: {overall(t.bands)}" for t in rules.reduced_bands)

    if reduced(a) != reduced(b):
        out.append(Change("rating", "reduced_overall_bands", f"The overall bands for a reduced maximum are now: "
                          f"{reduced(b) or 'none'} (were: {reduced(a) or 'none'})."))
    for name, label in (("unrated_standards", "What happens while a standard is not rated"),
                        ("not_rated", "The label of a standard not yet rated"),
                        ("written_judgement", "The label of the written judgement")):
        if getattr(a, name) != getattr(b, name):
            out.append(Change("rating", name, f"{label} changed from '{getattr(a, name)}' to '{getattr(b, name)}'."))
    for rule in RULES:
        if a.provenance_of(rule) != b.provenance_of(rule):
            out.append(Change("rating", rule, f"The rule '{RULES[rule]}' is now {b.provenance_of(rule)} "
                              f"(was {a.provenance_of(rule)})."))
    old_max, new_max = a.top_score * len(old.rated_standards), b.top_score * len(new.rated_standards)
    if a.four_point and b.four_point and old_max != new_max:
        out.append(Change("rating", "max_score", f"The maximum overall score is now {new_max} (was {old_max})."))
    return out


def diff_summary(old: Framework, new: Framework, changes: list[Change]) -> dict:
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    return {
        "old": {"id": old.id, "version": old.version, "hash": old.content_hash},
        "new": {"id": new.id, "version": new.version, "hash": new.content_hash},
        "same_content": old.content_hash == new.content_hash,
        "counts": counts,
        "changes": [c.as_dict() for c in changes],
    }
