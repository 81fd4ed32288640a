"""An API client authenticated with a member's token, for the HTTP tests."""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.test import Client

from onethread.api.models import ApiToken

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


def issue_key(user: User) -> str:
    _token, key = ApiToken.issue(user, "test")
    return key


@dataclass
class Api:
    """Calls /api/v1/ with a bearer key, the way an integration would."""

    key: str
    client: Client

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def get(self, path: str, **params: Any) -> "Response":
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any) -> "Response":
        return self.client.post(
            f"/api/v1{path}", json.dumps(body), "application/json", headers=self.headers
        )

    def patch(self, path: str, body: Any) -> "Response":
        return self.client.patch(
            f"/api/v1{path}", json.dumps(body), "application/json", headers=self.headers
        )
