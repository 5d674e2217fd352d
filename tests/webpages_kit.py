"""Helpers for the web page tests: sign in through the login form, post forms with the page's CSRF token,
read what a person would see (field values, error messages, a figure's value)."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient
from webkit import PASSWORD, Web


class Browser:
    """A TestClient signed in through the login page, like a person with a browser."""

    def __init__(self, web: Web, username: str, password: str = PASSWORD) -> None:
        self.client = TestClient(web.app, follow_redirects=False)
        r = self.client.post("/login", data={"username": username, "password": password, "next": "/"})
        assert r.status_code == 303, r.text
        self.csrf = ""

    def get(self, url: str, **kw: Any) -> Any:
        r = self.client.get(url, follow_redirects=kw.pop("follow", True), **kw)
        token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
        if token:
            self.csrf = token.group(1)
        return r

    def post(self, url: str, data: dict[str, Any], csrf: bool = True, **kw: Any) -> Any:
        if csrf and not self.csrf:
            self.get("/password")  # any page carries the token
        body = {**data, **({"csrf_token": self.csrf} if csrf else {})}
        return self.client.post(url, data=body, **kw)

    def follow(self, r: Any) -> Any:
        assert r.status_code == 303, (r.status_code, r.text[:500])
        return self.get(r.headers["location"])


def value_of(page: str, name: str) -> str:
    """The value an input (or the selected option, or a textarea) holds."""
    m = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    if m:
        return html.unescape(m.group(1))
    m = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>([^<]*)</textarea>', page)
    if m:
        return html.unescape(m.group(1))
    m = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    if m:
        chosen = re.search(r'<option value="([^"]*)" selected', m.group(1))
        return chosen.group(1) if chosen else ""
    raise AssertionError(f"no input {name}")


def errors(page: str) -> list[str]:
    """Every message shown beside a field."""
    return [html.unescape(m) for m in re.findall(r'<p class="error"[^>]*>([^<]+)</p>', page)]


def error_beside(page: str, name: str) -> str:
    """The message in the same field block as the input `name`."""
    block = re.search(
        rf'<div class="field has-error[^"]*"[^>]*>(?:(?!<div class="field).)*?name="{re.escape(name)}".*?'
        r'<p class="error"[^>]*>([^<]+)</p>',
        page,
        re.S,
    )
    assert block, f"no error beside {name}"
    return html.unescape(block.group(1))


def figure(page: str, fid: str) -> str:
    """The value shown for a figure on the report page."""
    m = re.search(rf'<tr id="{re.escape(fid)}"><td>[^<]*</td>\s*<td class="num"><a [^>]*>([^<]*)</a>', page)
    assert m, f"no figure {fid}"
    return m.group(1)


def text(page: str) -> str:
    """The page's visible text, roughly (tags dropped, entities decoded, whitespace collapsed)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def study_form(ref: str, day: str, unit: str = "north", **data: str) -> dict[str, str]:
    fields = {"data.form": "lecture", "data.topic": "宪法学习", "data.attendees": "30", **data}
    return {"unit": unit, "ref": ref, "date": day, "form_key": f"key-{ref}", **fields}


def today(web: Web) -> str:
    return web.server.ledger.today().isoformat()
