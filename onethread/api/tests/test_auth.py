import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from onethread.api.models import ApiToken, hash_key
from onethread.team.models import Role
from tests.builders import make_journey, make_member, make_user

pytestmark = pytest.mark.django_db


def get_journeys(client: Client, authorization: str | None = None):
    headers = {"Authorization": authorization} if authorization else {}
    return client.get("/api/v1/journeys", headers=headers)


def test_a_request_without_a_token_is_refused_with_401_and_a_message(client):
    response = get_journeys(client)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization", ["Bearer ot_not-a-key", "Basic dXNlcjpwYXNz", "Bearer", "Token abc"]
)
def test_an_unknown_key_or_another_scheme_is_refused(client, authorization):
    make_member()
    assert get_journeys(client, authorization).status_code == 401


def test_a_valid_key_authenticates_its_user(client):
    member = make_member(Role.AE)
    journey = make_journey(owner=member)
    _token, key = ApiToken.issue(member.user, "integration")
    response = get_journeys(client, f"Bearer {key}")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [journey.pk]


def test_a_revoked_token_is_refused(client):
    member = make_member()
    token, key = ApiToken.issue(member.user, "old laptop")
    token.revoked_at = timezone.now()
    token.save()
    assert get_journeys(client, f"Bearer {key}").status_code == 401


def test_the_token_of_an_inactive_user_is_refused(client):
    member = make_member()
    _token, key = ApiToken.issue(member.user, "integration")
    member.user.is_active = False
    member.user.save()
    assert get_journeys(client, f"Bearer {key}").status_code == 401


def test_writes_need_no_session_and_no_csrf_token():
    member = make_member(Role.AE)
    _token, key = ApiToken.issue(member.user, "integration")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/accounts",
        json.dumps({"name": "Initech"}),
        "application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201
    assert "sessionid" not in response.cookies


def test_a_logged_in_session_is_not_enough(client):
    member = make_member()
    client.force_login(member.user)
    assert get_journeys(client).status_code == 401


def test_the_schema_and_the_docs_are_public_and_served_locally(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["version"] == "1"
    assert "TokenAuth" in schema.json()["components"]["securitySchemes"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn." not in docs.content


def test_the_root_points_to_the_schema_and_the_docs(client):
    response = client.get("/api/v1/")
    assert response.json() == {
        "version": "1",
        "schema": "/api/v1/openapi.json",
        "docs": "/api/v1/docs",
    }


def test_an_unknown_endpoint_answers_404_in_json(client):
    response = client.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no such API endpoint."}


def test_the_token_command_prints_a_key_that_works_and_stores_only_its_hash(client, capsys):
    member = make_member(username="dana")
    call_command("token", "dana", "--name", "zapier")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=member.user)
    assert token.name == "zapier"
    assert token.key_hash == hash_key(key)
    assert key not in (token.key_hash, token.hint)
    assert get_journeys(client, f"Bearer {key}").status_code == 200


def test_the_token_command_refuses_an_unknown_or_inactive_user():
    with pytest.raises(CommandError, match="no user"):
        call_command("token", "nobody")
    make_user("gone", is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        call_command("token", "gone")
    assert not ApiToken.objects.exists()
