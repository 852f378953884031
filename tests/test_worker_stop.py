"""Stopping a task worker (kompra/management/commands/db_worker.py): a stop signal never
cuts a step short, so no task is left marked as running by a worker that is gone."""

import signal

import pytest
from django.core.management import get_commands, load_command_class
from django_tasks_db.models import DBTaskResult

from kompra.management.commands import db_worker
from kompra.ops.heartbeat import worker_heartbeat


def worker(**options):
    return db_worker.Worker(
        **{
            "queue_names": ["*"],
            "interval": 0.01,
            "batch": False,
            "backend_name": "default",
            "startup_delay": False,
            "max_tasks": None,
            "worker_id": "worker-test",
            "excluded_queue_names": [],
        }
        | options
    )


def test_manage_py_db_worker_is_kompras():
    command = load_command_class(get_commands()["db_worker"], "db_worker")
    assert isinstance(command, db_worker.Command)


def test_a_stop_between_steps_ends_the_loop_and_a_second_stops_at_once():
    idle = worker()
    idle.shutdown(signal.SIGTERM, None)  # no exit from inside whatever step runs now
    assert idle.running is False
    with pytest.raises(SystemExit) as stopped:
        idle.shutdown(signal.SIGTERM, None)
    assert stopped.value.code == 1


def test_a_stop_during_a_task_lets_it_finish():
    busy = worker()
    busy.running_task = True
    busy.shutdown(signal.SIGINT, None)
    assert busy.running is False


@pytest.mark.django_db(transaction=True)
def test_a_stop_while_claiming_lets_the_claimed_task_run_to_its_end(monkeypatch):
    queued = worker_heartbeat.enqueue()
    stopping = worker()
    claim = DBTaskResult.claim

    def claim_then_stop(task_result, worker_id):
        claim(task_result, worker_id)
        stopping.shutdown(signal.SIGTERM, None)  # as if the signal landed in the claim

    monkeypatch.setattr(DBTaskResult, "claim", claim_then_stop)
    try:
        stopping.run()
    except SystemExit as exit:
        pytest.fail(f"the worker left in the middle of a claim (exit {exit.code})")
    assert DBTaskResult.objects.get(pk=queued.id).status == "SUCCESSFUL"
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()
