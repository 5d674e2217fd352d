"""Posting one JSON body to the configured webhook, signed so the receiver can tell it came from this ledger:
header `X-Taizhang-Signature: sha256=<hex HMAC-SHA256 of the body under TAIZHANG_WEBHOOK_SECRET>` (the same
scheme as GitHub's webhooks), and `X-Taizhang-Delivery: <message id>` so a receiver can drop a repeat."""

from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.request

TIMEOUT = 20
SIGNATURE_HEADER = "X-Taizhang-Signature"
DELIVERY_HEADER = "X-Taizhang-Delivery"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(url: str, secret: str, body: bytes, delivery: str) -> None:
    """Raises OSError when the receiver is unreachable or answers other than 2xx."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: signature(secret, body),
            DELIVERY_HEADER: delivery,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 — the configured URL
            if not 200 <= response.status < 300:
                raise OSError(f"webhook answered {response.status}")
    except urllib.error.HTTPError as e:
        raise OSError(f"webhook answered {e.code}") from None
