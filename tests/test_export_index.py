"""The readable side of the community archive: documents under readable names, an
index.html that opens offline and links only files inside the zip, and the portfolio
PDF; what must not leave the community is not listed."""

import io
import re
import zipfile
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest
from django.utils import timezone

from activities.models import Document, Reflection
from reports.exports import read_export
from tests import test_exports
from tests.factories import DocumentFactory
from tests.test_exports import url, zip_bytes

full_community = test_exports.full_community  # the fixture: one row of everything a community owns

pytestmark = pytest.mark.django_db


class Links(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.links = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


@pytest.fixture
def archive(full_community, coordinator, member, login):
    # A photo of students without confirmed consent: in the backup, never in the index.
    held = full_community.activities.get(status="held")
    DocumentFactory(activity=held, uploaded_by=member, shows_students=True, caption="Siswa tanpa izin")
    content = zip_bytes(login(coordinator).get(url("archive", full_community)))
    data = read_export(io.BytesIO(content))  # the checksums still hold, index and PDF included
    return zipfile.ZipFile(io.BytesIO(content)), data


def test_every_link_of_the_index_resolves_to_a_file_in_the_zip(archive):
    zipped, _data = archive
    html = zipped.read("index.html").decode()
    links = Links(html).links
    assert links, "the index links its files"
    names = set(zipped.namelist())
    for link in links:
        parts = urlsplit(link)
        assert not parts.scheme and not parts.netloc, f"{link} leaves the archive"
        assert unquote(parts.path) in names, f"{link} is not in the zip"
    assert "portofolio.pdf" in links
    assert zipped.read("portofolio.pdf").startswith(b"%PDF")


def test_documents_have_readable_names(archive, full_community):
    zipped, data = archive
    held = full_community.activities.get(status="held")
    for row in data["documents"]:
        assert re.fullmatch(r"documents/\d{4}-\d{2}-\d{2}-[a-z0-9-]+\.(jpg|pdf)", row["path"]), row["path"]
    day = f"{timezone.localtime(held.starts_at):%Y-%m-%d}"
    assert any(row["path"].startswith(f"documents/{day}-") for row in data["documents"])
    assert len({row["path"] for row in data["documents"]}) == len(data["documents"])


def test_what_stays_inside_the_community_is_not_in_the_index(archive, full_community):
    zipped, data = archive
    html = zipped.read("index.html").decode()
    private = Document.objects.get(caption="Siswa tanpa izin")
    private_path = next(r["path"] for r in data["documents"] if r["uid"] == str(private.uid))
    assert private_path in zipped.namelist()  # the backup keeps it
    assert private_path not in html
    for reflection in Reflection.objects.filter(community=full_community):
        marker = f"{reflection.author.full_name} · {timezone.localtime(reflection.created_at):%Y-%m-%d}"
        assert (marker in html) is reflection.in_reports
    for activity in full_community.activities.all():
        assert activity.title in html
    assert "Rahasia tetangga" not in html
    for membership in full_community.memberships.filter(status="active"):
        assert membership.user.full_name in html
