"""A framework as plain JSON-ready data, for `fieldwork frameworks show` and other tools."""

from __future__ import annotations

from fieldwork.frameworks.model import Framework


def choice_label(framework: Framework) -> str:
    """How a framework is offered for a new inspection: historic ones say so first."""
    label = f"{framework.title} ({framework.version})"
    return f"Historic: {label}" if framework.historic else label


def status_sentence(framework: Framework) -> str:
    """One sentence on whether the programme is current, and when it applied."""
    period = f", {framework.period}" if framework.period else ""
    if framework.historic:
        text = f"Historic{period}: kept to read or re-analyse earlier inspections."
    else:
        text = f"Current programme{period}."
    return f"{text} {framework.status_note}".strip()


def framework_summary(framework: Framework) -> dict:
    return {
        "id": framework.id,
        "version": framework.version,
        "title": framework.title,
        "provider_types": list(framework.provider_types),
        "standards": len(framework.standards),
        "key_questions": sum(len(s.key_questions) for s in framework.standards),
        "hash": framework.content_hash,
        "status": framework.status,
        "applies_from": framework.applies_from or None,
        "applies_to": framework.applies_to or None,
        "status_note": framework.status_note,
        "person_term": framework.person_term,
        "scheme": framework.rating.scheme,
    }


def framework_to_dict(framework: Framework) -> dict:
    """The whole parsed framework: ids, wording, bases, samples, fields and rating rules."""
    return {
        "format": framework.format,
        "id": framework.id,
        "version": framework.version,
        "title": framework.title,
        "hash": framework.content_hash,
        "provider_types": list(framework.provider_types),
        "person_term": framework.person_term,
        "status": framework.status,
        "applies_from": framework.applies_from or None,
        "applies_to": framework.applies_to or None,
        "status_note": framework.status_note,
        "source": framework.source,
        "attribution": framework.attribution,
        "licence": framework.licence,
        "provenance": framework.provenance,
        "provenance_note": framework.provenance_note,
        "answer_labels": framework.answer_labels,
        "judgement_labels": framework.judgement_labels,
        "samples": [
            {"id": s.id, "title": s.title, "default": s.default, "description": s.description}
            for s in framework.samples
        ],
        "sample_rules": [
            {
                "sample": rule.sample_id,
                "when": {
                    c.field_id: list(c.values) if c.values else {
                        k: v for k, v in (("at_most", c.at_most), ("at_least", c.at_least)) if v is not None
                    }
                    for c in rule.conditions
                },
                "description": rule.description,
            }
            for rule in framework.sample_rules
        ],
        "domains": [
            {"id": d.id, "title": d.title, "provenance": d.provenance, "standards": [s.id for s in d.standards]}
            for d in framework.domains
        ],
        "standards": [
            {
                "id": s.id,
                "domain": s.domain_id,
                "title": s.title,
                "statement": s.statement,
                "basis": s.basis,
                "sample": s.sample_id,
                "provenance": s.provenance,
                "rated": s.rated,
                "number": s.shown_number,
                "statement_provenance": s.statement_provenance or None,
                "counts_in_overall": s.counts_in_overall,
                "combined_from": {"framework": s.from_framework, "version": s.from_version, "sample": s.from_sample}
                if s.combined else None,
                "key_questions": [
                    {
                        "id": kq.id,
                        "text": kq.text,
                        "lens": kq.lens,
                        "allow_na": kq.allow_na,
                        "na_reason_required": kq.na_reason_required,
                        "guidance": kq.guidance,
                        "provenance": kq.provenance,
                        "rated": kq.rated,
                        "from_question": kq.from_question or None,
                        "renamed_from": list(kq.renamed_from),
                        "prompts": [
                            {
                                "id": p.id,
                                "text": p.text,
                                "allow_na": p.allow_na,
                                "provenance": p.provenance,
                                "guidance": p.guidance,
                                "renamed_from": list(p.renamed_from),
                            }
                            for p in kq.prompts
                        ],
                    }
                    for kq in s.key_questions
                ],
            }
            for s in framework.standards
        ],
        "case_details": [
            {
                "id": f.id,
                "label": f.label,
                "type": f.type,
                "choices": [{"value": c.value, "label": c.label} for c in f.choices],
                "required": f.required,
                "personal": f.personal,
                "breakdown": f.breakdown,
                "help": f.help,
            }
            for f in framework.case_details
        ],
        "rating": {
            "bands": [
                {"rating": b.rating, "min_percent": float(b.min_percent), "score": b.score}
                for b in framework.rating.bands
            ],
            "not_rated": framework.rating.not_rated,
            "overall_bands": [
                {"rating": b.rating, "min_score": b.min_score, "max_score": b.max_score}
                for b in framework.rating.overall_bands
            ],
            "unrated_standards": framework.rating.unrated_standards,
            "max_score": framework.rating.top_score * len(framework.rated_standards),
            "scheme": framework.rating.scheme,
            "written_judgement": framework.rating.written_judgement or None,
            "reduced_overall_bands": [
                {
                    "max_score": t.max_score,
                    "bands": [
                        {"rating": b.rating, "min_score": b.min_score, "max_score": b.max_score} for b in t.bands
                    ],
                }
                for t in framework.rating.reduced_bands
            ],
            "rule_provenance": dict(framework.rating.rule_provenance),
        },
    }
