"""Every list is bounded: the directory of communities a page at a time with filters, the
public showcase 20 at a time with the schools of what it shows; the queries of both are
the same for a small and a ten times larger district."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Membership
from communities.views import DIRECTORY_PAGE_SIZE
from kompra.accounts.models import School
from publishing.models import Publication
from publishing.views import SHOWCASE_PAGE_SIZE
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


def district(n_schools, per_school, *, published=True):
    """`n_schools` schools of `per_school` public communities (4 members each, one held
    activity and, if `published`, one publication each), with bulk inserts. Returns the schools."""
    now = timezone.now()
    base = School.objects.count()
    schools = School.objects.bulk_create(
        School(
            npsn=f"{50000000 + base + i:08d}", name=f"SMP Distrik {base + i}", level="smp", district="D", province="P"
        )
        for i in range(n_schools)
    )
    author = UserFactory(school=schools[0])
    communities = Community.objects.bulk_create(
        Community(
            slug=f"distrik-{base + s}-{c}",
            name=f"Komunitas {c:03d} {school.name}",
            concern="Membaca.",
            home_school=school,
            visibility=Community.Visibility.PUBLIC,
            kind=Community.Kind.ACROSS_SCHOOLS if c % 2 else Community.Kind.WITHIN_SCHOOL,
            stage=["merintis", "menumbuhkan", "merawat"][c % 3],
        )
        for s, school in enumerate(schools)
        for c in range(per_school)
    )
    members = [UserFactory(school=schools[0], verified=False) for _ in range(4)]
    Membership.objects.bulk_create(
        Membership(user=person, community=community, joined_at=now) for community in communities for person in members
    )
    if published:
        for i, community in enumerate(communities):
            activity = ActivityFactory(
                community=community, status="held", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2)
            )
            Publication.objects.create(
                community=community,
                activity=activity,
                title=f"Hasil {community.name}",
                summary="Ringkasan.",
                published_by=author,
                published_at=now - timedelta(minutes=i),
            )
    return schools


def queries(client, address):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured), response


# Directory


def test_directory_shows_one_page_and_counts_members(teacher, login):
    district(2, DIRECTORY_PAGE_SIZE, published=False)
    page = login(teacher).get(reverse("communities:directory"))
    cards = page.content.decode().count("community-card")
    assert cards == DIRECTORY_PAGE_SIZE
    assert "4 anggota" in page.content.decode()
    assert page.context["page"].paginator.num_pages == 2
    second = login(teacher).get(reverse("communities:directory") + "?halaman=2")
    assert second.content.decode().count("community-card") == DIRECTORY_PAGE_SIZE


def test_directory_filters_by_stage_kind_and_school(teacher, login):
    schools = district(2, 6, published=False)
    client = login(teacher)

    def names(query):
        return {c.name for c in client.get(reverse("communities:directory") + query).context["page"].object_list}

    assert names("?tahap=merawat") == {
        c.name for c in Community.objects.filter(stage="merawat", home_school__in=schools)
    }
    assert names("?jenis=across") == {c.name for c in Community.objects.filter(kind="across", home_school__in=schools)}
    assert names(f"?sekolah={schools[1].npsn}") == {c.name for c in Community.objects.filter(home_school=schools[1])}
    assert names(f"?sekolah={schools[0].name[-6:]}") == {
        c.name for c in Community.objects.filter(home_school__name__icontains=schools[0].name[-6:])
    }
    # A filter value that means nothing filters nothing, and the page still answers.
    assert len(names("?tahap=nonsense&jenis=%00&halaman=999")) > 0


def test_directory_keeps_filters_in_the_page_links(teacher, login):
    district(1, DIRECTORY_PAGE_SIZE * 2 + 1, published=False)
    html = login(teacher).get(reverse("communities:directory") + "?jenis=within&tahap=merintis").content.decode()
    district_count = Community.objects.filter(kind="within", stage="merintis").count()
    if district_count > DIRECTORY_PAGE_SIZE:
        assert "tahap=merintis&amp;jenis=within&amp;halaman=2" in html


def test_directory_lists_own_school_first(teacher, community, login):
    district(1, DIRECTORY_PAGE_SIZE, published=False)
    rows = list(login(teacher).get(reverse("communities:directory")).context["page"].object_list)
    assert rows[0] == community
    assert rows[0].is_own and not rows[1].is_own


def test_directory_offers_search_of_communities(teacher, login):
    html = login(teacher).get(reverse("communities:directory")).content.decode()
    assert f'action="{reverse("search:results")}"' in html
    assert 'name="jenis" value="community"' in html


def test_directory_queries_do_not_grow_with_the_district(teacher, login, django_assert_max_num_queries):
    client = login(teacher)
    client.get(reverse("dashboard"))  # the bell's count is cached from here on
    district(2, 15, published=False)
    few, _ = queries(client, reverse("communities:directory"))
    district(20, 15, published=False)
    with django_assert_max_num_queries(7):
        many, response = queries(client, reverse("communities:directory"))
    assert few == many
    assert len(response.context["page"].object_list) == DIRECTORY_PAGE_SIZE


# Showcase


def test_showcase_shows_twenty_and_a_more_link(client):
    district(3, 10)
    html = client.get(reverse("publishing:showcase")).content.decode()
    newest = Publication.objects.published().order_by("-published_at")
    assert html.count('class="card h-100"') == SHOWCASE_PAGE_SIZE
    assert newest[0].title in html and newest[SHOWCASE_PAGE_SIZE].title not in html
    assert "?halaman=2" in html
    second = client.get(reverse("publishing:showcase") + "?halaman=2").content.decode()
    assert newest[SHOWCASE_PAGE_SIZE].title in second
    assert "?halaman=3" not in second
    # Garbage in the address is the first page, not an error.
    assert client.get(reverse("publishing:showcase") + "?halaman=x").status_code == 200


def test_showcase_names_only_the_schools_of_what_it_shows(client):
    schools = district(25, 1)
    html = client.get(reverse("publishing:showcase")).content.decode()
    shown = [school for school in schools if reverse("publishing:school", args=[school.npsn]) in html]
    assert len(shown) == SHOWCASE_PAGE_SIZE


def test_showcase_queries_do_not_grow_with_the_district(client, django_assert_num_queries):
    district(3, 4)
    few, _ = queries(client, reverse("publishing:showcase"))
    district(30, 4)
    with django_assert_num_queries(1):
        many, _ = queries(client, reverse("publishing:showcase"))
    assert few == many == 1


def test_an_index_serves_the_showcase():
    sql = str(Publication.objects.published().query)
    assert "status" in sql
    index = {i.name: i for i in Publication._meta.indexes}["publication_published_idx"]
    assert index.fields == ["status", "-published_at", "-created_at"]
