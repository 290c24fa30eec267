"""Fuzzed framework files: every mutation of the test framework and of the shipped frameworks is
either loaded or refused with a FrameworkError listing its problems, within the deadline.

A framework file is the one input a person edits by hand, so it gets every kind of edit: blind
byte mutations (not UTF-8, not TOML), whole lines deleted, repeated or replaced by hostile ones,
and edits of the parsed document written again as TOML: fields dropped, unknown or of the wrong
type, ids repeated, references to samples and domains that are not there or to the wrong kind of
item, numbers too long to read, nesting deeper than any parser allows.
"""

from __future__ import annotations

import tomllib

from hypothesis import given
from hypothesis import strategies as st

from fieldwork.errors import FrameworkError
from fieldwork.frameworks.describe import framework_to_dict
from fieldwork.frameworks.loader import load_framework, parse_framework

from .conftest import fuzz_settings
from .mutations import HOSTILE_TOML_LINES, dump_toml, line_edits, mutated_seeds, toml_values, tree_edits
from .readers import framework_seeds, read_or_refuse


def load(data: bytes):
    """parse_framework, which may only load the file or refuse it with a FrameworkError."""
    outcome = read_or_refuse(parse_framework, data, source_name="fuzzed.toml")
    if isinstance(outcome, Exception):
        assert isinstance(outcome, FrameworkError), repr(outcome)
        assert outcome.code == "invalid-framework" and outcome.message.startswith("fuzzed.toml")
    else:
        check_loaded(outcome)
    return outcome


def check_loaded(framework) -> None:
    """A framework that loaded is usable: one default sample, every case standard's sample
    declared, bands from the highest down to 0 (or none, under the sufficiency scheme), and
    `frameworks show` can print it."""
    assert framework.default_sample in framework.samples
    samples = {s.id for s in framework.samples}
    for standard in framework.standards:
        assert standard.key_questions
        assert (standard.sample_id in samples) if standard.basis == "cases" else standard.sample_id is None
        if standard.combined:  # rated from other inspections' results: says whose (decision 0035)
            assert standard.from_framework and standard.from_version and standard.from_sample
            assert all(kq.from_question for kq in standard.key_questions)
    if framework.rating.four_point:
        assert framework.rating.bands[-1].min_percent == 0
    else:  # format 2's sufficiency scheme: no bands, a written judgement instead
        assert framework.rating.bands == () and framework.rating.written_judgement
    framework_to_dict(framework)


def documents() -> list[dict]:
    return [tomllib.loads(seed.decode("utf-8")) for seed in framework_seeds()]


def test_the_unmutated_inputs_are_loaded():
    for seed in framework_seeds():
        check_loaded(parse_framework(seed))
    for document in documents():  # the test's own TOML writer loses nothing
        assert tomllib.loads(dump_toml(document).decode("utf-8")) == document
        check_loaded(parse_framework(dump_toml(document)))


@fuzz_settings(150)
@given(data=mutated_seeds(framework_seeds()))
def test_framework_bytes_mutated_blindly(data):
    load(data)


@fuzz_settings(100)
@given(data=st.sampled_from(framework_seeds()).flatmap(lambda seed: line_edits(seed, HOSTILE_TOML_LINES)))
def test_framework_lines_edited(data):
    load(data)


@fuzz_settings(200)
@given(document=st.sampled_from(documents()).flatmap(lambda doc: tree_edits(doc, toml_values(), max_steps=4)))
def test_framework_document_edited(document):
    """Fields dropped, added, of the wrong type; ids repeated or reused (a prompt named like its
    key question, a standard's domain naming a standard); references dangling; lists emptied."""
    load(dump_toml(document))


@fuzz_settings(25)
@given(data=mutated_seeds(framework_seeds()[:1]))
def test_framework_file_mutated(tmp_path, data):
    """The same from a file, as `fieldwork frameworks check` and the catalogue read it."""
    path = tmp_path / "fuzzed.toml"
    path.write_bytes(data)
    outcome = read_or_refuse(load_framework, path)
    assert not isinstance(outcome, Exception) or isinstance(outcome, FrameworkError), repr(outcome)
