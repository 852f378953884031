"""The production topology, run for real (tests/topology.py): Debian's nginx with
deploy/nginx.conf and a throwaway certificate, in front of two gunicorn app servers
(deploy/gunicorn.conf.py) on PostgreSQL, Redis and an S3 endpoint. About a minute.

It needs PostgreSQL (the SQLite run skips it, so CI runs it once) and nginx, which
.ci/run installs; elsewhere a missing nginx skips it."""

import os
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connections

from activities.models import Document
from communities.models import Community, ProblemComment
from kompra.accounts.models import User
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    CommunityFactory,
    MembershipFactory,
    ProblemFactory,
    SchoolFactory,
    UserFactory,
    jpeg_bytes,
)
from tests.servers import Bucket
from tests.topology import NGINX, Topology

# django_db: the test database is created for this module too; each test reads it inside
# its own transaction, while the app servers write to it as they would in production.
pytestmark = [pytest.mark.topology, pytest.mark.django_db]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MB = 1024 * 1024


def production_password_hash(password=PASSWORD):
    hasher = PBKDF2PasswordHasher()
    return hasher.encode(password, hasher.salt())


def _database_url():
    db = connections["default"].settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """People and a community, committed to the test database the app servers read.
    Everything is flushed again when the module ends."""
    if connections["default"].vendor != "postgresql":
        pytest.skip("the topology runs on PostgreSQL (DATABASE_URL=postgres://...)")
    with django_db_blocker.unblock():
        school, elsewhere = SchoolFactory(npsn="20400123"), SchoolFactory(npsn="20533456")
        community = CommunityFactory(
            name="Literasi Kelas Tujuh", home_school=school, visibility=Community.Visibility.MEMBERS
        )
        coordinator = UserFactory(school=school, email="budi@smpn1.sch.id")
        member = UserFactory(school=school, email="ani@smpn1.sch.id")
        outsider = UserFactory(school=elsewhere, email="oki@sdkauman.sch.id")
        MembershipFactory(user=coordinator, community=community, role="coordinator")
        MembershipFactory(user=member, community=community)
        activity = ActivityFactory(community=community, proposed_by=coordinator)
        # The app servers run the production hashers, not the tests' fast one.
        User.objects.update(password=production_password_hash())
        problem = ProblemFactory(community=community, raised_by=coordinator)
        yield SimpleNamespace(
            community=community,
            coordinator=coordinator,
            member=member,
            outsider=outsider,
            activity=activity,
            problem=problem,
        )
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def topology(world, s3_endpoint):
    if not NGINX.exists():
        message = f"the topology test needs {NGINX} (apt-get install nginx)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    bucket = Bucket(s3_endpoint)
    with Topology(database_url=_database_url(), s3=(s3_endpoint, bucket.name)) as running:
        running.bucket = bucket
        yield running


def browser(topology):
    import requests

    session = requests.Session()
    # Only the throwaway authority, whatever REQUESTS_CA_BUNDLE or proxy variables say.
    session.trust_env = False
    session.verify = str(topology.ca)
    return session


def csrf_token(session, url):
    page = session.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return CSRF.search(page.text).group(1)


def post(session, topology, path, data=None, files=None, page=None):
    """A form submission as a browser sends it: the token from the page, the page as Referer."""
    page_url = topology.url(page or path)
    token = csrf_token(session, page_url)
    return session.post(
        topology.url(path),
        data={"csrfmiddlewaretoken": token, **(data or {})},
        files=files,
        headers={"Referer": page_url},
        allow_redirects=False,
    )


def sign_in(topology, user):
    session = browser(topology)
    response = post(session, topology, "/akun/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.text[:500]
    assert response.headers["Location"] == "/dasbor/"
    return session


def app_lines(topology, pattern):
    """The request lines of each app server's log matching `pattern`: a list per server."""
    return [re.findall(pattern, Path(app.log_path).read_text(errors="replace")) for app in topology.apps]


# Login, TLS and the session shared by the app servers


def test_sign_in_through_nginx_and_stay_signed_in_on_either_app_server(topology, world):
    session = sign_in(topology, world.member)
    assert session.cookies.get("sessionid")
    for _request in range(12):
        page = session.get(topology.url("/dasbor/"), allow_redirects=False)
        assert page.status_code == 200, "signed in (anonymous visitors are sent to the login page)"
    # nginx took turns, and both app servers knew the session (from the database).
    served = app_lines(topology, rf"path=/dasbor/ status=200 ms=\d+ user={world.member.pk} ")
    assert all(len(lines) >= 3 for lines in served), [len(lines) for lines in served]


def test_https_only_with_security_headers_and_request_ids(topology, world):

    plain = browser(topology).get(f"http://127.0.0.1:{topology.http_port}/dasbor/", allow_redirects=False)
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://")

    page = browser(topology).get(topology.url("/akun/login/"))
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "nginx/" not in page.headers.get("Server", "")
    # nginx's request id is the app's: one id joins both logs.
    request_id = page.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert any(f"rid={request_id} method=GET path=/akun/login/" in app.log_text() for app in topology.apps)
    # nginx writes its line once the answer is out, a moment after the client has it.
    deadline = time.monotonic() + 5
    while f"rid={request_id}" not in (topology.folder / "access.log").read_text():
        assert time.monotonic() < deadline, "nginx's access log has the same request id"
        time.sleep(0.05)


def test_pages_are_compressed(topology, world):
    session = sign_in(topology, world.member)
    page = session.get(topology.url("/dasbor/"), headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("Content-Encoding") == "gzip"
    css = session.get(topology.url("/static/bootstrap/css/bootstrap.min.css"), headers={"Accept-Encoding": "gzip"})
    assert css.status_code == 200
    assert css.headers.get("Content-Encoding") == "gzip"


# Uploads: through nginx into the bucket, and back to members only


def test_an_upload_lands_in_the_bucket_and_is_served_only_to_members(topology, world):
    community, activity = world.community, world.activity
    path = f"/k/{community.slug}/kegiatan/{activity.uid}/"
    before = set(topology.bucket.keys())
    session = sign_in(topology, world.coordinator)
    photo = jpeg_bytes((1200, 900), (40, 120, 200))
    response = post(session, topology, path + "unggah/", files={"files": ("kelas.jpg", photo, "image/jpeg")}, page=path)
    assert response.status_code == 302
    document = Document.objects.filter(activity=activity).latest("created_at")
    assert set(topology.bucket.keys()) - before == {document.file.name, document.thumbnail.name}
    stored = topology.bucket.read(document.file.name)

    served = sign_in(topology, world.member).get(topology.url(document.get_absolute_url()))
    assert served.status_code == 200
    assert served.content == stored
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert topology.s3[0] not in served.text and "X-Amz" not in str(served.headers)

    outsider = sign_in(topology, world.outsider).get(topology.url(document.get_absolute_url()))
    assert outsider.status_code == 404
    anonymous = browser(topology).get(topology.url(document.get_absolute_url()), allow_redirects=False)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/akun/login/")


def test_bodies_up_to_25_mb_reach_the_app_and_larger_ones_stop_at_nginx(topology, world):
    community, activity = world.community, world.activity
    path = f"/k/{community.slug}/kegiatan/{activity.uid}/"
    session = sign_in(topology, world.coordinator)
    # 12 MB passes nginx; the app refuses it (above 10 MB) with a message, not an error page.
    big = b"%PDF-1.4\n" + b"0" * (12 * MB)
    response = post(session, topology, path + "unggah/", files={"files": ("a.pdf", big, "application/pdf")}, page=path)
    assert response.status_code == 302
    assert "lebih dari 10 MB" in session.get(topology.url(path)).text
    too_big = b"%PDF-1.4\n" + b"0" * (26 * MB)
    files = {"files": ("b.pdf", too_big, "application/pdf")}
    response = post(session, topology, path + "unggah/", files=files, page=path)
    assert response.status_code == 413


# An app server stops: nothing is lost


def load(topology, sessions, problem, *, rounds, posts=True):
    """Each session reads its dashboard and the problem page, and (if `posts`) adds a
    comment, `rounds` times over. Returns (failures, comments posted)."""
    failures, posted = [], []
    problem_path = f"/k/{problem.community.slug}/masalah/{problem.uid}/"

    def run(index):
        session = sessions[index]
        token = csrf_token(session, topology.url(problem_path))
        for round_ in range(rounds):
            for path in ("/dasbor/", problem_path):
                response = session.get(topology.url(path), allow_redirects=False)
                if response.status_code != 200:
                    failures.append((path, response.status_code))
            if posts:
                body = f"Komentar {index}-{round_}"
                response = session.post(
                    topology.url(problem_path + "komentar/"),
                    data={"csrfmiddlewaretoken": token, "body": body},
                    headers={"Referer": topology.url(problem_path)},
                    allow_redirects=False,
                )
                if response.status_code != 302 or response.headers["Location"] != problem_path:
                    failures.append(("comment", response.status_code))
                else:
                    posted.append(body)

    with ThreadPoolExecutor(len(sessions)) as pool:
        list(pool.map(run, range(len(sessions))))
    return failures, posted


def test_stopping_an_app_server_loses_no_request(topology, world):
    sessions = [sign_in(topology, world.member), sign_in(topology, world.coordinator)] * 2
    comments_before = ProblemComment.objects.filter(problem=world.problem).count()

    # A deploy: one app server is stopped (TERM, graceful) while people read and write.
    stopper = threading.Timer(1.0, topology.stop_app, args=[0])
    stopper.start()
    failures, posted = load(topology, sessions, world.problem, rounds=8)
    stopper.join()
    assert not topology.apps[0].running
    assert failures == [], topology.proxy_errors()
    stored = ProblemComment.objects.filter(problem=world.problem).count()
    assert stored - comments_before == len(posted) == 4 * 8, "every comment stored, none twice"
    # Back in rotation before the next one goes, as a rolling restart does.
    topology.start_app(0)

    # A crash: the other app server is killed outright (KILL) under reads.
    killer = threading.Timer(1.0, topology.stop_app, args=[1, signal.SIGKILL])
    killer.start()
    failures, _posted = load(topology, sessions, world.problem, rounds=6, posts=False)
    killer.join()
    assert not topology.apps[1].running
    assert failures == [], topology.proxy_errors()


# Health, for the load balancer


def test_health_through_nginx_and_straight_to_an_app_server(topology, world):
    # The tick enqueues the heartbeat every few seconds and the worker runs it.
    deadline = time.monotonic() + 60
    while (report := browser(topology).get(topology.url("/sehat/"))).json()["checks"]["worker"]["status"] != "ok":
        assert time.monotonic() < deadline, report.json()
        time.sleep(0.5)
    assert report.status_code == 200
    assert report.json()["status"] == "ok", report.json()
    assert {name: check["status"] for name, check in report.json()["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
        "worker": "ok",
    }
    assert "no-store" in report.headers["Cache-Control"]
    # A load balancer probes an app server directly, over plain HTTP: no redirect.
    direct = browser(topology).get(topology.app_url(0, "/sehat/"))
    assert direct.status_code == 200


def test_health_reflects_a_stopped_redis_and_people_keep_working(topology, world):
    session = sign_in(topology, world.member)
    topology.redis.stop()
    try:
        report = browser(topology).get(topology.url("/sehat/"))
        assert report.status_code == 200, "Redis is a helper: the app servers stay in rotation"
        assert report.json()["status"] == "degraded"
        assert report.json()["checks"]["cache"]["status"] == "fail"
        for _request in range(4):
            assert session.get(topology.url("/dasbor/"), allow_redirects=False).status_code == 200
        assert sign_in(topology, world.coordinator).get(topology.url("/dasbor/")).status_code == 200
    finally:
        topology.redis.start()
    deadline = time.monotonic() + 10
    while browser(topology).get(topology.url("/sehat/")).json()["status"] != "ok":
        assert time.monotonic() < deadline, "the health check sees Redis back"
        time.sleep(0.2)
