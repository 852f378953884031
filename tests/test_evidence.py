"""The personal portfolio: exactly the teacher's own records of the period, nothing of
anyone else's; shared with the principal of their school only while the teacher wants."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import ActionPlan, Activity, Attendance, Product, Reflection
from communities.models import Membership
from evidence.models import PortfolioShare
from evidence.portfolio import Period, build_personal_portfolio
from publishing.models import Publication
from tests.factories import (
    ActionPlanFactory,
    ActivityFactory,
    AttendanceFactory,
    CommunityFactory,
    DocumentFactory,
    MembershipFactory,
    ProductFactory,
    PublicationFactory,
    ReflectionFactory,
)

pytestmark = pytest.mark.django_db

PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30))


def at(day, hour=9):
    return timezone.make_aware(datetime(2026, *day, hour))


def records_for(person, community, *, inside, tag):
    """One of each kind of record by `person` in `community`, dated inside the period or
    just after it."""
    when = (3, 10) if inside else (7, 2)
    moment = at(when)
    meeting = ActivityFactory(
        community=community,
        title=f"Pertemuan {tag}",
        status="held",
        starts_at=moment,
        ends_at=moment + timedelta(hours=2),
        proposed_by=person,
    )
    AttendanceFactory(activity=meeting, user=person)
    plan = ActionPlanFactory(
        problem__community=community, owner=person, due=moment.date(), outcome=f"Hasil {tag}", status="done"
    )
    ReflectionFactory(activity=meeting, author=person, created_at=moment, in_reports=False)
    ReflectionFactory(activity=None, action_plan=plan, author=person, created_at=moment, in_reports=True)
    product = ProductFactory(community=community, created_by=person, created_at=moment, title=f"Karya {tag}")
    DocumentFactory(activity=None, product=product, uploaded_by=person)
    # A photo of students without consent never reaches a portfolio.
    DocumentFactory(activity=None, product=product, uploaded_by=person, shows_students=True)
    PublicationFactory(activity=meeting, published_by=person, published_at=moment, title=f"Publikasi {tag}")


@pytest.fixture
def world(school, member, coordinator, community, teacher):
    second = CommunityFactory(home_school=school, name="Numerasi Bersama")
    MembershipFactory(user=member, community=second, role=Membership.Role.COORDINATOR, joined_at=at((2, 1)))
    Membership.objects.filter(user=member, community=community).update(joined_at=at((1, 5)))
    for c in (community, second):
        records_for(member, c, inside=True, tag=f"{c.pk}-in")
        records_for(member, c, inside=False, tag=f"{c.pk}-out")
        # Colleagues' records in the same communities and period.
        records_for(coordinator, c, inside=True, tag=f"{c.pk}-coord")
    # The teacher was excused from a meeting and missed another: neither counts as attended.
    excused = ActivityFactory(community=community, status="held", starts_at=at((4, 1)), ends_at=at((4, 1), 11))
    AttendanceFactory(activity=excused, user=member, status="excused")
    cancelled = ActivityFactory(community=community, status="cancelled", starts_at=at((4, 2)), ends_at=at((4, 2), 11))
    AttendanceFactory(activity=cancelled, user=member)
    return second


def test_the_portfolio_holds_exactly_the_teachers_records_of_the_period(world, member, coordinator):
    portfolio = build_personal_portfolio(member, PERIOD)
    span = {"gte": PERIOD.starts_at, "lt": PERIOD.ends_before}
    attended = Attendance.objects.filter(
        user=member,
        status="present",
        activity__starts_at__gte=span["gte"],
        activity__starts_at__lt=span["lt"],
    ).exclude(activity__status="cancelled")
    assert len(portfolio.attended) == attended.count() == 2
    led = Activity.objects.filter(proposed_by=member, starts_at__gte=span["gte"], starts_at__lt=span["lt"])
    assert len(portfolio.led) == led.exclude(status="cancelled").count() == 2
    actions = ActionPlan.objects.filter(owner=member, due__range=(PERIOD.start, PERIOD.end))
    assert len(portfolio.actions) == actions.count() == 2
    reflections = Reflection.objects.filter(author=member, created_at__gte=span["gte"], created_at__lt=span["lt"])
    assert len(portfolio.reflections) == reflections.count() == 4  # all of them, private ones too
    products = Product.objects.filter(authors=member, created_at__gte=span["gte"], created_at__lt=span["lt"])
    assert len(portfolio.products) == products.count() == 2
    publications = Publication.objects.filter(
        published_by=member, status="published", published_at__gte=span["gte"], published_at__lt=span["lt"]
    )
    assert len(portfolio.publications) == publications.count() == 2
    assert {m.community for m in portfolio.memberships} == {m.community for m in member.memberships.all()}
    assert portfolio.hours == 4.0
    # Nothing of anyone else's.
    assert {a.user for a in portfolio.attended} == {member}
    assert {a.proposed_by for a in portfolio.led} == {member}
    assert {p.owner for p in portfolio.actions} == {member}
    assert {r.author for r in portfolio.reflections} == {member}
    assert all(member in p.authors.all() for p in portfolio.products)
    assert {p.published_by for p in portfolio.publications} == {member}
    # One thumbnail per product: the photo of students without consent stays out.
    assert [len(p.thumbnails) for p in portfolio.products] == [1, 1]


def test_the_page_and_pdf_show_the_teachers_own_records(world, member, login):
    client = login(member)
    response = client.get(reverse("evidence:mine"), {"dari": "2026-01-01", "sampai": "2026-06-30"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Karya {world.pk}-in" in page
    assert f"Karya {world.pk}-out" not in page
    assert f"Karya {world.pk}-coord" not in page
    pdf = client.get(reverse("evidence:mine_pdf"), {"dari": "2026-01-01", "sampai": "2026-06-30"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_bad_period_makes_no_pdf(member, login):
    response = login(member).get(reverse("evidence:mine_pdf"), {"dari": "2026-06-30", "sampai": "2026-01-01"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("evidence:mine"))


def page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("evidence:mine"), {"dari": "2026-01-01", "sampai": "2026-12-31"})
    assert response.status_code == 200
    return len(queries)


def test_page_queries_do_not_grow_with_the_records(world, member, community, login, django_assert_max_num_queries):
    client = login(member)
    client.get(reverse("evidence:mine"))
    before = page_queries(client)
    for n in range(3):
        records_for(member, community, inside=True, tag=f"more-{n}")
        records_for(member, world, inside=True, tag=f"more-{n}")
    assert page_queries(client) == before
    with django_assert_max_num_queries(16):
        client.get(reverse("evidence:mine"), {"dari": "2026-01-01", "sampai": "2026-12-31"})


def share_for(member):
    return PortfolioShare.objects.create(owner=member, start=PERIOD.start, end=PERIOD.end)


SHARED_SEES = {
    "anonymous": 302,
    "other_teacher": 404,
    "teacher": 404,
    "member": 200,  # the owner
    "coordinator": 404,
    "principal": 200,
    "other_principal": 404,
    "staff": 404,
    "pengawas": 404,
    "dinas": 404,
    "other_dinas": 404,
    "other_pengawas": 404,
}


@pytest.mark.parametrize(("persona", "status"), SHARED_SEES.items())
def test_shared_portfolio_by_persona(persona, status, world, member, login, request):
    share = share_for(member)
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("evidence:shared", args=[share.uid])).status_code == status
    assert client.get(reverse("evidence:shared_pdf", args=[share.uid])).status_code == status


def test_the_principal_reads_it_only_while_shared(world, member, principal, login):
    client = login(principal)
    assert client.get(reverse("evidence:shared_list")).context["shares"].count() == 0
    login(member).post(reverse("evidence:share"), {"dari": "2026-01-01", "sampai": "2026-06-30"})
    share = PortfolioShare.objects.get()
    assert list(client.get(reverse("evidence:shared_list")).context["shares"]) == [share]
    page = client.get(reverse("evidence:shared", args=[share.uid]))
    assert page.status_code == 200
    # What the principal reads leaves out the reflections kept out of reports.
    assert len(page.context["portfolio"].reflections) == 2
    assert all(r.in_reports for r in page.context["portfolio"].reflections)
    login(member).post(reverse("evidence:withdraw", args=[share.uid]))
    assert client.get(reverse("evidence:shared", args=[share.uid])).status_code == 404
    assert client.get(reverse("evidence:shared_list")).context["shares"].count() == 0


def test_sharing_twice_is_one_share_and_others_cannot_withdraw(member, teacher, login):
    for _ in range(2):
        login(member).post(reverse("evidence:share"), {"dari": "2026-01-01", "sampai": "2026-06-30"})
    share = PortfolioShare.objects.get()
    assert login(teacher).post(reverse("evidence:withdraw", args=[share.uid])).status_code == 404
    share.refresh_from_db()
    assert share.is_active


def test_a_bad_period_shares_nothing(member, login):
    login(member).post(reverse("evidence:share"), {"dari": "2026-06-30", "sampai": "2026-01-01"})
    login(member).post(reverse("evidence:share"), {})
    assert not PortfolioShare.objects.exists()


def test_the_principal_gets_no_broken_thumbnail_of_a_community_they_cannot_see(member, principal, other_school, login):
    elsewhere = CommunityFactory(home_school=other_school, visibility="members")
    MembershipFactory(user=member, community=elsewhere, joined_at=at((1, 2)))
    product = ProductFactory(community=elsewhere, created_by=member, created_at=at((3, 1)), title="Karya lintas")
    photo = DocumentFactory(activity=None, product=product, uploaded_by=member)
    share = share_for(member)
    page = login(principal).get(reverse("evidence:shared", args=[share.uid])).content.decode()
    assert "Karya lintas" in page
    assert photo.get_thumbnail_url() not in page
    own = login(member).get(reverse("evidence:mine"), {"dari": "2026-01-01", "sampai": "2026-06-30"})
    assert photo.get_thumbnail_url() in own.content.decode()


def test_the_shared_pdf_leaves_out_the_same_photos_as_the_page(member, principal, other_school, login):
    import io

    from pypdf import PdfReader

    elsewhere = CommunityFactory(home_school=other_school, visibility="members")
    MembershipFactory(user=member, community=elsewhere, joined_at=at((1, 2)))
    product = ProductFactory(community=elsewhere, created_by=member, created_at=at((3, 1)), title="Karya lintas")
    DocumentFactory(activity=None, product=product, uploaded_by=member)
    share = share_for(member)

    def images(client):
        response = client.get(reverse("evidence:shared_pdf", args=[share.uid]))
        assert response.status_code == 200
        return sum(len(page.images) for page in PdfReader(io.BytesIO(response.content)).pages)

    assert images(login(member)) == 1
    assert images(login(principal)) == 0
