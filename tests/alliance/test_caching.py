"""Anonymous pages come from the shared cache until the register changes; browsers revalidate with ETags."""

from http import HTTPStatus

from django.test import Client

from initiatives.endorsing import record_endorsement
from initiatives.models import Initiative
from members.models import MemberState
from tests.conftest import sign_in
from tests.factories import UserFactory

PAGE = "/en/initiatives/gender-at-the-centre/"


def test_a_second_anonymous_read_costs_no_query(register, anonymous, django_assert_num_queries):
    first = anonymous.get(PAGE)
    with django_assert_num_queries(0):
        second = anonymous.get(PAGE)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second.cookies == {}


def test_a_new_endorsement_is_on_the_page_at_once(register, anonymous):
    endorser = '<th scope="row"><a href="/en/states/nor/">Norway</a></th>'
    assert endorser not in anonymous.get(PAGE).content.decode()
    record_endorsement(
        initiative=Initiative.objects.get(slug="gender-at-the-centre"),
        member_state=MemberState.objects.get(code="NOR"),
        endorsed_on=Initiative.objects.get(slug="gender-at-the-centre").signing_opens_on,
        recorded_by=UserFactory(is_staff=True),
        source_note="Note verbale",
    )
    assert endorser in anonymous.get(PAGE).content.decode()
    assert "Gender at the Centre" in anonymous.get("/en/states/nor/").content.decode()


def test_a_browser_that_has_the_page_gets_304(register, anonymous):
    etag = anonymous.get(PAGE)["ETag"]
    response = anonymous.get(PAGE, headers={"if-none-match": etag})
    assert response.status_code == HTTPStatus.NOT_MODIFIED
    assert response.content == b""
    MemberState.objects.filter(code="FRA").update(name_en="France")  # no signal: unchanged version
    Initiative.objects.get(slug="paris-call").save()  # a content change: a new version
    assert anonymous.get(PAGE, headers={"if-none-match": etag}).status_code == HTTPStatus.OK


def test_each_language_has_its_own_copy(register, anonymous):
    title = Initiative.objects.get(slug="gender-at-the-centre")
    anonymous.get(PAGE)
    french = anonymous.get("/fr/initiatives/gender-at-the-centre/").content.decode()
    assert f"<h1>{title.title_fr}</h1>" in french
    assert f"<h1>{title.title_en}</h1>" in anonymous.get(PAGE).content.decode()


def test_signed_in_readers_are_never_served_a_cached_page(persona):
    _user, client = persona("delegate_of_x")
    Client().get(PAGE)  # an anonymous copy in the cache
    assert "Endorse on behalf of France" in client.get(PAGE).content.decode()


def test_pages_are_not_cached_while_a_message_waits_for_the_reader(register):
    user = UserFactory()
    client = sign_in(Client(), user)
    client.post("/en/accounts/logout/")
    page = client.get("/en/").content.decode()
    assert "You have signed out." in page
    assert "You have signed out." not in Client().get("/en/").content.decode()
