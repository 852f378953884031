"""/sehat/ for load balancers: database, cache, storage and the task worker's heartbeat;
503 when a required part fails; cheap, never cached, no secrets. The stopped-Redis case
is in test_redis_outage.py, storage failures in test_storage_errors.py and
test_object_storage.py, and the whole thing behind nginx in test_topology.py."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.tasks.backends.dummy import DummyBackend
from django.utils import timezone

from kompra.ops import health
from kompra.ops.heartbeat import WORKER, heartbeat_beat, worker_heartbeat
from kompra.ops.models import Heartbeat

pytestmark = pytest.mark.django_db

URL = "/sehat/"


class QueueBackend(DummyBackend):
    """Stands for a backend whose tasks a separate worker runs (as django-tasks-db's)."""


@pytest.fixture
def with_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "tests.test_health.QueueBackend"}}


def test_all_well(client, django_assert_max_num_queries):
    heartbeat_beat(name=WORKER)
    with django_assert_max_num_queries(2):  # SELECT 1, and the worker's heartbeat
        response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    report = response.json()
    assert report["status"] == "ok"
    assert set(report["checks"]) == {"database", "cache", "storage", "worker"}
    assert {name: check["status"] for name, check in report["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
        "worker": "ok",
    }
    assert {name for name, check in report["checks"].items() if check["required"]} == {"database", "storage"}
    assert all(check["ms"] >= 0 for check in report["checks"].values())


def test_never_cached_and_nothing_secret(client, settings):
    response = client.get(URL)
    assert "no-store" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    for secret in (settings.SECRET_KEY, str(settings.MEDIA_ROOT), settings.DATABASES["default"]["NAME"]):
        assert str(secret) not in body


def test_a_failing_database_answers_503(client, monkeypatch):
    def broken():
        raise OperationalError("connection to server at 10.0.0.5 failed: password authentication failed")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get(URL)
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "fail"
    assert report["checks"]["database"]["error"] == "unreachable"
    assert "10.0.0.5" not in response.content.decode(), "the reason stays in the log"


def test_which_parts_are_required_is_configurable(client, settings, monkeypatch):
    def broken():
        raise health.Failed("not kept")

    monkeypatch.setitem(health.CHECKS, "cache", broken)
    assert client.get(URL).status_code == 200
    settings.KOMPRA_HEALTH_REQUIRED = ["database", "storage", "cache"]
    assert client.get(URL).status_code == 503


def test_plain_http_from_the_load_balancer_is_not_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(URL).status_code == 200
    assert client.get("/dasbor/").status_code == 301, "other pages still go to HTTPS"


# The worker's heartbeat


def test_the_heartbeat_task_records_a_beat(run_tasks):
    assert not Heartbeat.objects.exists()
    worker_heartbeat.enqueue()
    assert not Heartbeat.objects.exists(), "a worker records the beat, not the request"
    run_tasks()
    beat = Heartbeat.objects.get(name=WORKER)
    assert timezone.now() - beat.beat_at < timedelta(seconds=5)
    worker_heartbeat.enqueue()
    run_tasks()
    assert Heartbeat.objects.count() == 1, "one row, updated in place"


def test_tasks_run_inside_the_request_skip_the_worker_check(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    assert client.get(URL).json()["checks"]["worker"]["status"] == "skipped"


def test_a_fresh_heartbeat_is_ok(with_worker, client):
    heartbeat_beat(name=WORKER, now=timezone.now() - timedelta(seconds=42))
    report = client.get(URL).json()
    assert report["checks"]["worker"]["status"] == "ok"
    assert 42 <= report["checks"]["worker"]["silent_s"] < 50
    assert report["status"] == "ok"


def test_a_silent_worker_is_reported_but_not_required(with_worker, client, settings):
    heartbeat_beat(name=WORKER, now=timezone.now() - timedelta(seconds=settings.KOMPRA_WORKER_HEARTBEAT_MAX_AGE + 60))
    response = client.get(URL)
    assert response.status_code == 200
    report = response.json()
    assert (report["status"], report["checks"]["worker"]["status"]) == ("degraded", "fail")
    assert report["checks"]["worker"]["error"] == "silent"
    assert client.get(URL + "?strict").status_code == 503, "monitoring can ask for every part"


def test_a_worker_that_never_beat(with_worker, client):
    report = client.get(URL).json()
    assert report["checks"]["worker"] == {
        "status": "fail",
        "required": False,
        "error": "no heartbeat yet",
        "ms": report["checks"]["worker"]["ms"],
    }


def test_the_periodic_tick_makes_the_worker_beat(run_tasks):
    """The tick enqueues the heartbeat, so a live worker keeps /sehat/ green."""
    call_command("notices_tick", verbosity=0)
    run_tasks()
    assert Heartbeat.objects.filter(name=WORKER).exists()
