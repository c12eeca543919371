"""API test helpers: a signed-in token, JSON requests with it."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD


class ApiClient:
    """The test client speaking JSON, with a bearer token once signed in."""

    def __init__(self, client) -> None:
        self.client = client
        self.token: str | None = None

    def _headers(self, headers):
        out = dict(headers or {})
        if self.token and "Authorization" not in out:
            out["Authorization"] = f"Bearer {self.token}"
        return out

    def open(self, method: str, path: str, json=None, headers=None, **kwargs):
        return self.client.open(f"/api/v1{path}", method=method, json=json,
                                headers=self._headers(headers), **kwargs)

    def get(self, path, **kwargs):
        return self.open("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.open("POST", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.open("PUT", path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.open("DELETE", path, **kwargs)

    def login(self, email: str, password: str = PASSWORD) -> dict:
        response = self.post("/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.get_data(as_text=True)
        self.token = response.json["data"]["token"]
        return response.json["data"]

    def sign_in_directly(self, user) -> None:
        """A token as POST /auth/login gives one after a good password (the same
        finora.api.auth_views.token_answer: the token, the sign-in noted and audited),
        without the request around it: for the tests that only need to be signed in."""
        from finora.api.auth_views import first_membership, token_answer

        application = self.client.application
        with application.test_request_context(
            "/api/v1/auth/login", method="POST", environ_base=dict(self.client.environ_base)
        ):
            answer, _status = token_answer(user, first_membership(user), None)
        self.token = answer.get_json()["data"]["token"]


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def signed_api(api, user):
    api.sign_in_directly(user)
    return api
