"""Fuzzed results bundles (decision 0035, docs/bundle-format.md §13): every mutated or generated
results bundle, validly signed by a PDU lead the region trusts, is either taken in or refused with
a code from the documented list, within the deadline; never a crash, a traceback or a partial
write, and a refusal leaves the region's store exactly as it was.

The layers are those of test_fuzz_bundles.py: blind mutations of a sealed results bundle; its
inner ZIP rebuilt with edited members and sealed again; the envelope edited; the manifest edited
as JSON and signed by the trusted key; the records edited field by field and line by line, and
records generated from the framework's own ids and hostile ones, all signed with counts that agree
so they reach the strict record checks and the checks against the framework behind them.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import sqlite3

import pytest
from hypothesis import currently_in_test_context, event, given
from hypothesis import strategies as st
from merge.helpers import Clock

from fieldwork.bundles import container
from fieldwork.bundles.errors import REASONS, BundleError
from fieldwork.bundles.export import sign_envelope
from fieldwork.bundles.format import ENVELOPE_NAME, RECORDS_NAME
from fieldwork.bundles.ziparchive import write_zip
from fieldwork.errors import FieldworkError
from fieldwork.frameworks.catalogue import find_framework
from fieldwork.identity.trust import add_trusted_key, load_trust_list
from fieldwork.region import contributions
from fieldwork.region.contributions import remove_contribution, take_in_results
from fieldwork.region.results_format import RESULTS_FORMAT_VERSION, RESULTS_KIND, RESULTS_RECORD_TYPES
from fieldwork.region.results_verify import peek_kind, verify_results
from fieldwork.store import open_store
from fieldwork.store.inspections import create_inspection

from .conftest import fuzz_settings
from .mutations import (
    Raw,
    dump_json,
    json_values,
    line_edits,
    mutated_seeds,
    read_members,
    tree_edits,
    with_duplicate_key,
    zip_member_edits,
)
from .readers import check_refusal, fuzz_identity, read_or_refuse

PDU = find_framework("hmip-probation-pdu-2023")
REGION_FW = find_framework("hmip-probation-region-2023")
REGION = "region-fuzz"
PDU_INSPECTION = "pdu-fuzz"
PDU_LEAD = fuzz_identity("Pat PDU Lead", "pdu-lead", "results signer")
REGION_LEAD = fuzz_identity("Rae Region Lead", "region-lead", "results region lead")
FIXED_TIME = "2026-11-02T09:00:00.000Z"

# The codes §13 documents for a refused results bundle: every bundle reason, and those of the
# checks against the region's store. "merge-failed" (an unexpected exception) is not among them.
STORE_CODES = {
    "not-a-region", "wrong-inspection", "framework-mismatch", "malformed-record", "future-bundle",
    "pdu-already-contributed", "fork", "older-results", "sequence-too-far",
}
DOCUMENTED_CODES = set(REASONS) | STORE_CODES
SAMPLE_IDS = frozenset(s.id for s in PDU.samples)
UNKNOWN_IDS = ("2.1.1.a", "9.9.9", "cw.1", "rs.2", "", "x" * 65, "ldu", "age", "supervision", "2.1.1 ")


# --- the seed: a PDU inspection's results as fieldwork writes them -------------------------------


def seed_records() -> list[dict]:
    """The pdu_inspection record and a case per sample, each with every key question its sample is
    asked and a few coded details, as JSON objects."""
    records: list[dict] = [{"type": "pdu_inspection", "id": PDU_INSPECTION, "provider": "Fuzz PDU",
                            "open_conflicts": 0}]
    values = ("yes", "no", "na")
    for n, sample in enumerate(PDU.samples):
        asked = PDU.key_questions_for_sample(sample.id)
        records.append({
            "type": "result_case",
            "uuid": f"00000000-0000-4000-8000-{n:012d}",
            "sample": sample.id,
            "details": {"rosh": "high", "domestic_abuse": "true", "start_date": "2026-01-05"},
            "judgements": {kq.id: values[i % 3] if kq.allow_na else values[i % 2] for i, kq in enumerate(asked)},
        })
    return records


def records_file(records) -> bytes:
    return b"".join((r.data if isinstance(r, Raw) else dump_json(r)) + b"\n" for r in records)


def count_records(records) -> dict[str, int]:
    counts = dict.fromkeys(RESULTS_RECORD_TYPES, 0)
    for record in records:
        kind = record.get("type") if isinstance(record, dict) else None
        if isinstance(kind, str) and kind in counts:
            counts[kind] += 1
    return counts


def results_manifest(records_data: bytes, counts: dict[str, int]) -> dict:
    """A results manifest as fieldwork writes it (docs/bundle-format.md §13)."""
    return {
        "format_version": RESULTS_FORMAT_VERSION,
        "kind": RESULTS_KIND,
        "app_version": "fuzz",
        "bundle_id": "00000000-0000-4000-8000-00000000f035",
        "created_at": FIXED_TIME,
        "inspector_id": PDU_LEAD.person_id,
        "signer_key_id": PDU_LEAD.key_id,
        "recipients": [REGION_LEAD.key_id],
        "inspection_id": PDU_INSPECTION,
        "framework": {"hash": PDU.content_hash, "id": PDU.id, "version": PDU.version},
        "sequence": 1,
        "previous_manifest_sha256": None,
        "members": [
            {"name": RECORDS_NAME, "sha256": hashlib.sha256(records_data).hexdigest(), "size": len(records_data)}
        ],
        "record_counts": counts,
    }


def signed(records_data: bytes, counts: dict[str, int], manifest_edit=None) -> bytes:
    """A results bundle around these record bytes, signed by the trusted PDU lead, sealed to the region lead."""
    manifest = results_manifest(records_data, counts)
    if manifest_edit is not None:
        manifest = manifest_edit(manifest)
    archive = write_zip([(ENVELOPE_NAME, sign_envelope(dump_json(manifest), PDU_LEAD)), (RECORDS_NAME, records_data)])
    return container.seal(archive, [REGION_LEAD.public])


SEED_RECORDS = seed_records()
SEED = signed(records_file(SEED_RECORDS), count_records(SEED_RECORDS))
SEED_MEMBERS = tuple(read_members(container.open_container(SEED, REGION_LEAD).archive))


# --- the region lead's store, and the one outcome allowed ----------------------------------------


class RegionStore:
    """A region inspection whose lead trusts the PDU lead's key for it."""

    def __init__(self, folder):
        self.folder = folder
        self.store = open_store(folder, actor=REGION_LEAD.person_id, clock=Clock(), backups=None)
        create_inspection(self.store, inspection_id=REGION, provider="Fuzz region", provider_type="Probation region",
                          framework=REGION_FW, lead_id=REGION_LEAD.person_id)
        add_trusted_key(self.store, PDU_LEAD.public, [REGION])
        self.file = folder / "results.fwbundle"
        self.taken = 0

    def snapshot(self) -> dict:
        """Every row of every table, and the files beside the store."""
        conn: sqlite3.Connection = self.store.db.conn
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = {name: sorted(map(repr, conn.execute(f'SELECT * FROM "{name}"'))) for name in names}
        files = sorted(p.name for p in self.folder.iterdir()
                       if p != self.file and not p.name.endswith(("-wal", "-shm")))
        return {"rows": rows, "files": files}

    def contributed(self) -> dict:
        conn = self.store.db.conn
        cases = {uuid: (sample, {}, {}) for uuid, sample in conn.execute(
            "SELECT case_uuid, sample_id FROM region_contributed_cases WHERE pdu_inspection_id = ?", [PDU_INSPECTION])}
        for uuid, question, value in conn.execute(
            "SELECT case_uuid, question_id, value FROM region_contributed_judgements WHERE pdu_inspection_id = ?",
            [PDU_INSPECTION],
        ):
            cases[uuid][2][question] = value
        for uuid, field, value in conn.execute(
            "SELECT case_uuid, field_id, value FROM region_contributed_details WHERE pdu_inspection_id = ?",
            [PDU_INSPECTION],
        ):
            cases[uuid][1][field] = value
        return cases

    def take_in(self, data: bytes) -> str:
        """Verify and take in `data`; returns the status after checking the one allowed outcome."""
        if self.store.db.execute("SELECT 1 FROM region_contributions").fetchone():
            remove_contribution(self.store, REGION, PDU_INSPECTION)  # every example starts from the same store
        self.file.write_bytes(data)
        before = self.snapshot()
        kind = read_or_refuse(peek_kind, str(self.file), REGION_LEAD)  # the Merge tab's sorting of files
        assert isinstance(kind, BundleError) or kind in ("results", "work"), repr(kind)
        verified = read_or_refuse(verify_results, str(self.file), identity=REGION_LEAD,
                                  trust=load_trust_list(self.store), region_inspection_id=REGION)
        if isinstance(verified, FieldworkError):
            assert isinstance(verified, BundleError) and verified.code in REASONS, repr(verified)
        [result] = take_in_results(self.store, REGION, [self.file], REGION_LEAD)
        if currently_in_test_context():  # --hypothesis-show-statistics: how deep the inputs reach
            event(f"{result.status} {result.code}".strip())
        if result.status == contributions.REFUSED:
            assert result.code in DOCUMENTED_CODES, (result.code, result.message)  # merge-failed: a crash
            check_refusal(FieldworkError(result.message, code=result.code))
            assert self.snapshot() == before, "a refused results bundle changed the region's store"
            if isinstance(verified, BundleError):
                assert result.code == verified.code
            return result.status
        assert result.status in (contributions.IMPORTED, contributions.REPLACED), result
        assert not isinstance(verified, FieldworkError), "taken in, though verification refuses it"
        # All of it, exactly as signed: nothing dropped, nothing added.
        expected = {c.uuid: (c.sample, dict(c.details), dict(c.judgements)) for c in verified.records.cases}
        assert self.contributed() == expected
        fits_the_framework(expected)
        assert result.cases == len(expected)
        self.taken += 1
        return result.status

    def close(self) -> None:
        self.store.close()


def fits_the_framework(cases: dict) -> None:
    """What a region counts is what §13 allows, checked here independently of the reader: a known
    sample, only key questions asked of it with an allowed value, only coded details that are
    neither personal nor free text, in their stored form."""
    details = {f.id: f for f in PDU.case_details}
    for sample, case_details, judgements in cases.values():
        asked = {kq.id: kq for kq in PDU.key_questions_for_sample(sample)}
        assert sample in SAMPLE_IDS and asked
        for question_id, value in judgements.items():
            assert question_id in asked and value in asked[question_id].allowed(), (question_id, value)
        for field_id, value in case_details.items():
            field = details[field_id]
            assert not field.personal and field.type != "text" and field.is_stored_form(value), (field_id, value)


@pytest.fixture
def region(tmp_path):
    opened = RegionStore(tmp_path / "region")
    yield opened
    opened.close()


def test_the_seed_is_taken_in(region):
    """Each fuzz test starts from a file that is taken in, so what it finds is the mutation's doing."""
    assert region.take_in(SEED) == contributions.IMPORTED
    assert region.take_in(SEED) == contributions.IMPORTED  # removed before each, so taken in again
    records = [r for r in SEED_RECORDS if r["type"] == "result_case"]
    assert region.taken == 2 and len(records) == len(PDU.samples)


# --- blind and archive-level mutations ------------------------------------------------------------


@fuzz_settings(100)
@given(data=mutated_seeds((SEED,)))
def test_results_bundle_mutated_blindly(region, data):
    region.take_in(data)


@fuzz_settings(100)
@given(archive=zip_member_edits(SEED_MEMBERS))
def test_inner_archive_rebuilt_with_edited_members(region, archive):
    """The inner ZIP with members dropped, repeated, renamed, mutated, added; sealed again (or left
    unencrypted, which a results reader always refuses)."""
    region.take_in(container.seal(archive, [REGION_LEAD.public]))


@fuzz_settings(40)
@given(data=st.data())
def test_envelope_edited(region, data):
    members = dict(SEED_MEMBERS)
    envelope = json.loads(members[ENVELOPE_NAME])
    edited = dump_json(data.draw(tree_edits(envelope, json_values()), label="envelope"))
    inner = write_zip([(ENVELOPE_NAME, edited), (RECORDS_NAME, members[RECORDS_NAME])])
    encrypt = data.draw(st.booleans(), label="encrypt")
    region.take_in(container.seal(inner, [REGION_LEAD.public]) if encrypt else container.wrap_unencrypted(inner))


# --- hostile content behind a valid signature -----------------------------------------------------


@fuzz_settings(100)
@given(data=st.data())
def test_signed_manifest_edited(region, data):
    """A manifest with hostile fields (wrong kind or version, another signer, sequence tricks, a
    framework the region does not take, counts that disagree), signed by the trusted key."""
    records_data = records_file(SEED_RECORDS)

    def edit(manifest: dict) -> dict:
        return data.draw(tree_edits(manifest, json_values()), label="manifest")

    region.take_in(signed(records_data, count_records(SEED_RECORDS), edit))


RECORD_OPS = ("drop-field", "unknown-field", "set-field", "set-entry", "drop-entry", "add-entry", "retype",
              "duplicate", "drop-record", "move", "raw-line", "duplicate-key")
HOSTILE_LINES = (
    b"", b"{}", b"[]", b"null", b"\xef\xbb\xbf{}", b'{"type":"result_case"', b"\xff\xfe", b"\x00",
    b'{"type":"pdu_inspection","type":"result_case"}', b'{"type":"result_case"}\r', b"[" * 10_000 + b"]" * 10_000,
    b'{"a":' * 5_000 + b"1" + b"}" * 5_000, b'{"type":NaN}', b'{"type":1.5}', b'{"type":"\\ud800"}',
)


def _ids() -> st.SearchStrategy[str]:
    known = [s.id for s in PDU.samples] + [f.id for f in PDU.case_details]
    for standard in PDU.standards:
        for question in standard.key_questions:
            known.append(question.id)
            known.extend(p.id for p in question.prompts)
    return st.sampled_from(sorted(set(known)) + list(UNKNOWN_IDS))


def _plausible_value(field) -> str:
    """A value in the field's stored form, coded so the record checks pass: what only the checks
    against the framework (personal? free text?) can refuse."""
    if field.type == "choice":
        return field.choices[0].value
    return {"boolean": "true", "integer": "42", "date": "2026-01-05"}.get(field.type, "Team-Smith")


DETAIL_PAIRS = tuple((f.id, _plausible_value(f)) for f in PDU.case_details)
QUESTION_IDS = tuple(kq.id for standard in PDU.standards for kq in standard.key_questions)


def detail_entries() -> st.SearchStrategy[tuple[str, object]]:
    """A case detail: every field of the framework in its stored form (personal and free-text ones
    too), or an id and value of any kind."""
    return st.one_of(st.sampled_from(DETAIL_PAIRS), st.tuples(_ids(), _entry_values()))


def judgement_entries() -> st.SearchStrategy[tuple[str, object]]:
    """A judgement: any key question of the framework (asked of the case's sample or not) with
    yes, no or na, or an id and value of any kind."""
    return st.one_of(
        st.tuples(st.sampled_from(QUESTION_IDS), st.sampled_from(("yes", "no", "na"))),
        st.tuples(_ids(), _entry_values()),
    )


def _entry_values() -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from(("yes", "no", "na", "YES", "n/a", "", "true", "false", "high", "very_high", "42", "2026-01-05",
                         "2026-02-30", "Lives at 12 High Street", "x" * 65)),
        json_values(),
    )


@st.composite
def record_edits(draw, records: list[dict], max_steps: int = 3) -> list:
    """Results records with 1 to `max_steps` edits: fields dropped, unknown or of the wrong type;
    details and judgements with entries dropped, added (unknown, personal, free-text and prompt ids)
    or changed; records retyped, repeated (duplicate uuids), dropped or moved; hostile raw lines."""
    records: list = copy.deepcopy(records)
    for _ in range(draw(st.integers(1, max_steps), label="record steps")):
        if not records:
            records.append({})
        i = draw(st.integers(0, len(records) - 1), label="record")
        record = records[i]
        op = draw(st.sampled_from(RECORD_OPS), label="record op")
        if not isinstance(record, dict):
            op = "drop-record"
        fields = sorted(record) if isinstance(record, dict) else []
        maps = [name for name in ("details", "judgements") if isinstance(record.get(name), dict)] if fields else []
        if op == "drop-field" and fields:
            del record[draw(st.sampled_from(fields))]
        elif op == "unknown-field":
            record[draw(st.sampled_from(("note", "case_ref", "evidence", "Type", "")))] = draw(json_values())
        elif op == "set-field" and fields:
            record[draw(st.sampled_from(fields))] = draw(json_values(), label="value")
        elif op == "set-entry" and maps:
            entries = record[draw(st.sampled_from(maps))]
            if entries:
                entries[draw(st.sampled_from(sorted(entries)))] = draw(_entry_values(), label="entry value")
        elif op == "drop-entry" and maps:
            entries = record[draw(st.sampled_from(maps))]
            if entries:
                del entries[draw(st.sampled_from(sorted(entries)))]
        elif op == "add-entry" and maps:
            name = draw(st.sampled_from(maps))
            key, value = draw(detail_entries() if name == "details" else judgement_entries(), label="entry")
            record[name][key] = value
        elif op == "retype":
            record["type"] = draw(st.sampled_from((*RESULTS_RECORD_TYPES, "case", "answer", "", None, 1)))
        elif op == "duplicate":
            records.insert(draw(st.integers(0, len(records))), copy.deepcopy(record))
        elif op == "drop-record":
            del records[i]
        elif op == "move":
            records.insert(draw(st.integers(0, len(records))), records.pop(i))
        elif op == "raw-line":
            records[i] = Raw(draw(st.sampled_from(HOSTILE_LINES)))
        elif op == "duplicate-key" and fields:
            name = draw(st.sampled_from(fields))
            records[i] = Raw(with_duplicate_key(dump_json(record), name, record[name]))
    return records


@fuzz_settings(200)
@given(records=record_edits(SEED_RECORDS))
def test_signed_records_edited(region, records):
    """Records edited field by field, signed by the trusted key with counts that agree: refused as
    malformed-record (or what else the edit made them), or taken in exactly as signed."""
    region.take_in(signed(records_file(records), count_records(records)))


@fuzz_settings(60)
@given(data=st.data())
def test_signed_record_lines_edited(region, data):
    """records.jsonl edited line by line: blank, repeated, joined and swapped lines, CR LF, a
    byte-order mark, NaN, a line nested 10,000 deep, no final line feed."""
    text = data.draw(line_edits(records_file(SEED_RECORDS), HOSTILE_LINES), label="records.jsonl")
    counts = count_records([_json_or_none(line) for line in text.split(b"\n") if line])
    region.take_in(signed(text, counts))


def _json_or_none(line: bytes):
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


FITTING_DETAILS = tuple((f, v) for f, v in DETAIL_PAIRS if not PDU.case_detail(f).personal
                        and PDU.case_detail(f).type != "text")
UNFITTING_DETAILS = tuple(pair for pair in DETAIL_PAIRS if pair not in FITTING_DETAILS)
PROMPT_IDS = tuple(p.id for standard in PDU.standards for kq in standard.key_questions for p in kq.prompts)


@st.composite
def near_misses(draw, sample: str, asked: list) -> tuple[str, str, object]:
    """One thing a well-formed case must not carry: a personal or free-text detail in its stored
    form, a key question not asked of its sample, a prompt, a value the question does not allow."""
    kind = draw(st.sampled_from(("detail", "unasked", "prompt", "value")), label="near miss")
    if kind == "detail":
        return ("details", *draw(st.sampled_from(UNFITTING_DETAILS)))
    if kind == "unasked":
        others = [q for q in QUESTION_IDS if q not in {kq.id for kq in asked}]
        return ("judgements", draw(st.sampled_from(others)), "yes")
    if kind == "prompt":
        return ("judgements", draw(st.sampled_from(PROMPT_IDS)), "no")
    question = draw(st.sampled_from(asked))
    return ("judgements", question.id, "na" if not question.allow_na else "maybe")


@st.composite
def generated_records(draw) -> list[dict]:
    """Results records generated from scratch, each case one of: fitting its framework (what the
    region must take in); fitting but for one near miss (what the checks against the framework
    must refuse); or hostile throughout (any sample, ids of every kind, values of any type)."""
    inspection = {"type": "pdu_inspection", "id": PDU_INSPECTION,
                  "provider": draw(st.sampled_from(("Fuzz PDU", "x" * 200, "x" * 201, "tab\there", "é"))),
                  "open_conflicts": draw(st.sampled_from((0, 3, -1, 2**31, 2**31 - 1)))}
    cases = []
    for n in range(draw(st.integers(0, 5), label="cases")):
        uuid = draw(st.sampled_from((f"00000000-0000-4000-8000-{n:012d}", "00000000-0000-4000-8000-000000000000",
                                     "not-a-uuid")), label="uuid")
        mode = draw(st.sampled_from(("fitting", "fitting", "near", "hostile")), label="case mode")
        if mode == "hostile":
            sample = draw(st.one_of(st.sampled_from(sorted(SAMPLE_IDS)), _ids()), label="sample")
            judgements = dict(draw(st.lists(judgement_entries(), max_size=6), label="judgements"))
            details = dict(draw(st.lists(detail_entries(), max_size=4), label="details"))
        else:
            sample = draw(st.sampled_from(sorted(SAMPLE_IDS)), label="sample")
            asked = list(PDU.key_questions_for_sample(sample))
            answered = draw(st.lists(st.sampled_from(asked), unique_by=lambda kq: kq.id), label="answered")
            judgements = {kq.id: draw(st.sampled_from([a.value for a in kq.allowed()])) for kq in answered}
            details = dict(draw(st.lists(st.sampled_from(FITTING_DETAILS), unique_by=lambda p: p[0]), label="details"))
            if mode == "near":
                where, key, value = draw(near_misses(sample, asked))
                (details if where == "details" else judgements)[key] = value
        cases.append({"type": "result_case", "uuid": uuid, "sample": sample, "details": details,
                      "judgements": judgements})
    return [inspection, *cases]


@fuzz_settings(150)
@given(records=generated_records())
def test_generated_records(region, records):
    region.take_in(signed(records_file(records), count_records(records)))


def test_the_fuzz_runs_reach_the_store_checks(region):
    """Not every generated bundle is refused early: the well-formed ones that fit are taken in, the
    ones that do not fit the framework are refused by the checks against it."""
    fits = copy.deepcopy(SEED_RECORDS)
    fits[1]["judgements"] = {}
    assert region.take_in(signed(records_file(fits), count_records(fits))) == contributions.IMPORTED
    unasked = copy.deepcopy(SEED_RECORDS)
    unasked[1]["judgements"]["cw.1"] = "yes"  # a court-work question of a supervision case
    before = region.snapshot()
    [result] = take_in_results(region.store, REGION, [_write(region, signed(records_file(unasked),
                                                                            count_records(unasked)))], REGION_LEAD)
    assert (result.status, result.code) == (contributions.REFUSED, "malformed-record")
    assert region.snapshot() == before


def _write(region: RegionStore, data: bytes):
    region.file.write_bytes(data)
    return os.fspath(region.file)
