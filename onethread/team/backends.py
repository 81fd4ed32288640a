"""Signing in: Django's own backend, reading the signed-in user's member
profile and team with the user, in the query every request makes anyway
(member_of then finds them in the user's cache)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from onethread.journeys.prepared import Prepared


def _with_member(user: int) -> QuerySet[Any]:
    return get_user_model()._default_manager.select_related("member__team").filter(pk=user)


# Compiled once (journeys/prepared.py): every request reads it.
_SIGNED_IN: Prepared[Any] = Prepared(_with_member, user=int)


class MemberBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        if isinstance(pk, int) and 0 < pk < 2**31:
            found = _SIGNED_IN.objects(user=pk)
        else:  # not an id the prepared read takes: the ORM answers as it would
            found = list(_with_member(pk))
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None
