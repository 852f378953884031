"""Work done by the task worker (`manage.py db_worker`), never inside a request."""

from django.tasks import task

from privacy_rights.erasure import erase_due


@task
def erase_due_accounts():
    """Erases the accounts whose grace period is over (started by every tick)."""
    return erase_due()


@task
def export_build(export_id):
    """Builds a person's data zip, stores it and emails them the (private) link."""
    from privacy_rights.services import export_build as build

    build(export_id=export_id)
    return export_id


@task
def exports_expire():
    """Deletes the files of downloads whose time is over (started by the tick)."""
    from privacy_rights.services import exports_expire as expire

    return expire()
