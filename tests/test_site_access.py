"""The access matrix of the site's own top-level pages (outside every app's namespace):
every persona, every URL. A new top-level URL without a row fails
`test_every_url_has_a_row`."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import URLPattern, get_resolver, reverse

from tests.matrix import LOGIN, PERSONAS, assert_outcome, call, row

pytestmark = pytest.mark.django_db

EVERYONE = row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
SIGNED_IN = row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)

EXPECTED = {
    # Anonymous visitors get the welcome page, everyone else their dashboard.
    "home": ("get", row(200, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    "dashboard": ("get", SIGNED_IN),
    "profile": ("get", SIGNED_IN),
    # Sets the language and goes back, for everyone.
    "set_language": ("post", row(302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    "manifest": ("get", EVERYONE),
    "service_worker": ("get", EVERYONE),
    "offline": ("get", EVERYONE),
}
POST_DATA = {"set_language": {"language": "en", "next": "/"}}

TOP_LEVEL = {entry.name for entry in get_resolver().url_patterns if isinstance(entry, URLPattern)}


@pytest.fixture
def world(community, coordinator, member, principal, teacher, other_teacher, other_principal, staff):
    return community


def test_every_url_has_a_row():
    assert set(EXPECTED) == TOP_LEVEL


@pytest.mark.parametrize(
    ("name", "persona"), [pytest.param(n, p, id=f"{n}-{p}") for n in sorted(EXPECTED) for p in PERSONAS]
)
def test_matrix(name, persona, world, login, request):
    method, expected = EXPECTED[name]
    url = reverse(name)
    response = call(login(request.getfixturevalue(persona)), method, url, POST_DATA.get(name))
    assert_outcome(response, expected[persona], url)


# Installable: manifest, worker, offline page


def test_the_manifest_names_the_app_and_icons_that_exist(client):
    response = client.get(reverse("manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["short_name"] == "Kompra"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_every_page_links_the_manifest_and_registers_the_worker(client):
    html = client.get(reverse("account_login")).content.decode()
    assert f'<link rel="manifest" href="{reverse("manifest")}">' in html
    assert f'data-worker="{reverse("service_worker")}"' in html


def test_the_worker_keeps_static_files_and_the_offline_page_only(client):
    response = client.get(reverse("service_worker"))
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    urls = json.loads(script.split("const PRECACHE = ", 1)[1].split(";\n", 1)[0])
    assert urls[0] == reverse("offline")
    assert urls[1:] and all(url.startswith("/static/") for url in urls[1:])
    for url in urls[1:]:
        assert finders.find(url.removeprefix("/static/")), url
    # Only static files are ever put into the cache; pages go to the network.
    assert script.count("cache.put(") == 1
    assert 'request.mode === "navigate"' in script


def test_the_offline_page_shows_nobody(login, coordinator):
    html = login(coordinator).get(reverse("offline")).content.decode()
    assert coordinator.full_name not in html
    assert coordinator.email not in html
    assert "Kompra" in html


def test_the_worker_version_follows_the_static_files(client, settings):
    first = client.get(reverse("service_worker")).content
    settings.STATIC_URL = "/static/v2/"
    second = client.get(reverse("service_worker")).content
    assert first.split(b"kompra-static-")[1][:12] != second.split(b"kompra-static-")[1][:12]
