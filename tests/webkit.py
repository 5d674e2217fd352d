"""Helpers for the web tests: `make_web(home)` gives a server on a temporary ledger with units and one user
per role.

Units: `city` (市) ⊃ `north` (北区中心), `south` (南区中心). Users (password = PASSWORD):
admin (admin), rec-north (recorder on north), rec-south (recorder on south), aud-city (auditor on city, so
both centres), aud-south (auditor on south).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import PASSWORD_COST, settings_for, unit
from fastapi.testclient import TestClient

from api.infra.passwords import hash_password
from api.web.app import create_app
from api.web.server import Server

PASSWORD = "correct horse battery"
USERS = {
    "admin": ("admin", []),
    "rec-north": ("recorder", ["north"]),
    "rec-south": ("recorder", ["south"]),
    "aud-city": ("auditor", ["city"]),
    "aud-south": ("auditor", ["south"]),
}


class Web:
    def __init__(self, server: Server, app: Any) -> None:
        self.server = server
        self.app = app

    def client(self, username: str | None = None, **kw: Any) -> TestClient:
        """A client signed in as `username` by token (None: not signed in)."""
        client = TestClient(self.app, raise_server_exceptions=True, **kw)
        if username is not None:
            client.headers["Authorization"] = f"Bearer {self.token(username)}"
        return client

    def browser(self, username: str) -> TestClient:
        """A client signed in with a session cookie, sending the CSRF header like the pages' script."""
        client = TestClient(self.app, base_url="https://testserver")
        r = client.post("/api/session", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return client

    def token(self, username: str) -> str:
        if username not in self._tokens:
            from api.infra.passwords import new_token

            token, digest = new_token(username)
            self.server.ledger.issue_token(username, digest, "tests", "setup")
            self._tokens[username] = token
        return self._tokens[username]

    _tokens: dict[str, str]


def make_web(home: Path, **server_options: Any) -> tuple[Web, Server]:
    """`server_options` for `Server` (default: no background fold, so each read folds the whole log first)."""
    settings = settings_for(home, user="setup")
    server = Server(settings, **{"poll": False, **server_options})
    outcome = server.ledger.apply(
        [
            (1, unit("city", "市法治办")),
            (2, unit("north", "北区城市更新中心", parent="city")),
            (3, unit("south", "南区城市更新中心", parent="city")),
        ],
        "setup",
    )
    assert outcome.ok, outcome.errors
    for name, (role, units) in USERS.items():
        server.ledger.register_user(name, name, role, units, hash_password(PASSWORD, cost=PASSWORD_COST), "setup")
        server.ledger.set_password(name, hash_password(PASSWORD, cost=PASSWORD_COST), False, "setup")
    web = Web(server, create_app(server=server))
    web._tokens = {}
    return web, server
