"""`fieldwork frameworks diff`: what changed between a shipped framework and a corrected copy."""

from __future__ import annotations

import json
import tomllib

from fieldwork.cli import run
from fieldwork.frameworks.about import about_html
from fieldwork.frameworks.diff import framework_changes
from fieldwork.frameworks.loader import load_framework, parse_framework
from fieldwork.frameworks.toml_writer import dumps
from fieldwork.paths import shipped_frameworks_dir

SHIPPED = shipped_frameworks_dir() / "hmip-probation-pdu-2023.toml"


def corrected_copy(edit) -> bytes:
    document = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    edit(document)
    return dumps(document).encode("utf-8")


def edit(document):
    document["version"] = "corrected"
    first, second = document["standards"][1], document["standards"][2]
    first["key_questions"][0]["text"] = "Reworded by the methodology team?"
    moved = first["key_questions"].pop(1)
    second["key_questions"].append(moved)
    removed = second["key_questions"].pop(0)
    first["key_questions"].append({"id": "2.1.9", "text": "A question added?", "guidance": "Look for X."})
    first["number"] = "2.1a"
    document["rating"]["bands"][1]["min_percent"] = 70
    document["removed_id"] = removed["id"]


def test_each_kind_of_change_is_said_in_words(tmp_path, capsys):
    old = load_framework(SHIPPED)
    document = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    edit(document)
    removed_id = document.pop("removed_id")
    new_path = tmp_path / "corrected.toml"
    new_path.write_bytes(dumps(document).encode("utf-8"))
    new = load_framework(new_path)
    changes = framework_changes(old, new)
    kinds = {(c.kind, c.item) for c in changes}
    first, second = old.standards[1], old.standards[2]
    assert ("added", "2.1.9") in kinds
    assert ("removed", removed_id) in kinds
    assert ("reworded", first.key_questions[0].id) in kinds
    assert ("moved", first.key_questions[1].id) in kinds
    assert ("renumbered", first.id) in kinds
    assert ("rating", "bands") in kinds
    words = {c.item: c.words for c in changes}
    assert words["2.1.9"].startswith("The key question 2.1.9 was added to standard 2.1a")
    assert f"moved from standard {first.shown_number} to standard {second.shown_number}" in words[
        first.key_questions[1].id]
    assert "answers given to it are kept" in words[removed_id]

    code = run(["frameworks", "diff", "hmip-probation-pdu-2023", str(new_path), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["counts"]["added"] == 1 and report["new"]["version"] == "corrected"
    code = run(["frameworks", "diff", "hmip-probation-pdu-2023", str(new_path)])
    out = capsys.readouterr().out
    assert code == 0 and "- The key question 2.1.9 was added" in out


def test_questions_moved_between_samples_are_named():
    old = load_framework(shipped_frameworks_dir() / "hmip-dynamic-public-protection-2025.toml")
    document = tomllib.loads(old.source_bytes.decode("utf-8"))
    standard = next(s for s in document["standards"] if s.get("sample"))
    other = next(s["id"] for s in document["samples"] if s["id"] != standard["sample"])
    standard["sample"] = other
    new = parse_framework(dumps(document).encode("utf-8"))
    kinds = [c.kind for c in framework_changes(old, new)]
    assert "moved_sample" in kinds


def test_the_same_framework_has_no_changes(capsys):
    code = run(["frameworks", "diff", "hmip-youth-2025", "hmip-youth-2025"])
    assert code == 0 and "no changes (the same text)" in capsys.readouterr().out


def test_guidance_is_printed_in_the_about_view():
    document = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    question = document["standards"][1]["key_questions"][0]
    question["guidance"] = "Sufficient: <the plan> names the risks.\nLook for review dates."
    question.setdefault("prompts", [{"id": "p.x", "text": "A prompt"}])[0]["guidance"] = "Prompt guidance here."
    html = about_html(parse_framework(dumps(document).encode("utf-8")))
    assert "<i>Guidance:</i> Sufficient: &lt;the plan&gt; names the risks.<br>Look for review dates." in html
    assert "<i>Guidance:</i> Prompt guidance here." in html
