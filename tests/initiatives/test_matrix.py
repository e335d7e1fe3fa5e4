"""The states × initiatives matrix: the page and its CSV say, for each state, which initiatives it
endorses as at a day, with its regional group."""

import csv
import io
from http import HTTPStatus

import pytest

from initiatives.models import Endorsement, Initiative
from members.models import MemberState


def matrix_csv(client, query=""):
    response = client.get(f"/api/v1/matrix.csv{query}")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_has_every_state_with_its_group_and_the_day_each_endorsement_began(register, anonymous):
    rows = {row["state"]: row for row in matrix_csv(anonymous)}
    assert len(rows) == MemberState.objects.count() == 194  # the 193 UN members and the EU
    slugs = list(Initiative.objects.published().order_by("launched_on", "slug").values_list("slug", flat=True))
    assert list(rows["FRA"]) == ["state", "state_name", "kind", "regional_group", *slugs, "endorsed_initiatives"]
    france = Endorsement.objects.in_force().get(initiative__slug="paris-call", member_state__code="FRA")
    assert rows["FRA"]["paris-call"] == france.endorsed_on.isoformat()
    assert rows["FRA"]["regional_group"] == "western_european_others"
    assert rows["FRA"]["state_name"] == "France"
    assert rows["EUU"]["regional_group"] == ""
    for row in rows.values():
        assert int(row["endorsed_initiatives"]) == sum(bool(row[slug]) for slug in slugs)
    in_force = Endorsement.objects.in_force().filter(initiative__in=Initiative.objects.published()).count()
    assert sum(int(row["endorsed_initiatives"]) for row in rows.values()) == in_force


def test_the_csv_of_one_group_in_french_names_only_its_states(register, anonymous):
    rows = matrix_csv(anonymous, "?group=eastern_european&lang=fr")
    assert len(rows) == 23
    assert {row["regional_group"] for row in rows} == {"eastern_european"}
    assert "Pologne" in {row["state_name"] for row in rows}


def test_the_csv_as_at_a_day_before_any_endorsement_is_empty_of_dates(register, anonymous):
    rows = matrix_csv(anonymous, "?as_of=2010-01-01")
    assert {row["endorsed_initiatives"] for row in rows} == {"0"}


@pytest.mark.parametrize("query", ["?group=nowhere", "?as_of=2019-02-30", "?lang=xx"])
def test_the_csv_refuses_a_wrong_parameter_with_400(register, anonymous, query):
    response = anonymous.get(f"/api/v1/matrix.csv{query}")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["detail"]


def test_the_page_is_a_table_by_regional_group_with_the_csv_link(register, anonymous):
    response = anonymous.get("/en/matrix/")
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "<caption" in page
    assert '<th scope="col">State</th>' in page
    assert page.count('<th scope="rowgroup"') == 6  # five regional groups and the organisations
    assert '<a href="/en/states/fra/">France</a>' in page
    assert "194 states, as the register stands today." in page
    assert "/api/v1/matrix.csv?lang=en" in page


def test_the_page_and_the_csv_agree_for_a_group_and_a_day(register, anonymous):
    response = anonymous.get("/en/matrix/?group=latin_american_caribbean&as_of=2019-12-31")
    context = response.context
    assert context["day"].isoformat() == "2019-12-31"
    page_rows = {row.state.code: row.endorsed_since for row in context["matrix"].rows}
    csv_rows = matrix_csv(anonymous, "?group=latin_american_caribbean&as_of=2019-12-31")
    slugs = [initiative.slug for initiative in context["matrix"].initiatives]
    assert {row["state"]: [row[slug] or None for slug in slugs] for row in csv_rows} == {
        code: [day.isoformat() if day else None for day in days] for code, days in page_rows.items()
    }
    assert len(page_rows) == 33
    assert "33 states, as at the end of 31 December 2019." in response.content.decode()


def test_the_page_in_arabic_reads_right_to_left_with_arabic_names(register, anonymous):
    page = anonymous.get("/ar/matrix/").content.decode()
    assert 'dir="rtl"' in page
    assert "فرنسا" in page


@pytest.mark.parametrize(
    "query", ["?group=nowhere", "?as_of=yesterday", "?as_of=99999-01-01&group=african", "?group=%C3%A9t%C3%A9"]
)
def test_the_page_reports_a_wrong_choice_and_shows_every_state_today(register, anonymous, query):
    response = anonymous.get(f"/en/matrix/{query}")
    assert response.status_code == HTTPStatus.OK
    assert 'class="field__error"' in response.content.decode()
    if "african" in query:
        assert len(response.context["matrix"].rows) == 54
    else:
        assert len(response.context["matrix"].rows) == 194
    assert response.context["day"] is None
