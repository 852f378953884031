"""Logs for operators, read as an operator reads them: through the formatter and filter
the settings configure. One line per request (request id, user id, duration), security
events (failed login, lockout, refused access, rejected upload), and never an email
address, a password, a name, a file name, a query string or a token."""

import io
import logging
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kompra.ops.logs import RequestIdFilter
from tests.factories import PASSWORD, ActivityFactory

pytestmark = pytest.mark.django_db

LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO kompra\.request rid=(?P<rid>[0-9a-f]{32}) "
    r"method=GET path=/dasbor/ status=200 ms=\d+ user=(?P<user>\d+) view=dashboard$",
    re.MULTILINE,
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def operator_log():
    """What the console handler of settings.LOGGING prints, captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    config = settings.LOGGING
    handler.setFormatter(logging.Formatter(config["formatters"]["operator"]["format"]))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_one_line_per_request_with_id_user_and_duration(member, login, operator_log):
    response = login(member).get(reverse("dashboard") + "?cari=Ani+Anggota")
    [line] = LINE.finditer(operator_log.getvalue())
    assert line["rid"] == response["X-Request-ID"]
    assert line["user"] == str(member.pk)
    assert member.email not in operator_log.getvalue()
    assert "cari" not in operator_log.getvalue(), "query strings are never logged"


def test_the_proxy_request_id_is_kept(member, login, operator_log):
    response = login(member).get(reverse("dashboard"), headers={"X-Request-ID": "nginx-1b2c3d4e5f60718293a4"})
    assert response["X-Request-ID"] == "nginx-1b2c3d4e5f60718293a4"
    assert "rid=nginx-1b2c3d4e5f60718293a4 method=GET path=/dasbor/" in operator_log.getvalue()


@pytest.mark.parametrize("forged", ["x", "abc def\nINFO forged line", "a" * 65, "../../etc/passwd"])
def test_a_malformed_request_id_is_replaced(forged, login, operator_log):
    response = login(None).get("/", headers={"X-Request-ID": forged})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert "forged line" not in operator_log.getvalue()


def test_tokens_in_addresses_are_blanked(login, operator_log):
    login(None).get("/kalender/rahasia-token-kalender-123/saya.ics")
    text = operator_log.getvalue()
    assert "rahasia-token-kalender-123" not in text
    assert "path=/kalender/%E2%80%A6/saya.ics" in text or "path=/kalender/…/saya.ics" in text


def test_anonymous_and_static_requests_are_logged_too(login, operator_log):
    login(None).get("/")
    assert re.search(r"method=GET path=/ status=\d+ ms=\d+ user=(anon|-) view=home", operator_log.getvalue())


def test_failed_login_and_lockout_name_the_account_by_id_only(teacher, operator_log):
    client = Client()
    for _attempt in range(5):
        sign_in(client, teacher.email, "salah-sandi-rahasia")
    sign_in(client, teacher.email, PASSWORD)
    sign_in(client, "tidak-ada@contoh.sch.id", "salah-sandi-rahasia")
    text = operator_log.getvalue()
    assert text.count("WARNING kompra.security rid=") >= 7
    assert text.count(f"event=login_failed user={teacher.pk} ip=127.0.0.1") == 5
    assert f"event=login_locked user={teacher.pk} ip=127.0.0.1" in text
    assert "event=login_failed user=- ip=127.0.0.1" in text, "an unknown address is not written down"
    for secret in (teacher.email, "tidak-ada@contoh.sch.id", "salah-sandi-rahasia", PASSWORD, teacher.full_name):
        assert secret not in text


def test_a_successful_login_is_an_info_event(teacher, operator_log):
    sign_in(Client(), teacher.email, PASSWORD)
    assert "INFO kompra.security rid=" in operator_log.getvalue()
    assert f"event=login user={teacher.pk} ip=127.0.0.1" in operator_log.getvalue()


def test_refused_access_is_a_security_event(community, teacher, other_teacher, login, operator_log):
    # A teacher of the school sees the community but may not add to it: 403.
    login(teacher).get(reverse("communities:problem_new", args=[community.slug]))
    # Another school's teacher may not even know it exists: 404, still a refusal.
    login(other_teacher).get(community.get_absolute_url())
    # A community that does not exist is an ordinary 404, not a refusal.
    login(other_teacher).get(reverse("communities:detail", args=["tidak-ada"]))
    text = operator_log.getvalue()
    assert f"event=access_refused status=403 view=communities:problem_new user={teacher.pk} ip=127.0.0.1" in text
    assert f"event=access_refused status=404 community={community.pk} user={other_teacher.pk}" in text
    assert text.count("event=access_refused") == 2
    assert community.name not in text


def test_a_rejected_upload_is_logged_without_its_name(community, member, login, operator_log):
    activity = ActivityFactory(community=community)
    bad = SimpleUploadedFile("rapor-siswa-budi.html", b"<script>alert(1)</script>", content_type="image/jpeg")
    login(member).post(reverse("activities:upload", args=[community.slug, activity.uid]), {"files": [bad]})
    text = operator_log.getvalue()
    assert f"event=upload_rejected user={member.pk} community={community.pk} reason=not_accepted" in text
    assert "rapor-siswa-budi" not in text


def test_healthy_probes_are_not_logged(client, operator_log):
    client.get("/sehat/")
    assert "path=/sehat/" not in operator_log.getvalue()
