"""The idle-session timeout (TAIZHANG_IDLE_MINUTES, api/services/sign_in.py): a plain ASGI middleware that
re-signs a valid session cookie when it is used, so the cookie's signature time is its last use and
api/web/auth.py identify() ends a session that has not been used for the idle period. The payload is kept as
it is, so the sign-in time ("t") still caps the session at SESSION_SECONDS."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import SESSION_COOKIE, _serializer, identify, idle_seconds, set_session

RENEW_AFTER = 60  # seconds: a page's many requests renew the cookie once


class IdleSessions:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        renewed = self._renewed(scope) if scope["type"] == "http" else None
        if renewed is None:
            await self.app(scope, receive, send)
            return

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                name = SESSION_COOKIE.encode()
                setting = [v for k, v in headers if k.lower() == b"set-cookie" and v.startswith(name)]
                if not setting:  # a sign-in or sign-out sets (or clears) the cookie itself
                    headers.append((b"set-cookie", renewed))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_cookie)

    @staticmethod
    def _renewed(scope: Scope) -> bytes | None:
        request = Request(scope)
        cookie = request.cookies.get(SESSION_COOKIE)
        server = getattr(getattr(scope.get("app"), "state", None), "server", None)
        if not cookie or server is None:
            return None
        try:
            data, signed = _serializer(server).loads(cookie, max_age=idle_seconds(server), return_timestamp=True)
        except Exception:  # noqa: BLE001 — a bad or expired cookie: identify() refuses it, nothing to renew
            return None
        if time.time() - signed.timestamp() < RENEW_AFTER:
            return None
        caller = identify(server, request)
        if caller is None or caller.via != "session":
            return None
        response = Response()
        set_session(response, request, _serializer(server).dumps(data))
        return next(v for k, v in response.raw_headers if k == b"set-cookie")
