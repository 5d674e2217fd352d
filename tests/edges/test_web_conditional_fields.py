"""Conditional fields on the entry forms, as the server writes them (tests/e2e/test_browser_conditional.py shows
the script at work in a browser): each field that applies only with some value of another (the catalogue's
`when`) names that field and values for the page's script, carries its hint, and is not `required` to the
browser, which would otherwise refuse a form where it does not apply; the server judges and names the field."""

from __future__ import annotations

import re

from webkit import Web
from webpages_kit import Browser, error_beside, today

from domain.catalogue import KINDS


def block(page: str, name: str) -> str:
    found = re.search(rf'<div class="field[^"]*"[^>]*>(?:(?!<div class="field).)*?name="{re.escape(name)}"', page, re.S)
    assert found, f"no field {name}"
    return found.group(0)


def test_every_conditional_field_tells_the_script_when_it_applies(web: Web) -> None:
    b = Browser(web, "rec-north")
    for kind in KINDS.values():
        conditional = [f for f in kind.fields if f.when is not None]
        if not conditional:
            continue
        page = b.get(f"/entry/{kind.code}?unit=north").text
        for f in conditional:
            other, values = f.when  # type: ignore[misc]
            html = block(page, "data." + f.name)
            wanted = " ".join(("true" if v else "false") if isinstance(v, bool) else str(v) for v in values)
            assert f'data-when="data.{other}" data-when-values="{wanted}"' in html, (kind.code, f.name)
            assert "仅当" in html and "时填写" in html  # the hint, for a page without the script
            assert not re.search(r"<(select|input|textarea)[^>]*\brequired\b", html), (kind.code, f.name)
            assert ("data-when-required" in html) is f.required


def test_a_required_conditional_field_is_required_only_where_it_applies(web: Web) -> None:
    b = Browser(web, "rec-north")
    day = today(web)
    form = {"unit": "north", "date": day, "data.subject": "燃气安全检查", "data.count": "1"}
    inspection = b.post("/entry/enforcement_case", {**form, "ref": "EC-1", "data.action": "inspection"})
    assert inspection.status_code == 303, inspection.text[:500]
    penalty = b.post("/entry/enforcement_case", {**form, "ref": "EC-2", "data.action": "penalty"})
    assert penalty.status_code == 422
    assert "办案程序" in error_beside(penalty.text, "data.procedure")
    wrong = b.post("/entry/enforcement_case", {**form, "ref": "EC-3", "data.action": "inspection",
                                               "data.procedure": "simple"})  # fmt: skip
    assert wrong.status_code == 422
    assert "请清空此项" in error_beside(wrong.text, "data.procedure")
