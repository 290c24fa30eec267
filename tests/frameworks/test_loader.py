"""Loading framework files: the good file, and every way a file can be wrong."""

from __future__ import annotations

import hashlib
import re
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

from fieldwork.errors import FrameworkError, NotFoundError
from fieldwork.frameworks import load_framework
from fieldwork.frameworks.catalogue import find_framework, list_frameworks

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks" / "mini.toml"


LEADERSHIP_TITLE = 'title = "Leadership"'
STANDARD_1_1 = 'id = "1.1"'
STANDARD_3_1 = 'id = "3.1"'
KQ_2_1_1 = 'id = "2.1.1"'


def mini_text() -> str:
    return MINI.read_text(encoding="utf-8")


def write_variant(folder: Path, replace: dict[str, str] | None = None, *, name="broken.toml", data=None) -> Path:
    text = mini_text()
    for old, new in (replace or {}).items():
        assert old in text, f"test set-up: {old!r} not in mini.toml"
        text = text.replace(old, new, 1)
    path = folder / name
    path.write_bytes(data if data is not None else text.encode("utf-8"))
    return path


def problems_of(path: Path) -> tuple[str, list[str]]:
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    error = caught.value
    assert error.problems, "a refusal must list at least one problem"
    assert error.path == str(path)
    assert path.name in error.message, "the message must name the file"
    return error.message, error.problems


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return text.count("\n", 0, start) + 1


# --- the good file -----------------------------------------------------------------------


def test_mini_framework_loads(mini_framework):
    fw = mini_framework
    assert (fw.id, fw.version, fw.title) == ("test-mini", "1.0", "Mini test framework")
    assert fw.provider_types == ("CRC",)
    assert [s.id for s in fw.samples] == ["supervision", "unpaid_work"]
    assert fw.default_sample.id == "supervision"
    assert [d.id for d in fw.domains] == ["1", "2"]
    assert [s.id for s in fw.standards] == ["1.1", "2.1", "3.1"]
    assert [(s.basis, s.sample_id) for s in fw.standards] == [
        ("judgement", None),
        ("cases", "supervision"),
        ("cases", "unpaid_work"),
    ]
    assert [kq.id for kq in fw.standard("2.1").key_questions] == ["2.1.1", "2.1.2"]
    assert [p.id for p in fw.key_question("2.1.1").prompts] == ["2.1.1.a", "2.1.1.b"]
    assert [c.id for c in fw.case_details] == ["ldu", "rosh", "start_date"]
    assert [c.value for c in fw.case_detail("rosh").choices] == ["low", "medium", "high", "very_high"]


def test_mini_rating_rules_are_exact(mini_framework):
    rules = mini_framework.rating
    assert [(b.rating, b.min_percent, b.score) for b in rules.bands] == [
        ("Outstanding", Fraction(80), 3),
        ("Good", Fraction(65), 2),
        ("Requires improvement", Fraction(50), 1),
        ("Inadequate", Fraction(0), 0),
    ]
    assert all(isinstance(b.min_percent, Fraction) for b in rules.bands)
    assert [(b.min_score, b.max_score) for b in rules.overall_bands] == [(0, 1), (2, 4), (5, 7), (8, 9)]
    assert rules.not_rated == "Not rated"
    assert rules.unrated_standards == "provisional"


def test_defaults_and_inherited_provenance(mini_framework):
    fw = mini_framework
    # allow_na defaults to False; na_reason_required defaults to allow_na.
    assert fw.key_question("2.1.1").allow_na is False
    assert fw.key_question("2.1.2").allow_na is True
    assert fw.key_question("2.1.2").na_reason_required is True
    assert fw.prompt("2.1.1.a").allow_na is False
    assert fw.prompt("2.1.1.b").allow_na is True
    # Provenance: file default "recalled", domain 2 says "confirmed" and its items inherit it.
    assert fw.provenance == "recalled"
    assert fw.standard("1.1").provenance == "recalled"
    assert fw.standard("2.1").provenance == "confirmed"
    assert fw.key_question("2.1.1").provenance == "confirmed"
    assert fw.prompt("2.1.1.a").provenance == "confirmed"
    assert fw.answer_labels["na"] == "Not applicable"


def test_content_hash_pins_the_exact_bytes(mini_framework, tmp_path):
    assert mini_framework.content_hash == hashlib.sha256(MINI.read_bytes()).hexdigest()
    assert mini_framework.source_bytes == MINI.read_bytes()
    # One changed byte (a comment) is a different framework text.
    other = tmp_path / "other.toml"
    other.write_bytes(MINI.read_bytes() + b"# edited\n")
    assert load_framework(other).content_hash != mini_framework.content_hash


def test_question_lookup_by_kind(mini_framework):
    fw = mini_framework
    assert fw.question_kind("2.1.1") == "key_question"
    assert fw.question_kind("2.1.1.a") == "prompt"
    assert fw.question_kind("rosh") == "case_detail"
    assert fw.question_kind("9.9.9") is None
    assert [kq.id for kq in fw.key_questions_for_sample("supervision")] == ["2.1.1", "2.1.2"]
    assert [kq.id for kq in fw.key_questions_for_sample("unpaid_work")] == ["3.1.1"]
    assert fw.parent_key_question("2.1.1.b").id == "2.1.1"


# --- every way to be wrong -----------------------------------------------------------------


def test_not_utf8(tmp_path):
    data = mini_text().encode("utf-8").replace(b"Mini test", b"Mini \xff test")
    path = write_variant(tmp_path, data=data)
    message, problems = problems_of(path)
    assert len(problems) == 1
    assert "UTF-8" in problems[0]
    assert re.search(r"byte \d+|line \d+", problems[0]), "the problem must say where"


def test_not_utf8_names_the_line(tmp_path):
    text = mini_text()
    data = text.encode("utf-8").replace(b"Mini test", b"Mini \xff test")
    path = write_variant(tmp_path, data=data)
    _, problems = problems_of(path)
    assert f"line {line_of(text, 'Mini test')}" in problems[0]


def test_toml_syntax_error_names_the_line(tmp_path):
    text = mini_text()
    path = write_variant(tmp_path, {'title = "Leadership"': 'title = "Leadership'})
    message, problems = problems_of(path)
    assert len(problems) == 1
    assert f"line {line_of(text, LEADERSHIP_TITLE)}" in problems[0]
    assert "TOML" in problems[0]


def test_missing_required_field(tmp_path):
    text = mini_text()
    path = write_variant(tmp_path, {'title = "Leadership"\n': ""})
    _, problems = problems_of(path)
    assert len(problems) == 1
    problem = problems[0]
    assert "standards[0]" in problem
    assert "missing required field 'title'" in problem
    assert f"line {line_of(text, STANDARD_1_1)}" in problem


def test_missing_top_level_field(tmp_path):
    path = write_variant(tmp_path, {'licence = "Test data."\n': ""})
    _, problems = problems_of(path)
    assert any("missing required field 'licence'" in p for p in problems)
    assert any("(top level)" in p for p in problems)


def test_unknown_field(tmp_path):
    path = write_variant(tmp_path, {'title = "Leadership"\n': 'title = "Leadership"\ncolour = "red"\n'})
    _, problems = problems_of(path)
    assert len(problems) == 1
    assert "standards[0]" in problems[0]
    assert "'colour'" in problems[0]
    assert "remove it or check its spelling" in problems[0]
    assert re.search(r"line \d+", problems[0])


def test_wrong_enum_for_basis(tmp_path):
    text = mini_text()
    path = write_variant(tmp_path, {'basis = "judgement"': 'basis = "judgment"'})
    _, problems = problems_of(path)
    assert len(problems) == 1
    problem = problems[0]
    assert "standards[0].basis" in problem
    assert '"judgment" is not allowed' in problem
    assert '"cases"' in problem and '"judgement"' in problem
    assert f"line {line_of(text, STANDARD_1_1)}" in problem


def test_wrong_type(tmp_path):
    path = write_variant(tmp_path, {'allow_na = true\n\n[[standards]]': 'allow_na = "yes"\n\n[[standards]]'})
    _, problems = problems_of(path)
    assert any("standards[1].key_questions[1].allow_na" in p and "boolean" in p for p in problems)


def test_duplicate_key_question_id(tmp_path):
    path = write_variant(tmp_path, {'id = "2.1.2"': 'id = "2.1.1"'})
    _, problems = problems_of(path)
    assert len(problems) == 1
    problem = problems[0]
    assert "standards[1].key_questions[1]" in problem
    assert "'2.1.1'" in problem and "used twice" in problem
    assert "standards[1].key_questions[0]" in problem  # where the id was first used
    assert re.search(r"line \d+", problem)


def test_duplicate_id_line_points_at_the_duplicate(tmp_path):
    path = write_variant(tmp_path, {'id = "2.1.2"': 'id = "2.1.1"'})
    text = path.read_text(encoding="utf-8")
    _, problems = problems_of(path)
    assert problems[0].startswith(f"line {line_of(text, KQ_2_1_1, occurrence=2)},")


def test_standard_with_undeclared_domain(tmp_path):
    path = write_variant(tmp_path, {'domain = "1"': 'domain = "9"'})
    _, problems = problems_of(path)
    assert len(problems) == 1
    assert "standards[0].domain" in problems[0]
    assert "domain '9' is not declared" in problems[0]
    assert re.search(r"line \d+", problems[0])


def test_standard_with_undeclared_sample(tmp_path):
    text = mini_text()
    path = write_variant(tmp_path, {'sample = "unpaid_work"': 'sample = "court_reports"'})
    _, problems = problems_of(path)
    assert len(problems) == 1
    assert "standards[2].sample" in problems[0]
    assert "sample 'court_reports' is not declared" in problems[0]
    assert f"line {line_of(text, STANDARD_3_1)}" in problems[0]


def test_case_standard_without_sample(tmp_path):
    path = write_variant(tmp_path, {'sample = "unpaid_work"\n': ""})
    _, problems = problems_of(path)
    assert len(problems) == 1
    assert "standards[2]" in problems[0] and "needs 'sample'" in problems[0]


def test_judgement_standard_with_a_sample(tmp_path):
    path = write_variant(tmp_path, {'basis = "judgement"': 'basis = "judgement"\nsample = "supervision"'})
    _, problems = problems_of(path)
    assert len(problems) == 1
    assert "standards[0].sample" in problems[0]
    assert "rated by judgement has no sample" in problems[0]


def test_bands_out_of_order(tmp_path):
    path = write_variant(tmp_path, {"min_percent = 80": "min_percent = 60"})
    _, problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].startswith("rating.bands:")
    assert "highest min_percent down" in problems[0]


def test_last_band_not_zero(tmp_path):
    path = write_variant(tmp_path, {"min_percent = 0,": "min_percent = 10,"})
    _, problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].startswith("rating.bands:")
    assert "min_percent = 0" in problems[0]


def test_overall_bands_with_a_gap(tmp_path):
    path = write_variant(tmp_path, {"min_score = 5": "min_score = 6"})
    _, problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].startswith("rating.overall_bands:")
    assert "without gaps or overlaps" in problems[0]
    assert "'Good'" in problems[0]


def test_overall_bands_not_ending_at_the_maximum(tmp_path):
    path = write_variant(tmp_path, {"min_score = 8, max_score = 9": "min_score = 8, max_score = 10"})
    _, problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].startswith("rating.overall_bands:")
    assert "maximum score 9" in problems[0]


def test_two_default_samples(tmp_path):
    path = write_variant(tmp_path, {'title = "Unpaid work"\n': 'title = "Unpaid work"\ndefault = true\n'})
    _, problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].startswith("samples:")
    assert "exactly one sample" in problems[0] and "found 2" in problems[0]


def test_every_cross_reference_problem_is_listed(tmp_path):
    path = write_variant(
        tmp_path,
        {
            'domain = "1"': 'domain = "9"',
            'title = "Unpaid work"\n': 'title = "Unpaid work"\ndefault = true\n',
            "min_percent = 0,": "min_percent = 10,",
        },
    )
    message, problems = problems_of(path)
    assert len(problems) == 3
    assert "3 problems" in message
    assert any("domain '9'" in p for p in problems)
    assert any("exactly one sample" in p for p in problems)
    assert any("min_percent = 0" in p for p in problems)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    assert "nowhere.toml" in caught.value.message
    assert "cannot be read" in caught.value.problems[0]


# --- the catalogue -----------------------------------------------------------------------


def test_catalogue_lists_a_broken_user_file_and_still_loads_the_others(tmp_path):
    data_dir = tmp_path / "data"
    user = data_dir / "frameworks"
    user.mkdir(parents=True)
    shutil.copy(MINI, user / "mini.toml")
    write_variant(user, {'domain = "1"': 'domain = "9"'}, name="broken.toml")
    (user / "not-text.toml").write_bytes(b"\xff\xfe\x00garbage")

    entries = list_frameworks(data_dir)
    by_name = {e.path.name: e for e in entries if e.origin == "user"}
    assert set(by_name) == {"mini.toml", "broken.toml", "not-text.toml"}
    assert by_name["mini.toml"].usable
    assert by_name["mini.toml"].framework.id == "test-mini"
    for name in ("broken.toml", "not-text.toml"):
        assert not by_name[name].usable
        assert by_name[name].framework is None
        assert by_name[name].problems
    assert any("domain '9'" in p for p in by_name["broken.toml"].problems)
    # Shipped entries come first and are marked as such.
    origins = [e.origin for e in entries]
    assert origins == sorted(origins, key=lambda o: o != "shipped")

    assert find_framework("test-mini", data_dir).id == "test-mini"


def test_find_framework_unknown_id_says_what_is_available(tmp_path):
    data_dir = tmp_path / "data"
    (data_dir / "frameworks").mkdir(parents=True)
    shutil.copy(MINI, data_dir / "frameworks" / "mini.toml")
    with pytest.raises(NotFoundError) as caught:
        find_framework("no-such-framework", data_dir)
    assert "no-such-framework" in caught.value.message
    assert "test-mini" in caught.value.message


# --- values of the wrong kind must be refused, never crash -----------------------------------


@pytest.mark.parametrize(
    "replace",
    [
        {'version = "1.0"': "version = 2018-06-01"},
        {'basis = "judgement"': "basis = 2018-06-01"},
        {'title = "Leadership"': "title = 09:30:00"},
    ],
    ids=["date version", "date basis", "time title"],
)
def test_a_date_where_text_is_expected_is_a_framework_error(tmp_path, replace):
    path = write_variant(tmp_path, replace)
    _, problems = problems_of(path)
    assert any("expected" in p for p in problems)


def test_a_nan_threshold_is_a_framework_error(tmp_path):
    path = write_variant(tmp_path, {"min_percent = 80": "min_percent = nan"})
    _, problems = problems_of(path)
    assert any("rating.bands" in p for p in problems)


def test_an_infinite_threshold_is_a_framework_error(tmp_path):
    path = write_variant(tmp_path, {"min_percent = 80": "min_percent = inf"})
    _, problems = problems_of(path)
    assert any("rating.bands[0].min_percent" in p and "maximum of 100" in p for p in problems)


def test_catalogue_survives_a_file_that_crashes_the_loader(tmp_path):
    data_dir = tmp_path / "data"
    user = data_dir / "frameworks"
    user.mkdir(parents=True)
    shutil.copy(MINI, user / "mini.toml")
    write_variant(user, {'version = "1.0"': "version = 2018-06-01"}, name="dated.toml")
    by_name = {e.path.name: e for e in list_frameworks(data_dir) if e.origin == "user"}
    assert by_name["mini.toml"].usable
    assert not by_name["dated.toml"].usable
