"""Anonymous pages come from the shared cache until the register changes; browsers revalidate with ETags."""

import hashlib
import time
from http import HTTPStatus

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.test import Client

from alliance import caching
from alliance.caching import CONTENT_VERSION_KEY, register_version
from alliance.resilience import CACHE_DOWN
from initiatives.endorsing import record_endorsement
from initiatives.models import Endorsement, Initiative
from members.models import MemberState
from tests.conftest import deliver, sign_in
from tests.factories import UserFactory

PAGE = "/en/initiatives/gender-at-the-centre/"


def _record_norway() -> Endorsement:
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    return record_endorsement(
        initiative=initiative,
        member_state=MemberState.objects.get(code="NOR"),
        endorsed_on=initiative.signing_opens_on,
        recorded_by=UserFactory(is_staff=True),
        source_note="Note verbale",
    )


def test_a_second_anonymous_read_costs_no_query(register, anonymous, django_assert_num_queries):
    first = anonymous.get(PAGE)
    with django_assert_num_queries(0):
        second = anonymous.get(PAGE)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second.cookies == {}


def test_a_new_endorsement_is_on_the_page_at_once(register, anonymous, django_capture_on_commit_callbacks):
    endorser = '<th scope="row"><a href="/en/states/nor/">Norway</a></th>'
    assert endorser not in anonymous.get(PAGE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _record_norway()
    assert endorser in anonymous.get(PAGE).content.decode()
    assert "Gender at the Centre" in anonymous.get("/en/states/nor/").content.decode()


def test_a_browser_that_has_the_page_gets_304(register, anonymous, django_capture_on_commit_callbacks):
    etag = anonymous.get(PAGE)["ETag"]
    response = anonymous.get(PAGE, headers={"if-none-match": etag})
    assert response.status_code == HTTPStatus.NOT_MODIFIED
    assert response.content == b""
    version = register_version()
    with django_capture_on_commit_callbacks(execute=True):
        Initiative.objects.get(slug="paris-call").save()  # a new version, but this page reads the same
    assert register_version() != version
    assert anonymous.get(PAGE, headers={"if-none-match": etag}).status_code == HTTPStatus.NOT_MODIFIED
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    initiative.title_en = "Gender at the Centre of Education"
    with django_capture_on_commit_callbacks(execute=True):
        initiative.save()
    changed = anonymous.get(PAGE, headers={"if-none-match": etag})
    assert changed.status_code == HTTPStatus.OK
    assert "<h1>Gender at the Centre of Education</h1>" in changed.content.decode()
    assert changed["ETag"] != etag


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


def test_the_pages_go_stale_only_once_a_change_has_committed(register, anonymous, django_capture_on_commit_callbacks):
    """Before its commit, a change is invisible to other readers: a page rendered then, under a new
    version, would lack the change and stand until the next one."""
    before = anonymous.get(PAGE)
    version = register_version()
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    initiative.title_en = "Gender at the Centre of Education"
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            initiative.save()
            assert register_version() == version
        assert register_version() == version
    assert register_version() != version
    assert anonymous.get(PAGE).content != before.content


def test_while_one_request_renders_a_changed_page_the_others_get_the_last_copy(
    register, anonymous, django_capture_on_commit_callbacks
):
    before = anonymous.get(PAGE)
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    initiative.title_en = "Gender at the Centre of Education"
    with django_capture_on_commit_callbacks(execute=True):
        initiative.save()
    key = "page:" + hashlib.sha256(f"http://testserver{PAGE}".encode()).hexdigest()
    assert cache.add(f"{key}:rendering", "another server", 10)  # a render of the new version is under way
    assert anonymous.get(PAGE).content == before.content
    cache.delete(f"{key}:rendering")  # that render ended without storing a copy
    assert "<h1>Gender at the Centre of Education</h1>" in anonymous.get(PAGE).content.decode()


def test_a_stale_copy_answers_when_the_database_fails(
    register, anonymous, monkeypatch, django_capture_on_commit_callbacks
):
    before = anonymous.get(PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        Initiative.objects.get(slug="paris-call").save()

    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("initiatives.views.Endorsement.objects.filter", database_down)
    response = anonymous.get(PAGE)
    assert response.status_code == HTTPStatus.OK
    assert response.content == before.content
    assert anonymous.get("/en/initiatives/paris-call/").status_code == HTTPStatus.SERVICE_UNAVAILABLE


def test_each_host_has_its_own_copy(register, anonymous, settings):
    settings.ALLOWED_HOSTS = ["register.example", "mirror.example"]
    first = anonymous.get(PAGE, headers={"host": "register.example"})
    second = anonymous.get(PAGE, headers={"host": "mirror.example"})
    assert f'href="http://register.example/fr{PAGE[3:]}"' in first.content.decode()
    assert f'href="http://mirror.example/fr{PAGE[3:]}"' in second.content.decode()
    assert anonymous.get(PAGE, headers={"host": "attacker.example"}).status_code == HTTPStatus.BAD_REQUEST


def _stored_pages() -> int:
    if hasattr(cache, "keys"):  # django-redis (CI)
        return len(cache.keys("page:*"))
    return sum(1 for key in cache._cache if ":page:" in key)  # local memory (make test on SQLite)


def test_pages_asked_with_a_query_string_are_never_stored(register, anonymous, django_assert_max_num_queries):
    """Made-up parameters cannot fill the shared cache (which also holds the sign-in rate limits)."""
    anonymous.get(PAGE)
    assert _stored_pages() == 1
    for number in range(3):
        response = anonymous.get(PAGE, {"anything": number})
        assert response.status_code == HTTPStatus.OK
        assert "ETag" not in response
    assert "Status as at the end of 1 January 2019." in anonymous.get(PAGE, {"as_of": "2019-01-01"}).content.decode()
    with django_assert_max_num_queries(20) as queries:
        anonymous.get(PAGE, {"as_of": "2019-01-01"})
    assert len(queries) > 0  # rendered again, not read from the cache
    assert _stored_pages() == 1


def test_a_shared_link_with_tracking_parameters_is_the_page_itself(register, anonymous, django_assert_num_queries):
    tracked = anonymous.get(PAGE, {"utm_source": "newsletter", "utm_medium": "email", "fbclid": "abc"})
    assert tracked.status_code == HTTPStatus.OK
    assert "utm_source" not in tracked.content.decode()  # its language links point to the page itself
    with django_assert_num_queries(0):
        plain = anonymous.get(PAGE)  # stored by the tracked request
    assert plain.content == tracked.content
    with django_assert_num_queries(0):
        assert anonymous.get(PAGE, {"gclid": "x"}).content == plain.content
    assert _stored_pages() == 1


def test_when_the_cache_fails_after_a_commit_the_endorsement_stands_and_its_emails_go(
    register, monkeypatch, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    def cache_down(*args, **kwargs):
        raise CACHE_DOWN[0]("Redis does not answer")

    monkeypatch.setattr(cache, "set", cache_down)
    monkeypatch.setattr(cache, "set_many", cache_down)
    with django_capture_on_commit_callbacks(execute=True):
        endorsement = _record_norway()
    assert Endorsement.objects.filter(pk=endorsement.pk, withdrawn_on=None).exists()
    deliver()
    assert mailoutbox  # the callbacks after the failed one still ran
    assert "_bump_versions" in caplog.text  # and the failure is logged


def test_when_the_cache_fails_after_a_commit_a_change_of_content_stands_too(
    register, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def cache_down(*args, **kwargs):
        raise CACHE_DOWN[0]("Redis does not answer")

    monkeypatch.setattr(cache, "set", cache_down)
    monkeypatch.setattr(cache, "set_many", cache_down)
    norway = MemberState.objects.get(code="NOR")
    norway.name_en = "Kingdom of Norway"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        norway.save()
    assert callbacks  # the move of the versions was due, and failed without raising
    assert MemberState.objects.get(code="NOR").name_en == "Kingdom of Norway"
    assert "_bump_content_versions" in caplog.text


def test_what_a_process_keeps_is_read_again_after_ten_minutes_even_if_no_change_was_signalled(
    register, anonymous, monkeypatch
):
    """A change that moved no version (a lost move, a write without signals) still shows, later."""
    page = "/en/initiatives/paris-call/?as_of=2030-01-01"  # rendered each time, never from the page cache
    assert '<a href="/en/states/nor/">Norway</a>' in anonymous.get(page).content.decode()
    MemberState.objects.filter(code="NOR").update(name_en="Kingdom of Norway")  # no signal
    assert '<a href="/en/states/nor/">Norway</a>' in anonymous.get(page).content.decode()
    later = time.monotonic() + caching.KEEP_SECONDS
    monkeypatch.setattr(caching.time, "monotonic", lambda: later)
    assert '<a href="/en/states/nor/">Kingdom of Norway</a>' in anonymous.get(page).content.decode()


def test_only_the_contents_relations_move_the_contents_version(register, django_capture_on_commit_callbacks):
    content = register_version(CONTENT_VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        UserFactory().groups.add(Group.objects.create(name="Readers"))
    assert register_version(CONTENT_VERSION_KEY) == content
    with django_capture_on_commit_callbacks(execute=True):
        Initiative.objects.get(slug="paris-call").lead_states.add(MemberState.objects.get(code="NOR"))
    assert register_version(CONTENT_VERSION_KEY) != content
