"""Read-your-writes over HTTP (issue 13.4): which caller each request is, the log position it has seen, and,
after a request that may have written, that caller's write recorded for its next read (`Server.wrote`).

A response to a write carries `X-Taizhang-Position`, the log position of the caller's last write; a client
whose next read may go to another server of the same ledger (not sharing its data directory) sends it back as
`X-Taizhang-After`, and that read waits until the model holds that position. Workers sharing a data directory
need no header: they share the callers' marks (api/infra/write_marks.py).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .server import ASKING, Asking

AFTER_HEADER = b"x-taizhang-after"
POSITION_HEADER = b"x-taizhang-position"
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


def _position(value: bytes | None) -> int:
    text = (value or b"").decode("latin-1").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else 0  # (anything else: no position named)


class ReadYourWrites:
    """A plain ASGI middleware (Starlette's BaseHTTPMiddleware costs ~10% a request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        unsafe = scope["method"] not in SAFE_METHODS
        asking = Asking(after=_position(dict(scope.get("headers") or []).get(AFTER_HEADER)), writing=unsafe)

        async def sending(message: Message) -> None:
            if unsafe and message["type"] == "http.response.start":
                # The handler is done (a streamed body is written from what it already decided): every write
                # it made is in the ledger's last position, which the caller's next read must find folded.
                position = scope["app"].state.server.wrote()
                if position:
                    message = {**message, "headers": [*message.get("headers", []), (POSITION_HEADER, b"%d" % position)]}
            await send(message)

        token = ASKING.set(asking)
        try:
            await self.app(scope, receive, sending)
        finally:
            ASKING.reset(token)
