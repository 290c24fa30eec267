"""'About this framework' says, for every item and rating rule, whether it is confirmed or recalled."""

from __future__ import annotations

from html import escape

import pytest

from fieldwork.frameworks.about import about_html
from fieldwork.frameworks.catalogue import list_frameworks

SHIPPED = [e.framework for e in list_frameworks() if e.origin == "shipped" and e.framework]


@pytest.mark.parametrize("framework", SHIPPED, ids=[f.id for f in SHIPPED])
def test_every_item_is_listed_with_its_provenance(framework):
    html = about_html(framework)
    for standard in framework.standards:
        assert f"[{standard.provenance}]</span> <b>{escape(standard.name)}</b>" in html
        for kq in standard.key_questions:
            number = framework.question_number  # the number as published (decision 0036)
            assert f"[{kq.provenance}]</span> {escape(number(kq.id))} {escape(kq.text)}" in html
            for prompt in kq.prompts:
                assert f"[{prompt.provenance}]</span> {escape(number(prompt.id))} {escape(prompt.text)}" in html
    for rule in framework.rating.rule_provenance:
        assert f"[{framework.rating.provenance_of(rule)}]</span> <code>{rule}</code>" in html
    assert "not confirmed from a published HMI Probation document" in html
    assert ("Historic" in html) == framework.historic


def test_a_recalled_statement_under_a_confirmed_standard_says_recalled():
    crc = next(f for f in SHIPPED if f.id == "hmip-adult-2018-crc")
    leadership = crc.standard("1.1")
    assert (leadership.provenance, leadership.statement_provenance) == ("confirmed", "recalled")
    recalled = '<span style="color:#9a5b00">[recalled]</span>'
    assert f"Statement {recalled}: {escape(leadership.statement)}" in about_html(crc)
