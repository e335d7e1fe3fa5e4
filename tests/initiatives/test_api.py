"""The read-only JSON API and its CSV twins."""

import csv
import io
import json
from http import HTTPStatus

import pytest

from initiatives.models import Endorsement


def get(client, path, **params):
    response = client.get(path, params)
    return response, (response.json() if response["Content-Type"].startswith("application/json") else None)


def test_initiatives_list_with_counts_and_paging(register, anonymous):
    response, data = get(anonymous, "/api/v1/initiatives")
    assert response.status_code == HTTPStatus.OK
    assert data["count"] == 6
    by_slug = {item["slug"]: item for item in data["items"]}
    assert by_slug["paris-call"]["endorsing_states"] == 81
    assert by_slug["paris-call"]["lead_states"] == ["FRA"]
    assert by_slug["paris-call"]["url"] == "/en/initiatives/paris-call/"
    _response, page = get(anonymous, "/api/v1/initiatives", limit=2, offset=4)
    assert page["count"] == 6
    assert [item["slug"] for item in page["items"]] == [item["slug"] for item in data["items"][4:6]]


def test_texts_follow_lang(register, anonymous):
    _response, data = get(anonymous, "/api/v1/initiatives/paris-call", lang="fr")
    assert data["title"] == "Appel de Paris pour la confiance et la sécurité dans le cyberespace"
    assert data["reported_figures"][0]["count"] == 17
    _response, data = get(anonymous, "/api/v1/states/deu", lang="zh-hans")
    assert data["name"] == "德国"


def test_a_state_with_its_endorsements(register, anonymous):
    _response, data = get(anonymous, "/api/v1/states/FRA")
    assert data["code"] == "FRA"
    assert data["endorsed_initiatives"] == 2
    assert {row["initiative"] for row in data["endorsements"]} == {"paris-call", "humanitarian-call-for-action"}
    assert all("signed_by" not in row for row in data["endorsements"])


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"initiative": "paris-call"}, 81),
        ({"initiative": "humanitarian-call-for-action", "group": "eastern_european"}, 12),
        ({"state": "fra"}, 2),
        ({"channel": "online"}, 0),
        ({"initiative": "paris-call", "since": "2019-11-01", "until": "2019-12-31"}, 7),
        ({"initiative": "paris-call", "as_of": "2019-09-30"}, 68),
    ],
)
def test_endorsements_filters(register, anonymous, params, count):
    _response, data = get(anonymous, "/api/v1/endorsements", **params)
    assert data["count"] == count
    csv_response = anonymous.get("/api/v1/endorsements.csv", params)
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
    assert len(rows) == count
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"as_of": "2020-13-01"}, "as_of"),
        ({"since": "yesterday"}, "since"),
        ({"limit": "5000"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"group": "nordic"}, "group"),
        ({"channel": "fax"}, "channel"),
        ({"lang": "de"}, "lang"),
        ({"state": "FRANCE"}, "state"),
    ],
)
def test_bad_parameters_answer_400_with_a_message(register, anonymous, params, message):
    response, data = get(anonymous, "/api/v1/endorsements", **params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert any(line.startswith(message) for line in data["detail"])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"initiative": "paris-cal"}, "No published initiative has the slug 'paris-cal'."),
        ({"state": "XYZ"}, "No state has the code 'XYZ'."),
    ],
)
def test_a_filter_naming_nothing_answers_404_not_an_empty_list(register, anonymous, params, message):
    for path in ("/api/v1/endorsements", "/api/v1/endorsements.csv"):
        response = anonymous.get(path, params)
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json() == {"detail": message}


def test_unknown_objects_answer_404(register, anonymous):
    assert anonymous.get("/api/v1/initiatives/nothing").status_code == HTTPStatus.NOT_FOUND
    assert anonymous.get("/api/v1/states/xyz").status_code == HTTPStatus.NOT_FOUND
    assert anonymous.get("/api/v1/receipts/0000-0000-0000").status_code == HTTPStatus.NOT_FOUND


def test_csv_twins_of_the_lists_and_details(register, anonymous):
    for path, header in [
        ("/api/v1/initiatives.csv", "slug,title,summary"),
        ("/api/v1/states.csv", "code,iso2,name"),
        ("/api/v1/initiatives/paris-call.csv", "reference,initiative,state"),
        ("/api/v1/states/fra.csv", "reference,initiative,state"),
    ]:
        response = anonymous.get(path)
        assert response.status_code == HTTPStatus.OK, path
        assert response.content.decode().startswith(header)
        assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(anonymous.get("/api/v1/states.csv").content.decode())))
    assert len(rows) == 194


def test_the_api_is_open_to_other_sites_for_reading(register, anonymous):
    response = anonymous.get("/api/v1/states", headers={"origin": "https://newsroom.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in anonymous.get("/en/", headers={"origin": "https://x.example"})


def test_the_openapi_document_and_docs_are_served_without_a_cdn(db, anonymous):
    document = anonymous.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "Alliance for Multilateralism register"
    for path in ["/api/v1/initiatives", "/api/v1/endorsements", "/api/v1/endorsements.csv", "/api/v1/states/{code}"]:
        assert path in document["paths"]
    docs = anonymous.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


def test_a_signed_receipt_and_the_public_key(register, anonymous):
    from initiatives.receipts import verify_receipt

    row = Endorsement.objects.get(initiative__slug="paris-call", member_state__code="FRA")
    document = anonymous.get(f"/api/v1/receipts/{row.reference}").json()
    key = anonymous.get("/api/v1/receipts/public-key").content.decode()
    assert verify_receipt(document, key) is True
    document["receipt"]["state"]["code"] = "DEU"
    assert verify_receipt(json.loads(json.dumps(document)), key) is False


@pytest.mark.parametrize("as_of", [None, "2019-12-31"])
def test_coverage_says_what_the_pages_coverage_meters_say(register, anonymous, as_of):
    query = f"?as_of={as_of}" if as_of else ""
    answer = anonymous.get(f"/api/v1/coverage{query}")
    assert answer.status_code == HTTPStatus.OK
    items = {item["initiative"]: item for item in answer.json()["items"]}
    assert answer.json()["as_of"] == as_of
    pages = {"paris-call": f"/en/initiatives/paris-call/{query}"}
    if not as_of:  # the home page shows the register as it stands
        pages[None] = "/en/"
    for slug, page in pages.items():
        item = items[slug]
        meter = f"{item['endorsing']} of {item['total']} UN member states; a majority is {item['majority']}."
        assert meter in anonymous.get(page).content.decode()
        assert sum(group["endorsing"] for group in item["groups"]) == item["endorsing"]
        assert sum(group["total"] for group in item["groups"]) == item["total"] == 193
    paris = items["paris-call"]
    un_endorsers = {
        row["state"]
        for row in anonymous.get(
            f"/api/v1/endorsements?initiative=paris-call&limit=1000{query.replace('?', '&')}"
        ).json()["items"]
        if row["withdrawn_on"] is None and row["state"] != "EUU"
    }
    assert paris["endorsing"] == len(un_endorsers)
    assert set(items) - {None} == {row["slug"] for row in anonymous.get(f"/api/v1/initiatives{query}").json()["items"]}


def test_coverage_is_in_the_openapi_document_with_its_400(register, anonymous):
    document = anonymous.get("/api/v1/openapi.json").json()
    assert "/api/v1/coverage" in document["paths"]
    answer = anonymous.get("/api/v1/coverage?as_of=2019-02-30")
    assert answer.status_code == HTTPStatus.BAD_REQUEST


def test_coverage_takes_the_same_few_queries_however_many_endorsements(register, anonymous, django_assert_num_queries):
    # The UN member states, the endorsements in force, the initiatives with their lead states.
    with django_assert_num_queries(4):
        assert anonymous.get("/api/v1/coverage?as_of=2019-12-31").status_code == HTTPStatus.OK
    with django_assert_num_queries(4):
        assert anonymous.get("/api/v1/coverage").status_code == HTTPStatus.OK
