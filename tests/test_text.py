from fieldwork.text import plural


def test_one_is_singular():
    assert plural(1, "case") == "1 case"


def test_zero_and_many_are_plural():
    assert plural(0, "case") == "0 cases"
    assert plural(3, "case") == "3 cases"


def test_irregular_plural_is_used_when_given():
    assert plural(2, "query", "queries") == "2 queries"
    assert plural(1, "query", "queries") == "1 query"


def test_a_phrase_takes_the_plural_on_its_last_word():
    assert plural(2, "handed-over case") == "2 handed-over cases"
