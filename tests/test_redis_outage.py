"""Redis is a helper, never a single point of failure. Each test starts a redis-server of
its own (`redis_server`, on a free port), uses it as the cache, stops it and starts it
again on the same port: signed-in people keep working throughout, the cache misses
quietly, rate limits fail open with a warning, and the site recovers by itself."""

import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from communities.models import Problem
from kompra.ops.cache import redis_cache
from kompra.ops.heartbeat import WORKER, heartbeat_beat
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

RETRY_AFTER = 0.2
LOCKED = "Terlalu banyak percobaan masuk yang gagal"


@pytest.fixture
def redis(redis_server, settings):
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{redis_server.port}/0", retry_after=RETRY_AFTER)}
    cache.clear()
    return redis_server


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def signed_in(user):
    client = Client()
    response = sign_in(client, user.email)
    assert response.status_code == 302, "signed in through the real form"
    return client


def wait_for_retry():
    time.sleep(RETRY_AFTER * 1.5)


def test_signed_in_people_keep_working_while_redis_is_down(redis, community, member, caplog):
    client = signed_in(member)
    cache.set("kompra-probe", "kept")
    assert cache.get("kompra-probe") == "kept"

    redis.stop()
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(community.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("communities:problem_new", args=[community.slug]),
        {"title": "Siswa sulit menulis karangan", "description": "Kelas 4 dan 5."},
    )
    assert response.status_code == 302
    assert Problem.objects.filter(title="Siswa sulit menulis karangan").exists()

    # The cache answers like an empty one that forgets: no exception reaches the caller.
    assert cache.get("kompra-probe") is None
    cache.set("kompra-probe", "lost")
    assert cache.add("kompra-lock", 1) is True
    assert cache.get_many(["a", "b"]) == {}
    with pytest.raises(ValueError):
        cache.incr("kompra-counter")

    # One warning for the outage, however many requests met it.
    assert caplog.text.count("event=cache_down") == 1
    assert "rate limits not enforced" in caplog.text


def test_a_new_sign_in_works_while_redis_is_down(redis, member):
    redis.stop()
    client = Client()
    response = sign_in(client, member.email)
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).wsgi_request.user == member


def test_rate_limits_fail_open_then_hold_again_when_redis_returns(redis, member, caplog):
    client = Client()
    for _attempt in range(5):
        sign_in(client, member.email, "bukan-sandinya")
    assert LOCKED in sign_in(client, member.email).content.decode(), "with Redis the lockout holds"

    redis.stop()
    for _attempt in range(7):
        response = sign_in(client, member.email, "bukan-sandinya")
        assert LOCKED not in response.content.decode()
    assert sign_in(client, member.email).status_code == 302, "fails open: the right password still works"
    assert "event=cache_down" in caplog.text

    redis.start()
    wait_for_retry()
    other = Client()
    for _attempt in range(5):
        sign_in(other, member.email, "bukan-sandinya")
    assert LOCKED in sign_in(other, member.email).content.decode(), "enforced again without a restart"
    assert "event=cache_up" in caplog.text


def test_the_cache_comes_back_by_itself(redis):
    redis.stop()
    cache.set("kompra-probe", "lost")
    assert cache.get("kompra-probe") is None
    redis.start()
    wait_for_retry()
    cache.set("kompra-probe", "kept")
    assert cache.get("kompra-probe") == "kept"


def test_a_session_ended_during_the_outage_stays_ended(redis, member):
    """Sessions are read from the database: nothing cached in Redis can bring back a
    session that was signed out while Redis was away."""
    client = signed_in(member)
    cookie = client.cookies["sessionid"].value
    redis.stop()
    client.post(reverse("account_logout"))
    redis.start()
    wait_for_retry()
    stale = Client()
    stale.cookies["sessionid"] = cookie
    assert stale.get(reverse("dashboard")).status_code == 302


def test_a_down_redis_costs_one_attempt_per_interval(redis, monkeypatch):
    """While Redis is down, calls in the quiet interval do not even try to connect."""
    redis.stop()
    cache.get("kompra-probe")
    backend = cache._cache
    attempts = []
    original = backend.get_client
    monkeypatch.setattr(backend, "get_client", lambda *a, **k: attempts.append(1) or original(*a, **k))
    for _call in range(50):
        cache.get("kompra-probe")
    assert attempts == []
    wait_for_retry()
    cache.get("kompra-probe")
    assert attempts == [1]


def test_health_reports_a_stopped_redis_without_failing_the_server(redis, client):
    heartbeat_beat(name=WORKER)  # a live worker, so only the cache can make it degraded
    assert client.get("/sehat/").json()["checks"]["cache"]["status"] == "ok"
    redis.stop()
    response = client.get("/sehat/")
    assert response.status_code == 200, "a load balancer keeps the server: Redis is a helper"
    report = response.json()
    assert (report["status"], report["checks"]["cache"]["status"]) == ("degraded", "fail")
    assert client.get("/sehat/?strict").status_code == 503
    redis.start()
    report = client.get("/sehat/").json()
    assert (report["status"], report["checks"]["cache"]["status"]) == ("ok", "ok")
