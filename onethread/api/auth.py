"""Bearer tokens: `Authorization: Bearer <key>`, checked against the stored
hash. No session and no CSRF: a request carries its own credentials."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja.security import HttpBearer

from onethread.api.models import ApiToken, hash_key

MAX_KEY_LENGTH = 200


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        """The token's user, when the key is known, not revoked and its user active."""
        if not token or len(token) > MAX_KEY_LENGTH:
            return None
        found = (
            ApiToken.objects.select_related("user__member")
            .filter(key_hash=hash_key(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        return found.user if found else None


def api_user(request: HttpRequest) -> User:
    """The user the request authenticated as (set by TokenAuth)."""
    user: User = request.auth  # type: ignore[attr-defined]
    return user
