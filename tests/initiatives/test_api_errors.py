"""Every refusal the API can give is declared in its OpenAPI document, with the body it has."""

from http import HTTPStatus

import pytest


def test_every_operation_declares_its_400_and_those_with_a_lookup_their_404(register, anonymous):
    document = anonymous.get("/api/v1/openapi.json").json()
    problems = document["components"]["schemas"]["Problems"]
    assert problems["properties"]["detail"]["type"] == "array"
    for path, operations in document["paths"].items():
        responses = operations["get"]["responses"]
        assert responses["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Problems"}
        if "{" in path or path in ("/api/v1/endorsements", "/api/v1/endorsements.csv"):
            assert "404" in responses, path


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/coverage?as_of=0.0",  # read as seconds since 1970 before days had to be YYYY-MM-DD
        "/api/v1/coverage?as_of=%D9%A2%D9%A0%D9%A2%D9%A0-%D9%A0%D9%A1-%D9%A0%D9%A1",  # Arabic-Indic digits
        "/api/v1/endorsements?since=20200101",
        "/api/v1/matrix.csv?as_of=2020-1-1",
        "/api/v1/datapackage.zip?lang=xx",
        "/api/v1/log/entries?start=-1",
    ],
)
def test_a_wrong_parameter_gets_the_declared_400_with_what_is_wrong(register, anonymous, query):
    response = anonymous.get(query)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    detail = response.json()["detail"]
    assert isinstance(detail, list)
    assert detail
    assert all(isinstance(line, str) for line in detail)


def test_a_day_written_yyyy_mm_dd_is_still_read(register, anonymous):
    assert anonymous.get("/api/v1/coverage?as_of=2020-01-31").json()["as_of"] == "2020-01-31"
