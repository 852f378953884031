"""Hostile text in everything members write about their practice: titles, agendas,
minutes, captions, reflections, products, action plans, problems, comments and names.

Each payload goes into every field at once; then every page that shows them is parsed
(html.parser, not regexes) and must hold no executable construct: no script but the
page's own, no event handler attributes, no javascript:/vbscript:/data:text/html
addresses, no frames, objects, <base> or <meta http-equiv>.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from activities.models import Activity
from communities.models import ProblemComment
from tests.factories import (
    ActionPlanFactory,
    ActivityFactory,
    AttendanceFactory,
    CommunityFactory,
    DocumentFactory,
    MembershipFactory,
    ProblemFactory,
    ProductFactory,
    ReflectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAYLOADS = [
    # Script tags, plain and disguised.
    "<script>alert(1)</script>",
    '"><script>alert(document.cookie)</script>',
    "'><script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<ScRiPt src=//evil.example/x.js></ScRiPt>",
    # Event handlers, on hostile and on allowed tags.
    "<img src=x onerror=alert(1)>",
    "'><img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<p onclick="alert(1)">klik</p>',
    '<a href="https://contoh.sch.id" onmouseover="alert(1)">tautan</a>',
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<body onload=alert(1)>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    # javascript: and data: addresses, in Markdown and in HTML.
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](  javascript:alert(1) )",
    "[klik][x]\n\n[x]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "[klik](&#106;avascript:alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![foto](javascript:alert(1))",
    "[klik](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    # Frames, objects, page-wide tricks.
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>kirim</button></form>',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    # Styles.
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    "<style>@import 'javascript:alert(1)';</style>",
    # MathML and SVG confusion.
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    # Template injection: text is never a template.
    "{{ request }}",
    "{% debug %}",
    "{{ request.META }}{% load static %}{{ settings.SECRET_KEY }}",
]

BAD_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg", "math", "link", "style"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc", "poster", "background"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
# Traces of a template evaluated against the request.
TEMPLATE_LEAKS = ("WSGIRequest", "<QueryDict", "sql_queries", "SECRET_KEY'", "HTTP_COOKIE")


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes as the browser would read them
    (entities decoded)."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, [(name, value or "") for name, value in attrs]))

    handle_startendtag = handle_starttag


def _normalised(url):
    # Browsers ignore whitespace and control characters inside a scheme.
    return re.sub(r"[\x00-\x20]", "", url).lower()


def _our_link(attrs):
    """A stylesheet or icon from our static files, or the web app manifest."""
    href = attrs.get("href", "")
    return href.startswith("/static/") or (attrs.get("rel") == "manifest" and href == "/manifest.webmanifest")


def dangers(html):
    """What in `html` could run script, as readable strings (empty if nothing)."""
    found = []
    for tag, attrs in Tags(html).tags:
        if tag == "script":
            src = dict(attrs).get("src", "")
            if not src.startswith("/static/"):
                found.append(f"<script> not ours: {attrs}")
        if tag in BAD_TAGS and not (tag == "link" and _our_link(dict(attrs))):
            found.append(f"<{tag}>")
        if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
            found.append(f"<meta http-equiv>: {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and _normalised(value).startswith(BAD_SCHEMES):
                found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and re.search(r"expression|javascript|url\(", value, re.IGNORECASE):
                found.append(f"<{tag} style={value!r}>")
    found += [f"template evaluated: {leak}" for leak in TEMPLATE_LEAKS if leak in html]
    return found


def script_count(html):
    return sum(1 for tag, _attrs in Tags(html).tags if tag == "script")


def build(community, coordinator, text, school):
    """The payload in every field members write, across the whole practice cycle. The
    reader, named by the payload too, was present and has an action due, so their
    dashboard shows the activity and the plan."""
    now = timezone.now()
    reader = UserFactory(school=school, full_name=text[:150])
    MembershipFactory(user=reader, community=community)
    problem = ProblemFactory(community=community, raised_by=coordinator, title=text[:160], description=text)
    ProblemComment.objects.create(problem=problem, author=reader, body=text)
    activity = ActivityFactory(
        community=community,
        problem=problem,
        proposed_by=coordinator,
        status=Activity.Status.HELD,
        starts_at=now - timedelta(days=1),
        ends_at=now - timedelta(days=1) + timedelta(hours=2),
        title=text[:160],
        agenda=text,
        minutes=text,
        place=text[:200],
        speaker=text[:200],
    )
    upcoming = ActivityFactory(community=community, proposed_by=coordinator, title=text[:160], agenda=text)
    AttendanceFactory(activity=activity, user=reader)
    AttendanceFactory(activity=activity, user=coordinator)
    DocumentFactory(activity=activity, caption=text[:300], uploaded_by=reader)
    DocumentFactory(activity=activity, kind="file", original_name=text[:150], caption=text[:300], uploaded_by=reader)
    reflection = ReflectionFactory(
        activity=activity,
        author=coordinator,
        template="4p",
        answers={"peristiwa": text, "perasaan": text, "pembelajaran": text, "penerapan": text},
    )
    plan = ActionPlanFactory(
        problem=problem, owner=reader, what=text, outcome=text, due=timezone.localdate() + timedelta(days=2)
    )
    ReflectionFactory(activity=None, action_plan=plan, author=reader, answers={"text": text})
    product = ProductFactory(
        community=community, problem=problem, title=text[:160], description=text, created_by=reader, authors=[reader]
    )
    DocumentFactory(activity=None, product=product, caption=text[:300], uploaded_by=reader)
    return SimpleNamespace(
        community=community,
        activity=activity,
        upcoming=upcoming,
        problem=problem,
        plan=plan,
        product=product,
        reflection=reflection,
        reader=reader,
        membership=community.memberships.get(user=reader),
    )


def pages(world):
    """(name, address, who looks) for every page showing what members wrote."""
    slug, activity = world.community.slug, world.activity

    def url(name, *args):
        return reverse(f"activities:{name}", args=[slug, *args])

    return [
        ("activity", activity.get_absolute_url(), "coordinator"),
        ("activity_upcoming", world.upcoming.get_absolute_url(), "coordinator"),
        ("activity_edit", url("edit", activity.uid), "coordinator"),
        ("minutes_form", url("minutes", activity.uid), "coordinator"),
        ("activity_list", url("list"), "coordinator"),
        ("attendance", url("attendance", activity.uid), "coordinator"),
        ("attendance_print", url("attendance_print", activity.uid), "coordinator"),
        ("gallery", url("gallery"), "coordinator"),
        ("reflections", url("reflections"), "coordinator"),
        ("reflection", world.reflection.get_absolute_url(), "coordinator"),
        ("reflection_edit", url("reflection_edit", world.reflection.uid), "coordinator"),
        ("action", world.plan.get_absolute_url(), "reader"),
        ("products", url("products"), "coordinator"),
        ("product", world.product.get_absolute_url(), "reader"),
        ("member_profile", url("member_profile", world.membership.uid), "coordinator"),
        ("problem", world.problem.get_absolute_url(), "coordinator"),
        ("problems", reverse("communities:problems", args=[slug]), "coordinator"),
        ("community", reverse("communities:detail", args=[slug]), "coordinator"),
        ("dashboard", reverse("dashboard"), "reader"),
    ]


def render_all(world, coordinator, login):
    viewers = {"coordinator": login(coordinator), "reader": login(world.reader)}
    rendered = {}
    for name, address, who in pages(world):
        response = viewers[who].get(address)
        assert response.status_code == 200, (name, address, response.status_code)
        rendered[name] = response.content.decode()
    return rendered


_baseline = {}


@pytest.fixture
def baseline(coordinator, school, login):
    """Script tags per page for harmless text, counted once, in a community of its own."""
    if not _baseline:
        community = CommunityFactory(name="Komunitas Pembanding", home_school=school)
        MembershipFactory(user=coordinator, community=community, role="coordinator")
        world = build(community, coordinator, "Teks biasa saja", school)
        _baseline.update({name: script_count(html) for name, html in render_all(world, coordinator, login).items()})
    return _baseline


def test_corpus_is_large_enough():
    assert len(PAYLOADS) >= 30
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_checker_catches_what_it_should():
    """The checker itself: it must see each kind of danger it looks for."""
    assert dangers('<a href="&#106;avascript:alert(1)">x</a>')
    assert dangers('<a href=" java\tscript:x">x</a>')
    assert dangers('<img src="x" onerror="alert(1)">')
    assert dangers("<script>alert(1)</script>")
    assert dangers('<iframe src="https://x"></iframe>')
    assert dangers('<meta http-equiv="refresh" content="0">')
    assert dangers('<p style="width:expression(alert(1))">')
    assert dangers("&lt;WSGIRequest: GET '/'&gt;")
    assert not dangers('<a href="https://contoh.sch.id" rel="nofollow">x</a><script src="/static/x.js"></script>')
    assert not dangers("&lt;script&gt;alert(1)&lt;/script&gt; &lt;img onerror=alert(1)&gt; javascript:alert(1)")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_inert_on_every_page(payload, community, coordinator, school, login, baseline):
    world = build(community, coordinator, payload, school)
    rendered = render_all(world, coordinator, login)
    for name, html in rendered.items():
        assert dangers(html) == [], name
        assert script_count(html) == baseline[name], name
    # The text did reach the pages, shown as text.
    assert escape(payload[:160]) in rendered["activity"]
    assert escape(payload[:160]) in rendered["problem"]
    assert escape(payload[:150]) in rendered["attendance_print"]


@pytest.mark.parametrize("address", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>"])
def test_online_link_must_be_a_web_address(address, community, member, login):
    response = login(member).post(
        reverse("activities:new", args=[community.slug]),
        {
            "kind": "meeting",
            "title": "Pertemuan daring",
            "starts_at": "2030-01-10T09:00",
            "ends_at": "2030-01-10T10:00",
            "online_url": address,
        },
    )
    assert response.status_code == 200
    assert "online_url" in response.context["form"].errors
    assert not Activity.objects.exists()
