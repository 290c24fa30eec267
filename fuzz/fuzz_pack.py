"""atheris harness for `fieldwork.packs.verify_pack`: python fuzz/fuzz_pack.py CORPUS_DIR

The first byte of an input chooses what the rest is:
  0  a whole .fwpack file (seeds: the golden packs), opened with the golden inspectors' keys;
  1  the inner ZIP, sealed to the x25519 inspector (seeds: the golden packs' inner ZIPs);
  2  payload/pack.json, signed by a trusted test lead with the test framework (seed: Ann's payload);
  3  payload/framework.toml, signed by that lead with Ann's payload and a manifest naming the
     test framework (seed: tests/fixtures/frameworks/mini.toml): the loader inside verify_pack.
Only a PackError may come out; anything else is a crash for libFuzzer to report.
"""

from __future__ import annotations

import hashlib
import json

import _harness

with _harness.instrumented():
    from fieldwork.bundles import container
    from fieldwork.frameworks.loader import load_framework
    from fieldwork.identity import TrustList, read_identity_file, unlock_keys
    from fieldwork.identity.encoding import canonical_json
    from fieldwork.packs import verify_pack
    from fieldwork.packs.archive import write_zip
    from fieldwork.packs.export import sign_envelope
    from fieldwork.packs.format import ENVELOPE_NAME, FRAMEWORK_NAME, PACK_NAME

GOLDEN = _harness.FIXTURES / "packs"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
GOLDEN_TRUST = TrustList.of(read_identity_file(GOLDEN / "lead.identity.json"))
INSPECTORS = {
    name: unlock_keys(GOLDEN / name, EXPECTED["passphrase"])
    for name in sorted({spec["keys"] for spec in EXPECTED["packs"].values()})
}
ANN = INSPECTORS["inspector-x25519"]
LEAD = _harness.fuzz_identity("Lee Lead", "lead-1", "pack lead")
TRUST = TrustList.of(LEAD.public)
FRAMEWORK = load_framework(_harness.FIXTURES / "frameworks" / "mini.toml")
PAYLOAD = canonical_json(EXPECTED["packs"]["v1-x25519.fwpack"]["payload"])


def seeds() -> dict[str, bytes]:
    found = {}
    for name, spec in sorted(EXPECTED["packs"].items()):
        data = (GOLDEN / name).read_bytes()
        found[f"file-{name}"] = b"\x00" + data
        found[f"zip-{name}"] = b"\x01" + container.open_container(data, INSPECTORS[spec["keys"]]).archive
    found["payload-ann"] = b"\x02" + PAYLOAD
    found["framework-mini"] = b"\x03" + FRAMEWORK.source_bytes
    return found


def signed_pack(payload: bytes, framework: bytes) -> bytes:
    manifest = {
        "format_version": 1, "app_version": "atheris", "pack_id": "00000000-0000-4000-8000-00000000a7e2",
        "issued_at": _harness.FIXED_TIME, "inspection_id": "golden-insp", "inspector_id": ANN.person_id,
        "lead": LEAD.public.to_json(), "signer_key_id": LEAD.key_id, "recipients": [ANN.key_id],
        "framework": {"hash": hashlib.sha256(framework).hexdigest(), "id": FRAMEWORK.id,
                      "version": FRAMEWORK.version},
        "sequence": 1,
        "members": [
            {"name": PACK_NAME, "sha256": hashlib.sha256(payload).hexdigest(), "size": len(payload)},
            {"name": FRAMEWORK_NAME, "sha256": hashlib.sha256(framework).hexdigest(), "size": len(framework)},
        ],
    }
    envelope = sign_envelope(canonical_json(manifest), LEAD)
    archive = write_zip([(ENVELOPE_NAME, envelope), (PACK_NAME, payload), (FRAMEWORK_NAME, framework)])
    return container.seal(archive, [ANN.public])


def test_one_input(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 4, data[1:]
    if mode == 0:
        for keys in INSPECTORS.values():
            _harness.refused_or_read(verify_pack, rest, identity=keys, trusted_leads=GOLDEN_TRUST)
    elif mode == 1:
        pack = container.seal(rest, [ANN.public])
        _harness.refused_or_read(verify_pack, pack, identity=ANN, trusted_leads=GOLDEN_TRUST)
    elif mode == 2:
        _harness.refused_or_read(verify_pack, signed_pack(rest, FRAMEWORK.source_bytes), identity=ANN,
                                 trusted_leads=TRUST)
    else:
        _harness.refused_or_read(verify_pack, signed_pack(PAYLOAD, rest), identity=ANN, trusted_leads=TRUST)


def main() -> None:
    _harness.main(test_one_input, seeds)


if __name__ == "__main__":
    main()
