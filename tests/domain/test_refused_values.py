"""A refused value is quoted as the person wrote it (「true」, 「null」, 「二十」), never in Python's spelling
(`True`, `None`, `'二十'`): staff read these messages, and JSON is what they typed."""

from __future__ import annotations

import pytest
from conftest import study


@pytest.mark.parametrize(
    ("value", "shown"),
    [(True, "「true」"), ("二十", "「二十」"), ([1, 2], "「[1, 2]」")],
)
def test_an_integer_field_quotes_what_was_given(env, value, shown):
    line = study("S-1", "2025-01-01")
    line["data"]["attendees"] = value
    (error,) = env.errors(line)
    assert error.endswith(f"参学人数：须为整数，收到{shown}")
    assert "True" not in error and "'" not in error


def test_a_text_field_given_a_number_quotes_it_plainly(env):
    line = study("S-1", "2025-01-01")
    line["data"]["topic"] = 12
    (error,) = env.errors(line)
    assert error.endswith("须为文本，收到「12」")
