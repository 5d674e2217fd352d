"""The services' `Context` for a web worker's `Server`: its ledger, group committer, caught-up read model, and
the cached unit tree (so a request's access checks do not read the ledger again)."""

from __future__ import annotations

import weakref

from ..infra.keys import Keys
from ..services.context import Context
from .server import Server

_contexts: weakref.WeakKeyDictionary[Server, Context] = weakref.WeakKeyDictionary()


def context(server: Server) -> Context:
    found = _contexts.get(server)
    if found is None:
        found = Context(
            settings=server.settings,
            ledger=server.ledger,
            evidence=server.evidence,
            keys=Keys(server.settings.home),
            read=server.read,
            submit=server.committer.submit,
            parent_of=server.parent_of,
            forget=server.forget,
        )
        _contexts[server] = found
    return found
