"""`fieldwork --self-test`: every check passes here and says what it checked (scripts/build runs
the same on the built app)."""

from __future__ import annotations

from fieldwork.selftest import CHECKS, run_self_test


def test_self_test_passes_and_prints_each_check(qapp, capsys):
    assert run_self_test() == 0
    out = capsys.readouterr().out
    assert "self-test (from source)" in out and out.rstrip().endswith("self-test passed")
    for name, _check in CHECKS:
        assert f"  ok    {name}: " in out
    assert "encrypted to ML-KEM-768+X25519 and X25519, decrypted and verified by each" in out
    assert "an altered copy refused" in out and "a wrong passphrase refused" in out
    assert "frameworks load: hmip-adult-2018-crc" in out


def test_a_failing_check_is_reported_and_fails_the_run(qapp, capsys, monkeypatch):
    def broken(folder):
        raise RuntimeError("deliberately broken")

    monkeypatch.setattr("fieldwork.selftest.CHECKS", [("broken", broken), *CHECKS[:1]])
    assert run_self_test() == 1
    out = capsys.readouterr().out
    assert "  FAIL  broken: RuntimeError: deliberately broken" in out
    assert "  ok    resources: " in out  # one failure does not hide the other checks
    assert "self-test FAILED (1 check)" in out
