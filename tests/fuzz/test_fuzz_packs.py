"""Fuzzed allocation packs: every mutation of a valid pack is either read or refused with a
PackError (a reason code and a sentence), within the deadline; a pack that is read hangs together.

Beyond tests/packs/test_pack_tamper.py (one flipped byte, one truncation, appended bytes of one
built pack, a list of hostile archives): stacked blind mutations and splices of the golden packs;
the inner ZIP rebuilt with edited members; and the manifest (with the lead's identity in it), the
payload and the framework file edited and signed by a trusted lead, so they meet the strict
checks behind the signature, the framework loader among them.
"""

from __future__ import annotations

import tomllib

from hypothesis import given
from hypothesis import strategies as st

from fieldwork.bundles import container
from fieldwork.identity import TrustList
from fieldwork.packs import PackError, verify_pack
from fieldwork.packs.errors import REASONS
from fieldwork.packs.verify import check_payload_fits

from .conftest import fuzz_settings
from .mutations import (
    HOSTILE_TOML_LINES,
    byte_mutations,
    dump_json,
    dump_toml,
    json_values,
    line_edits,
    mutated_seeds,
    toml_values,
    tree_edits,
    zip_member_edits,
)
from .readers import (
    fuzz_identity,
    golden_pack_archives,
    golden_packs,
    golden_payload,
    mini,
    pack_inspectors,
    pack_trust,
    read_or_refuse,
)
from .signed import pack_manifest, seal_pack

LEAD = fuzz_identity("Lee Lead", "lead-1", "pack lead")
ANN = fuzz_identity("Ann Inspector", "ann", "pack inspector")
TRUST = TrustList.of(LEAD.public)
INSPECTION = "golden-insp"


def verify(data: bytes, identity=ANN, trusted_leads=TRUST, **kwargs):
    """verify_pack, which may only read the pack or refuse it with one of its reason codes."""
    outcome = read_or_refuse(verify_pack, data, identity=identity, trusted_leads=trusted_leads, **kwargs)
    if isinstance(outcome, Exception):
        assert isinstance(outcome, PackError), f"verify_pack refused bytes with {outcome!r}, not a PackError"
        assert outcome.code in REASONS
    else:
        check_read(outcome)
    return outcome


def check_read(verified) -> None:
    """A pack that passed is one fieldwork could have written, and fits its framework."""
    verified.payload.to_bytes()
    check_payload_fits(verified.payload, verified.framework)
    assert verified.manifest.inspector_id == verified.manifest.inspector_id.strip()


def signed(payload: bytes, framework: bytes, manifest_edit=None, framework_ref=None) -> bytes:
    manifest = pack_manifest(
        payload, framework, lead=LEAD, recipients=[ANN.public], inspector_id=ANN.person_id,
        inspection_id=INSPECTION, framework=framework_ref or (mini().id, mini().version),
    )
    if manifest_edit is not None:
        manifest = manifest_edit(manifest)
    return seal_pack(dump_json(manifest), payload, framework, lead=LEAD, recipients=[ANN.public])


def test_the_unmutated_inputs_are_read():
    for data, keys in golden_packs():
        check_read(verify_pack(data, identity=keys, trusted_leads=pack_trust()))
    check_read(verify_pack(signed(dump_json(golden_payload()), mini().source_bytes), identity=ANN,
                           trusted_leads=TRUST))


@fuzz_settings(120)
@given(data=st.data())
def test_golden_packs_mutated_blindly(data):
    packs = golden_packs()
    index = data.draw(st.integers(0, len(packs) - 1), label="pack")
    mutated = data.draw(mutated_seeds([packs[index][0]] + [p for i, (p, _) in enumerate(packs) if i != index]))
    verify(mutated, identity=packs[index][1], trusted_leads=pack_trust())


@fuzz_settings(120)
@given(data=st.data())
def test_inner_archive_rebuilt_with_edited_members(data):
    archives = golden_pack_archives()
    index = data.draw(st.integers(0, len(archives) - 1), label="pack")
    archive = data.draw(zip_member_edits(archives[index]), label="archive")
    keys = golden_packs()[index][1]
    verify(container.seal(archive, [keys.public]), identity=keys, trusted_leads=pack_trust())


@fuzz_settings(150)
@given(data=st.data())
def test_signed_manifest_edited(data):
    """The manifest (and the lead identity inside it) with hostile fields, signed by the lead;
    trusted, or not yet trusted and accepted by fingerprint."""

    def edit(manifest: dict) -> dict:
        return data.draw(tree_edits(manifest, json_values()), label="manifest")

    pack = signed(dump_json(golden_payload()), mini().source_bytes, edit)
    trusted = data.draw(st.booleans(), label="lead trusted")
    verify(pack, trusted_leads=TRUST if trusted else TrustList(),
           accept_lead_fingerprint=None if trusted else LEAD.public.fingerprint)


@fuzz_settings(200)
@given(payload=tree_edits(golden_payload(), json_values(), max_steps=4))
def test_signed_payload_edited(payload):
    """pack.json with wrong types, huge strings, negative revisions, NaN, deep nesting, unknown and
    missing fields, duplicate cases and queries, unknown samples, details and questions."""
    verify(signed(dump_json(payload), mini().source_bytes))


@fuzz_settings(60)
@given(data=st.data())
def test_signed_framework_edited(data):
    """The pack's framework file edited as TOML (fields dropped, of the wrong type, ids repeated,
    references dangling), line by line, or blindly; its hash in the signed manifest agrees, so the
    file reaches the framework loader inside verify_pack."""
    source = mini().source_bytes
    how = data.draw(st.sampled_from(("tree", "lines", "bytes")), label="how")
    if how == "tree":
        framework = dump_toml(data.draw(tree_edits(tomllib.loads(source.decode()), toml_values()), label="toml"))
    elif how == "lines":
        framework = data.draw(line_edits(source, HOSTILE_TOML_LINES), label="toml lines")
    else:
        framework = data.draw(byte_mutations(source), label="toml bytes")
    verify(signed(dump_json(golden_payload()), framework))


def test_inspectors_of_the_golden_packs_are_both_suites():
    suites = {keys.public.encryption_suite for keys in pack_inspectors().values()}
    assert suites == {"x25519", "mlkem768-x25519"}
