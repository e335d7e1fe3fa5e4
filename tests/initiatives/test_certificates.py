import datetime
import io
import os
import subprocess
import warnings

import pytest
from django.utils import timezone
from django.utils.html import escape

from initiatives import certificates
from initiatives.models import DatePrecision, Endorsement
from members.models import MemberState
from tests.factories import EndorsementFactory, InitiativeFactory, UserFactory


def _cannot_render() -> str | None:
    """Why certificates cannot be rendered on this machine, if they cannot."""
    try:
        with warnings.catch_warnings():
            # Without libharfbuzz-subset0, WeasyPrint warns that a later version will need it.
            warnings.simplefilter("ignore", DeprecationWarning)
            import weasyprint  # noqa: F401
    except OSError as error:
        return f"WeasyPrint cannot load ({error}): apt-get install libpango-1.0-0 libpangoft2-1.0-0"
    for language, family in (("ar", "Noto Naskh Arabic"), ("zh", "WenQuanYi Zen Hei"), ("ru", "Noto Sans")):
        try:
            found = subprocess.run(  # noqa: S603 - a fixed command
                ["fc-list", f":lang={language}", "family"],  # noqa: S607
                capture_output=True,
                text=True,
                check=False,
            ).stdout
        except OSError:
            found = ""
        if family not in found:
            return f"The certificates' font {family} is missing: apt-get install fonts-noto-core fonts-wqy-zenhei"
    return None


_missing = _cannot_render()
if _missing and os.environ.get("CI"):
    raise RuntimeError(f"Certificates must be tested in CI: {_missing}")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(_missing is not None, reason=_missing or ""),
]

NAMES = {"en": "France", "fr": "France", "es": "Francia", "ar": "فرنسا", "zh-hans": "法国", "ru": "Франция"}
TITLES = {
    "en": "Partnership for Information and Democracy",
    "fr": "Partenariat pour l'information et la démocratie",
    "es": "Alianza por la Información y la Democracia",
    "ar": "الشراكة من أجل المعلومات والديمقراطية",
    "zh-hans": "信息与民主伙伴关系",
    "ru": "Партнёрство за информацию и демократию",
}


@pytest.fixture
def endorsement(register):
    initiative = InitiativeFactory(
        slug="certificate-test",
        title=TITLES["en"],
        **{f"title_{code.replace('-', '_')}": title for code, title in TITLES.items()},
    )
    return EndorsementFactory(
        initiative=initiative,
        member_state=MemberState.objects.get(code="FRA"),
        endorsed_on=datetime.date(2021, 3, 31),
        date_precision=DatePrecision.MONTH,
        channel=Endorsement.Channel.ONLINE,
        text_version=2,
        signed_by=UserFactory(email="delegate.secret@example.org", first_name="Héloïse", last_name="Signataire"),
        recorded_by=UserFactory(email="clerk.secret@example.org", first_name="Ruprecht", last_name="Recorder"),
        statement="A statement that is no part of the certificate.",
    )


def certificate_url(endorsement, language):
    return f"/{language}/endorsements/{endorsement.reference}/certificate/"


def pdf_text(pdf: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("language", NAMES)
def test_a_certificate_names_the_state_in_each_language_s_script(anonymous, endorsement, language):
    import pypdf

    response = anonymous.get(certificate_url(endorsement, language))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (f'inline; filename="certificate-{endorsement.reference}-{language}.pdf"')
    text = pdf_text(response.content)
    assert NAMES[language] in text
    assert TITLES[language] in text
    assert endorsement.reference in text
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    assert [round(float(side)) for side in reader.pages[0].mediabox[2:]] == [595, 842]  # A4, in points
    assert reader.trailer["/Root"]["/Lang"] == language
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # tagged: read aloud in order
    assert reader.metadata.title == pdf_title(language, endorsement.reference)


def pdf_title(language, reference):
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(language):
        return gettext("Certificate of endorsement %(reference)s") % {"reference": reference}


def test_a_certificate_states_the_date_as_precisely_as_the_register_the_channel_and_the_text_version(
    anonymous, endorsement
):
    text = pdf_text(anonymous.get(certificate_url(endorsement, "en")).content)

    assert "March 2021" in text  # a month, as the register shows it: not "31 March"
    assert "31" not in text.split("March 2021")[0].rsplit("\n", 1)[-1]
    assert "Online, by an accredited delegate" in text
    assert "Text version\n2" in text or "Text version 2" in text


def test_its_qr_code_opens_the_verify_page_for_its_receipt(anonymous, endorsement, settings):
    import pypdfium2
    import zxingcpp

    settings.SITE_URL = "https://register.example"
    pdf = anonymous.get(certificate_url(endorsement, "fr")).content

    image = pypdfium2.PdfDocument(pdf)[0].render(scale=2).to_pil()
    codes = [code.text for code in zxingcpp.read_barcodes(image)]

    verify = f"/fr/receipts/verify/?reference={endorsement.reference}"
    assert codes == [f"https://register.example{verify}"]
    assert f"https://register.example{verify}" in pdf_text(pdf).replace("\n", "")
    page = anonymous.get(verify)
    assert page.status_code == 200
    body = page.content.decode()
    assert "France" in body
    assert escape(TITLES["fr"]) in body
    assert endorsement.reference in body
    assert "message--error" not in body
    assert page.context["result"] is True  # the record's signed receipt, checked with the published keys


def test_nothing_about_the_signer_or_the_recorder_is_in_the_certificate(anonymous, endorsement):
    import pypdf

    pdf = anonymous.get(certificate_url(endorsement, "en")).content

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    everything = pdf_text(pdf) + repr(dict(reader.metadata)) + repr(reader.xmp_metadata)
    attached = b"".join(content for contents in reader.attachments.values() for content in contents).decode()
    for private in ("delegate.secret", "clerk.secret", "Héloïse", "Signataire", "Ruprecht", "Recorder"):
        assert private not in everything
        assert private not in attached
        assert private.encode() not in pdf
    assert "signed_by" not in attached and "recorded_by" not in attached
    assert "no part of the certificate" not in pdf_text(pdf)  # the public statement is in the receipt only


def test_an_arabic_certificate_reads_right_to_left(anonymous, endorsement):
    import pypdfium2

    pdf = anonymous.get(certificate_url(endorsement, "ar")).content

    # Extracted in reading order, each word written as it is typed (not mirrored glyph by glyph).
    text = pdf_text(pdf)
    assert "فرنسا" in text
    assert "ﺎﺴﻧﺮﻓ" not in text and "اسنرف" not in text
    # The facts run right to left: each label stands to the right of its value.
    page = pypdfium2.PdfDocument(pdf)[0]
    width = page.get_width()
    textpage = page.get_textpage()

    def box(words):
        searcher = textpage.search(words)
        found = searcher.get_next()
        assert found is not None, words
        index, count = found
        return textpage.get_charbox(index)  # left, bottom, right, top

    label, value = box("الدولة"), box("فرنسا")  # "State", then the state's name
    assert label[0] > value[2]
    assert label[2] > width / 2  # the labels' column starts at the right margin
    english = pypdfium2.PdfDocument(anonymous.get(certificate_url(endorsement, "en")).content)[0].get_textpage()
    state_label = english.get_charbox(english.search("State").get_next()[0])
    assert state_label[0] < width / 2  # and in English, at the left one


def test_a_withdrawn_endorsement_s_certificate_says_it_was_withdrawn(anonymous, endorsement):
    before = pdf_text(anonymous.get(certificate_url(endorsement, "en")).content)
    Endorsement.objects.filter(pk=endorsement.pk).update(
        withdrawn_on=datetime.date(2024, 5, 6), withdrawn_at=timezone.now(), withdrawal_reason="Policy review."
    )

    after = pdf_text(anonymous.get(certificate_url(endorsement, "en")).content)

    assert "withdrawn" not in before
    assert "This endorsement was withdrawn on 6 May 2024. It is no longer in force." in after.replace("\n", " ")
    assert "Policy review." in after


def test_a_certificate_is_rendered_once_then_served_from_the_cache(anonymous, endorsement, monkeypatch):
    renders = []
    render_pdf = certificates.render_pdf

    def counted(html, **kwargs):
        renders.append(html)
        return render_pdf(html, **kwargs)

    monkeypatch.setattr(certificates, "render_pdf", counted)

    first = anonymous.get(certificate_url(endorsement, "ru")).content
    second = anonymous.get(certificate_url(endorsement, "ru")).content
    anonymous.get(certificate_url(endorsement, "en"))

    assert first == second
    assert len(renders) == 2  # Russian once, English once
    MemberState.objects.filter(code="FRA").update(name_ru="Французская Республика")
    renamed = anonymous.get(certificate_url(endorsement, "ru")).content
    assert len(renders) == 3
    assert "Французская Республика" in pdf_text(renamed)


def test_renders_are_rate_limited_by_network_address_but_cached_certificates_are_not(
    anonymous, endorsement, settings, monkeypatch
):
    monkeypatch.setattr(certificates, "render_pdf", lambda html, **kwargs: b"%PDF-1.7 rendered")
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "certificate": "2/m/ip"}

    assert anonymous.get(certificate_url(endorsement, "en")).status_code == 200
    assert anonymous.get(certificate_url(endorsement, "fr")).status_code == 200
    refused = anonymous.get(certificate_url(endorsement, "es"))
    cached = anonymous.get(certificate_url(endorsement, "en"))

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Se han solicitado demasiados certificados desde su red." in refused.content.decode()  # in Spanish
    assert cached.status_code == 200


def test_an_unknown_reference_has_no_certificate_and_a_lower_case_one_is_redirected(anonymous, endorsement):
    assert anonymous.get("/en/endorsements/0000-0000-0000/certificate/").status_code == 404
    assert anonymous.get("/en/endorsements/%3Cscript%3E/certificate/").status_code == 404
    response = anonymous.get(certificate_url(endorsement, "en").lower().replace("/en/", "/en/", 1))
    assert response.status_code == 301
    assert response["Location"] == certificate_url(endorsement, "en")


def test_without_weasyprint_the_certificate_is_a_clear_503_never_a_500(anonymous, endorsement, monkeypatch):
    def cannot(html, **kwargs):
        raise certificates.CertificatesUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(certificates, "render_pdf", cannot)

    response = anonymous.get(certificate_url(endorsement, "en"))

    assert response.status_code == 503
    assert "Certificates cannot be generated on this server at the moment." in response.content.decode()


@pytest.mark.parametrize("language", NAMES)
def test_the_receipt_page_links_to_its_certificate_in_its_language(anonymous, endorsement, language):
    page = anonymous.get(f"/{language}/endorsements/{endorsement.reference}/").content.decode()

    assert f'href="{certificate_url(endorsement, language)}"' in page


def test_the_verify_page_says_when_no_endorsement_has_the_reference(anonymous, register):
    response = anonymous.get("/en/receipts/verify/?reference=0000-0000-0000")

    assert response.status_code == 404
    assert "No endorsement in the register has the reference 0000-0000-0000." in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/tracker.png",
        "http://127.0.0.1:8000/static/css/site.css",
        "file:///etc/passwd",
        certificates.LOCAL_ORIGIN + "../../alliance/settings.py",
        certificates.LOCAL_ORIGIN + "css/missing.css",
    ],
)
def test_the_renderer_fetches_nothing_but_the_register_s_static_files(url):
    from weasyprint.urls import URLFetcherResponse

    def network(url):
        raise AssertionError(f"fetched {url}")

    with pytest.raises(ValueError):
        certificates.local_resource(url, network, URLFetcherResponse)
    served = certificates.local_resource(certificates.LOCAL_ORIGIN + "favicon.svg", network, URLFetcherResponse)
    assert served.read().startswith(b"<svg")
    assert served.content_type == "image/svg+xml"


def test_a_certificate_costs_two_queries_whether_rendered_or_cached(anonymous, endorsement, django_assert_num_queries):
    # The endorsement with its initiative and state, and its latest index in the transparency log.
    with django_assert_num_queries(2):
        rendered = anonymous.get(certificate_url(endorsement, "es"))
    with django_assert_num_queries(2):
        cached = anonymous.get(certificate_url(endorsement, "es"))

    assert rendered.content == cached.content
    assert NAMES["es"] in pdf_text(cached.content)


def test_the_certificate_carries_its_signed_receipt_which_verifies_offline(anonymous, endorsement, tmp_path):
    import json

    import pypdf

    from initiatives.receipts import published_keys
    from verifier.alliance_verify import check_receipt

    pdf = anonymous.get(certificate_url(endorsement, "ar")).content

    attachments = pypdf.PdfReader(io.BytesIO(pdf)).attachments
    assert list(attachments) == [f"receipt-{endorsement.reference}.json"]
    receipt = json.loads(attachments[f"receipt-{endorsement.reference}.json"][0])
    assert receipt["receipt"]["reference"] == endorsement.reference
    assert receipt["receipt"]["state"] == {"code": "FRA", "name": "France"}
    check_receipt(receipt, published_keys())  # raises if the signature or the document is wrong
    assert f"receipt-{endorsement.reference}.json" in pdf_text(pdf)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_certificate_renders_with_its_emblem_and_without_a_warning(anonymous, endorsement, language, caplog):
    fetched = []
    local_resource = certificates.local_resource

    def recorded(url, *args):
        fetched.append(url)
        return local_resource(url, *args)

    with pytest.MonkeyPatch.context() as patch, caplog.at_level("WARNING", logger="weasyprint"):
        patch.setattr(certificates, "local_resource", recorded)
        assert anonymous.get(certificate_url(endorsement, language)).status_code == 200

    assert certificates.LOCAL_ORIGIN + "favicon.svg" in fetched
    assert [record.getMessage() for record in caplog.records if record.name.startswith("weasyprint")] == []


def test_the_verify_page_a_certificate_opens_tells_whether_the_endorsement_is_still_in_force(anonymous, endorsement):
    verify = f"/en/receipts/verify/?reference={endorsement.reference.lower()}"
    assert "In force" in anonymous.get(verify).content.decode()
    Endorsement.objects.filter(pk=endorsement.pk).update(
        withdrawn_on=datetime.date(2024, 5, 6), withdrawn_at=timezone.now(), withdrawal_reason="Policy review."
    )

    page = anonymous.get(verify)

    assert page.status_code == 200
    assert "Withdrawn on 6 May 2024." in page.content.decode()
    assert page.context["result"] is True
