"""The public showcase as an anonymous visitor (or a link preview) sees it: only what
was published, nothing personal, no way into the private pages, cacheable by shared
caches, and a fixed number of queries however much was published."""

import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publishing.models import Publication
from tests.conftest import client_for
from tests.factories import (
    CommunityFactory,
    DocumentFactory,
    MembershipFactory,
    ProductFactory,
    PublicationFactory,
    ReflectionFactory,
    UserFactory,
    held_activity,
)

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
INTERNAL_HREF = re.compile(r"""(?:href|src|action)=["'](?:https?://[^/"']+)?/(?:k|berkas)/""")
OG = re.compile(r'<meta property="og:([\w:]+)" content="([^"]*)">')


@pytest.fixture
def world(school, community, coordinator, member):
    """A public community of the school with two members, a published activity with a
    consented photo of students (and an unconsented one, attached but never shown), a
    published reflection and product, and the school-visible conftest community with
    a published activity of its own and items that are not public."""
    public = CommunityFactory(name="Numerasi Terbuka", home_school=school, visibility="public")
    for user in (coordinator, member):
        MembershipFactory(user=user, community=public)
    activity = held_activity(public, title="Lesson study pecahan")
    consented = DocumentFactory(activity=activity, shows_students=True, consent_confirmed=True, caption="Kelas 5")
    unconsented = DocumentFactory(activity=activity, shows_students=True, consent_confirmed=False)
    publication = PublicationFactory(
        activity=activity, published_by=coordinator, title="Pecahan dengan pita kertas", photos=[consented, unconsented]
    )
    reflection = ReflectionFactory(activity=activity, author=member, answers={"text": "Siswa memotong pita."})
    hidden = {
        status: PublicationFactory(
            activity=held_activity(community), status=status, published_by=coordinator, title=f"Tersembunyi {status}"
        )
        for status in ("awaiting", "declined", "withdrawn")
    }
    return SimpleNamespace(
        public=public,
        publication=publication,
        consented=consented,
        unconsented=unconsented,
        by_reflection=PublicationFactory(
            activity=None, reflection=reflection, published_by=member, title="Refleksi pita kertas"
        ),
        by_product=PublicationFactory(
            activity=None, product=ProductFactory(community=public, created_by=member), title="Modul pita kertas"
        ),
        internal=PublicationFactory(activity=held_activity(community), published_by=coordinator, title="Dari dalam"),
        hidden=hidden,
        emails=[coordinator.email, member.email],
    )


def pages(world):
    return {
        "showcase": reverse("publishing:showcase"),
        "school": reverse("publishing:school", args=[world.public.home_school.npsn]),
        "community": reverse("publishing:community", args=[world.public.slug]),
        "publication": world.publication.get_absolute_url(),
        "reflection": world.by_reflection.get_absolute_url(),
        "product": world.by_product.get_absolute_url(),
        "internal": world.internal.get_absolute_url(),
    }


def og(html):
    return dict(OG.findall(html))


@pytest.fixture
def anonymous_pages(world):
    client = client_for(None)
    return {name: client.get(url) for name, url in pages(world).items()}


def test_pages_open_without_logging_in(anonymous_pages):
    for name, response in anonymous_pages.items():
        assert response.status_code == 200, name


def test_no_member_emails(world, anonymous_pages):
    for name, response in anonymous_pages.items():
        html = response.content.decode()
        for email in world.emails:
            assert email not in html, name
        assert not EMAIL.search(html), (name, EMAIL.search(html))


def test_no_links_into_the_private_pages(anonymous_pages):
    for name, response in anonymous_pages.items():
        html = response.content.decode()
        assert "/berkas/" not in html, name
        assert not INTERNAL_HREF.search(html), (name, INTERNAL_HREF.search(html))


def test_only_published_items_are_shown(world, anonymous_pages):
    for name, response in anonymous_pages.items():
        html = response.content.decode()
        for hidden in world.hidden.values():
            assert hidden.title not in html, name
    showcase = anonymous_pages["showcase"].content.decode()
    for publication in (world.publication, world.by_reflection, world.by_product, world.internal):
        assert publication.title in showcase
        assert publication.get_absolute_url() in showcase
    # A school-visible community has no public page, but what it published is public.
    school = anonymous_pages["school"].content.decode()
    assert world.internal.title in school
    assert reverse("publishing:community", args=[world.public.slug]) in school
    assert reverse("publishing:community", args=[world.internal.community.slug]) not in school
    assert world.internal.community.name in anonymous_pages["internal"].content.decode()
    community = anonymous_pages["community"].content.decode()
    assert world.publication.title in community
    assert world.internal.title not in community


def test_publication_shows_only_consented_photos(world, anonymous_pages):
    html = anonymous_pages["publication"].content.decode()
    assert reverse("publishing:thumbnail", args=[world.publication.uid, world.consented.uid]) in html
    assert str(world.unconsented.uid) not in html
    assert "Kelas 5" in html  # the caption
    assert "Siswa memotong pita." in anonymous_pages["reflection"].content.decode()


@pytest.mark.parametrize("name", ["community", "publication", "reflection", "product", "internal"])
def test_open_graph_tags(name, world, anonymous_pages):
    tags = og(anonymous_pages[name].content.decode())
    assert {"title", "description", "url", "type", "site_name"} <= tags.keys(), tags
    assert tags["url"] == "http://testserver" + pages(world)[name]
    assert tags["title"] and tags["description"]


@pytest.mark.parametrize("name", ["showcase", "school"])
def test_open_graph_tags_of_the_lists(name, world, anonymous_pages):
    tags = og(anonymous_pages[name].content.decode())
    assert {"title", "description", "url", "type", "site_name"} <= tags.keys(), tags
    assert tags["url"] == "http://testserver" + pages(world)[name]


def test_open_graph_image_is_the_public_photo(world, anonymous_pages):
    tags = og(anonymous_pages["publication"].content.decode())
    photo = reverse("publishing:photo", args=[world.publication.uid, world.consented.uid])
    assert tags["image"] == "http://testserver" + photo
    assert (tags["image:width"], tags["image:height"]) == ("8", "6")
    response = client_for(None).get(photo)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_no_open_graph_image_without_a_publishable_photo(world):
    world.publication.photos.remove(world.consented)
    tags = og(client_for(None).get(world.publication.get_absolute_url()).content.decode())
    assert "image" not in tags
    assert "image" not in og(client_for(None).get(world.by_reflection.get_absolute_url()).content.decode())


def test_titles_are_escaped_in_the_tags(world):
    Publication.objects.filter(pk=world.publication.pk).update(title='Kelas "hebat" <script>x</script>')
    html = client_for(None).get(world.publication.get_absolute_url()).content.decode()
    assert "<script>" not in html
    assert og(html)["title"] == "Kelas &quot;hebat&quot; &lt;script&gt;x&lt;/script&gt;"


def test_pages_may_be_cached_by_shared_caches(anonymous_pages):
    for name, response in anonymous_pages.items():
        cache_control = response["Cache-Control"]
        assert "public" in cache_control, name
        assert re.search(r"max-age=\d+", cache_control), name
        assert "private" not in cache_control, name
        assert "Cookie" in response["Vary"], name


def test_no_csrf_token_and_no_cookies(anonymous_pages):
    for name, response in anonymous_pages.items():
        assert "csrfmiddlewaretoken" not in response.content.decode(), name
        assert not response.cookies, (name, response.cookies)
        assert "Set-Cookie" not in response.headers, name


def test_signed_in_visitor_gets_the_same_page(world, member):
    client = client_for(member)
    response = client.get(world.publication.get_absolute_url())
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert member.email not in response.content.decode()
    assert "public" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


# Photos


@pytest.mark.parametrize("name", ["photo", "thumbnail"])
def test_public_photo_headers(name, world):
    url = reverse(f"publishing:{name}", args=[world.publication.uid, world.consented.uid])
    response = client_for(None).get(url)
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert body[:3] == b"\xff\xd8\xff"
    # A photo of students, however consented, is kept by no cache: consent can be withdrawn.
    assert world.consented.shows_students
    assert response["Cache-Control"] == "private, no-store"
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp
    assert "default-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.cookies


# Language links


def test_language_link_sets_the_cookie_and_goes_back(world):
    client = client_for(None)
    response = client.get("/bahasa/en/?next=/publik/")
    assert response.status_code == 302
    assert response["Location"] == "/publik/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    page = client.get("/publik/")
    assert '<html lang="en">' in page.content.decode()
    assert page["Content-Language"] == "en"


def test_language_links_on_the_page_return_to_it(world, anonymous_pages):
    html = anonymous_pages["community"].content.decode()
    path = pages(world)["community"]
    assert f'href="/bahasa/en/?next={path}"' in html
    assert f'href="/bahasa/id/?next={path}"' in html


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "https:evil.example", "/\\evil.example", "javascript:alert(1)"],
)
def test_unsafe_next_goes_home(target, db):
    response = client_for(None).get("/bahasa/en/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_unknown_language_sets_no_cookie(db):
    response = client_for(None).get("/bahasa/xx/?next=/publik/")
    assert response.status_code == 302
    assert response["Location"] == "/publik/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# Query counts: pinned, and the same however much was published.

# The school and community pages count their publications for the pagination.
QUERIES = {"showcase": 1, "school": 4, "community": 3, "publication": 2}


def grow(world, school, other_school, n):
    """Adds published items until the world's public community has `n` of them, spread
    over activities, products and reflections, each with a consented photo; adds as many
    elsewhere in the school and in another school, and photos to the world's publication."""
    public = world.public
    elsewhere = CommunityFactory(home_school=school, visibility="members")
    away = CommunityFactory(home_school=other_school, visibility="public")
    author = UserFactory(school=school)
    for i in range(n - public.publications.count()):
        for community in (public, elsewhere, away):
            activity = held_activity(community, proposed_by=author)
            source = (
                {"activity": activity},
                {"activity": None, "product": ProductFactory(community=community, created_by=author)},
                {"activity": None, "reflection": ReflectionFactory(activity=activity, author=author)},
            )[i % 3]
            photo = DocumentFactory(activity=activity, uploaded_by=author)
            PublicationFactory(published_by=author, photos=[photo] if "activity" in source else [], **source)
    for _ in range(n - world.publication.photos.count()):
        world.publication.photos.add(
            DocumentFactory(activity=world.publication.activity, uploaded_by=author, consent_confirmed=True)
        )


def count_queries(world):
    client = client_for(None)
    counts = {}
    for name in QUERIES:
        with CaptureQueriesContext(connection) as context:
            assert client.get(pages(world)[name]).status_code == 200
        counts[name] = len(context.captured_queries)
    return counts


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_count_is_pinned(name, world, django_assert_max_num_queries):
    client = client_for(None)
    with django_assert_max_num_queries(QUERIES[name]):
        assert client.get(pages(world)[name]).status_code == 200


def test_query_counts_do_not_grow_with_the_data(world, school, other_school):
    grow(world, school, other_school, 5)
    few = count_queries(world)
    grow(world, school, other_school, 50)
    assert world.public.publications.count() == 50
    assert world.publication.photos.count() == 50
    many = count_queries(world)
    assert few == many == QUERIES
