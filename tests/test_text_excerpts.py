"""Shortened text reads as text: titles cut on a word boundary with an ellipsis, and
Markdown shown as a plain-text excerpt wherever it is summarised (public listings,
descriptions for link previews)."""

import html
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from communities.models import Community
from communities.text import ELLIPSIS, plain_excerpt, shorten
from tests.factories import (
    ActionPlanFactory,
    PublicationFactory,
    ReflectionFactory,
    held_activity,
)

pytestmark = pytest.mark.django_db


# The helpers


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Membaca nyaring", 60, "Membaca nyaring"),
        ("Membaca  nyaring\n setiap pagi", 60, "Membaca nyaring setiap pagi"),
        ("abcde fghij", 11, "abcde fghij"),  # exactly the limit: untouched
        ("abcde fghij k", 11, "abcde…"),  # cut on the word boundary
        ("Membaca, menulis, berhitung", 20, "Membaca, menulis…"),  # no dangling comma
        ("x" * 30, 10, "x" * 9 + ELLIPSIS),  # one long word: cut inside it
        ("", 10, ""),
        (None, 10, ""),
    ],
)
def test_shorten(text, limit, expected):
    result = shorten(text, limit)
    assert result == expected
    assert len(result) <= limit


def test_plain_excerpt_renders_then_strips_markdown():
    source = (
        "Kami mencoba **model batang** untuk soal cerita.\n\n"
        "- Siswa [menggambar](https://contoh.id/x) dulu\n- lalu menulis & menghitung\n\n"
        "<script>alert(1)</script>"
    )
    excerpt = plain_excerpt(source, 200)
    assert excerpt.startswith(
        "Kami mencoba model batang untuk soal cerita. Siswa menggambar dulu lalu menulis & menghitung"
    )
    for mark in ("**", "[", "](", "<", "https://"):
        assert mark not in excerpt
    short = plain_excerpt(source, 30)
    assert short == "Kami mencoba model batang…"


# Public listings and link previews show plain text (item: raw Markdown on the showcase)

SUMMARY = "Siswa memakai **model batang** untuk _soal cerita_; hasilnya [di sini](https://contoh.id/hasil)."
CONCERN = "Banyak siswa kelas 5 **belum memahami** pecahan."


@pytest.fixture
def published(community, coordinator):
    Community.objects.filter(pk=community.pk).update(visibility="public", concern=CONCERN)
    community.refresh_from_db()
    return PublicationFactory(
        activity=held_activity(community), published_by=coordinator, title="Model batang", summary=SUMMARY
    )


def meta_description(page, name):
    found = re.search(rf'<meta (?:property|name)="{name}" content="([^"]*)"', page)
    assert found, name
    return html.unescape(found.group(1))


@pytest.mark.parametrize("page", ["showcase", "school", "community"])
def test_public_listings_show_plain_text(page, published, community, client):
    args = {"showcase": [], "school": [community.home_school.npsn], "community": [community.slug]}[page]
    body = client.get(reverse(f"publishing:{page}", args=args)).content.decode()
    assert "Siswa memakai model batang untuk soal cerita; hasilnya di sini." in body
    assert "**model batang**" not in body
    assert "_soal cerita_" not in body


@pytest.mark.parametrize("page", ["public", "community"])
def test_link_previews_describe_in_plain_text(page, published, community, client):
    args = [published.uid] if page == "public" else [community.slug]
    body = client.get(reverse(f"publishing:{page}", args=args)).content.decode()
    for name in ("og:description", "description"):
        description = meta_description(body, name)
        assert "*" not in description and "_" not in description and "](" not in description, description
        assert "model batang" in description or "belum memahami" in description


def test_a_long_summary_is_cut_on_a_word_with_an_ellipsis(community, coordinator, client):
    Community.objects.filter(pk=community.pk).update(visibility="public")
    summary = " ".join(f"kata{i}" for i in range(120))
    PublicationFactory(activity=held_activity(community), published_by=coordinator, summary=summary)
    body = client.get(reverse("publishing:community", args=[community.slug])).content.decode()
    excerpt = re.search(r"(kata0 [^<]*)", body).group(1).strip()
    assert excerpt.endswith(ELLIPSIS)
    assert re.fullmatch(r"(kata\d+ )*kata\d+…", excerpt), excerpt


# Long action titles (item: "…selama dua" with no ellipsis)

WHAT = "Membaca nyaring lima belas menit setiap pagi sebelum pelajaran dimulai selama dua minggu penuh"


@pytest.fixture
def action_reflection(community, member, problem):
    plan = ActionPlanFactory(problem=problem, owner=member, what=WHAT)
    return ReflectionFactory(
        activity=None, action_plan=plan, author=member, in_reports=True, answers={"text": "Berjalan baik."}
    )


def test_action_title_is_shortened_with_an_ellipsis(action_reflection):
    title = str(action_reflection.action_plan)
    assert title == shorten(WHAT, 60)
    assert title.endswith(ELLIPSIS)
    assert WHAT.startswith(title[:-1])
    assert WHAT[len(title) - 1] == " "  # cut where a word ends


@pytest.mark.parametrize("name", ["reflections", "reflection"])
def test_on_lines_end_with_an_ellipsis(name, action_reflection, community, member, login):
    args = [community.slug] if name == "reflections" else [community.slug, action_reflection.uid]
    body = login(member).get(reverse(f"activities:{name}", args=args)).content.decode()
    assert f">{shorten(WHAT, 60)}</a>" in body
    assert f">{WHAT[:60]}</a>" not in body


def test_pdf_shortens_with_an_ellipsis(action_reflection, community, member, login):
    today = timezone.localdate()
    response = login(member).get(
        reverse("reports:portfolio_pdf", args=[community.slug]),
        {"dari": (today - timezone.timedelta(days=7)).isoformat(), "sampai": today.isoformat()},
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert shorten(WHAT, 60) in flat
    assert "selama dua ·" not in flat
