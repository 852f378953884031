"""Portfolio PDFs with WeasyPrint, which must never reach the network: every URL it
asks for goes through `LocalFetcher`, which answers only with our own files."""

import logging
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import Resolver404, get_script_prefix, resolve
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

PRINT_CSS = "css/print.css"


class FetchRefused(ValueError):
    """A URL the PDF may not load."""


def print_css_path():
    path = finders.find(PRINT_CSS)
    if path is None:
        raise FileNotFoundError(PRINT_CSS)
    return path


class LocalFetcher(URLFetcher):
    """Serves the thumbnails of `community`'s documents and our print stylesheet, read
    from storage and the static finders; refuses (and logs) every other URL.

    `origin` is the scheme and host the page's relative URLs resolve against; a
    thumbnail URL of another host, scheme or community is refused like any other.
    `documents` (uid -> Document), when given, is all it may serve: the portfolio's
    own photos, read already. Without it, each thumbnail costs one query, limited to
    this community's documents that may leave it.
    """

    def __init__(self, *, community, origin, documents=None):
        super().__init__(allowed_protocols=())
        self.community = community
        self.origin = origin.rstrip("/")
        self.only_given = documents is not None
        self.documents = {str(uid): doc for uid, doc in (documents or {}).items()}

    def fetch(self, url, headers=None):
        try:
            return self._serve(url)
        except FetchRefused:
            logger.warning("PDF of %s: refused to fetch %s", self.community.slug, url[:200])
            raise

    def _serve(self, url):
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin or parts.query or parts.fragment:
            raise FetchRefused(url)
        if parts.path == urlsplit(static(PRINT_CSS)).path:
            with open(print_css_path(), "rb") as css:
                return URLFetcherResponse(url, css.read(), {"Content-Type": "text/css; charset=utf-8"})
        prefix = get_script_prefix()
        if not parts.path.startswith(prefix):
            raise FetchRefused(url)
        try:
            match = resolve("/" + parts.path.removeprefix(prefix))
        except Resolver404:
            raise FetchRefused(url) from None
        if match.view_name != "activities:thumbnail" or match.kwargs.get("slug") != self.community.slug:
            raise FetchRefused(url)
        document = self._document(str(match.kwargs["uid"]))
        if document is None or not document.thumbnail:
            raise FetchRefused(url)
        with document.thumbnail.open("rb") as thumbnail:
            return URLFetcherResponse(url, thumbnail.read(), {"Content-Type": "image/jpeg"})

    def _document(self, uid):
        if uid not in self.documents and not self.only_given:
            # A PDF leaves the community: never a photo of students without consent.
            self.documents[uid] = self.community.documents.publishable().filter(uid=uid).first()
        return self.documents.get(uid)


def portfolio_pdf(portfolio, *, origin, context=None):
    """The portfolio as PDF bytes. Renders templates/reports/portfolio_pdf.html in the
    active language; `origin` ("https://host") resolves the page's relative links."""
    html = render_to_string("reports/portfolio_pdf.html", {"portfolio": portfolio, **(context or {})})
    return html_to_pdf(html, community=portfolio.community, origin=origin, documents=portfolio_documents(portfolio))


def portfolio_documents(portfolio):
    return {photo.uid: photo for photo in portfolio.photos}


def html_to_pdf(html, *, community, origin, documents=None):
    fetcher = LocalFetcher(community=community, origin=origin, documents=documents)
    stylesheet = CSS(filename=print_css_path(), url_fetcher=fetcher)
    document = HTML(string=html, base_url=origin.rstrip("/") + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet])
