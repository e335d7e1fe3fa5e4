"""The public record as a Frictionless Data Package: it validates (types, keys, schemas), and it
says what the API's CSV files say."""

import io
import json
import zipfile
from http import HTTPStatus

import frictionless
import pytest


def unpacked(client, tmp_path, query=""):
    response = client.get(f"/api/v1/datapackage.zip{query}")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
        names = set(archive.namelist())
    assert names == {"datapackage.json", "initiatives.csv", "states.csv", "endorsements.csv", "matrix.csv"}
    return tmp_path


@pytest.mark.parametrize("query", ["", "?as_of=2019-12-31&lang=ar"])
def test_the_data_package_validates_with_frictionless(register, anonymous, tmp_path, query):
    folder = unpacked(anonymous, tmp_path, query)
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    described = json.loads((folder / "datapackage.json").read_text())
    assert described["licenses"][0]["name"] == "ODbL-1.0"
    assert any(source["path"] == "https://cldr.unicode.org/" for source in described["sources"])
    assert described["created"]
    endorsements = next(resource for resource in described["resources"] if resource["name"] == "endorsements")
    assert endorsements["schema"]["primaryKey"] == ["reference"]
    assert {key["reference"]["resource"] for key in endorsements["schema"]["foreignKeys"]} == {"initiatives", "states"}


def test_the_files_in_the_package_are_the_apis_csv_files(register, anonymous, tmp_path):
    folder = unpacked(anonymous, tmp_path, "?as_of=2020-06-30&lang=fr")
    for name, path in [
        ("initiatives", "/api/v1/initiatives.csv"),
        ("states", "/api/v1/states.csv"),
        ("endorsements", "/api/v1/endorsements.csv"),
        ("matrix", "/api/v1/matrix.csv"),
    ]:
        assert (folder / f"{name}.csv").read_bytes() == anonymous.get(f"{path}?as_of=2020-06-30&lang=fr").content


def test_the_descriptor_names_the_api_files_with_the_same_day_and_language(register, anonymous):
    response = anonymous.get("/api/v1/datapackage.json?as_of=2020-06-30&lang=es")
    assert response.status_code == HTTPStatus.OK
    described = response.json()
    paths = {resource["name"]: resource["path"] for resource in described["resources"]}
    assert paths["endorsements"] == "http://testserver/api/v1/endorsements.csv?lang=es&as_of=2020-06-30"
    assert paths["matrix"] == "http://testserver/api/v1/matrix.csv?lang=es&as_of=2020-06-30"
    matrix = next(resource for resource in described["resources"] if resource["name"] == "matrix")
    header = anonymous.get(paths["matrix"]).content.decode().splitlines()[0].split(",")
    assert [field["name"] for field in matrix["schema"]["fields"]] == header
    assert "2020-06-30" in described["description"]
