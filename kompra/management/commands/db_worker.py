"""The task worker: django-tasks-db's `db_worker`, stopping only between its steps.

The library's worker leaves from inside its signal handler whenever a stop signal
arrives while no task runs, and that includes the moment it claims a task. A stop that
lands in the claim's COMMIT then exits with an error, and the task can stay marked as
running by a worker that no longer exists: nothing runs it again, and its emails are
never sent. Here the first stop signal only asks the loop to end: a claim in flight
completes, a task it claimed runs to its end (and is marked done), and the worker
leaves at the top of its loop, within one polling interval. A second signal still stops
it at once, as the library does.
"""

import signal

from django_tasks_db.management.commands import db_worker


class Worker(db_worker.Worker):
    def shutdown(self, signum, frame):
        if self.running and not self.running_task:
            db_worker.logger.warning("Received %s - stopping after this step.", signal.strsignal(signum))
            self.running = False
            return
        super().shutdown(signum, frame)


class Command(db_worker.Command):
    def handle(self, *args, **options):
        # The library's handle builds its worker by this module-level name.
        db_worker.Worker = Worker
        return super().handle(*args, **options)
