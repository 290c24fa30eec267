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


# --- for_terminal: nothing printed can drive a terminal (issue 16 §4) ---------------------------

import json  # noqa: E402

import pytest  # noqa: E402

from fieldwork.text import for_terminal  # noqa: E402

HOSTILE = "\x1b]0;owned\x07\x1b[2J\r\u202eevil\u2066\x9b31m\x7f\u2028"


def test_escape_sequences_bell_carriage_return_and_bidi_become_visible_escapes():
    shown = for_terminal("Seen " + HOSTILE + " ok")
    assert shown == (
        "Seen \\u001b]0;owned\\u0007\\u001b[2J\\u000d\\u202eevil\\u2066\\u009b31m\\u007f\\u2028 ok"
    )
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u202e\u2066\u2028" for c in shown)


def test_ordinary_text_line_breaks_and_tabs_are_kept():
    text = "Clear plan.\n\tSeen on 3 Nov — “good”, café, עברית, 😀"
    assert for_terminal(text) == text


@pytest.mark.parametrize("value", [HOSTILE, "plain", "mixed \u202e and \u0085 and \x1b"])
def test_json_through_it_is_still_json_with_the_same_value(value):
    dumped = json.dumps({"note": value}, ensure_ascii=False)
    assert json.loads(for_terminal(dumped)) == {"note": value}
