"""Two `db_worker` processes on one PostgreSQL queue: every task runs exactly once and
every email goes out exactly once, even when the same delivery is queued twice (a
retry, a second tick). SQLite has one writer at a time, so this runs on PostgreSQL
(CI's second pass) and is skipped on SQLite."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notices.models import Notice
from notices.services import notice_send
from notices.tasks import deliver_email
from tests.factories import SchoolFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 120

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's SKIP LOCKED"),
]


def start_worker(name, mail_dir):
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}",
        "KOMPRA_TEST_MAIL_DIR": str(mail_dir),
        "KOMPRA_ENV_FILE": "",
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    command += ["--interval", "0.1", "--worker-id", name, "--verbosity", "0"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_two_workers_deliver_each_email_exactly_once(tmp_path):
    school = SchoolFactory()
    people = [UserFactory(school=school, email=f"guru{n}@contoh.sch.id") for n in range(PEOPLE)]
    for person in people:
        # Urgent, so no batching window holds any back.
        notice_send(kind="activity_cancelled", to=person, about=person, url="/", title="Dibatalkan")
    # The same deliveries queued once more, as a retry or a second tick would.
    for start in range(0, PEOPLE, 10):
        deliver_email.enqueue([p.pk for p in people[start : start + 10]])
    assert DBTaskResult.objects.count() == PEOPLE + PEOPLE // 10
    # Due in a few seconds, so both workers are up and polling when the race starts.
    DBTaskResult.objects.update(run_after=timezone.now() + timedelta(seconds=4))

    workers = [start_worker(name, tmp_path) for name in ("worker-a", "worker-b")]
    try:
        deadline = time.monotonic() + 120
        while DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists():
            assert time.monotonic() < deadline, "the workers did not finish in two minutes"
            assert all(w.poll() is None for w in workers), [w.communicate()[0].decode() for w in workers]
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.terminate()  # a graceful stop, as Ctrl+C or systemd would
        outputs = [worker.communicate(timeout=30)[0].decode() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs

    results = DBTaskResult.objects.all()
    assert {r.status for r in results} == {"SUCCESSFUL"}
    assert all(len(r.worker_ids) == 1 for r in results), "a task was claimed twice"
    assert {r.worker_ids[0] for r in results} == {"worker-a", "worker-b"}, "both workers took part"

    sent = [
        line.split(":", 1)[1].strip()
        for f in tmp_path.iterdir()
        for line in f.read_text().splitlines()
        if line.startswith("To:")
    ]
    assert sorted(sent) == sorted(p.email for p in people)  # each person once, nobody twice
    assert Notice.objects.filter(email_status=Notice.Email.SENT).count() == PEOPLE
