"""Hand-over speed: exporting a 200-case inspection and verifying the bundle."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from benchmarks.generate import fill_inspection
from benchmarks.harness import Result, absolute_result, median, ratio_result, samples


def _identities(folder: Path):
    from fieldwork.identity import create_keys
    from fieldwork.identity.keys import ScryptParams

    cheap = ScryptParams(log2_n=10)  # unlocking keys is not what is measured
    inspector = create_keys(
        folder / "inspector", name="Bench Inspector", person_id="bench", passphrase="benchmark passphrase", scrypt=cheap
    )
    lead = create_keys(
        folder / "lead", name="Bench Lead", person_id="lead", passphrase="benchmark passphrase", scrypt=cheap
    )
    return inspector, lead


def _floors(payload: bytes) -> tuple[float, float]:
    """The least verify can do with the payload: (crypto only, crypto + parsing every record line).

    Crypto: HPKE-decrypt, SHA-256 and one Ed25519 check over the same (uncompressed) bytes. The
    reader floor is laid out as a bundle is: the records deflated (as ziparchive does), then
    encrypted; it decrypts, inflates, hashes, checks the signature and `json.loads` each record
    line, which any reader of the records must do.
    """
    import json
    import zlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

    suite = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_128_GCM)
    recipient = X25519PrivateKey.generate()
    sealed = suite.encrypt(payload, recipient.public_key(), info=b"bench")
    signer = Ed25519PrivateKey.generate()
    signature = signer.sign(hashlib.sha256(payload).digest())
    public = signer.public_key()

    def crypto():
        plain = suite.decrypt(sealed, recipient, info=b"bench")
        public.verify(signature, hashlib.sha256(plain).digest())
        return plain

    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = compressor.compress(payload) + compressor.flush()
    sealed_deflated = suite.encrypt(deflated, recipient.public_key(), info=b"bench")

    def reader():
        plain = zlib.decompress(suite.decrypt(sealed_deflated, recipient, info=b"bench"), -15)
        public.verify(signature, hashlib.sha256(plain).digest())
        for line in plain.splitlines():
            json.loads(line)

    return median(samples(crypto, 7)), median(samples(reader, 7))


def run(quick: bool = False) -> list[Result]:
    from fieldwork.bundles import export_bundle, verify_bundle
    from fieldwork.bundles.records import records_to_jsonl
    from fieldwork.identity import TrustList
    from fieldwork.store import open_store

    repeats = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-") as tmp:
        folder = Path(tmp)
        inspector, lead = _identities(folder)
        store = open_store(folder / "store", actor="bench")
        fill_inspection(store, "BENCH-200", 200)
        store.db.execute("UPDATE cases SET inspector_id = 'bench'")
        outputs = iter(range(10**6))

        def export():
            return export_bundle(
                store, "BENCH-200", folder / f"b{next(outputs)}.fwbundle", identity=inspector, recipients=[lead.public]
            )

        export_times = samples(export, repeats)
        result = export()
        bundle_size = Path(result.path).stat().st_size
        trust = TrustList.of(inspector.public)
        verify_times = samples(lambda: verify_bundle(result.path, identity=lead, trust=trust), repeats)
        payload = records_to_jsonl(verify_bundle(result.path, identity=lead, trust=trust).records)
        crypto_floor, reader_floor = _floors(payload)
        store.close()
    size_mb = bundle_size / 1e6
    return [
        absolute_result(
            "export a 200-case inspection",
            median(export_times),
            "s",
            1.0,
            f"bundle {size_mb:.1f} MB, {result.manifest.record_counts.get('answer', 0)} answers",
        ),
        absolute_result("verify that bundle", median(verify_times), "s", 0.5),
        ratio_result(
            "verify vs SHA-256 + Ed25519 + decrypt of the same bytes",
            median(verify_times),
            crypto_floor,
            "s",
            10,
            f"over the {len(payload) / 1e6:.1f} MB uncompressed payload (issue 21: at most 10x)",
        ),
        ratio_result(
            "verify vs decrypt + inflate + hash + signature + json.loads of every record",
            median(verify_times),
            reader_floor,
            "s",
            1.5,
            "decrypt, inflate, hash, signature, json.loads of each record: the least any reader must do",
        ),
    ]
