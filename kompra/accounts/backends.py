"""Authentication backends that take the person read with the session (sessions.py).

Sign-in itself is unchanged (Django's and allauth's own `authenticate`). Only `get_user`,
called on every signed-in request, first looks at the row read together with the session
and otherwise reads the person by primary key without building a queryset.
"""

from allauth.account import auth_backends
from django.contrib.auth import backends, get_user_model
from django.core.exceptions import ValidationError

from kompra.accounts.sessions import user_read_with_session
from kompra.ops.rows import one_row


class SessionUserMixin:
    def get_user(self, user_id):
        user = user_read_with_session(user_id)
        if user is None:
            User = get_user_model()
            try:
                user = one_row(User, pk=User._meta.pk.to_python(user_id))
            except (TypeError, ValueError, ValidationError):
                return None
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(SessionUserMixin, backends.ModelBackend):
    pass


class AuthenticationBackend(SessionUserMixin, auth_backends.AuthenticationBackend):
    pass
