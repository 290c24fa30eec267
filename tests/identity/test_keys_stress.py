"""Keys under stress: wrong passphrases and key files damaged or edited by hand (issue 7 item 6).

Every damaged or edited file must give an IdentityError with a reason code and a sentence that
says what to do, must never run scrypt with a cost out of range (a file asking for 2**40 would
hang or exhaust memory), and must change nothing on disk. tests/identity/test_identity_keys.py
has the basics (a wrong and a missing passphrase, altered ciphertext, swapped identity files).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import stat
import tempfile
from pathlib import Path

import pytest
from helpers.keyrings import no_os_keyring
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldwork.identity import IdentityError, create_keys, export_identity, read_identity_file, unlock_keys
from fieldwork.identity import keyfile as keyfile_module
from fieldwork.identity.keyfile import MAX_SCRYPT_MEMORY, MAX_SCRYPT_WORK, ScryptParams
from fieldwork.identity.keys import generate_identity, identity_path, private_path
from fieldwork.identity.public import fingerprint_for, identity_from_json

CHEAP = ScryptParams(log2_n=10)
PASSPHRASE = "correct horse battery"
# Codes a damaged private key file may give; anything else (or any other exception) is a bug.
PRIVATE_CODES = {"damaged-keys", "wrong-passphrase", "unsupported-version", "invalid-identity"}


@pytest.fixture(autouse=True)
def no_real_keyring():
    with no_os_keyring():
        yield


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """One profile's key files (made once: scrypt is cheap, but not free)."""
    folder = tmp_path_factory.mktemp("pristine")
    created = create_keys(folder, name="Ann Inspector", person_id="ann", passphrase=PASSPHRASE, scrypt=CHEAP)
    return folder, created.key_id, private_path(folder).read_bytes(), identity_path(folder).read_bytes()


@pytest.fixture
def keys_folder(tmp_path, pristine):
    source, _, private, identity = pristine
    private_path(tmp_path).parent.mkdir(mode=0o700)
    private_path(tmp_path).write_bytes(private)
    identity_path(tmp_path).write_bytes(identity)
    return tmp_path


class _NotTheKey:
    def derive(self, passphrase: bytes) -> bytes:
        return bytes(32)


@pytest.fixture
def scrypt_calls(monkeypatch):
    """Every scrypt run, and a failure if one is ever asked for a cost out of range.

    Only the files' own cheap cost runs for real: any other cost is bound into the slot's
    associated data, so its key cannot unwrap anything, and a stand-in saves the test seconds.
    """
    calls = []
    real = keyfile_module.Scrypt

    def guarded(*, salt, length, n, r, p):
        memory = 128 * r * n
        assert memory <= MAX_SCRYPT_MEMORY and memory * p <= MAX_SCRYPT_WORK, (n, r, p)
        calls.append((n, r, p))
        if (n, r, p) != (1 << CHEAP.log2_n, CHEAP.r, CHEAP.p):
            return _NotTheKey()
        return real(salt=salt, length=length, n=n, r=r, p=p)

    monkeypatch.setattr(keyfile_module, "Scrypt", guarded)
    return calls


def snapshot(folder: Path) -> dict:
    """Every file under `folder` with its bytes and modification time."""
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


def document(folder: Path) -> dict:
    return json.loads(private_path(folder).read_text())


def write_document(folder: Path, value) -> None:
    private_path(folder).write_text(json.dumps(value))


def refused(folder: Path, passphrase: str | None = PASSPHRASE) -> IdentityError:
    before = snapshot(folder)
    with pytest.raises(IdentityError) as caught:
        unlock_keys(folder, passphrase)
    assert snapshot(folder) == before, "a refused unlock changed a file"
    error = caught.value
    assert error.code in PRIVATE_CODES
    # One sentence that says what is wrong and what to do (fieldwork/errors.py).
    assert error.message.endswith(".") and error.message.count(". ") == 0 and len(error.message) > 60
    return error


# --- the private key file, edited by hand ---------------------------------------------------------


def slot_edit(**changes):
    def edit(value):
        value["unlock"][0].update(changes)
    return edit


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(slot_edit(log2_n=40), id="log2_n=40 (128 TiB)"),
        pytest.param(slot_edit(log2_n=10**30), id="log2_n=10**30 (an overflow before the fix)"),
        pytest.param(slot_edit(log2_n=10**12), id="log2_n=10**12 (a MemoryError before the fix)"),
        pytest.param(slot_edit(log2_n=-1), id="negative log2_n"),
        pytest.param(slot_edit(log2_n=9), id="too cheap"),
        pytest.param(slot_edit(log2_n="17"), id="log2_n as text"),
        pytest.param(slot_edit(log2_n=None), id="log2_n null"),
        pytest.param(slot_edit(r=True), id="r=true (passed as 1 before the fix)"),
        pytest.param(slot_edit(log2_n=22, r=32), id="16 GiB of memory"),
        pytest.param(slot_edit(log2_n=20, r=8, p=16), id="16 times the memory's work"),
        pytest.param(slot_edit(salt="AAAA"), id="short salt"),
        pytest.param(slot_edit(salt="not base64!"), id="salt not base64"),
        pytest.param(slot_edit(nonce=base64.b64encode(b"x" * 11).decode()), id="slot nonce too short"),
        pytest.param(slot_edit(wrapped_key="AAAA"), id="wrapped key too short"),
        pytest.param(slot_edit(method="magic"), id="unknown unlock method"),
        pytest.param(slot_edit(method="keyring"), id="scrypt slot relabelled keyring"),
        pytest.param(slot_edit(extra=1), id="extra slot field"),
        pytest.param(lambda v: v["unlock"][0].pop("salt"), id="missing salt"),
        pytest.param(lambda v: v["unlock"][0].pop("method"), id="missing method"),
        pytest.param(lambda v: v.update(unlock=[]), id="no unlock methods"),
        pytest.param(lambda v: v.update(unlock={}), id="unlock not a list"),
        pytest.param(lambda v: v.update(unlock=[v["unlock"][0]] * 9), id="nine unlock methods"),
        pytest.param(lambda v: v.update(unlock=["scrypt"]), id="unlock method not an object"),
        pytest.param(lambda v: v.update(version=True), id="version true"),
        pytest.param(lambda v: v.update(version="1"), id="version as text"),
        pytest.param(lambda v: v.update(version=0), id="version 0"),
        pytest.param(lambda v: v.update(type="something-else"), id="another type"),
        pytest.param(lambda v: v.update(key_id="0" * 32), id="another key id"),
        pytest.param(lambda v: v.update(encryption_suite="mlkem768-x25519"), id="another suite"),
        pytest.param(lambda v: v.update(nonce="AAAA"), id="nonce too short"),
        pytest.param(lambda v: v.update(ciphertext="AAAA"), id="ciphertext cut short"),
        pytest.param(lambda v: v.update(ciphertext=123), id="ciphertext a number"),
        pytest.param(lambda v: v.update(extra="field"), id="extra field"),
        pytest.param(lambda v: v.pop("nonce"), id="missing field"),
    ],
)
def test_a_hand_edited_private_key_file_is_refused_without_running_scrypt(keys_folder, scrypt_calls, edit):
    value = document(keys_folder)
    edit(value)
    write_document(keys_folder, value)
    error = refused(keys_folder)
    assert error.code == "damaged-keys" and "nothing was changed" in error.message
    assert scrypt_calls == []  # refused before any passphrase work


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(slot_edit(salt=base64.b64encode(b"another salt 16b").decode()), id="changed salt"),
        pytest.param(slot_edit(log2_n=11), id="another cost in range"),
        pytest.param(slot_edit(r=4), id="another block size"),
        pytest.param(slot_edit(wrapped_key=base64.b64encode(b"w" * 48).decode()), id="changed wrapped key"),
    ],
)
def test_an_edit_the_passphrase_check_cannot_tell_from_a_typo_says_both(keys_folder, scrypt_calls, edit):
    value = document(keys_folder)
    edit(value)
    write_document(keys_folder, value)
    error = refused(keys_folder)
    assert error.code == "wrong-passphrase"
    assert "type it again" in error.message and "changed since it was made" in error.message
    assert len(scrypt_calls) == 1


def test_a_newer_private_key_format_says_install_the_newer_fieldwork(keys_folder):
    value = document(keys_folder)
    value["version"] = 2
    write_document(keys_folder, value)
    error = refused(keys_folder)
    assert error.code == "unsupported-version" and "newer fieldwork" in error.message


@pytest.mark.parametrize("cut", [0, 1, 10, 100, -40, -2])
def test_a_truncated_private_key_file(keys_folder, pristine, cut):
    private_path(keys_folder).write_bytes(pristine[2][:cut])
    assert refused(keys_folder).code == "damaged-keys"


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\xff" * 10, b"[]", b"null", b'{"type": 1}', b"{" * 100_000, b" " * (2 * 1024 * 1024)],
    ids=["empty", "binary", "a list", "null", "wrong types", "deeply nested", "far too large"],
)
def test_junk_in_place_of_the_private_key_file(keys_folder, content):
    private_path(keys_folder).write_bytes(content)
    assert refused(keys_folder).code == "damaged-keys"


def test_a_folder_or_an_unreadable_file_in_place_of_the_private_key_file(keys_folder):
    private_path(keys_folder).unlink()
    private_path(keys_folder).mkdir()  # keys_exist says no: no traceback, a clear "no keys"
    with pytest.raises(IdentityError) as missing:
        unlock_keys(keys_folder, PASSPHRASE)
    assert missing.value.code == "no-keys"
    private_path(keys_folder).rmdir()
    private_path(keys_folder).write_bytes(b"{}")
    if os.name == "posix" and os.geteuid() != 0:
        private_path(keys_folder).chmod(0)
        assert refused(keys_folder).code == "damaged-keys"  # was an uncaught PermissionError


def test_private_keys_with_another_keypair_inside_are_refused(tmp_path):
    """A whole, valid private.json of someone else, with its own identity swapped in by hand."""
    create_keys(tmp_path / "a", name="Ann", person_id="ann", passphrase=PASSPHRASE, scrypt=CHEAP)
    create_keys(tmp_path / "b", name="Bob", person_id="bob", passphrase=PASSPHRASE, scrypt=CHEAP)
    private_path(tmp_path / "a").write_bytes(private_path(tmp_path / "b").read_bytes())
    assert refused(tmp_path / "a").code == "damaged-keys"


# --- the profile's own identity.json, edited by hand --------------------------------------------


def test_an_edited_own_identity_file_says_how_to_put_it_back(tmp_path):
    created = create_keys(tmp_path, name="Ann Inspector", person_id="ann", passphrase=PASSPHRASE, scrypt=CHEAP)
    exported = export_identity(tmp_path, tmp_path / "ann.json")
    value = json.loads(identity_path(tmp_path).read_text())
    value["name"] = "Ann Someone-Else"
    identity_path(tmp_path).write_text(json.dumps(value))
    error = refused(tmp_path)
    assert error.code == "invalid-identity" and "keys export" in error.message and "keys/identity.json" in error.message
    assert error.fingerprint == created.public.fingerprint  # still shown: the keys are unchanged
    identity_path(tmp_path).write_bytes(exported.read_bytes())  # what the message says to do
    assert unlock_keys(tmp_path, PASSPHRASE).key_id == created.key_id


# --- hypothesis: structural edits of both files -------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=20)
    | st.sampled_from(["", "AAAA", "scrypt", "keyring", "x25519", "fieldwork-private-keys", "=" * 4]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _parent(value, path):
    for step in path[:-1]:
        value = value[step]
    return value


@st.composite
def structural_edits(draw, original: dict):
    """The document with one to three edits: a value replaced, a field removed, added or renamed,
    a list item repeated, or an integer pushed to its limits."""
    value = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(value))))
        action = draw(st.sampled_from(["replace", "remove", "add", "rename", "repeat", "extreme"]))
        if not path:
            if action == "replace":
                value = draw(JSON_VALUES)
            continue
        parent, key = _parent(value, path), path[-1]
        if action == "replace":
            parent[key] = draw(JSON_VALUES)
        elif action == "remove":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(JSON_VALUES)
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = parent.pop(key)
        elif action == "repeat" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif action == "extreme":
            parent[key] = draw(st.sampled_from([0, -1, 1, 2**31, 2**63, 10**40, True, False, 22, 40, 1.5]))
        if not isinstance(value, dict | list):
            break
    return value


def _dump(value) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_structural_edit_of_the_private_key_file_is_refused_or_harmless(tmp_path, pristine, scrypt_calls, data):
    _, key_id, private, identity = pristine
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    private_path(folder).parent.mkdir()
    identity_path(folder).write_bytes(identity)
    edited = data.draw(structural_edits(json.loads(private)))
    private_path(folder).write_bytes(_dump(edited))
    before = snapshot(folder)
    try:
        unlocked = unlock_keys(folder, PASSPHRASE)
    except IdentityError as error:
        assert error.code in PRIVATE_CODES, error.code
    else:  # an edit the format does not care about (e.g. a repeated unlock method): the right keys
        assert unlocked.key_id == key_id
    assert snapshot(folder) == before


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_structural_edit_of_an_identity_file_is_refused_or_harmless(tmp_path, pristine, data):
    _, _, _, identity = pristine
    original = identity_from_json(json.loads(identity))
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "identity.json"
    path.write_bytes(_dump(data.draw(structural_edits(json.loads(identity)))))
    try:
        read = read_identity_file(path)
    except IdentityError as error:
        assert error.code in {"invalid-identity", "unsupported-version", "is-rotation-statement"}, error.code
        assert error.message.endswith(".")
    else:
        assert read == original


# --- identity files handed to a lead, edited by hand ---------------------------------------------


@pytest.fixture(scope="module")
def ann():
    return generate_identity("Ann Inspector", "ann", created_at="2026-11-02T09:00:00.000Z")


@pytest.fixture(scope="module")
def mallory():
    return generate_identity("Mallory", "mallory", created_at="2026-11-02T09:00:00.000Z")


def identity_refused(value) -> IdentityError:
    with pytest.raises(IdentityError) as caught:
        identity_from_json(value)
    assert caught.value.code == "invalid-identity"
    assert caught.value.message.endswith(".") and caught.value.message.count(". ") == 0
    return caught.value


def test_a_changed_name_still_shows_the_fingerprint_to_compare_aloud(ann):
    value = ann.public.to_json()
    value["name"] = "Ann Inspector (lead)"
    error = identity_refused(value)
    assert error.fingerprint == ann.public.fingerprint and ann.public.fingerprint in error.message
    assert "read it to the owner" in error.message and "keys export" in error.message


def test_a_changed_person_id_still_shows_the_fingerprint(ann):
    value = ann.public.to_json()
    value["person_id"] = "ann2"
    assert identity_refused(value).fingerprint == ann.public.fingerprint


def test_a_swapped_key_with_the_old_fingerprint_kept_shows_the_new_keys_fingerprint(ann, mallory):
    value = ann.public.to_json()
    value["signing_key"] = mallory.public.to_json()["signing_key"]
    value["encryption_key"] = mallory.public.to_json()["encryption_key"]
    value["key_id"] = mallory.key_id  # even with a matching key id, the fingerprint gives it away
    error = identity_refused(value)
    assert error.fingerprint == mallory.public.fingerprint != ann.public.fingerprint
    assert "fingerprint written in it is not the one of its keys" in error.message


def test_a_swapped_signing_key_alone_fails_the_key_id(ann, mallory):
    value = ann.public.to_json()
    value["signing_key"] = mallory.public.to_json()["signing_key"]
    error = identity_refused(value)
    assert "key id does not match" in error.message
    assert error.fingerprint == fingerprint_for(mallory.public.signing_public, "x25519", ann.public.encryption_public)


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda v: v["signing_key"].update(public="not base64!"), id="signing key not base64"),
        pytest.param(lambda v: v["encryption_key"].update(public="AAA="), id="encryption key not canonical"),
        pytest.param(lambda v: v["signing_key"].update(public=base64.b64encode(b"k" * 31).decode()), id="31-byte key"),
        pytest.param(lambda v: v["encryption_key"].update(public=base64.b64encode(b"k" * 33).decode()), id="33-byte"),
        pytest.param(lambda v: v.update(self_signature=base64.b64encode(b"s" * 63).decode()), id="short signature"),
        pytest.param(lambda v: v.update(version=True), id="version true (accepted before the fix)"),
        pytest.param(lambda v: v["encryption_key"].update(kdf_id=True), id="kdf_id true (accepted before the fix)"),
        pytest.param(lambda v: v.update(created_at="yesterday"), id="created_at not a timestamp"),
        pytest.param(lambda v: v.update(name=" Ann Inspector"), id="name with an outer space"),
        pytest.param(lambda v: v.pop("fingerprint"), id="missing fingerprint"),
    ],
)
def test_unreadable_keys_and_wrong_types_in_an_identity_file(ann, edit):
    value = ann.public.to_json()
    edit(value)
    error = identity_refused(value)
    assert "export it again" in error.message


def test_a_weak_encryption_key_is_refused_when_read_not_at_the_first_export():
    """A self-signed identity whose X25519 key is a low-order point: nothing can be encrypted to
    it (HPKE raised ValueError, uncaught, at the first bundle export before the fix)."""
    weak = generate_identity("Wendy", "wendy")
    body = weak.public.__class__(**{**weak.public.__dict__, "encryption_public": bytes(32), "self_signature": b""})
    signed = body.__class__(**{**body.__dict__, "self_signature": weak.sign(body.signed_bytes())})
    assert "weak" in identity_refused(signed.to_json()).message


def test_key_files_stay_private_after_a_refusal(keys_folder):
    private_path(keys_folder).chmod(0o600)
    value = document(keys_folder)
    value["unlock"][0]["log2_n"] = 40
    write_document(keys_folder, value)
    refused(keys_folder)
    if os.name == "posix":
        assert stat.S_IMODE(private_path(keys_folder).stat().st_mode) == 0o600
