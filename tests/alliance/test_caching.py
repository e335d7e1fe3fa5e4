"""Anonymous pages come from the shared cache until the register changes; browsers revalidate with
ETags; the parts of pages that read the register are cached for every reader by the same version."""

import datetime
import hashlib
from http import HTTPStatus
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.test import Client, RequestFactory

from alliance import caching
from alliance.caching import VERSION_KEY
from alliance.resilience import CACHE_DOWN
from initiatives import reference_data
from initiatives.endorsing import correct_endorsement, record_endorsement, record_withdrawal
from initiatives.importing import commit, preview, read_rows
from initiatives.models import Endorsement, Event, Initiative, ReportedFigure, Theme
from initiatives.publishing import save_initiative
from members.models import MemberState
from tests.conftest import deliver, sign_in
from tests.factories import UserFactory
from tests.members.test_admin_roles import _form_data

PAGE = "/en/initiatives/gender-at-the-centre/"


def register_version() -> str | None:
    """The version a new request reads."""
    return caching.version(RequestFactory().get("/"))


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
        save_initiative(initiative=Initiative.objects.get(slug="paris-call"))  # a new version, this page the same
    assert register_version() != version
    assert anonymous.get(PAGE, headers={"if-none-match": etag}).status_code == HTTPStatus.NOT_MODIFIED
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    initiative.title_en = "Gender at the Centre of Education"
    with django_capture_on_commit_callbacks(execute=True):
        save_initiative(initiative=initiative, changed=["title_en"])
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
            save_initiative(initiative=initiative, changed=["title_en"])
            assert register_version() == version
        assert register_version() == version
    assert register_version() != version
    assert anonymous.get(PAGE).content != before.content


def test_while_one_reader_renders_a_changed_page_the_others_get_the_stale_copy(
    register, anonymous, django_capture_on_commit_callbacks
):
    """The signing burst moves the version many times a second: one reader at a time renders a
    page (its render claim, whatever the version), the others get the stale copy meanwhile; the
    claim is released when the render is stored, so the next reader after it gets the new page."""
    before = anonymous.get(PAGE)
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    initiative.title_en = "Gender at the Centre of Education"
    with django_capture_on_commit_callbacks(execute=True):
        save_initiative(initiative=initiative, changed=["title_en"])
    address = hashlib.sha256(f"http://testserver{PAGE}".encode()).hexdigest()
    claim = f"public-page:{address}:rendering"
    cache.add(claim, True, caching.RENDERING_SECONDS)  # another reader is rendering it
    assert anonymous.get(PAGE).content == before.content
    assert anonymous.get("/fr/initiatives/gender-at-the-centre/").status_code == HTTPStatus.OK  # its own claim
    cache.delete(claim)  # that render is stored, or its claim lapsed
    changed = anonymous.get(PAGE)
    assert "<h1>Gender at the Centre of Education</h1>" in changed.content.decode()
    assert cache.get(claim) is None  # released once stored
    with django_capture_on_commit_callbacks(execute=True):
        save_initiative(initiative=initiative, changed=["title_en"])
    assert anonymous.get(PAGE).content == changed.content  # rendered again, no claim left behind


def test_a_stale_copy_answers_when_the_database_fails(
    register, anonymous, monkeypatch, django_capture_on_commit_callbacks
):
    before = anonymous.get(PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        save_initiative(initiative=Initiative.objects.get(slug="paris-call"))

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
        return len(cache.keys("public-page:*"))
    return sum(1 for key in cache._cache if ":public-page:" in key)  # local memory (make test on SQLite)


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


def test_made_up_spellings_of_the_host_cannot_fill_the_cache(register, anonymous, settings):
    """Django checks a Host header's name without its port or case, and the proxy passes it on as
    sent: each port, each mix of capitals or a trailing dot would be a copy of every page."""
    settings.ALLOWED_HOSTS = ["register.example"]
    settings.SITE_URL = "https://register.example"
    assert anonymous.get(PAGE, headers={"host": "register.example"}).status_code == HTTPStatus.OK
    assert _stored_pages() == 1
    for host in ("register.example:1", "register.example:65535", "REGISTER.example", "register.example."):
        response = anonymous.get(PAGE, headers={"host": host})
        assert response.status_code == HTTPStatus.OK  # still answered, rendered for that request
        assert "ETag" not in response
    assert _stored_pages() == 1


def test_the_site_s_own_address_is_stored_with_its_port(register, anonymous, settings, django_assert_num_queries):
    """A site served on a port of its own (`make run`, the benchmark's proxy) names it in SITE_URL."""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SITE_URL = "https://127.0.0.1:8899"
    first = anonymous.get(PAGE, headers={"host": "127.0.0.1:8899"})
    with django_assert_num_queries(0):
        assert anonymous.get(PAGE, headers={"host": "127.0.0.1:8899"}).content == first.content
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

    register_version()  # the version exists; moving it fails
    monkeypatch.setattr(cache, "set", cache_down)
    with django_capture_on_commit_callbacks(execute=True):
        endorsement = _record_norway()
    assert Endorsement.objects.filter(pk=endorsement.pk, withdrawn_on=None).exists()
    deliver()
    assert mailoutbox  # the callbacks after the failed one still ran
    assert "_move_version" in caplog.text  # and the failure is logged


def test_signed_in_readers_get_the_register_s_parts_from_the_cache(persona, django_assert_max_num_queries):
    """The endorsers' tables, the map and the coverage are read once per version, not per reader."""
    _user, client = persona("delegate_of_x")
    page = "/en/initiatives/paris-call/"
    first = client.get(page).content.decode()
    with django_assert_max_num_queries(30) as cold:
        client.get(page)  # its parts from the cache
    cache.delete_many([key for key in _fragment_keys()])
    with django_assert_max_num_queries(30) as rendered:
        again = client.get(page).content.decode()
    article = slice(first.index("<article"), first.index("</article>"))
    assert again[article] == first[article]
    rows = 'FROM "initiatives_endorsement" INNER JOIN "members_memberstate"'  # the register's rows
    assert not any(rows in query["sql"] for query in cold)
    assert any(rows in query["sql"] for query in rendered)


def _fragment_keys() -> list[str]:
    if hasattr(cache, "keys"):  # django-redis (CI)
        return [key for key in cache.keys("template.cache.*")]
    return [key.split(":", 2)[2] for key in cache._cache if "template.cache." in key]


def test_a_page_as_at_a_day_is_never_stored_in_parts(register, anonymous):
    """Each day would be one more copy in the shared cache."""
    anonymous.get(PAGE, {"as_of": "2020-01-01"})
    anonymous.get(PAGE, {"as_of": "not a date"})  # the form's error is never stored either
    assert _fragment_keys() == []
    anonymous.get(PAGE)
    assert len(_fragment_keys()) == 2  # the header and the register


def test_the_pages_are_rendered_again_each_day(
    register, anonymous, monkeypatch, django_assert_num_queries, django_assert_max_num_queries
):
    """An initiative opens and closes by the calendar, with no write: the key holds the day."""
    anonymous.get(PAGE)
    with django_assert_num_queries(0):
        anonymous.get(PAGE)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(caching.timezone, "localdate", lambda: tomorrow)
    with django_assert_max_num_queries(20) as queries:
        assert anonymous.get(PAGE).status_code == HTTPStatus.OK
    assert len(queries) > 0


# Every write that changes what the public pages show moves the version once it commits.


@pytest.fixture
def page_after(register, anonymous, django_capture_on_commit_callbacks):
    """The page as an anonymous reader gets it after `change`, once the page was in the cache."""

    def read(change, page: str = PAGE) -> str:
        anonymous.get(page)
        version = register_version()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        assert register_version() != version
        return anonymous.get(page).content.decode()

    return read


@pytest.fixture
def staff(register):
    return UserFactory(email="secretariat@example.org", is_staff=True)


def test_a_withdrawal_shows_at_once(staff, page_after):
    page = "/en/initiatives/paris-call/"

    def withdraw() -> None:
        record_withdrawal(
            initiative=Initiative.objects.get(slug="paris-call"),
            member_state=MemberState.objects.get(code="DEU"),
            withdrawn_on=datetime.date(2022, 1, 4),
            recorded_by=staff,
            reason="A national plan replaces it.",
        )

    assert "A national plan replaces it." in page_after(withdraw, page)


def test_a_correction_shows_at_once(staff, page_after):
    page = "/en/initiatives/paris-call/"
    row = Endorsement.objects.get(initiative__slug="paris-call", member_state__code="DEU")

    def correct() -> None:
        correct_endorsement(
            endorsement=row,
            corrected_by=staff,
            reason="The note's link.",
            endorsed_on=row.endorsed_on,
            date_precision=row.date_precision,
            source_url="https://example.org/corrected-note.pdf",
            source_note=row.source_note,
        )

    assert "https://example.org/corrected-note.pdf" in page_after(correct, page)


def test_an_import_shows_at_once(staff, page_after):
    def import_list() -> None:
        listed = b"initiative,state,endorsed_on,source\ngender-at-the-centre,NOR,2019-09-26,Note\n"
        rows = preview(read_rows(listed, "list.csv"))
        assert commit(rows, recorded_by=staff) == 1

    assert '<a href="/en/states/nor/">Norway</a>' in page_after(import_list)


def test_an_initiative_changed_in_the_admin_shows_at_once(superuser_client, page_after):
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    change = f"/en/admin/initiatives/initiative/{initiative.pk}/change/"

    def edit() -> None:
        data = _form_data(superuser_client.get(change))
        data["title_en"] = "Gender at the Centre of Education"
        assert superuser_client.post(change, data).status_code == HTTPStatus.FOUND

    assert "<h1>Gender at the Centre of Education</h1>" in page_after(edit)


@pytest.mark.parametrize(
    ("model", "field", "value", "page"),
    [
        (MemberState, "name_en", "Kingdom of Norway", "/en/initiatives/paris-call/"),
        (Theme, "name_en", "Gender equality and education", PAGE),
        (Event, "title_en", "The Alliance's ministerial meeting, renamed", "/en/events/"),
        (ReportedFigure, "note_en", "Counted again by the ministry", "/en/initiatives/paris-call/"),
    ],
)
def test_content_changed_in_the_admin_shows_at_once(superuser_client, page_after, model, field, value, page):
    instance = {
        MemberState: lambda: MemberState.objects.get(code="NOR"),
        Theme: lambda: Initiative.objects.get(slug="gender-at-the-centre").theme,
        Event: lambda: Event.objects.order_by("date").first(),
        ReportedFigure: lambda: ReportedFigure.objects.filter(initiative__slug="paris-call").first(),
    }[model]()
    change = f"/en/admin/{model._meta.app_label}/{model._meta.model_name}/{instance.pk}/change/"

    def edit() -> None:
        data = _form_data(superuser_client.get(change))
        data[field] = value
        assert superuser_client.post(change, data).status_code == HTTPStatus.FOUND

    assert value.replace("'", "&#x27;") in page_after(edit, page)


def test_loading_the_reference_data_moves_the_version(page_after):
    """`make serve` loads it at each release: pages drawn by the old templates are not served after."""
    page_after(lambda: call_command("load_reference_data", stdout=StringIO()))


def test_an_update_of_the_reference_data_shows_at_once(page_after, monkeypatch, tmp_path):
    import json
    import shutil

    changed = tmp_path / "reference"
    shutil.copytree(reference_data.REFERENCE_DIR, changed)
    initiatives = json.loads((changed / "initiatives.json").read_text())
    gender = next(item for item in initiatives if item["slug"] == "gender-at-the-centre")
    gender["title"]["en"] = "Gender at the Centre, as the files now say"
    (changed / "initiatives.json").write_text(json.dumps(initiatives))
    monkeypatch.setattr(reference_data, "REFERENCE_DIR", changed)

    def update() -> None:
        call_command("update_reference_data", "--apply", stdout=StringIO())

    assert "Gender at the Centre, as the files now say" in page_after(update)


def test_a_write_past_the_register_s_functions_shows_once_the_cache_is_emptied(register, anonymous):
    """A shell or a data migration moves no version: `manage.py clear_cache` (as after a restore)."""
    page = "/en/initiatives/paris-call/"
    anonymous.get(page)
    MemberState.objects.filter(code="NOR").update(name_en="Kingdom of Norway")
    assert '<a href="/en/states/nor/">Norway</a>' in anonymous.get(page).content.decode()
    call_command("clear_cache", stdout=StringIO())
    assert '<a href="/en/states/nor/">Kingdom of Norway</a>' in anonymous.get(page).content.decode()


def test_the_version_key_never_expires(register):
    register_version()
    if hasattr(cache, "ttl"):  # django-redis
        assert cache.ttl(VERSION_KEY) is None
