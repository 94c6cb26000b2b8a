import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenariokit.scenario import RenderError
from scenariokit.scenario._template import fill, placeholders

VALUES = {"company": "Acme", "cto": "Victor Hale", "cto.first": "Victor", "cto.email": "v@acme.com"}


def test_fills_every_placeholder() -> None:
    assert (
        fill("${cto.first} of ${company} <${cto.email}>", VALUES, where="t") == "Victor of Acme <v@acme.com>"
    )


def test_double_dollar_is_a_literal_dollar_and_bare_dollar_is_kept() -> None:
    assert fill("costs $$5 or $6 at ${company}", VALUES, where="t") == "costs $5 or $6 at Acme"


def test_unknown_placeholder_names_it_where_and_the_known_ones() -> None:
    with pytest.raises(RenderError) as info:
        fill("Hi ${cto.phone}", VALUES, where="email 'x' body")
    message = str(info.value)
    assert "email 'x' body" in message
    assert "${cto.phone}" in message
    assert "${cto.email}" in message and "${cto.first}" in message


def test_unknown_root_lists_the_roots() -> None:
    with pytest.raises(RenderError, match=r"no 'ceo' here; known roots: company, cto"):
        fill("${ceo}", VALUES, where="t")


@pytest.mark.parametrize("bad", ["${Company}", "${a.b.c}", "${}", "${ cto }"])
def test_malformed_placeholders_are_errors_not_text(bad: str) -> None:
    with pytest.raises(RenderError, match="malformed placeholder"):
        fill(bad, VALUES, where="t")


@given(st.text(alphabet=st.characters(blacklist_characters="$")))
def test_text_without_dollars_is_unchanged(text: str) -> None:
    assert fill(text, VALUES, where="t") == text
    assert placeholders(text) == []


@given(
    st.lists(st.sampled_from(sorted(VALUES)), max_size=6),
    st.lists(st.text(alphabet="abc ,.\n"), min_size=7, max_size=7),
)
def test_fill_substitutes_exactly_the_placeholders(names: list[str], gaps: list[str]) -> None:
    template = gaps[0] + "".join("${" + n + "}" + gaps[i + 1] for i, n in enumerate(names))
    expected = gaps[0] + "".join(VALUES[n] + gaps[i + 1] for i, n in enumerate(names))
    assert placeholders(template) == names
    assert fill(template, VALUES, where="t") == expected
