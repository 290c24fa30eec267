"""Inspections and their pinned frameworks, and the cases sampled into them."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping

from fieldwork.errors import NotFoundError, ValidationError
from fieldwork.frameworks.loader import parse_framework
from fieldwork.frameworks.model import Framework
from fieldwork.ids import INSPECTION_ID_PATTERN
from fieldwork.store.case_samples import initial_sample, log_sample
from fieldwork.store.changelog import append_change
from fieldwork.store.db import Store
from fieldwork.store.records import Case, Inspection
from fieldwork.text import CASE_REF_MAX_CHARS, is_one_line

_INSPECTION_ID = INSPECTION_ID_PATTERN  # the formats' own pattern: every inspection id travels


def pin_framework(store: Store, framework: Framework) -> None:
    """Keep the exact framework text in the store (idempotent)."""
    with store.transaction() as db:
        db.execute(
            "INSERT OR IGNORE INTO frameworks (hash, id, version, title, source, added_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                framework.content_hash,
                framework.id,
                framework.version,
                framework.title,
                framework.source_bytes,
                store.now(),
            ],
        )


# Parsed frameworks by content hash: the hash names the exact text, so an entry never goes stale.
_PARSED: dict[str, Framework] = {}


def framework_for(store: Store, inspection: Inspection) -> Framework:
    """The framework the inspection was made under, parsed from the pinned text."""
    cached = _PARSED.get(inspection.framework_hash)
    if cached is not None:
        return cached
    row = store.conn.execute("SELECT source FROM frameworks WHERE hash = ?", [inspection.framework_hash]).fetchone()
    if row is None:
        raise NotFoundError(f"The framework of inspection {inspection.id} is missing from the store.")
    source = bytes(row[0])
    if hashlib.sha256(source).hexdigest() != inspection.framework_hash:
        raise NotFoundError(f"The framework pinned for inspection {inspection.id} is damaged in the store.")
    # Checked when it was pinned; the matching hash proves it is the same text.
    framework = parse_framework(source, source_name=f"pinned framework {inspection.framework_hash[:12]}", checked=True)
    _PARSED[inspection.framework_hash] = framework
    return framework


def _fieldwork_date(value: str | None, which: str) -> str | None:
    """A fieldwork date as ISO text, or a refusal that says how to write it."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValidationError(f"The fieldwork {which} date '{value}' is not a date; write it as YYYY-MM-DD.") from None


def create_inspection(
    store: Store,
    *,
    inspection_id: str,
    provider: str,
    provider_type: str,
    framework: Framework,
    fieldwork_start: str | None = None,
    fieldwork_end: str | None = None,
    lead_id: str | None = None,
    is_demo: bool = False,
) -> Inspection:
    if not _INSPECTION_ID.match(inspection_id):
        raise ValidationError(
            f"'{inspection_id}' is not a usable inspection id; use up to 64 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit."
        )
    if not provider.strip():
        raise ValidationError("The provider's name is empty; give the provider's name.")
    start, end = _fieldwork_date(fieldwork_start, "start"), _fieldwork_date(fieldwork_end, "end")
    if start and end and end < start:
        raise ValidationError("Fieldwork ends before it starts; check the dates.")
    fieldwork_start, fieldwork_end = start, end
    if store.conn.execute("SELECT 1 FROM inspections WHERE id = ?", [inspection_id]).fetchone():
        raise ValidationError(f"An inspection with id '{inspection_id}' already exists; choose another id.")
    pin_framework(store, framework)
    record = Inspection(
        id=inspection_id,
        provider=provider.strip(),
        provider_type=provider_type,
        framework_hash=framework.content_hash,
        fieldwork_start=fieldwork_start,
        fieldwork_end=fieldwork_end,
        lead_id=lead_id,
        is_demo=is_demo,
        created_at=store.now(),
        created_by=store.actor,
    )
    with store.transaction() as db:
        db["inspections"].insert({**record.__dict__, "is_demo": int(is_demo)})
        append_change(store, inspection_id, None, "inspection", inspection_id, "created", None, provider)
    return record


def list_inspections(store: Store) -> list[Inspection]:
    rows = store.conn.execute("SELECT * FROM inspections ORDER BY created_at, id").fetchall()
    return [_inspection(row) for row in rows]


def get_inspection(store: Store, inspection_id: str) -> Inspection:
    row = store.conn.execute("SELECT * FROM inspections WHERE id = ?", [inspection_id]).fetchone()
    if row is None:
        known = ", ".join(i.id for i in list_inspections(store)) or "none"
        raise NotFoundError(f"No inspection '{inspection_id}' in this store (known: {known}).")
    return _inspection(row)


def _inspection(row) -> Inspection:
    (id_, provider, ptype, fhash, start, end, lead, demo, created_at, created_by) = row
    return Inspection(id_, provider, ptype, fhash, start, end, lead, bool(demo), created_at, created_by)


def add_case(
    store: Store,
    inspection: Inspection,
    case_ref: str,
    *,
    sample_id: str | None = None,
    inspector_id: str | None = None,
    details: Mapping[str, str] | None = None,
    source: str = "app",
) -> Case:
    """Add a case, with its case details checked against the framework.

    Its sample is `sample_id` if given, else the one the framework's sample rules choose from
    the details (the default sample when there are no rules or none matches); with rules, the
    choice and its reason go in the change log (fieldwork.store.case_samples).
    """
    framework = framework_for(store, inspection)
    case_ref = case_ref.strip()
    if not case_ref:
        raise ValidationError("The case reference is empty; every case needs one.")
    if not is_one_line(case_ref, CASE_REF_MAX_CHARS):
        raise ValidationError(
            f"The case reference {case_ref[:40]!r} is not one line of at most {CASE_REF_MAX_CHARS} characters; "
            "correct it and try again."
        )
    if sample_id is not None and sample_id not in {s.id for s in framework.samples}:
        allowed = ", ".join(s.id for s in framework.samples)
        raise ValidationError(f"'{sample_id}' is not a sample of {framework.id}; use one of: {allowed}.")
    clean_details = {}
    for field_id, raw in (details or {}).items():
        try:
            field = framework.case_detail(field_id)
        except KeyError:
            raise ValidationError(f"'{field_id}' is not a case detail of {framework.id}.") from None
        try:
            value = field.normalise(raw)
        except ValueError as exc:
            raise ValidationError(f"{field.label}: {exc}.") from None
        if value:
            clean_details[field_id] = value
    # The framework's sample rules choose from the details; a different given sample is a choice by hand.
    sample_id, sample_field, sample_reason = initial_sample(framework, sample_id or None, clean_details)
    if store.conn.execute(
        "SELECT 1 FROM cases WHERE inspection_id = ? AND case_ref = ?", [inspection.id, case_ref]
    ).fetchone():
        raise ValidationError(f"Case {case_ref} is already in inspection {inspection.id}.")
    now = store.now()
    case = Case(store.new_id(), inspection.id, case_ref, sample_id, inspector_id, "not_started", 0, now, now)
    with store.transaction() as db:
        db["cases"].insert(case.__dict__)
        for field_id, value in clean_details.items():
            db["case_details"].insert(
                {
                    "case_id": case.id,
                    "field_id": field_id,
                    "value": value,
                    "revision": 1,
                    "updated_at": now,
                    "updated_by": store.actor,
                }
            )
        append_change(store, inspection.id, case.id, "case", case_ref, "added", None, sample_id, source)
        if sample_field is not None:
            log_sample(store, case, sample_field, None, sample_id, sample_reason, source)
    return case
