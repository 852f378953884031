"""The community portfolio for a period: the printable page and the PDF, who may read
them, bad periods, the PDF's refusal to reach the network, and pinned query counts."""

import io
import logging
import socket
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from activities.models import Activity, Attendance
from communities.models import Membership, Stage, StageChange
from publishing.models import Publication
from reports.forms import months_before
from reports.pdf import FetchRefused, LocalFetcher, html_to_pdf
from tests.factories import (
    TINY_JPEG,
    ActionPlanFactory,
    ActivityFactory,
    AttendanceFactory,
    CommunityFactory,
    DocumentFactory,
    MembershipFactory,
    ProductFactory,
    ReflectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SHARED = "Membaca berpasangan di kelas 2"
OLD = "Pertemuan perdana tahun lalu"
AGREED = "Anak-anak mulai meminjam buku perpustakaan sendiri."
PRIVATE = "Saya masih ragu apakah metode ini cocok untuk kelas saya."


def url(name, community, **query):
    address = reverse(f"reports:{name}", args=[community.slug])
    if query:
        address += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return address


def period(**extra):
    today = timezone.localdate()
    return {"dari": (today - timedelta(days=60)).isoformat(), "sampai": today.isoformat(), **extra}


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def record(community, coordinator, member, principal, problem):
    """A held activity in the period (attendance, minutes, a photo, two reflections: one
    agreed for reports, one not), an old one outside it, an endorsed stage change, an
    action plan, a product and a publication."""
    now = timezone.now()
    held = ActivityFactory(
        community=community,
        title=SHARED,
        starts_at=now - timedelta(days=10),
        status=Activity.Status.HELD,
        proposed_by=coordinator,
        problem=problem,
        minutes="Kami **sepakat** mencoba membaca berpasangan.\n\n<script>alert(1)</script>",
    )
    AttendanceFactory(activity=held, user=coordinator)
    AttendanceFactory(activity=held, user=member)
    DocumentFactory(activity=held, uploaded_by=member, caption="Siswa membaca berpasangan")
    old = ActivityFactory(
        community=community,
        title=OLD,
        starts_at=now - timedelta(days=400),
        status=Activity.Status.HELD,
        proposed_by=coordinator,
    )
    AttendanceFactory(activity=old, user=coordinator)
    ReflectionFactory(activity=held, author=member, answers={"text": AGREED}, in_reports=True)
    ReflectionFactory(activity=held, author=coordinator, answers={"text": PRIVATE}, in_reports=False)
    ReflectionFactory(
        activity=old,
        author=coordinator,
        answers={"text": "Refleksi lama sekali."},
        in_reports=True,
        created_at=now - timedelta(days=399),
    )
    StageChange.objects.create(
        community=community,
        from_stage=Stage.MERINTIS,
        to_stage=Stage.MENUMBUHKAN,
        changed_by=coordinator,
        note="Bertemu rutin tiga kali.",
        created_at=now - timedelta(days=20),
        endorsed_by=principal,
        endorsed_at=now - timedelta(days=19),
    )
    ActionPlanFactory(problem=problem, owner=member, what="Pojok baca di setiap kelas", status="done", outcome="Jadi.")
    ProductFactory(community=community, title="Kartu kata bergambar", created_by=member)
    Publication.objects.create(
        community=community,
        activity=held,
        title="Cerita membaca berpasangan",
        summary="Ringkasan untuk publik.",
        published_by=coordinator,
        published_at=now - timedelta(days=5),
    )
    return held


# --- Who may read it --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_teacher", 404),
        ("other_principal", 404),
        ("teacher", 403),
        ("member", 200),
        ("coordinator", 200),
        ("principal", 200),
        ("staff", 200),
    ],
)
def test_page_access(request, community, coordinator, login, persona, status):
    user = request.getfixturevalue(persona)
    assert login(user).get(url("portfolio", community)).status_code == status


@pytest.mark.parametrize("name", ["portfolio", "portfolio_pdf"])
def test_anonymous_is_sent_to_login(community, login, name):
    response = login(None).get(url(name, community))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("persona", "status"), [("other_teacher", 404), ("other_principal", 404), ("teacher", 403)])
def test_pdf_refused(request, community, coordinator, login, persona, status):
    user = request.getfixturevalue(persona)
    assert login(user).get(url("portfolio_pdf", community)).status_code == status


def test_members_only_community_is_hidden_from_the_school(community, coordinator, teacher, principal, login):
    community.visibility = community.Visibility.MEMBERS
    community.save()
    assert login(teacher).get(url("portfolio", community)).status_code == 404
    assert login(principal).get(url("portfolio", community)).status_code == 200


# --- What it holds ----------------------------------------------------------------------------


def test_page_shows_the_period(record, community, member, login):
    page = login(member).get(url("portfolio", community, **period(bahasa="en"))).content.decode()
    for text in (SHARED, AGREED, "Budi Koordinator", "Ani Anggota", "Pojok baca di setiap kelas"):
        assert text in page
    for text in (OLD, PRIVATE, "<script>alert(1)</script>", 'style="'):
        assert text not in page
    assert "<strong>sepakat</strong>" in page
    assert "Present: 2 · excused: 0 · absent: 0" in page
    photo = record.documents.get()
    assert f'src="{photo.get_thumbnail_url()}"' in page
    assert "Endorsed by Sri Kepala Sekolah" in page
    assert "Kartu kata bergambar" in page and "Cerita membaca berpasangan" in page
    # A link to the PDF of the same period and language.
    assert url("portfolio_pdf", community) + "?dari=" in page


def test_pdf_holds_the_period_and_nothing_else(record, community, principal, login):
    response = login(principal).get(url("portfolio_pdf", community, **period(bahasa="en")))
    assert response.status_code == 200
    today = timezone.localdate()
    start = (today - timedelta(days=60)).isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="portofolio-{community.slug}-{start}-{today.isoformat()}.pdf"'
    )
    assert "private" in response["Cache-Control"]
    reader, text = pdf_text(response)
    flat = " ".join(text.split())
    for expected in (community.name, SHARED, AGREED, "Stage history", "Activities", "Ani Anggota"):
        assert expected in flat
    for unexpected in (OLD, PRIVATE, "Refleksi lama sekali."):
        assert unexpected not in flat
    # The photo's thumbnail is embedded, and the pages are numbered.
    assert any(page.images for page in reader.pages)
    assert f"Page 1 / {len(reader.pages)}" in flat


def test_pdf_in_indonesian(record, community, member, login):
    _reader, text = pdf_text(login(member).get(url("portfolio_pdf", community, **period(bahasa="id"))))
    flat = " ".join(text.split())
    assert "Kegiatan" in flat and "Refleksi" in flat and "Anggota" in flat
    assert "Reflections" not in flat
    assert SHARED in flat


def test_photos_of_students_need_consent(record, community, member, login):
    consented = DocumentFactory(activity=record, uploaded_by=member, shows_students=True, consent_confirmed=True)
    without = DocumentFactory(activity=record, uploaded_by=member, shows_students=True, consent_confirmed=False)
    page = login(member).get(url("portfolio", community, **period())).content.decode()
    assert consented.get_thumbnail_url() in page
    assert without.get_thumbnail_url() not in page


def test_default_period_is_the_last_six_months(record, community, coordinator, login):
    response = login(coordinator).get(url("portfolio", community))
    today = timezone.localdate()
    portfolio = response.context["portfolio"]
    assert (portfolio.period.start, portfolio.period.end) == (months_before(today, 6), today)
    assert [entry.activity.title for entry in portfolio.activities] == [SHARED]


def test_months_before_clamps_to_the_month_end():
    from datetime import date

    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(date(2026, 3, 15), 6) == date(2025, 9, 15)


# --- Bad periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"dari": "2026-03-01", "sampai": "2026-02-01"}, "The end of the period must not be before its start."),
        ({"dari": "2020-01-01", "sampai": "2023-01-02"}, "A portfolio covers at most 3 years"),
        ({"dari": "2026-02-31", "sampai": "2026-03-01"}, "Enter a valid date."),
    ],
    ids=["end-before-start", "too-long", "not-a-date"],
)
def test_bad_period_on_the_page(record, community, member, login, query, message):
    response = login(member).get(url("portfolio", community, bahasa="en", **query))
    assert response.status_code == 200
    assert "portfolio" not in response.context
    page = response.content.decode()
    assert message in page
    assert SHARED not in page and "Download PDF" not in page


def test_unknown_language_is_refused(community, member, login):
    client = login(member)
    client.cookies["django_language"] = "en"
    response = client.get(url("portfolio", community, bahasa="xx"))
    assert response.status_code == 200
    assert "portfolio" not in response.context
    assert "Select a valid choice." in response.content.decode()


def test_three_years_exactly_is_allowed(community, member, login):
    response = login(member).get(url("portfolio", community, dari="2023-01-02", sampai="2026-01-02", bahasa="en"))
    assert response.context["portfolio"].period.end.isoformat() == "2026-01-02"


def test_bad_period_for_the_pdf_goes_back_to_the_page(record, community, member, login):
    client = login(member)
    query = {"dari": "2026-03-01", "sampai": "2026-02-01", "bahasa": "en"}
    response = client.get(url("portfolio_pdf", community, **query))
    assert response.status_code == 302
    assert response["Location"] == url("portfolio", community, **query)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The PDF was not made: please correct the period."]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "The end of the period must not be before its start." in page.content.decode()


# --- The PDF never reaches the network ----------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test loudly."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


ORIGIN = "http://testserver"


def test_outside_urls_are_refused_and_logged(community, no_network, caplog):
    fetcher = LocalFetcher(community=community, origin=ORIGIN)
    for address in (
        "http://example.com/x.png",
        "https://testserver/k/x/",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        f"{ORIGIN}/admin/",
        f"{ORIGIN}/media/documents/1/x.jpg",
    ):
        with caplog.at_level(logging.WARNING, logger="reports.pdf"), pytest.raises(FetchRefused):
            fetcher.fetch(address)
    assert "http://example.com/x.png" in caplog.text
    assert no_network == []


def test_only_this_communitys_thumbnails_are_served(community, coordinator, no_network):
    mine = DocumentFactory(activity=ActivityFactory(community=community), uploaded_by=coordinator)
    theirs = DocumentFactory(activity=ActivityFactory(community=CommunityFactory()))
    fetcher = LocalFetcher(community=community, origin=ORIGIN)
    response = fetcher.fetch(ORIGIN + mine.get_thumbnail_url())
    assert response.read() == TINY_JPEG
    assert response.content_type == "image/jpeg"
    with pytest.raises(FetchRefused):
        fetcher.fetch(ORIGIN + theirs.get_thumbnail_url())
    # Another community's document under this community's address is not found either.
    with pytest.raises(FetchRefused):
        fetcher.fetch(ORIGIN + mine.get_thumbnail_url().replace(str(mine.uid), str(theirs.uid)))
    with pytest.raises(FetchRefused):
        fetcher.fetch("http://elsewhere.example" + mine.get_thumbnail_url())
    assert b"@page" in fetcher.fetch(ORIGIN + "/static/css/print.css").read()
    # Given the portfolio's photos, it serves those alone.
    other = DocumentFactory(activity=mine.activity, uploaded_by=coordinator)
    strict = LocalFetcher(community=community, origin=ORIGIN, documents={mine.uid: mine})
    assert strict.fetch(ORIGIN + mine.get_thumbnail_url()).read() == TINY_JPEG
    with pytest.raises(FetchRefused):
        strict.fetch(ORIGIN + other.get_thumbnail_url())


def test_an_outside_image_never_triggers_a_network_call(community, no_network, caplog):
    html = (
        '<html><body><h1>Uji</h1><img src="http://example.com/x.png">'
        '<link rel="stylesheet" href="https://cdn.example.com/x.css"></body></html>'
    )
    with caplog.at_level(logging.WARNING, logger="reports.pdf"):
        pdf = html_to_pdf(html, community=community, origin=ORIGIN)
    assert pdf.startswith(b"%PDF")
    assert no_network == []
    assert "refused to fetch http://example.com/x.png" in caplog.text
    assert "refused to fetch https://cdn.example.com/x.css" in caplog.text


def test_pdf_view_fetches_nothing_outside(record, community, member, login, no_network, caplog):
    with caplog.at_level(logging.WARNING):
        response = login(member).get(url("portfolio_pdf", community, **period()))
    assert response.status_code == 200
    assert no_network == []
    assert "refused to fetch" not in caplog.text


# --- Query counts -----------------------------------------------------------------------------


def build_activities(community, people, n):
    """`n` held activities in the period, each with attendance, a photo and a reflection
    agreed for reports; as many action plans, stage changes (reflected on too) and products."""
    now = timezone.now()
    problem = community.problems.first()
    for i in range(n):
        activity = ActivityFactory(
            community=community,
            starts_at=now - timedelta(days=1 + i % 50, hours=i),
            status=Activity.Status.HELD,
            proposed_by=people[0],
            problem=problem,
            minutes=f"Notulen {i}",
        )
        for person, status in zip(people, ["present", "present", "excused"], strict=True):
            AttendanceFactory(activity=activity, user=person, status=status)
        DocumentFactory(activity=activity, uploaded_by=people[1])
        ReflectionFactory(activity=activity, author=people[i % 2], in_reports=True)
        plan = ActionPlanFactory(problem=problem, owner=people[1])
        ReflectionFactory(activity=None, action_plan=plan, author=people[1], in_reports=True)
        change = StageChange.objects.create(
            community=community, from_stage=Stage.MERINTIS, to_stage=Stage.MENUMBUHKAN, changed_by=people[0], note="-"
        )
        ReflectionFactory(activity=None, stage_change=change, author=people[0], in_reports=True)
        ProductFactory(community=community, created_by=people[1], authors=people[:2])


def test_query_count_does_not_grow_with_the_activities(community, coordinator, member, problem, login):
    third = UserFactory(school=community.home_school)
    MembershipFactory(user=third, community=community, role=Membership.Role.MEMBER)
    people = [coordinator, member, third]
    client = login(coordinator)
    address = url("portfolio", community, **period())

    build_activities(community, people, 3)
    client.get(address)  # warm up: session, translations, template loading
    with CaptureQueriesContext(connection) as small:
        response = client.get(address)
    assert len(response.context["portfolio"].activities) == 3

    build_activities(community, people, 27)
    with CaptureQueriesContext(connection) as large:
        response = client.get(address)
    assert len(response.context["portfolio"].activities) == 30
    assert Attendance.objects.filter(activity__community=community).count() == 90
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_page_query_count_is_pinned(record, community, coordinator, login, django_assert_max_num_queries):
    client = login(coordinator)
    client.get(url("portfolio", community))
    # session, user, the community with its school and the membership, then the
    # portfolio's ten reads
    with django_assert_max_num_queries(13):
        client.get(url("portfolio", community, **period()))
