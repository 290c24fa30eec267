"""The practice inspection: a fictional provider with a dozen cases in different states.

Everything here is invented. It is built through the same core calls the app uses, so the
practice data is as real to the screens as an inspector's own work.
"""

from __future__ import annotations

import datetime as dt
import random
import re

from fieldwork.errors import NotFoundError
from fieldwork.frameworks.catalogue import list_frameworks
from fieldwork.frameworks.model import Answer, Framework
from fieldwork.store import Store
from fieldwork.store.assessments import set_answer, set_status
from fieldwork.store.inspections import add_case, create_inspection, list_inspections
from fieldwork.store.records import Inspection

# A current programme (issue 17): the 2023 PDU standards, as a lead starting today would use.
# The provider is invented; "PDU" is the provider type HMI Probation inspects under them.
DEMO_FRAMEWORK_ID = "hmip-probation-pdu-2023"
DEMO_PROVIDER = "Northshire and Wolds PDU"

_STRENGTHS = (
    "The assessment drew on the pre-sentence report, previous convictions and police call-out information, "
    "and analysed the pattern of offending clearly.",
    "The responsible officer built a good working relationship early; appointments were arranged around the "
    "person's shift work and attendance was consistent.",
    "Home visits were carried out when concerns about the partner's safety were raised, and the outcome was "
    "recorded with clear next steps.",
    "The plan set out the accredited programme, the rehabilitation activity days and the order in which they "
    "would be delivered, with the person's own goals written in their words.",
    "Information was shared promptly with children's social care and the police domestic abuse unit, and "
    "their responses were used to update the risk management plan.",
    "The review considered progress on accommodation and employment and adjusted the plan when the person "
    "moved to a new address.",
)
_GAPS = (
    "Domestic abuse call-out information was requested but never followed up, so the risk to the ex-partner "
    "was not analysed.",
    "The assessment did not consider how the person's mental health would affect their ability to comply "
    "with the order.",
    "There was no contingency plan for a return to drug use, despite this being the main factor linked to "
    "the index offence.",
    "Missed appointments were accepted without challenge on three occasions and enforcement was not considered.",
    "No formal review took place after the arrest for a new offence, so the plan was not updated.",
    "The person was not involved in the plan; objectives were generic and copied from a previous order.",
)
_NA_REASONS = (
    "No review was due in the period inspected: the order started seven weeks before the case was read.",
    "There are no indications of risk of serious harm to others; the RoSH screening was appropriate.",
)
_LDUS = ("Northshire Central", "Wolds Coast", "Eastfield and Marr")


def suggest_inspection_id(provider: str, start: str | None) -> str:
    """A readable id from the provider's initials and the fieldwork month, e.g. NWC-2026-11."""
    initials = "".join(
        word[0] for word in re.findall(r"[A-Za-z0-9]+", provider) if word[0].isupper() or word[0].isdigit()
    )
    month = (start or dt.date.today().isoformat())[:7]
    return f"{initials or 'INSP'}-{month}"


def demo_framework(data_dir=None) -> Framework:
    usable = [e.framework for e in list_frameworks(data_dir) if e.framework]
    for framework in usable:
        if framework.id == DEMO_FRAMEWORK_ID:
            return framework
    if not usable:
        raise NotFoundError("No usable framework file was found, so the practice inspection cannot be made.")
    return usable[0]


def _demo_details(framework: Framework, rng: random.Random, index: int) -> dict[str, str]:
    wanted = {
        "ldu": _LDUS[index % len(_LDUS)],
        "team": _LDUS[index % len(_LDUS)],
        "sentence_type": rng.choice(
            ["community_order", "suspended_sentence_order", "licence", "post_sentence_supervision"]
        ),
        "rosh": rng.choice(["low", "medium", "medium", "high", "very_high"]),
        "gender": rng.choice(["male", "male", "male", "female"]),
        "age": str(rng.randint(19, 58)),
        "start_date": (dt.date(2026, 3, 1) + dt.timedelta(days=rng.randint(0, 150))).isoformat(),
        "domestic_abuse": rng.choice(["yes", "no"]),
        "child_safeguarding": rng.choice(["yes", "no", "no"]),
        "ro_interviewed": rng.choice(["yes", "yes", "no"]),
        "person_interviewed": rng.choice(["yes", "no", "no"]),
    }
    details = {}
    for field_id, raw in wanted.items():
        if framework.question_kind(field_id) != "case_detail":
            continue
        try:
            details[field_id] = framework.case_detail(field_id).normalise(raw)
        except ValueError:
            continue  # a framework whose allowed values differ: leave the field empty
    return details


def _answer_case(store: Store, framework: Framework, case, rng: random.Random, share: float) -> None:
    """Answer the first `share` of the case's key questions with prompts and evidence."""
    questions = framework.key_questions_for_sample(case.sample_id)
    for question in questions[: round(len(questions) * share)]:
        roll = rng.random()
        if question.allow_na and roll < 0.12:
            set_answer(store, case.id, question.id, value=Answer.NA, note=rng.choice(_NA_REASONS))
            continue
        judgement = Answer.YES if roll < 0.68 else Answer.NO
        for prompt in question.prompts:
            prompt_yes = rng.random() < (0.85 if judgement == Answer.YES else 0.4)
            set_answer(store, case.id, prompt.id, value=Answer.YES if prompt_yes else Answer.NO)
        evidence = rng.choice(_STRENGTHS) if judgement == Answer.YES else rng.choice(_GAPS)
        if rng.random() < 0.5:
            evidence += " " + rng.choice(_GAPS if judgement == Answer.YES else _STRENGTHS)
        set_answer(store, case.id, question.id, value=judgement, note=evidence)


def create_demo_inspection(store: Store, *, seed: int = 2018) -> Inspection:
    """Create (once) the practice inspection in this store and return it."""
    for existing in list_inspections(store):
        if existing.is_demo:
            return existing
    framework = demo_framework(store.path.parent)
    rng = random.Random(seed)
    taken = {i.id for i in list_inspections(store)}
    inspection_id = "PRACTICE-NWC" if "PRACTICE-NWC" not in taken else f"PRACTICE-NWC-{len(taken)}"
    inspection = create_inspection(
        store,
        inspection_id=inspection_id,
        provider=DEMO_PROVIDER,
        provider_type=framework.provider_types[0],
        framework=framework,
        fieldwork_start="2026-11-09",
        fieldwork_end="2026-11-20",
        lead_id=store.actor,  # the practice profile is both lead and inspector, to see every screen
        is_demo=True,
    )
    samples = [framework.default_sample.id] * 10 + [s.id for s in framework.samples if not s.default][:2]
    while len(samples) < 12:
        samples.append(framework.default_sample.id)
    # How far each case has got: three complete, five under way, four not started.
    shares = [1.0, 1.0, 1.0, 0.75, 0.5, 0.5, 0.25, 0.1, 0.0, 0.0, 0.0, 0.0]
    for index, (sample_id, share) in enumerate(zip(samples, shares, strict=True)):
        if not framework.key_questions_for_sample(sample_id):
            sample_id = framework.default_sample.id
        case = add_case(
            store,
            inspection,
            f"NW{2611 + index * 37:05d}",
            sample_id=sample_id,
            inspector_id=store.actor,
            details=_demo_details(framework, rng, index),
            source="practice",
        )
        _answer_case(store, framework, case, rng, share)
        if share == 1.0:
            for missing in _missing_after(store, case.id):
                set_answer(store, case.id, missing.question_id, note=rng.choice(_GAPS))
            set_status(store, case.id, "complete")
    return inspection


def _missing_after(store: Store, case_id: str):
    from fieldwork.store.assessments import load_assessment

    return [m for m in load_assessment(store, case_id).completion_problems() if m.kind != "required_detail"]
