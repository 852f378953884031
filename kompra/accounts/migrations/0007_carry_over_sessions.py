"""Sessions move from Django's table to Kompra's (0006): the people signed in stay signed
in. Each unexpired session is copied with its person's id beside it, and the backend it
names is renamed to Kompra's subclass of the same backend (settings.AUTHENTICATION_BACKENDS),
which Django would otherwise no longer accept. Sessions that cannot be read are left behind,
as Django would treat them: signed out."""

from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.db import migrations
from django.utils import timezone

RENAMED = {
    "django.contrib.auth.backends.ModelBackend": "kompra.accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "kompra.accounts.backends.AuthenticationBackend",
}


def carry_over(apps, schema_editor):
    # Django's own store reads and writes the data: Kompra's subclass signs it the same way.
    from django.contrib.sessions.backends.db import SessionStore

    OldSession = apps.get_model("sessions", "Session")
    Session = apps.get_model("accounts", "Session")
    User = apps.get_model("accounts", "User")
    store = SessionStore()
    batch = []
    for old in OldSession.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=1000):
        data = store.decode(old.session_data)
        if not data:
            continue
        user_id = data.get(SESSION_KEY)
        if user_id is not None:
            try:
                user_id = int(user_id)
            except (TypeError, ValueError):
                continue
            if BACKEND_SESSION_KEY in data:
                data[BACKEND_SESSION_KEY] = RENAMED.get(data[BACKEND_SESSION_KEY], data[BACKEND_SESSION_KEY])
        batch.append(
            Session(
                session_key=old.session_key,
                session_data=store.encode(data),
                expire_date=old.expire_date,
                user_id=user_id,
            )
        )
        if len(batch) >= 1000:
            save(Session, User, batch)
            batch = []
    save(Session, User, batch)


def save(Session, User, batch):
    people = set(User.objects.filter(pk__in={s.user_id for s in batch if s.user_id}).values_list("pk", flat=True))
    Session.objects.bulk_create([s for s in batch if s.user_id is None or s.user_id in people], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_sessions"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
