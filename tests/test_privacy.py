"""What stays inside a community at every visibility, beyond the access matrices: counts
on lists, the portfolio and its PDF, the exports, and the figures the principal reads.

The rules (DESIGN.md, "What each kind of content shows"): a photo of students without
the parents' consent confirmed, and a reflection its author kept out of reports, are
for the community's active members. Whatever leaves the community (a portfolio, a
PDF, a CSV) never carries them; the coordinators' whole-community archive is the
community's own backup and keeps everything. Figures about the community as a whole
(the school dashboard, readiness) count every reflection: they name no one.
"""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Community
from reports.pdf import FetchRefused, LocalFetcher
from tests.factories import (
    TINY_JPEG,
    DocumentFactory,
    ReflectionFactory,
    held_activity,
)
from tests.matrix import VISIBILITIES

pytestmark = pytest.mark.django_db

PRIVATE_TEXT = "Saya belum yakin cara ini cocok."
SHARED_TEXT = "Anak-anak lebih berani membaca."


@pytest.fixture
def record(community, coordinator, member, principal, teacher, staff):
    """A held activity with a photo of students without consent, a consented one, and a
    reflection kept out of reports beside one agreed for reports."""
    activity = held_activity(community, proposed_by=coordinator, title="Membaca nyaring")
    private_photo = DocumentFactory(
        activity=activity, uploaded_by=member, shows_students=True, caption="Wajah siswa kelas 2"
    )
    shared_photo = DocumentFactory(
        activity=activity, uploaded_by=member, shows_students=True, consent_confirmed=True, caption="Dengan izin"
    )
    private = ReflectionFactory(activity=activity, author=member, in_reports=False, answers={"text": PRIVATE_TEXT})
    shared = ReflectionFactory(activity=activity, author=coordinator, in_reports=True, answers={"text": SHARED_TEXT})
    return activity, private_photo, shared_photo, private, shared


def set_visibility(community, visibility):
    Community.objects.filter(pk=community.pk).update(visibility=visibility)


def english(client):
    client.cookies["django_language"] = "en"
    return client


# Lists count only what their viewer may open.


@pytest.mark.parametrize(
    ("persona", "files", "reflections"), [("member", 2, 2), ("principal", 1, 1), ("teacher", 1, 1)]
)
def test_activity_list_counts_only_what_the_viewer_may_open(persona, files, reflections, record, login, request):
    client = english(login(request.getfixturevalue(persona)))
    page = client.get(reverse("activities:list", args=[record[0].community.slug])).content.decode()
    assert f"{files} files · {reflections} reflections" in page


# What leaves the community: never the private content, whoever asks, at any visibility.


def period():
    today = timezone.localdate()
    return {"dari": (today - timezone.timedelta(days=30)).isoformat(), "sampai": today.isoformat()}


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("persona", ["member", "coordinator", "principal", "staff"])
def test_portfolio_leaves_out_private_content(visibility, persona, record, community, login, request):
    set_visibility(community, visibility)
    _activity, private_photo, shared_photo, _private, _shared = record
    response = login(request.getfixturevalue(persona)).get(
        reverse("reports:portfolio", args=[community.slug]), period()
    )
    page = response.content.decode()
    assert shared_photo.get_thumbnail_url() in page
    assert SHARED_TEXT in page
    assert str(private_photo.uid) not in page
    assert private_photo.caption not in page
    assert PRIVATE_TEXT not in page


def test_pdf_never_loads_a_photo_without_consent(record, community):
    _activity, private_photo, shared_photo, _private, _shared = record
    fetcher = LocalFetcher(community=community, origin="http://testserver")
    assert fetcher.fetch("http://testserver" + shared_photo.get_thumbnail_url()).read() == TINY_JPEG
    with pytest.raises(FetchRefused):
        fetcher.fetch("http://testserver" + private_photo.get_thumbnail_url())


def test_pdf_leaves_out_private_content(record, community, coordinator, login):
    from pypdf import PdfReader

    response = login(coordinator).get(reverse("reports:portfolio_pdf", args=[community.slug]), period())
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert SHARED_TEXT in flat
    assert PRIVATE_TEXT not in flat
    assert record[1].caption not in flat


def test_activities_csv_carries_no_documents_or_reflections(record, community, principal, login):
    response = login(principal).get(reverse("reports:activities_csv", args=[community.slug]))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[1] for row in rows[1:]] == ["Membaca nyaring"]
    for trace in (PRIVATE_TEXT, SHARED_TEXT, record[1].caption, str(record[1].uid)):
        assert trace not in text


def test_whole_community_archive_is_the_communitys_own_and_keeps_everything(record, community, coordinator, login):
    """The archive is a backup for the coordinators (and site admins), not something to
    pass on: it holds every document and reflection, the private ones too."""
    response = login(coordinator).get(reverse("reports:archive", args=[community.slug]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("data.json"))
    rows = {row["uid"]: row for row in data["documents"]}
    assert str(record[1].uid) in rows
    # Under its readable name (date and title), like every document of the archive.
    assert rows[str(record[1].uid)]["path"] in archive.namelist()
    assert PRIVATE_TEXT in {row["answers"].get("text") for row in data["reflections"]}


# Community-level figures count every reflection: they are about the community, never a person.


def test_school_dashboard_counts_every_reflection(record, community, principal, login):
    page = english(login(principal)).get(reverse("schools:dashboard", args=[community.home_school.npsn]))
    rows = [row for row in page.context["rows"] if row.community.pk == community.pk]
    assert rows[0].recent_reflections == 2
    assert PRIVATE_TEXT not in page.content.decode()
