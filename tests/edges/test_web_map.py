"""The web package is laid out by URL: a search for a JSON path finds the module that serves it, and a page
lives in the module named after its URL family (api/web/routers.py lists both)."""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi.routing import APIRoute

from api.web.routers import API, PAGES

# Page families whose module name is not their first path segment.
PAGE_ALIASES = {
    "": "dashboard",
    "login": "signin",
    "logout": "signin",
    "password": "signin",
    "evidence": "activity",  # an activity's evidence file
    "progress": "filing",  # the progress of reporting upward
    "setup": "units",  # the first start registers the units
    "issues": "rectification",
    "access-log": "access_log",
    "two-factor": "two_factor",
}


def _routes(routers: list) -> list[APIRoute]:
    return [r for router in routers for r in router.routes if isinstance(r, APIRoute)]


def test_no_router_has_a_prefix() -> None:
    """Every path is written in full where it is declared, so no router may add to it."""
    assert [r.prefix for r in API + PAGES if r.prefix] == []


def test_every_json_route_is_found_by_its_full_path() -> None:
    routes = _routes(API)
    assert len(routes) > 60
    missing = []
    for route in routes:
        assert route.path.startswith("/api"), route.path
        source = Path(inspect.getsourcefile(route.endpoint) or "").read_text(encoding="utf-8")
        if f'"{route.path}"' not in source:
            missing.append((route.path, route.endpoint.__module__))
    assert missing == []
    assert "routes_records" in {r.endpoint.__module__.rsplit(".", 1)[-1] for r in routes if r.path == "/api/records"}


def test_each_page_lives_in_the_module_named_after_its_url() -> None:
    misplaced = []
    for route in _routes(PAGES):
        assert not route.path.startswith("/api"), route.path
        first = route.path.strip("/").split("/")[0]
        family = PAGE_ALIASES.get(first, first)
        module = route.endpoint.__module__.rsplit(".", 1)[-1]
        if module != f"page_{family}":
            misplaced.append((route.path, module))
    assert misplaced == []
