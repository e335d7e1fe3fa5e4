from http import HTTPStatus

from members.models import MemberState


def test_states_page_shows_193_un_members_in_five_regional_groups(register, anonymous):
    response = anonymous.get("/en/states/")
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    for group, count in [
        ("African States", 54),
        ("Asia-Pacific States", 54),
        ("Eastern European States", 23),
        ("Latin American and Caribbean States", 33),
        ("Western European and other States", 29),
    ]:
        assert f'{group} <span class="count">({count})</span></h2>' in page
    for state in MemberState.objects.un_members():
        assert f'href="/en/states/{state.code.lower()}/"' in page


def test_states_page_counts_the_initiatives_each_state_endorses(register, anonymous):
    page = anonymous.get("/en/states/").content.decode()
    # France is listed by the Humanitarian Call and the Paris Call.
    assert '<a href="/en/states/fra/">France</a></th>\n              <td class="number">2</td>' in page


def test_state_page_shows_what_france_endorsed_and_when(register, anonymous):
    page = anonymous.get("/en/states/fra/").content.decode()
    assert "<h1>France</h1>" in page
    assert "Paris Call for Trust and Security in Cyberspace" in page
    assert "Humanitarian Call for Action" in page
    assert "listed by 16 September 2019" in page
    assert "Western European and other States" in page
    assert "24 October 1945" in page


def test_state_page_in_french(register, anonymous):
    page = anonymous.get("/fr/states/deu/").content.decode()
    assert "<h1>Allemagne</h1>" in page


def test_state_codes_are_lower_case_in_urls(register, anonymous):
    response = anonymous.get("/en/states/FRA/")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/en/states/fra/"
    assert anonymous.get("/en/states/xyz/").status_code == HTTPStatus.NOT_FOUND
