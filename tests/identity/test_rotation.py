"""Key rotation (issue 7 item 6): the statement format, rotating a profile's keys, accepting a statement.

The command-line story (an inspector and a lead rotating, with bundles, merges and packs) is in
tests/cli/test_rotation_cli.py; the format is docs/rotation-format.md; the decisions are in
docs/decisions/0014-key-rotation.md.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from helpers.keyrings import no_os_keyring
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldwork.identity import (
    IdentityError,
    add_trusted_key,
    create_keys,
    load_trust_list,
    pin_lead,
    pinned_lead,
    revoke_key,
    unlock_keys,
)
from fieldwork.identity import keyfile as keyfile_module
from fieldwork.identity.keyfile import PENDING_FILENAME, ScryptParams
from fieldwork.identity.keys import generate_identity, identity_path, keys_dir, private_path
from fieldwork.identity.rotate import last_sequences, retired_dir, rotate_keys
from fieldwork.identity.rotation import ROTATION_PAYLOAD_TYPE, make_statement, read_statement, read_statement_file
from fieldwork.identity.rotation_accept import accept_rotation
from fieldwork.profile import set_profile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rotation"


def _golden_maker():
    # Loaded under its own name: other fixture folders have a make_golden.py too.
    spec = importlib.util.spec_from_file_location("make_golden_rotation", FIXTURES / "make_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


example = _golden_maker().example

CHEAP = ScryptParams(log2_n=10)
OLD_PASSPHRASE, NEW_PASSPHRASE = "correct horse battery", "staple orbit lantern"
T0 = "2026-11-02T09:00:00.000Z"

# The known answers of docs/rotation-format.md, "Example": any change here breaks every reader.
STATEMENT_SHA256 = "168c48754174936791508593efe5a955a8a4e058b0ec91da3a0eb86bf8e891ae"
SIGNED_BYTES_SHA256 = "f0c5667aaabc2b8626022ad696290f9bc2333c90586cd0d5702cf3dcc64f7888"
FILE_SHA256 = "7c323458969daec4ad0890487ff0c4014d408916125e29b16f6fcea9837e4d6f"
OLD_SIGNATURE = "+EmfqWrnWj7a1BuierqtVvMj1CKaJxDjlUBuIf61Gnc35awdXazeC2fBgrIz8JthNI7dB8RwrgxS8oMzGmPUCQ=="
NEW_SIGNATURE = "I6vveuu0pMNjQilVkY93kZ2OqdvhCfOlfu0b2lVDRibYFGC0QPA18I3+XVhg7LXwHG/rs2KSEdwwzmY0lxPsDw=="


@pytest.fixture(autouse=True)
def cheap_and_no_keyring(monkeypatch):
    from fieldwork.identity import keys

    monkeypatch.setattr(keys, "DEFAULT_SCRYPT", CHEAP)
    with no_os_keyring():
        yield


# --- the format: known answers and an independent reader ----------------------------------------


def test_known_answer_of_the_signed_bytes():
    old, new, data, statement = example()
    signed = statement.signed_bytes()
    prefix = b"DSSEv1 43 application/vnd.fieldwork.key-rotation+json 1374 "
    assert signed.startswith(prefix) and signed[len(prefix):] == statement.to_bytes()
    assert hashlib.sha256(statement.to_bytes()).hexdigest() == STATEMENT_SHA256
    assert hashlib.sha256(signed).hexdigest() == SIGNED_BYTES_SHA256
    assert hashlib.sha256(data).hexdigest() == FILE_SHA256
    envelope = json.loads(data)
    assert [s["sig"] for s in envelope["signatures"]] == [OLD_SIGNATURE, NEW_SIGNATURE]
    assert (old.key_id, new.key_id) == ("0a376e12b625bfd2d910beff96571d46", "3db15631eafa2549b5ffe5a9db1c7f64")


def test_the_golden_statement_still_reads():
    data = (FIXTURES / "v1-example.fwrotation").read_bytes()
    assert data == example()[2]
    statement = read_statement(data)
    assert statement.person_id == "ann" and statement.last_sequences == (("insp-2026-north", 3), ("insp-2026-south", 1))


def pae_by_hand(payload: bytes) -> bytes:
    kind = ROTATION_PAYLOAD_TYPE.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def test_an_independent_reader_written_from_the_specification():
    """Only json, base64 and Ed25519: what docs/rotation-format.md says a reader does."""
    data = (FIXTURES / "v1-example.fwrotation").read_bytes()
    envelope = json.loads(data)
    assert data == json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
    assert envelope["payloadType"] == "application/vnd.fieldwork.key-rotation+json"
    payload = base64.b64decode(envelope["payload"])
    statement = json.loads(payload)
    message = pae_by_hand(payload)
    for entry, role in zip(envelope["signatures"], ("old_key", "new_key"), strict=True):
        key = base64.b64decode(statement[role]["signing_key"]["public"])
        assert entry["keyid"] == hashlib.sha256(key).hexdigest()[:32] == statement[role]["key_id"]
        Ed25519PublicKey.from_public_bytes(key).verify(base64.b64decode(entry["sig"]), message)
    assert statement["person_id"] == statement["old_key"]["person_id"] == statement["new_key"]["person_id"]


@settings(max_examples=200, deadline=None)
@given(position=st.integers(0, 2205), value=st.integers(1, 255))
def test_any_changed_byte_of_a_statement_is_refused(position, value):
    data = bytearray((FIXTURES / "v1-example.fwrotation").read_bytes())
    data[position] ^= value
    with pytest.raises(IdentityError) as refused:
        read_statement(bytes(data))
    assert refused.value.code in {"invalid-rotation", "bad-signature", "invalid-identity", "unsupported-version"}


def _resigned(statement_value: dict, old, new, *, old_signer=None, new_signer=None) -> bytes:
    payload = json.dumps(statement_value, sort_keys=True, separators=(",", ":")).encode()
    message = pae_by_hand(payload)
    envelope = {
        "payload": base64.b64encode(payload).decode(),
        "payloadType": ROTATION_PAYLOAD_TYPE,
        "signatures": [
            {"keyid": old.key_id, "sig": base64.b64encode((old_signer or old).sign(message)).decode()},
            {"keyid": new.key_id, "sig": base64.b64encode((new_signer or new).sign(message)).decode()},
        ],
    }
    return json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode()


def test_one_bad_signature_is_refused_and_named():
    old, new, data, statement = example()
    mallory = generate_identity("Mallory", "mallory")
    for kwargs, which in (({"old_signer": mallory}, "old"), ({"new_signer": mallory}, "new")):
        with pytest.raises(IdentityError) as refused:
            read_statement(_resigned(statement.to_json(), old, new, **kwargs))
        assert refused.value.code == "bad-signature" and f"The {which} key's signature" in refused.value.message


@pytest.mark.parametrize(
    "edit, why",
    [
        (lambda v, new: v.update(person_id="bob"), "different people"),
        (lambda v, new: v.update(new_key=v["old_key"]), "same key"),
        (lambda v, new: v.update(old_key_last_sequences=[{"inspection_id": "b", "sequence": 1},
                                                          {"inspection_id": "a", "sequence": 1}]), "sorted"),
        (lambda v, new: v.update(old_key_last_sequences=[{"inspection_id": "a", "sequence": 0}]), "sequence"),
        (lambda v, new: v.update(old_key_last_sequences=[{"inspection_id": "a", "sequence": True}]), "sequence"),
        (lambda v, new: v.update(effective_at="now"), "timestamp"),
        (lambda v, new: v.update(extra=1), "fields"),
        (lambda v, new: v.update(version=2), "newer"),
    ],
)
def test_a_well_signed_statement_that_breaks_the_format_is_refused(edit, why):
    old, new, _, statement = example()
    value = statement.to_json()
    edit(value, new)
    with pytest.raises(IdentityError) as refused:
        read_statement(_resigned(value, old, new))
    assert why in refused.value.message


def test_signatures_in_the_wrong_order_or_by_other_keys():
    old, new, data, _ = example()
    envelope = json.loads(data)
    envelope["signatures"].reverse()
    with pytest.raises(IdentityError) as refused:
        read_statement(json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode())
    assert refused.value.code == "invalid-rotation" and "in that order" in refused.value.message


def test_an_identity_file_is_not_a_statement_and_the_other_way_round(tmp_path):
    old, _, data, _ = example()
    with pytest.raises(IdentityError) as refused:
        read_statement(old.public.to_bytes())
    assert refused.value.code == "invalid-rotation" and "trust add" in refused.value.message
    from fieldwork.identity import read_identity_file

    (tmp_path / "rotation.fwrotation").write_bytes(data)
    with pytest.raises(IdentityError) as refused:
        read_identity_file(tmp_path / "rotation.fwrotation")
    assert refused.value.code == "is-rotation-statement" and "trust rotate" in refused.value.message
    with pytest.raises(IdentityError) as missing:
        read_statement_file(tmp_path / "missing.fwrotation")
    assert missing.value.code == "not-found"


# --- rotating this profile's keys ----------------------------------------------------------------


@pytest.fixture
def ann_folder(tmp_path, store):
    """Ann's data folder (the `store` fixture's folder), with keys and two bundles' worth of history."""
    folder = Path(store.path).parent
    created = create_keys(folder, name="Ann Inspector", person_id="ann", passphrase=OLD_PASSPHRASE, scrypt=CHEAP)
    set_profile(store, "ann", "Ann Inspector")
    with store.transaction() as db:
        for inspection_id, sequence in (("insp-a", 1), ("insp-a", 2), ("insp-a", 3), ("insp-b", 1)):
            db.execute(
                "INSERT INTO bundle_exports (signer_key_id, inspection_id, sequence, bundle_id, manifest_sha256, "
                "recipients, created_at) VALUES (?, ?, ?, ?, ?, '[]', ?)",
                [created.key_id, inspection_id, sequence, f"{inspection_id}-{sequence}", "0" * 64, T0],
            )
    return folder, created


def snapshot(folder: Path) -> dict:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_rotate_keys(ann_folder, store, tmp_path):
    folder, old = ann_folder
    old_files = snapshot(keys_dir(folder))
    result = rotate_keys(folder, store, tmp_path, passphrase=OLD_PASSPHRASE, new_passphrase=NEW_PASSPHRASE)
    assert result.path.parent == tmp_path and result.path.name.endswith(".fwrotation")
    statement = read_statement_file(result.path)
    assert statement.old == old.public and statement.new == result.new != old.public
    assert statement.last_sequences == (("insp-a", 3), ("insp-b", 1))
    assert last_sequences(store, old.key_id) == {"insp-a": 3, "insp-b": 1}
    assert result.new.person_id == "ann" and result.new.name == "Ann Inspector"

    # The old files, byte for byte, aside; the statement beside them.
    aside = retired_dir(folder) / old.key_id
    assert (aside / "identity.json").read_bytes() == old_files[identity_path(folder)]
    assert (aside / "private.json").read_bytes() == old_files[private_path(folder)]
    assert (aside / "rotation.fwrotation").read_bytes() == result.path.read_bytes()
    if os.name == "posix":
        assert stat.S_IMODE((aside / "private.json").stat().st_mode) == 0o600
        assert stat.S_IMODE(private_path(folder).stat().st_mode) == 0o600
        assert stat.S_IMODE(aside.stat().st_mode) == stat.S_IMODE(retired_dir(folder).stat().st_mode) == 0o700
    assert not (keys_dir(folder) / PENDING_FILENAME).exists()

    # The new keys unlock with the new passphrase only, and still open what was sealed to the old key.
    with pytest.raises(IdentityError) as wrong:
        unlock_keys(folder, OLD_PASSPHRASE)
    assert wrong.value.code == "wrong-passphrase"
    unlocked = unlock_keys(folder, NEW_PASSPHRASE)
    assert unlocked.key_id == result.new.key_id and unlocked.opens(old.key_id)
    from fieldwork.identity import suites

    sealed = suites.seal("x25519", old.public.encryption_public, b"k" * 32, b"info")
    assert unlocked.open_sealed(sealed, b"info", key_id=old.key_id) == b"k" * 32
    # ...and the kept old files still unlock with the old passphrase.
    assert keyfile_module.open_private(aside, old.public, OLD_PASSPHRASE)[0].key_id == old.key_id

    # A second rotation keeps both earlier keys for decryption.
    again = rotate_keys(folder, store, tmp_path, passphrase=NEW_PASSPHRASE, new_passphrase=OLD_PASSPHRASE)
    third = unlock_keys(folder, OLD_PASSPHRASE)
    assert third.key_id == again.new.key_id and third.opens(old.key_id) and third.opens(result.new.key_id)
    assert read_statement_file(again.path).last_sequences == ()  # the second key signed nothing


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"new_passphrase": "short"}, "weak-passphrase"),
        ({"passphrase": "not the passphrase"}, "wrong-passphrase"),
        ({"passphrase": None}, "passphrase-needed"),
    ],
)
def test_a_refused_rotation_changes_nothing(ann_folder, store, tmp_path, kwargs, code):
    folder, _ = ann_folder
    before = snapshot(folder / "keys")
    options = {"passphrase": OLD_PASSPHRASE, "new_passphrase": NEW_PASSPHRASE, **kwargs}
    with pytest.raises(IdentityError) as refused:
        rotate_keys(folder, store, tmp_path / "out.fwrotation", **options)
    assert refused.value.code == code
    assert snapshot(folder / "keys") == before and not (tmp_path / "out.fwrotation").exists()


def test_rotation_refuses_an_existing_statement_file_and_keys_of_another_profile(ann_folder, store, tmp_path):
    folder, _ = ann_folder
    before = snapshot(folder / "keys")
    (tmp_path / "taken.fwrotation").write_text("mine")
    with pytest.raises(IdentityError) as exists:
        rotate_keys(folder, store, tmp_path / "taken.fwrotation", passphrase=OLD_PASSPHRASE,
                    new_passphrase=NEW_PASSPHRASE)
    assert exists.value.code == "file-exists"
    set_profile(store, "bob", "Bob")
    with pytest.raises(IdentityError) as other:
        rotate_keys(folder, store, tmp_path, passphrase=OLD_PASSPHRASE, new_passphrase=NEW_PASSPHRASE)
    assert other.value.code == "wrong-keys"
    assert snapshot(folder / "keys") == before


class Crash(Exception):
    """Stands for the process dying: nothing after it runs (rotate_keys has no clean-up)."""


@pytest.mark.parametrize("dies_at, committed", [(1, False), (2, False), (4, False), (5, True)])
def test_a_rotation_cut_short_at_any_write_is_finished_or_undone(ann_folder, store, tmp_path, monkeypatch,
                                                                 dies_at, committed):
    """1 is the statement the user asked for (its temp file; renamed into place once the keys are);
    2 the statement's copy in keys/retired; then inside replace_keys: 3 pending identity,
    4 private.json (the commit: dying before it leaves the old keys), 5 identity.json."""
    folder, old = ann_folder
    writes = []
    real = keyfile_module.atomic_write

    def dying(path, data, **kwargs):
        if path.parent == keys_dir(folder) or path.suffix == ".fwrotation":
            writes.append(path.name)
            if len(writes) == dies_at:
                raise Crash
        return real(path, data, **kwargs)

    monkeypatch.setattr(keyfile_module, "atomic_write", dying)
    import fieldwork.identity.rotate as rotate_module

    monkeypatch.setattr(rotate_module, "atomic_write", dying)
    with pytest.raises(Crash):
        rotate_keys(folder, store, tmp_path, passphrase=OLD_PASSPHRASE, new_passphrase=NEW_PASSPHRASE)
    monkeypatch.undo()
    if committed:
        unlocked = unlock_keys(folder, NEW_PASSPHRASE)  # the next start finishes the replacement
        assert unlocked.key_id != old.key_id and unlocked.opens(old.key_id)
        statement_copy = retired_dir(folder) / old.key_id / "rotation.fwrotation"
        assert read_statement_file(statement_copy).new.key_id == unlocked.key_id  # the statement is not lost
    else:
        assert unlock_keys(folder, OLD_PASSPHRASE).key_id == old.key_id  # as if nothing happened
    assert not (keys_dir(folder) / PENDING_FILENAME).exists()


# --- accepting a statement -----------------------------------------------------------------------


@pytest.fixture
def rotation():
    """Ann's old and new keys and her statement: she signed insp-a up to 3 and insp-b up to 5."""
    old = generate_identity("Ann Inspector", "ann", created_at=T0)
    new = generate_identity("Ann Inspector", "ann", created_at=T0)
    data, statement = make_statement(old, new, effective_at=T0, last_sequences={"insp-a": 3, "insp-b": 5})
    return old, new, read_statement(data)


def test_accepting_trusts_the_new_key_like_the_old_and_revokes_the_old(store, rotation):
    old, new, statement = rotation
    add_trusted_key(store, old.public, ["insp-a", "insp-c"])
    accepted = accept_rotation(store, statement)
    trust = load_trust_list(store)
    assert trust.get(new.key_id).inspections == {"insp-a", "insp-c"} and trust.get(new.key_id).person_id == "ann"
    # insp-b is not trusted here, so only insp-a counts: revoked after 3, and only for insp-a now.
    assert trust.get(old.key_id).revoked_after_sequence == 3 == accepted.revoked_after
    assert trust.get(old.key_id).inspections == {"insp-a"}
    assert accepted.send_again == () and accepted.repinned == ()


def test_with_several_inspections_the_lowest_last_number_counts(store, rotation):
    old, new, statement = rotation
    add_trusted_key(store, old.public)  # every inspection
    accepted = accept_rotation(store, statement)
    entry = load_trust_list(store).get(old.key_id)
    assert entry.revoked_after_sequence == 3 and entry.inspections == {"insp-a", "insp-b"}
    assert accepted.send_again == (("insp-b", 5),)  # bundles 4 and 5 of insp-b: to be sent again
    assert load_trust_list(store).get(new.key_id).inspections is None


def test_a_rotation_for_a_key_not_trusted_is_refused(store, rotation):
    _, _, statement = rotation
    with pytest.raises(IdentityError) as refused:
        accept_rotation(store, statement)
    assert refused.value.code == "untrusted-key" and "trust add" in refused.value.message
    assert len(load_trust_list(store)) == 0


def test_a_replayed_rotation_is_refused(store, rotation):
    old, _, statement = rotation
    add_trusted_key(store, old.public)
    accept_rotation(store, statement)
    before = [k.to_json() for k in load_trust_list(store)]
    with pytest.raises(IdentityError) as refused:
        accept_rotation(store, statement)
    assert refused.value.code == "already-rotated" and "nothing was changed" in refused.value.message
    assert [k.to_json() for k in load_trust_list(store)] == before


def test_a_rotation_of_a_revoked_key_is_refused(store, rotation):
    old, new, statement = rotation
    add_trusted_key(store, old.public)
    revoke_key(store, old.key_id, 1)  # e.g. the laptop was stolen: a thief could rotate the key
    with pytest.raises(IdentityError) as refused:
        accept_rotation(store, statement)
    assert refused.value.code == "revoked-key" and "in person" in refused.value.message
    assert load_trust_list(store).get(new.key_id) is None


def test_a_rotation_naming_another_person_for_a_trusted_key_is_refused(store, rotation):
    old, new, _ = rotation
    add_trusted_key(store, old.public)
    # The key's owner made a second identity for the same keys under another person id.
    seed = old._signing.private_bytes_raw()
    other_old = generate_identity("Ann", "ann-2", created_at=T0, signing_seed=seed,
                                  encryption_private=old._encryption_private)
    other_new = generate_identity("Ann", "ann-2", created_at=T0)
    data, _ = make_statement(other_old, other_new, effective_at=T0, last_sequences={})
    with pytest.raises(IdentityError) as refused:
        accept_rotation(store, read_statement(data))
    assert refused.value.code == "trust-conflict"
    assert load_trust_list(store).get(other_new.key_id) is None


def test_a_refused_step_inside_accepting_leaves_nothing_behind(store, rotation, monkeypatch):
    old, new, statement = rotation
    add_trusted_key(store, old.public)
    import fieldwork.identity.rotation_accept as accept_module

    def failing(*args, **kwargs):
        raise IdentityError("boom", code="test")

    monkeypatch.setattr(accept_module, "revoke_key", failing)  # after the new key was added
    with pytest.raises(IdentityError):
        accept_rotation(store, statement)
    trust = load_trust_list(store)
    assert trust.get(new.key_id) is None and trust.get(old.key_id).revoked_after_sequence is None
    assert trust.get(old.key_id).inspections is None


def test_a_lead_rotation_repins_the_inspectors_inspections(store, inspection, mini_framework):
    """On the inspector's side: the lead was trusted (when the first pack was opened) and pinned."""
    lead_old = generate_identity("Lee Lead", "lee", created_at=T0)
    lead_new = generate_identity("Lee Lead", "lee", created_at=T0)
    add_trusted_key(store, lead_old.public, [inspection.id])
    pin_lead(store, inspection.id, lead_old.public)
    data, _ = make_statement(lead_old, lead_new, effective_at=T0, last_sequences={inspection.id: 2})
    accepted = accept_rotation(store, read_statement(data))
    assert accepted.repinned == (inspection.id,) and pinned_lead(store, inspection.id) == lead_new.public
    assert load_trust_list(store).get(lead_new.key_id).inspections == {inspection.id}
    assert load_trust_list(store).get(lead_old.key_id).revoked_after_sequence == 2
    with pytest.raises(IdentityError) as replay:
        accept_rotation(store, read_statement(data))
    assert replay.value.code == "already-rotated"


def test_a_lead_pinned_but_not_trusted_is_repinned_only(store, inspection):
    lead_old = generate_identity("Lee Lead", "lee", created_at=T0)
    lead_new = generate_identity("Lee Lead", "lee", created_at=T0)
    pin_lead(store, inspection.id, lead_old.public)  # `bundle export --pin-lead`, no pack yet
    data, _ = make_statement(lead_old, lead_new, effective_at=T0, last_sequences={})
    accepted = accept_rotation(store, read_statement(data))
    assert accepted.repinned == (inspection.id,) and accepted.new_entry is None and len(load_trust_list(store)) == 0
