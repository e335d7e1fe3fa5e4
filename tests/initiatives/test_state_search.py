"""The states list is searched by a state's name in any of the six languages (accents, capitals
and punctuation aside) or by its code, and filtered by UN regional group, with a plain GET form."""

from http import HTTPStatus
from urllib.parse import quote

import pytest


def found(client, query, language="en"):
    response = client.get(f"/{language}/states/{quote(query, safe='?=&%')}")
    assert response.status_code == HTTPStatus.OK
    return {state.code for state in response.context["states"]}, response.content.decode()


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("?q=germany", {"DEU"}),
        ("?q=ALLEMAGNE", {"DEU"}),  # French, upper case
        ("?q=alemania", {"DEU"}),  # Spanish
        ("?q=ألمانيا", {"DEU"}),  # Arabic
        ("?q=المانيا", {"DEU"}),  # Arabic, its alef written without the hamza
        ("?q=德国", {"DEU"}),  # Chinese
        ("?q=германия", {"DEU"}),  # Russian, lower case
        ("?q=egypte", {"EGY"}),  # without the accent of Égypte
        ("?q=cote%20divoire", {"CIV"}),  # without the accent and the apostrophe
        ("?q=deu", {"DEU"}),  # the alpha-3 code
        ("?q=russia", {"RUS"}),  # one of its other names
    ],
)
def test_a_state_is_found_by_its_name_in_any_language_or_its_code(register, anonymous, query, codes):
    assert found(anonymous, query)[0] == codes


def test_the_arabic_page_finds_a_state_by_its_french_name_and_announces_the_count(register, anonymous):
    codes, page = found(anonymous, "?q=%C3%89gypte", "ar")
    assert codes == {"EGY"}
    assert 'role="status"' in page
    assert "مصر" in page


def test_the_regional_group_filter_lists_only_its_states(register, anonymous):
    codes, page = found(anonymous, "?group=eastern_european")
    assert len(codes) == 23
    assert "23 states found" in page
    codes, _page = found(anonymous, "?group=african&q=guinea")
    assert codes == {"GIN", "GNB", "GNQ"}


def test_a_search_that_finds_nothing_says_so(register, anonymous):
    codes, page = found(anonymous, "?q=atlantis")
    assert codes == set()
    assert "0 states found" in page
    assert "No state matches this search." in page


@pytest.mark.parametrize(
    "query", ["?group=nowhere", "?q=" + "x" * 101, "?q=%F0%9F%8C%8D", "?q=%27%3B--", "?q=&group=", "?q=%20%20"]
)
def test_any_input_gives_a_page_with_its_message_never_an_error(register, anonymous, query):
    codes, page = found(anonymous, query)
    if "nowhere" in query or "x" * 101 in query:
        assert 'class="field__error"' in page
        assert len(codes) == 194  # a wrong choice filters nothing
    elif query in ("?q=&group=", "?q=%20%20"):
        assert len(codes) == 194


def test_the_search_works_without_javascript_as_a_get_form(register, anonymous):
    page = anonymous.get("/en/states/").content.decode()
    assert '<form class="filters" method="get" role="search"' in page
    assert 'name="q"' in page
    assert 'name="group"' in page
    assert "194 states" in page
