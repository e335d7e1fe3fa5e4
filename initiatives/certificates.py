"""Printable certificates of endorsement: an A4 PDF of one endorsement, in one of the six languages.

A certificate states what the endorsement's signed receipt states (the state, the initiative, the
date as precisely as the register knows it, the channel, the text version, the reference) and
carries a QR code to the verify page for that receipt, where anyone reads the register's current
record and its signed receipt. Nothing about the person who signed or recorded it.

The PDF also carries the signed receipt itself, as an attached file (`receipt-<reference>.json`):
the certificate can be checked offline with `verifier/alliance_verify.py`, without the register.

A withdrawn endorsement still has its certificate, which says in its heading that the endorsement
was withdrawn, and when: an archive that printed one before the withdrawal can tell the two apart,
and the QR code leads to the current record either way.

WeasyPrint renders it (0.1 to 0.2 s of CPU once a process has loaded its fonts). The PDF is
kept in the cache under the digest of everything it shows and of its layout, so a certificate is
rendered once per text, and a change to the record (a withdrawal, a correction, a state renamed)
gives a new one at the next request. WeasyPrint fetches nothing from the network: its URL fetcher
serves the register's own static files and `data:` URLs, and refuses anything else.

Fonts come from the system (fontconfig): Noto Sans (Latin, Cyrillic), Noto Naskh Arabic
(`fonts-noto-core`) and WenQuanYi Zen Hei (Chinese, `fonts-wqy-zenhei`); `.ci/run` and
`make certificates` install them on Debian.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from dataclasses import dataclass
from functools import cache as once
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from initiatives import receipts
from initiatives.models import Endorsement

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcherResponse

TEMPLATE = "initiatives/certificate.html"
STYLESHEET = "css/certificate.css"
# The fetcher's made-up origin: a stylesheet or an image under it is read from the static files.
LOCAL_ORIGIN = "https://certificate.invalid/static/"
CACHE_SECONDS = 30 * 24 * 3600


class CertificatesUnavailable(Exception):
    """WeasyPrint cannot load here (its system libraries, Pango, are missing)."""


def verify_url(endorsement: Endorsement, language: str) -> str:
    """The public address of the verify page for this endorsement's receipt, in `language`."""
    with translation.override(language):
        path = reverse("initiatives:verify_receipt")
    return f"{settings.SITE_URL}{path}?{urlencode({'reference': endorsement.reference})}"


@dataclass(frozen=True)
class Certificate:
    """One endorsement's certificate in one language: its HTML, the signed receipt it carries, and
    where its PDF is kept."""

    html: str
    receipt: dict[str, Any]
    filename: str

    @property
    def receipt_filename(self) -> str:
        return f"receipt-{self.receipt['receipt']['reference']}.json"

    @property
    def key(self) -> str:
        # The receipt's facts and log index, not its time of issue: any change to the endorsement
        # appends to the log, and a kept certificate's receipt, signed earlier, stays valid.
        facts = {name: value for name, value in self.receipt["receipt"].items() if name != "issued_at"}
        text = f"{_layout_digest()}\n{json.dumps(facts, sort_keys=True)}\n{self.html}"
        return "certificate:" + hashlib.sha256(text.encode()).hexdigest()

    def cached(self) -> bytes | None:
        """The PDF rendered before for this very text, receipt and layout, if the cache still has it."""
        pdf = cache.get(self.key)
        return bytes(pdf) if pdf is not None else None

    def render(self) -> bytes:
        """Render the PDF (CPU: rate-limit the callers) and keep it."""
        receipt = json.dumps(self.receipt, ensure_ascii=False, indent=2)
        pdf = render_pdf(self.html, attachments={self.receipt_filename: receipt})
        cache.set(self.key, pdf, CACHE_SECONDS)
        return pdf


def certificate(endorsement: Endorsement, language: str) -> Certificate:
    """The certificate of `endorsement` (loaded with its initiative and state) in `language`."""
    receipt = receipts.signed_receipt(endorsement)
    filename = f"receipt-{endorsement.reference}.json"
    with translation.override(language):
        html = render_to_string(TEMPLATE, {**_context(endorsement, language), "receipt_filename": filename})
    return Certificate(html=html, receipt=receipt, filename=f"certificate-{endorsement.reference}-{language}.pdf")


def _context(endorsement: Endorsement, language: str) -> dict[str, Any]:
    import segno  # a pure-Python QR code generator

    link = verify_url(endorsement, language)
    qr = segno.make(link, error="m")
    return {
        "endorsement": endorsement,
        "verify_url": link,
        # Vector, so it prints sharp at any size; dark modules on white, with the quiet zone.
        "qr_code": qr.svg_data_uri(scale=1, border=4, dark="#000", light="#fff", omitsize=True),
        "key_id": receipts.key_id(),
    }


@once
def _layout_digest() -> str:
    """The template's and the stylesheet's text: a new layout (a deployment) makes new certificates."""
    template = Path(get_template(TEMPLATE).origin.name).read_bytes()  # type: ignore[attr-defined]
    return hashlib.sha256(template + _static_file(STYLESHEET).read_bytes()).hexdigest()


def _static_file(path: str) -> Path:
    found = finders.find(path)
    if not isinstance(found, str):
        raise FileNotFoundError(path)
    return Path(found)


def render_pdf(html: str, *, attachments: dict[str, str] | None = None) -> bytes:
    """The HTML as an accessible PDF (tagged, PDF/UA-1: its title and language in its metadata),
    with `attachments` (file name: text) embedded as files."""
    try:
        from weasyprint import CSS, HTML, Attachment
    except OSError as error:  # cffi could not load Pango
        raise CertificatesUnavailable(str(error)) from error
    fetcher = _local_fetcher()
    # Its own address as base: its relative URLs are the ones collectstatic checks and rewrites.
    stylesheet = CSS(
        string=_static_file(STYLESHEET).read_text("utf-8"), url_fetcher=fetcher, base_url=LOCAL_ORIGIN + STYLESHEET
    )
    document = HTML(string=html, base_url=LOCAL_ORIGIN, url_fetcher=fetcher)
    files = [
        Attachment(string=text, name=name, url_fetcher=fetcher, relationship="Source")
        for name, text in (attachments or {}).items()
    ]
    return bytes(document.write_pdf(stylesheets=[stylesheet], attachments=files, pdf_variant="pdf/ua-1"))


def _local_fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        """Serves `data:` URLs and the register's static files; refuses every other URL, so a
        certificate never makes WeasyPrint reach the network or read other files."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            return local_resource(url, super().fetch, URLFetcherResponse)

    return LocalFetcher()


def local_resource(url: str, fetch_data: Any, response: Any) -> Any:
    """What the certificate's fetcher answers for `url` (ValueError for anything not local)."""
    if url.startswith("data:"):
        return fetch_data(url)
    if not url.startswith(LOCAL_ORIGIN) or "?" in url or "#" in url:
        raise ValueError(f"certificates fetch nothing from outside the register: {url}")
    # finders.find() joins safely: a path out of the static directories ("../") finds nothing.
    try:
        path = _static_file(url.removeprefix(LOCAL_ORIGIN))
    except Exception as error:
        raise ValueError(f"no such static file: {url}") from error
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return response(url, body=path.read_bytes(), headers={"Content-Type": content_type})
