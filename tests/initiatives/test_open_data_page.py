"""The open data page explains each file's fields, the dates' precision, the sources and the
licence, in the reader's language, and links the downloads."""

from http import HTTPStatus


def test_the_page_explains_every_field_of_every_file(register, anonymous):
    response = anonymous.get("/en/data/")
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    described = anonymous.get("/api/v1/datapackage.json").json()
    for resource in described["resources"]:
        assert f"<code>{resource['name']}.csv</code>" in page
        for field in resource["schema"]["fields"]:
            if resource["name"] == "matrix" and field["type"] == "date":
                continue  # one column per initiative, explained once
            assert f"<code>{field['name']}</code>" in page
            assert field["description"].replace("'", "&#x27;") in page


def test_the_page_gives_the_licence_the_precision_of_dates_and_the_sources(register, anonymous):
    page = anonymous.get("/en/data/").content.decode()
    assert 'href="https://opendatacommons.org/licenses/odbl/1-0/" rel="license external noopener"' in page
    assert "Month only (last day of the month stored)" in page
    assert "No later than (first listed on this date)" in page
    assert 'href="https://cldr.unicode.org/"' in page
    assert 'href="/api/v1/datapackage.zip?lang=en"' in page
    assert 'href="/en/matrix/"' in page


def test_every_page_links_the_open_data_page_from_its_footer(register, anonymous):
    assert 'href="/fr/data/">' in anonymous.get("/fr/initiatives/").content.decode()


def test_the_page_in_arabic_reads_right_to_left(register, anonymous):
    page = anonymous.get("/ar/data/").content.decode()
    assert 'dir="rtl"' in page
    assert 'href="/api/v1/datapackage.zip?lang=ar"' in page
    assert "<code>endorsements.csv</code>" in page
