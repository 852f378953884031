"""Sessions read together with the person they sign in.

Django's database sessions cost every signed-in request two reads, each through a
queryset built anew: the session, then the person it names. Here the session row carries
the person's id (`Session.user`), so one statement reads both, without a queryset to build
(kompra/ops/rows.py). The person read with it is offered to the authentication backends
(kompra/accounts/backends.py), which take it only for the very session being checked; the
checks themselves (the backend named in the session, an active account, the password hash
the session was signed with) are still Django's own, in `django.contrib.auth.get_user`.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.utils import timezone

from kompra.ops.rows import one_row_joined

# The session being checked while django.contrib.auth.get_user runs (middleware.py).
_checking = ContextVar("session_being_checked", default=None)


class SessionStore(db.SessionStore):
    user_read_with_session = None

    @classmethod
    def get_model_class(cls):
        from kompra.accounts.models import Session

        return Session

    def _get_session_from_db(self):
        self.user_read_with_session = None
        if not self._validate_session_key(self.session_key):
            self._session_key = None
            return None
        User = get_user_model()
        session, joined = one_row_joined(
            self.model, {"u": (User, "u.id = t.user_id", [], False)}, session_key=self.session_key
        )
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        self.user_read_with_session = joined["u"]
        return session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        session.user_id = get_user_model()._meta.pk.to_python(user_id) if user_id is not None else None
        return session


@contextmanager
def checking(session):
    """While the person of `session` is looked up, offer the one read with it."""
    token = _checking.set(session)
    try:
        yield
    finally:
        _checking.reset(token)


def user_read_with_session(user_id):
    """The person read with the session being checked, if that is who `user_id` names."""
    session = _checking.get()
    user = getattr(session, "user_read_with_session", None)
    if user is not None and str(user.pk) == str(user_id):
        return user
    return None
