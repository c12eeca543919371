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


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def signed_api(api, user):
    api.login(user.email)
    return api
