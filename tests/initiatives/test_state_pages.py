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


def test_statements_made_with_endorsements_are_shown_on_the_initiative_and_state_pages(
    register, anonymous, django_capture_on_commit_callbacks
):
    import datetime

    from initiatives.endorsing import record_endorsement, record_withdrawal
    from initiatives.models import Initiative
    from tests.factories import UserFactory

    paris_call = Initiative.objects.get(slug="paris-call")
    clerk = UserFactory(is_staff=True)
    before = anonymous.get("/en/initiatives/paris-call/").content.decode()  # stored in the page cache
    assert "Statements made with the endorsements" not in before
    with django_capture_on_commit_callbacks(execute=True):  # the register's version moves on commit
        record_endorsement(
            initiative=paris_call,
            member_state=MemberState.objects.get(code="BRA"),
            endorsed_on=datetime.date(2024, 3, 1),
            recorded_by=clerk,
            source_url="https://example.org/note",
            statement="Brazil supports a free & open cyberspace.\n\nSecond paragraph <b>kept as text</b>.",
        )
    initiative_page = anonymous.get("/en/initiatives/paris-call/").content.decode()
    assert '<h2 id="statements-title">Statements made with the endorsements</h2>' in initiative_page
    assert '<a href="/en/states/bra/">Brazil</a>' in initiative_page
    assert "<p>Brazil supports a free &amp; open cyberspace.</p>" in initiative_page
    assert "&lt;b&gt;kept as text&lt;/b&gt;" in initiative_page
    state_page = anonymous.get("/en/states/bra/").content.decode()
    assert '<h2 id="statements-title">Statements made with the endorsements</h2>' in state_page
    assert "<p>Brazil supports a free &amp; open cyberspace.</p>" in state_page
    # As at a day before it, and once withdrawn, the statement is no longer the state's.
    assert "free &amp; open" not in anonymous.get("/en/states/bra/?as_of=2024-02-28").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        record_withdrawal(
            initiative=paris_call,
            member_state=MemberState.objects.get(code="BRA"),
            withdrawn_on=datetime.date(2024, 6, 1),
            recorded_by=clerk,
            reason="Withdrawn by note verbale.",
        )
    assert "free &amp; open" not in anonymous.get("/en/initiatives/paris-call/").content.decode()
    assert "free &amp; open" not in anonymous.get("/en/states/bra/").content.decode().split('id="history-title"')[0]
