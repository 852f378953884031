"""Work done by the task worker (`manage.py db_worker`), never inside a request."""

from django.tasks import task

from privacy_rights.erasure import erase_due


@task
def erase_due_accounts():
    """Erases the accounts whose grace period is over (started by every tick)."""
    return erase_due()
