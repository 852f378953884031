"""The personal portfolio as PDF, through the same offline WeasyPrint set-up as the
community portfolio (reports/pdf.py): the page may load only the print stylesheet and
the thumbnails of the portfolio's own photos, which span several communities."""

import logging
from urllib.parse import urlsplit

from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import Resolver404, get_script_prefix, resolve
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.pdf import PRINT_CSS, FetchRefused, print_css_path

logger = logging.getLogger(__name__)


class PersonalFetcher(URLFetcher):
    """Answers only with the print stylesheet and the thumbnails in `documents`
    (uid -> Document, read already); refuses and logs every other URL."""

    def __init__(self, *, origin, documents):
        super().__init__(allowed_protocols=())
        self.origin = origin.rstrip("/")
        self.documents = {str(uid): doc for uid, doc in documents.items()}

    def fetch(self, url, headers=None):
        try:
            return self._serve(url)
        except FetchRefused:
            logger.warning("Personal portfolio PDF: refused to fetch %s", url[:200])
            raise

    def _serve(self, url):
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin or parts.query or parts.fragment:
            raise FetchRefused(url)
        if parts.path == urlsplit(static(PRINT_CSS)).path:
            with open(print_css_path(), "rb") as css:
                return URLFetcherResponse(url, css.read(), {"Content-Type": "text/css; charset=utf-8"})
        prefix = get_script_prefix()
        try:
            match = resolve("/" + parts.path.removeprefix(prefix))
        except Resolver404:
            raise FetchRefused(url) from None
        document = self.documents.get(str(match.kwargs.get("uid")))
        if (
            match.view_name != "activities:thumbnail"
            or document is None
            or document.community.slug != match.kwargs.get("slug")
            or not document.thumbnail
        ):
            raise FetchRefused(url)
        with document.thumbnail.open("rb") as thumbnail:
            return URLFetcherResponse(url, thumbnail.read(), {"Content-Type": "image/jpeg"})


def personal_portfolio_pdf(portfolio, *, origin, context=None):
    html = render_to_string("evidence/portfolio_pdf.html", {"portfolio": portfolio, **(context or {})})
    fetcher = PersonalFetcher(origin=origin, documents={photo.uid: photo for photo in portfolio.photos})
    stylesheet = CSS(filename=print_css_path(), url_fetcher=fetcher)
    document = HTML(string=html, base_url=origin.rstrip("/") + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet])
