"""The key files of one identity, side by side in one folder: identity.json and private.json.

The profile's keys live in DATA_DIR/keys (keys.py); an offline recovery key lives in a folder
of its own (recovery.py). The format is the same:
- identity.json: the public identity (public.py), safe to hand to anyone.
- private.json (0600): the Ed25519 signing key, the HPKE private key and any decryption-only
  keys (unlocked.py), encrypted with ChaCha20-Poly1305 under a random data key. The data key is
  wrapped once per unlock method: under a key derived from the passphrase with scrypt, and/or
  under a random secret kept in the OS keyring. Every parameter is bound into the AEAD
  associated data, so a tampered file fails to unlock rather than being weakened.

Every field of private.json is checked before any passphrase work starts, so a file edited by
hand is refused at once with `damaged-keys` (never minutes of scrypt, an exhausted memory or a
crash). A changed salt or a changed cost that is still in range cannot be told apart from a
wrong passphrase (both fail the AEAD), so that refusal says both. Reading never writes, except
to finish a key replacement that a crash interrupted (`settle_pending`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from fieldwork.durable_files import atomic_write, remove_stale_partials
from fieldwork.identity import keyring_secret, suites
from fieldwork.identity.encoding import EncodingError, b64decode, b64encode, canonical_json, parse_strict_json
from fieldwork.identity.errors import IdentityError
from fieldwork.identity.public import PublicIdentity, identity_from_bytes, identity_from_json
from fieldwork.identity.unlocked import DECRYPTION_KEY_KINDS, DecryptionKey, UnlockedIdentity
from fieldwork.regular_files import read_regular_file

IDENTITY_FILENAME = "identity.json"
PRIVATE_FILENAME = "private.json"
PENDING_FILENAME = "next-identity.json"  # present only while keys are being replaced
PRIVATE_TYPE = "fieldwork-private-keys"
PRIVATE_VERSION = 1
MAX_PRIVATE_FILE_BYTES = 1024 * 1024
MAX_UNLOCK_SLOTS = 8
MAX_DECRYPTION_KEYS = 64
MIN_LOG2_N, MAX_LOG2_N = 10, 22
MAX_SCRYPT_MEMORY = 1 << 30  # bytes: 128 * r * N
MAX_SCRYPT_WORK = 1 << 30  # 128 * r * N * p: eight times the default's cost, a few seconds

_TOP_FIELDS = {"type", "version", "key_id", "encryption_suite", "nonce", "ciphertext", "unlock"}
_SCRYPT_FIELDS = {"method", "salt", "log2_n", "r", "p", "nonce", "wrapped_key"}
_KEYRING_FIELDS = {"method", "service", "username", "nonce", "wrapped_key"}
_SECRET_FIELDS = {"signing_seed", "encryption_private"}
_DECRYPTION_FIELDS = {"identity", "kind", "private"}
_TAG_BYTES = 16


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost: N = 2**log2_n, block size r, parallelism p; memory is 128 * r * N bytes."""

    log2_n: int = 17
    r: int = 8
    p: int = 1

    def check(self) -> None:
        """Raise ValueError for a cost out of range, before computing anything from it.

        The bounds protect unlocking from a key file that asks for absurd memory or time
        (log2_n = 40 would need 128 TiB; 10**30 does not even fit in memory as a shift).
        """
        if not all(type(v) is int for v in (self.log2_n, self.r, self.p)):
            raise ValueError("scrypt parameters must be integers")
        if not (MIN_LOG2_N <= self.log2_n <= MAX_LOG2_N and 1 <= self.r <= 32 and 1 <= self.p <= 16):
            raise ValueError("scrypt parameters out of range")
        memory = (128 * self.r) << self.log2_n
        if memory > MAX_SCRYPT_MEMORY or memory * self.p > MAX_SCRYPT_WORK:
            raise ValueError("scrypt parameters ask for too much memory or time")


@dataclass(frozen=True)
class Slot:
    """One way to unwrap the data key, as stored (`fields` go into its associated data)."""

    method: str  # "scrypt" or "keyring"
    fields: dict
    nonce: bytes
    wrapped: bytes
    params: ScryptParams | None = None
    salt: bytes = b""
    username: str = ""


@dataclass(frozen=True)
class PrivateFile:
    """private.json, every field checked; nothing decrypted yet."""

    path: Path
    header: dict
    nonce: bytes
    ciphertext: bytes
    slots: tuple[Slot, ...]
    document: dict


def identity_file(folder: Path) -> Path:
    return Path(folder) / IDENTITY_FILENAME


def private_file(folder: Path) -> Path:
    return Path(folder) / PRIVATE_FILENAME


def folder_has_keys(folder: Path) -> bool:
    return private_file(folder).is_file() and identity_file(folder).is_file()


# --- refusals ----------------------------------------------------------------------------------


def damaged(path: Path, why: str) -> IdentityError:
    return IdentityError(
        f"The private key file {path} cannot be used ({why}); nothing was changed: put back an unchanged "
        "copy of it if you have one, otherwise create new keys in a new data folder and give the new "
        "identity file to whoever trusted the old one.",
        code="damaged-keys",
    )


def _wrong_passphrase(path: Path) -> IdentityError:
    return IdentityError(
        "The passphrase does not unlock these keys; type it again (check Caps Lock and the keyboard "
        f"layout), and if you are sure it is right, the key file {path.name} was changed since it was made: "
        "put back an unchanged copy of it.",
        code="wrong-passphrase",
    )


def _read_capped(path: Path, cap: int, what: str) -> bytes:
    try:
        data = read_regular_file(path, cap)
    except OSError as exc:
        raise IdentityError(
            f"{what} {path} cannot be read ({exc.strerror}); check that it is a file you may read.",
            code="damaged-keys",
        ) from None
    if len(data) > cap:
        raise damaged(path, "it is far too large")
    return data


# --- the public half ----------------------------------------------------------------------------


def read_identity(folder: Path, *, source: str, advice: str) -> PublicIdentity:
    """The folder's identity.json, fully checked; `advice` says how to put it right."""
    path = identity_file(folder)
    data = _read_capped(path, MAX_PRIVATE_FILE_BYTES, "The identity file")
    return identity_from_bytes(data, source=f"{source} {path}", advice=advice)


# --- reading private.json -------------------------------------------------------------------------


def _slot(path: Path, value: object) -> Slot:
    if not isinstance(value, dict):
        raise damaged(path, "an unlock method is not an object")
    method = value.get("method")
    wanted = {"scrypt": _SCRYPT_FIELDS, "keyring": _KEYRING_FIELDS}.get(method) if isinstance(method, str) else None
    if wanted is None:
        raise damaged(path, "it names an unlock method this fieldwork does not know")
    if set(value) != wanted:
        raise damaged(path, f"the {method} unlock method has missing or extra fields")
    try:
        nonce = b64decode(value["nonce"], length=12)
        wrapped = b64decode(value["wrapped_key"], length=32 + _TAG_BYTES)
    except EncodingError as exc:
        raise damaged(path, f"the {method} unlock method's wrapped key is not readable: {exc}") from None
    if method == "keyring":
        if value["service"] != keyring_secret.SERVICE or not isinstance(value["username"], str) or not (
            0 < len(value["username"]) <= 200
        ):
            raise damaged(path, "the keyring unlock method names another service or no user")
        return Slot(method, value, nonce, wrapped, username=value["username"])
    params = ScryptParams(value["log2_n"], value["r"], value["p"])
    try:
        params.check()  # before anything is derived: an absurd cost is refused, not run
        salt = b64decode(value["salt"], length=16)
    except (ValueError, EncodingError) as exc:
        raise damaged(path, f"bad passphrase parameters: {exc}") from None
    return Slot(method, value, nonce, wrapped, params=params, salt=salt)


def read_private(folder: Path, public: PublicIdentity) -> PrivateFile:
    """private.json with every field checked against the format and against `public`."""
    path = private_file(folder)
    data = _read_capped(path, MAX_PRIVATE_FILE_BYTES, "The private key file")
    try:
        document = parse_strict_json(data)
    except EncodingError as exc:
        raise damaged(path, f"it is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or set(document) != _TOP_FIELDS:
        raise damaged(path, "its fields are not those of a fieldwork private key file")
    version = document["version"]
    if document["type"] != PRIVATE_TYPE or type(version) is not int:
        raise damaged(path, "it is not a fieldwork private key file")
    if version != PRIVATE_VERSION:
        if version > PRIVATE_VERSION:
            raise IdentityError(
                f"The private key file {path} was written by a newer fieldwork (format {version}); install "
                "the newer fieldwork to use these keys.",
                code="unsupported-version",
            )
        raise damaged(path, "its format version is not valid")
    if document["key_id"] != public.key_id or document["encryption_suite"] != public.encryption_suite:
        raise damaged(path, f"it does not belong to {IDENTITY_FILENAME} beside it")
    try:
        nonce = b64decode(document["nonce"], length=12)
        ciphertext = b64decode(document["ciphertext"])
    except EncodingError as exc:
        raise damaged(path, f"its encrypted keys are not readable: {exc}") from None
    if len(ciphertext) < _TAG_BYTES:
        raise damaged(path, "its encrypted keys are cut short")
    slots = document["unlock"]
    if not isinstance(slots, list) or not 1 <= len(slots) <= MAX_UNLOCK_SLOTS:
        raise damaged(path, "it has no usable unlock methods")
    header = {k: document[k] for k in ("type", "version", "key_id", "encryption_suite")}
    return PrivateFile(path, header, nonce, ciphertext, tuple(_slot(path, s) for s in slots), document)


def unlock_methods(folder: Path, public: PublicIdentity) -> list[str]:
    """How the keys unlock: 'keyring' and/or 'passphrase'."""
    names = {"keyring": "keyring", "scrypt": "passphrase"}
    return [names[slot.method] for slot in read_private(folder, public).slots]


# --- unlocking ------------------------------------------------------------------------------------


def scrypt_key(passphrase: str, salt: bytes, params: ScryptParams) -> bytes:
    params.check()
    return Scrypt(salt=salt, length=32, n=1 << params.log2_n, r=params.r, p=params.p).derive(
        passphrase.encode("utf-8")
    )


def _slot_aad(slot_fields: dict, key_id: str) -> bytes:
    parameters = {k: v for k, v in slot_fields.items() if k not in ("nonce", "wrapped_key")}
    return canonical_json({"key_id": key_id, "slot": parameters})


def _unwrap(slot: Slot, wrapping_key: bytes, key_id: str) -> bytes | None:
    try:
        return ChaCha20Poly1305(wrapping_key).decrypt(slot.nonce, slot.wrapped, _slot_aad(slot.fields, key_id))
    except InvalidTag:
        return None


def _data_key(private: PrivateFile, key_id: str, passphrase: str | None) -> bytes:
    for slot in private.slots:
        if slot.method == "keyring":
            secret = keyring_secret.load_secret(slot.username)
            if secret is not None and len(secret) == 32:
                data_key = _unwrap(slot, secret, key_id)
                if data_key is not None:
                    return data_key
    has_passphrase_slot = any(slot.method == "scrypt" for slot in private.slots)
    if passphrase is None:
        raise IdentityError(
            "Your passphrase is needed to unlock your keys." if has_passphrase_slot
            else "Your keys are kept in this computer's keyring, which cannot be reached now; "
            "unlock the keyring (log in again) and retry.",
            code="passphrase-needed" if has_passphrase_slot else "keyring-unavailable",
        )
    for slot in private.slots:
        if slot.method == "scrypt":
            assert slot.params is not None
            data_key = _unwrap(slot, scrypt_key(passphrase, slot.salt, slot.params), key_id)
            if data_key is not None:
                return data_key
    raise _wrong_passphrase(private.path)


def _decryption_key(value: object) -> DecryptionKey:
    if not isinstance(value, dict) or set(value) != _DECRYPTION_FIELDS or value["kind"] not in DECRYPTION_KEY_KINDS:
        raise ValueError("a kept decryption key is not in the expected form")
    try:
        public = identity_from_json(value["identity"])
    except IdentityError:
        raise ValueError("a kept decryption key's identity is not valid") from None
    private = b64decode(value["private"], length=suites.suite_info(public.encryption_suite).private_key_bytes)
    if suites.public_key_bytes(public.encryption_suite, private) != public.encryption_public:
        raise ValueError(f"the kept decryption key {public.key_id} does not match its identity")
    return DecryptionKey(public, private, value["kind"])


def _secrets(private: PrivateFile, public: PublicIdentity, plaintext: bytes) -> UnlockedIdentity:
    path = private.path
    try:
        value = parse_strict_json(plaintext)
        if not isinstance(value, dict) or not _SECRET_FIELDS <= set(value) <= _SECRET_FIELDS | {"decryption_keys"}:
            raise ValueError("unexpected fields")
        seed = b64decode(value["signing_seed"], length=32)
        encryption_private = b64decode(
            value["encryption_private"], length=suites.suite_info(public.encryption_suite).private_key_bytes
        )
        kept = value.get("decryption_keys", [])
        if not isinstance(kept, list) or len(kept) > MAX_DECRYPTION_KEYS:
            raise ValueError("decryption keys")
        decryption = [_decryption_key(item) for item in kept]
    except (EncodingError, ValueError, TypeError, KeyError) as exc:
        raise damaged(path, f"its decrypted content is not valid: {exc}") from None
    unlocked = UnlockedIdentity(public, seed, encryption_private, decryption)
    if (
        unlocked._signing.public_key().public_bytes_raw() != public.signing_public
        or suites.public_key_bytes(public.encryption_suite, encryption_private) != public.encryption_public
    ):
        raise damaged(path, f"its keys do not match {IDENTITY_FILENAME}")
    return unlocked


def open_private(
    folder: Path, public: PublicIdentity, passphrase: str | None
) -> tuple[UnlockedIdentity, bytes, PrivateFile]:
    """Unlock the folder's keys: (identity, the data key, the file as read).

    Raises IdentityError: passphrase-needed, keyring-unavailable, wrong-passphrase, damaged-keys
    or unsupported-version. Writes nothing.
    """
    private = read_private(folder, public)
    data_key = _data_key(private, public.key_id, passphrase)
    try:
        aad = canonical_json(private.header)
        plaintext = ChaCha20Poly1305(data_key).decrypt(private.nonce, private.ciphertext, aad)
    except InvalidTag:
        raise damaged(private.path, "it has been altered") from None
    return _secrets(private, public, plaintext), data_key, private


# --- writing --------------------------------------------------------------------------------------


def _wrap(slot_fields: dict, wrapping_key: bytes, data_key: bytes, key_id: str) -> dict:
    nonce = secrets.token_bytes(12)
    wrapped = ChaCha20Poly1305(wrapping_key).encrypt(nonce, data_key, _slot_aad(slot_fields, key_id))
    return {**slot_fields, "nonce": b64encode(nonce), "wrapped_key": b64encode(wrapped)}


def _secrets_plaintext(identity: UnlockedIdentity) -> bytes:
    value: dict = {
        "signing_seed": b64encode(identity._signing.private_bytes_raw()),
        "encryption_private": b64encode(identity._encryption_private),
    }
    if identity.decryption_keys:  # absent when empty: such files read exactly as before
        value["decryption_keys"] = [
            {"identity": k.public.to_json(), "kind": k.kind, "private": b64encode(k.private)}
            for k in identity.decryption_keys
        ]
    return canonical_json(value)


def _sealed_document(header: dict, data_key: bytes, identity: UnlockedIdentity, slots: list[dict]) -> bytes:
    nonce = secrets.token_bytes(12)
    ciphertext = ChaCha20Poly1305(data_key).encrypt(nonce, _secrets_plaintext(identity), canonical_json(header))
    document = {**header, "nonce": b64encode(nonce), "ciphertext": b64encode(ciphertext), "unlock": slots}
    return canonical_json(document) + b"\n"


def _header(identity: UnlockedIdentity) -> dict:
    return {
        "type": PRIVATE_TYPE, "version": PRIVATE_VERSION, "key_id": identity.key_id,
        "encryption_suite": identity.public.encryption_suite,
    }


def private_document(
    identity: UnlockedIdentity, *, passphrase: str | None, use_keyring: bool, scrypt: ScryptParams
) -> bytes:
    """private.json's bytes for `identity`, with a fresh data key and unlock methods."""
    data_key = secrets.token_bytes(32)
    slots = []
    if use_keyring:
        secret = secrets.token_bytes(32)
        username = keyring_secret.username_for(identity.key_id)
        if keyring_secret.store_secret(username, secret):
            slot = {"method": "keyring", "service": keyring_secret.SERVICE, "username": username}
            slots.append(_wrap(slot, secret, data_key, identity.key_id))
        elif passphrase is None:
            raise IdentityError(
                "No working keyring was found on this computer; set a passphrase instead.",
                code="keyring-unavailable",
            )
    if passphrase is not None:
        scrypt.check()
        salt = secrets.token_bytes(16)
        slot = {"method": "scrypt", "salt": b64encode(salt), "log2_n": scrypt.log2_n, "r": scrypt.r, "p": scrypt.p}
        slots.append(_wrap(slot, scrypt_key(passphrase, salt, scrypt), data_key, identity.key_id))
    return _sealed_document(_header(identity), data_key, identity, slots)


def prepare_folder(folder: Path) -> Path:
    """Create the key folder, readable by the user only, and clear temp files of dead writers."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(folder, 0o700)
    remove_stale_partials(folder)
    return folder


def write_keys(
    folder: Path, identity: UnlockedIdentity, *, passphrase: str | None, use_keyring: bool, scrypt: ScryptParams
) -> None:
    """Write identity.json and the encrypted private.json into `folder` (private.json last:
    its appearing is what marks the keys as complete)."""
    document = private_document(identity, passphrase=passphrase, use_keyring=use_keyring, scrypt=scrypt)
    folder = prepare_folder(folder)
    atomic_write(identity_file(folder), identity.public.to_bytes(), mode=0o644)
    atomic_write(private_file(folder), document, mode=0o600)


def rewrite_secrets(private: PrivateFile, data_key: bytes, identity: UnlockedIdentity) -> None:
    """Re-encrypt private.json's content (e.g. a decryption key added or removed) under the same
    data key and unlock methods, so the passphrase and keyring stay as they were."""
    if identity.key_id != private.header["key_id"]:
        raise ValueError("these keys are not the ones in this file")
    document = _sealed_document(private.header, data_key, identity, list(private.document["unlock"]))
    atomic_write(private.path, document, mode=0o600)


def replace_keys(folder: Path, identity: UnlockedIdentity, document: bytes) -> None:
    """Put `identity` (with `document`, its private.json bytes) in the place of the folder's keys.

    Two files cannot be replaced at once, so the new identity is first written beside them
    (PENDING_FILENAME); private.json replaced is the commit point; `settle_pending` finishes
    or undoes the replacement if a crash stops it in between.
    """
    folder = Path(folder)
    atomic_write(folder / PENDING_FILENAME, identity.public.to_bytes(), mode=0o644)
    atomic_write(private_file(folder), document, mode=0o600)
    atomic_write(identity_file(folder), identity.public.to_bytes(), mode=0o644)
    (folder / PENDING_FILENAME).unlink()


def settle_pending(folder: Path) -> None:
    """Finish a key replacement a crash interrupted after its commit point, or drop it before."""
    pending = Path(folder) / PENDING_FILENAME
    if not pending.is_file():
        return
    try:
        new = identity_from_bytes(pending.read_bytes(), source="The pending identity")
        current = parse_strict_json(private_file(folder).read_bytes())
        committed = isinstance(current, dict) and current.get("key_id") == new.key_id
    except (OSError, EncodingError, IdentityError):
        return  # left for a person: reading the keys reports what is wrong with them
    with contextlib.suppress(OSError):
        if committed:
            atomic_write(identity_file(folder), new.to_bytes(), mode=0o644)
        pending.unlink()
