"""Search: only what each persona may open (every result link is walked), Indonesian word
forms, bad input, filters and pages, safe highlighting, the index kept current on save and
rebuilt on demand, and a query count that does not grow with the results."""

import io
import re
from datetime import timedelta
from html import unescape
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Product, Reflection
from communities.models import Community, Membership
from publishing.models import Publication
from search.models import SearchEntry
from tests.factories import (
    ActivityFactory,
    CommunityFactory,
    MembershipFactory,
    ProblemFactory,
    ProductFactory,
    PublicationFactory,
    ReflectionFactory,
    SchoolFactory,
    UserFactory,
    held_activity,
)
from tests.matrix import PERSONAS

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:results")


def results_of(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200, response.status_code
    return response


def links(response):
    html = response.content.decode()
    return [unescape(href) for href in re.findall(r'<a href="([^"]+)" class="result-link">', html)]


def every_link(client, query):
    """The result links of every page of a search."""
    found, page = [], 1
    while True:
        response = results_of(client, query, halaman=page)
        found += links(response)
        if f"halaman={page + 1}" not in response.content.decode():
            return found
        page += 1


@pytest.fixture
def world(community, coordinator, member, school, other_school):
    """The word "literasi" everywhere: in the conftest community (school-visible) and in
    each kind of thing in it, in a members-only community of the same school, a public one
    and a school-visible one of another school; a publication, a withdrawn one."""
    Community.objects.filter(pk=community.pk).update(concern="Budaya literasi di kelas rendah.")
    community.refresh_from_db()
    community.save()
    problem = ProblemFactory(community=community, raised_by=member, title="Literasi siswa rendah")
    activity = held_activity(
        community, proposed_by=coordinator, title="Diskusi literasi", minutes="Kami membahas literasi membaca."
    )
    reflection = ReflectionFactory(
        activity=activity, author=member, answers={"text": "Literasi tumbuh."}, in_reports=True
    )
    private_reflection = ReflectionFactory(
        activity=activity, author=coordinator, answers={"text": "Literasi catatan pribadi."}, in_reports=False
    )
    product = ProductFactory(community=community, created_by=member, title="Modul literasi")
    published = PublicationFactory(activity=activity, published_by=coordinator, title="Cerita literasi kami")
    withdrawn_source = held_activity(community, proposed_by=coordinator, title="Kegiatan lama")
    PublicationFactory(
        activity=withdrawn_source, published_by=coordinator, title="Literasi ditarik", status="withdrawn"
    )
    hidden = CommunityFactory(
        name="Literasi Rahasia", home_school=school, visibility=Community.Visibility.MEMBERS, concern="Literasi."
    )
    MembershipFactory(user=coordinator, community=hidden, role="coordinator")
    hidden_activity = held_activity(hidden, proposed_by=coordinator, title="Rapat literasi tertutup")
    public = CommunityFactory(
        name="Literasi Terbuka", home_school=other_school, visibility=Community.Visibility.PUBLIC, concern="Literasi."
    )
    elsewhere = CommunityFactory(name="Literasi Malang", home_school=other_school, concern="Literasi.")
    return SimpleNamespace(
        community=community,
        problem=problem,
        activity=activity,
        reflection=reflection,
        private_reflection=private_reflection,
        product=product,
        published=published,
        hidden=hidden,
        hidden_activity=hidden_activity,
        public=public,
        elsewhere=elsewhere,
    )


SIGNED_IN = [persona for persona in PERSONAS if persona != "anonymous"]


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(SEARCH, {"q": "literasi"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_every_result_opens(persona, world, login, request):
    """Every link the persona is shown answers 200 for them, on every page."""
    client = login(request.getfixturevalue(persona))
    found = every_link(client, "literasi")
    assert found, "the published story is public: everyone finds something"
    assert len(found) == len(set(found))
    for url in found:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code == 200, (persona, url, response.status_code)


def paths(found):
    return {urlsplit(url).path for url in found}


@pytest.mark.parametrize(
    ("persona", "sees_school", "sees_hidden", "sees_elsewhere"),
    [
        ("teacher", True, False, False),
        ("member", True, False, False),
        ("coordinator", True, True, False),
        ("principal", True, True, False),
        ("other_teacher", False, False, True),
        ("other_principal", False, False, True),
        ("staff", True, True, True),
        ("pengawas", False, False, False),
        ("dinas", False, False, False),
        ("other_dinas", False, False, False),
        ("other_pengawas", False, False, False),
    ],
)
def test_what_each_persona_finds(persona, sees_school, sees_hidden, sees_elsewhere, world, login, request):
    found = paths(every_link(login(request.getfixturevalue(persona)), "literasi"))
    school_items = {
        world.community.get_absolute_url(),
        world.problem.get_absolute_url(),
        world.activity.get_absolute_url(),
        world.reflection.get_absolute_url(),
        world.product.get_absolute_url(),
    }
    assert (school_items <= found) is sees_school
    assert bool(school_items & found) is sees_school
    assert (world.hidden.get_absolute_url() in found) is sees_hidden
    assert (world.hidden_activity.get_absolute_url() in found) is sees_hidden
    assert (world.elsewhere.get_absolute_url() in found) is sees_elsewhere
    # A reflection its author kept out of reports stays with the community's members.
    sees_private = persona in ("member", "coordinator")
    assert (world.private_reflection.get_absolute_url() in found) is sees_private
    # Open to every signed-in person: the public community and the published story.
    assert world.public.get_absolute_url() in found
    assert world.published.get_absolute_url() in found
    # A withdrawn publication is nobody's result.
    assert not any("ditarik" in url for url in found)
    assert Publication.objects.filter(title="Literasi ditarik").exists()


def test_results_name_no_teacher(world, principal, member, coordinator, login):
    """A principal sees community-level facts, never a teacher's file: results show what
    was written and where, not who wrote it."""
    client = login(principal)
    for page in (1, 2):
        html = results_of(client, "literasi", halaman=page).content.decode()
        assert member.full_name not in html and coordinator.full_name not in html


def test_supervisors_find_only_what_is_public(world, pengawas, login):
    found = paths(every_link(login(pengawas), "literasi"))
    assert found == {world.public.get_absolute_url(), world.published.get_absolute_url()}


# --- Word forms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("membaca", "Siswa kesulitan memahami bacaan panjang."),
        ("bacaan", "Guru membacakan cerita setiap pagi."),
        ("pembelajaran", "Kami belajar bersama setiap Kamis."),
        ("berhitung", "Permainan menghitung dengan kelereng."),
        ("kegiatan", "Giat bersama di perpustakaan."),
    ],
)
def test_indonesian_word_forms(query, text, community, coordinator, login):
    """On PostgreSQL through the `indonesian` configuration, on SQLite through the same
    Snowball stemmer in Python: the same words match on both."""
    activity = ActivityFactory(community=community, proposed_by=coordinator, title="Pertemuan", agenda=text)
    found = links(results_of(login(coordinator), query))
    assert activity.get_absolute_url() in found


def test_every_word_must_appear(community, coordinator, login):
    both = ProductFactory(community=community, created_by=coordinator, title="Modul numerasi dan literasi")
    one = ProductFactory(community=community, created_by=coordinator, title="Modul numerasi saja")
    found = links(results_of(login(coordinator), "numerasi literasi"))
    assert both.get_absolute_url() in found
    assert one.get_absolute_url() not in found


def test_a_title_match_ranks_above_a_body_match(community, coordinator, login):
    body = ProductFactory(
        community=community, created_by=coordinator, title="Lembar kerja", description="Tentang asesmen formatif."
    )
    title = ProductFactory(community=community, created_by=coordinator, title="Asesmen formatif", description="Isi.")
    found = links(results_of(login(coordinator), "asesmen", jenis="product"))
    assert found.index(title.get_absolute_url()) < found.index(body.get_absolute_url())


# --- Bad input --------------------------------------------------------------------------------

BAD = [
    ("", 200, "Ketik satu kata atau lebih"),
    ("   ", 200, "Ketik satu kata atau lebih"),
    ("a" * 1000, 400, "terlalu panjang"),
    ("literasi " * 120, 400, "terlalu panjang"),
    ("&|!():*<->", 200, "Tidak ada kata"),
    ('"literasi"', 200, "hasil"),
    ("'literasi", 200, "hasil"),
    ("%", 200, "Tidak ada kata"),
    ("_", 200, "Tidak ada kata"),
    ("\\", 200, "Tidak ada kata"),
    ("100%_\\literasi", 200, "hasil"),
    ("literasi & !membaca | (siswa", 200, "hasil"),
    ("literasi:* <-> siswa", 200, "hasil"),
    ("NEAR(literasi siswa) OR NOT AND", 200, "hasil"),
    ("literasi\x00", 400, "tidak dapat dicari"),
    ("'; DROP TABLE search_entry; --", 200, "hasil"),
    ("<script>alert(1)</script>", 200, "hasil"),
    ("😀 literasi", 200, "hasil"),
    ("satu dua tiga empat lima enam tujuh delapan sembilan sepuluh", 200, "Hanya 8 kata"),
]


@pytest.mark.parametrize(("query", "status", "message"), BAD)
def test_bad_input_answers_a_clear_page(query, status, message, world, coordinator, login):
    response = login(coordinator).get(SEARCH, {"q": query})
    assert response.status_code == status
    page = response.content.decode()
    assert message in page
    assert "<script>alert(1)</script>" not in page
    assert SearchEntry.objects.filter(kind="community").exists()  # nothing dropped


@pytest.mark.parametrize(
    "params",
    [
        {"jenis": "nope"},
        {"jenis": "'"},
        {"komunitas": "../../etc"},
        {"komunitas": "x" * 500},
        {"waktu": "-1"},
        {"halaman": "abc"},
        {"halaman": "99999"},
        {"halaman": "-1"},
    ],
)
def test_bad_filters_are_ignored(params, world, coordinator, login):
    response = login(coordinator).get(SEARCH, {"q": "literasi", **params})
    assert response.status_code == 200
    assert links(response)


# --- Filters, pages, highlighting ---------------------------------------------------------------


def test_filter_by_kind_community_and_date(world, coordinator, login):
    client = login(coordinator)
    only_products = links(results_of(client, "literasi", jenis="product"))
    assert only_products == [world.product.get_absolute_url()]
    in_hidden = paths(links(results_of(client, "literasi", komunitas=world.hidden.slug)))
    assert in_hidden == {world.hidden.get_absolute_url(), world.hidden_activity.get_absolute_url()}
    Product.objects.filter(pk=world.product.pk).update(created_at=timezone.now() - timedelta(days=400))
    call_command("search_rebuild", stdout=io.StringIO())
    assert world.product.get_absolute_url() not in links(results_of(client, "literasi", jenis="product", waktu="30"))
    assert links(results_of(client, "literasi", jenis="product", waktu="lama")) == [world.product.get_absolute_url()]


def test_facets_count_by_kind_and_community(world, coordinator, login):
    page = results_of(login(coordinator), "literasi").content.decode()
    assert re.search(r'jenis=product">Karya</a> <span class="text-muted">\(1\)', page)
    assert world.hidden.name in page


def test_results_are_paged_and_keep_the_filters(community, coordinator, login):
    for n in range(25):
        ProductFactory(community=community, created_by=coordinator, title=f"Kartu kata {n}")
    client = login(coordinator)
    first = results_of(client, "kartu", jenis="product")
    assert len(links(first)) == 20
    assert "q=kartu&amp;jenis=product&amp;halaman=2" in first.content.decode()
    second = results_of(client, "kartu", jenis="product", halaman=2)
    assert len(links(second)) == 5
    assert not set(links(first)) & set(links(second))


def test_highlighting_escapes_first_then_marks(community, coordinator, login):
    ProductFactory(
        community=community,
        created_by=coordinator,
        title="<b>Membaca</b> & menulis",
        description='Siswa <img src=x onerror="alert(1)"> suka membaca buku.',
    )
    page = results_of(login(coordinator), "baca").content.decode()
    assert "&lt;b&gt;<mark>Membaca</mark>&lt;/b&gt; &amp; menulis" in page
    assert "<mark>membaca</mark>" in page
    assert "<img src=x" not in page and 'onerror="' not in page


def test_the_search_box_is_in_the_navigation(teacher, login):
    page = login(teacher).get(reverse("dashboard")).content.decode()
    assert f'action="{SEARCH}" role="search"' in page


# --- The index ----------------------------------------------------------------------------------


def test_index_follows_saves_and_deletes(community, coordinator, login):
    client = login(coordinator)
    product = ProductFactory(community=community, created_by=coordinator, title="Pohon angka")
    assert product.get_absolute_url() in links(results_of(client, "angka"))
    product.title = "Pohon huruf"
    product.save()
    assert product.get_absolute_url() not in links(results_of(client, "angka"))
    assert product.get_absolute_url() in links(results_of(client, "huruf"))
    activity = ActivityFactory(community=community, proposed_by=coordinator, title="Rapat", minutes="")
    assert not SearchEntry.objects.filter(kind="minutes", object_id=activity.pk).exists()
    activity.minutes = "Notulen tentang pecahan."
    activity.save()
    assert activity.get_absolute_url() + "#notulen" in links(results_of(client, "pecahan"))
    product.authors.clear()
    product.delete()
    assert not SearchEntry.objects.filter(kind="product", object_id=product.pk).exists()
    assert product.get_absolute_url() not in links(results_of(client, "huruf"))


def test_a_reflection_follows_its_activitys_title(community, coordinator, member, login):
    activity = held_activity(community, proposed_by=coordinator, title="Kunjungan museum")
    ReflectionFactory(activity=activity, author=member, answers={"text": "Menarik."})
    activity.title = "Kunjungan kebun raya"
    activity.save()
    entry = SearchEntry.objects.get(kind="reflection")
    assert entry.title == "Kunjungan kebun raya"


def test_rebuild_restores_a_lost_or_stale_index(world, coordinator, login):
    client = login(coordinator)
    before = sorted(every_link(client, "literasi"))
    SearchEntry.objects.filter(kind="problem").delete()
    SearchEntry.objects.filter(kind="community").update(title="basi")
    Reflection.objects.filter(pk=world.reflection.pk).update(answers={"text": "Kosakata gajah."})
    SearchEntry.objects.create(
        kind="product", object_id=999999, community=world.community, title="hantu", date=timezone.now()
    )
    out = io.StringIO()
    call_command("search_rebuild", stdout=out)
    assert "rebuilt" in out.getvalue()
    # The reflection still carries its activity's title, "Diskusi literasi".
    assert sorted(every_link(client, "literasi")) == before
    assert world.reflection.get_absolute_url() in links(results_of(client, "gajah"))
    assert not SearchEntry.objects.filter(object_id=999999).exists()
    assert not links(results_of(client, "hantu"))
    call_command("search_rebuild", stdout=io.StringIO())  # again: the same index
    assert sorted(links(results_of(client, "gajah"))) == [world.reflection.get_absolute_url()]


def test_rebuild_never_empties_the_index(world, coordinator, login, monkeypatch):
    """Safe on a live site: while it runs, batch after batch, searches still find
    everything they found before."""
    from search import index

    client = login(coordinator)
    before = sorted(every_link(client, "literasi"))
    seen = []
    original = index.write

    def write_and_search(spec, objects):
        written = original(spec, objects)
        seen.append(sorted(every_link(client, "literasi")))
        return written

    monkeypatch.setattr(index, "write", write_and_search)
    call_command("search_rebuild", "--batch", "2", stdout=io.StringIO())
    assert len(seen) > 7  # several batches of two
    assert all(found == before for found in seen)


def test_search_sees_members_change_at_once(world, teacher, login):
    """Who may see an entry is read at search time, never stored in the index."""
    client = login(teacher)
    assert world.hidden.get_absolute_url() not in paths(every_link(client, "literasi"))
    MembershipFactory(user=teacher, community=world.hidden)
    assert world.hidden.get_absolute_url() in paths(every_link(client, "literasi"))
    Membership.objects.filter(user=teacher, community=world.hidden).update(status="left")
    assert world.hidden.get_absolute_url() not in paths(every_link(client, "literasi"))


# --- A fixed number of queries ------------------------------------------------------------------

# Session and user (2), the bell's unread count on a cold cache (1), counts per kind (1),
# counts per community (1), the page (1).
SEARCH_QUERIES = 6


def test_query_count_does_not_grow_with_results(django_assert_max_num_queries, login):
    counts = []
    for n in (5, 60):
        school = SchoolFactory()
        community = CommunityFactory(home_school=school, name=f"Komunitas {n}")
        person = UserFactory(school=school)
        MembershipFactory(user=person, community=community, role="coordinator")
        for k in range(n):
            activity = held_activity(community, proposed_by=person, title=f"Pertemuan ke-{k} tentang sains{n}")
            ReflectionFactory(activity=activity, author=person, answers={"text": f"Refleksi sains{n}."})
            ProductFactory(community=community, created_by=person, title=f"Modul sains{n} {k}")
        client = login(person)
        with django_assert_max_num_queries(SEARCH_QUERIES), CaptureQueriesContext(connection) as captured:
            response = client.get(SEARCH, {"q": f"sains{n}"})
        assert response.status_code == 200
        assert len(links(response)) == min(20, 3 * n)
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_a_search_with_no_result_costs_no_page_query(community, coordinator, login, django_assert_max_num_queries):
    client = login(coordinator)
    with django_assert_max_num_queries(SEARCH_QUERIES):
        response = client.get(SEARCH, {"q": "tidakadasamasekali"})
    assert "Tidak ditemukan" in response.content.decode() or "Nothing found" in response.content.decode()


def test_the_database_has_its_full_text_index():
    """PostgreSQL keeps a GIN index on the vector and answers through it; SQLite an FTS5 table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_entry_vector_gin'")
            (definition,) = cursor.fetchone()
            assert "USING gin (vector)" in definition
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT id FROM search_entry WHERE vector @@ websearch_to_tsquery('indonesian', 'membaca')"
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            assert "search_entry_vector_gin" in plan
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_entry_fts'")
            (definition,) = cursor.fetchone()
            assert "USING fts5" in definition
