"""The notice file (回执, `.tznotice`): what a superior's taizhang sends down to a unit on its own server once a
reviewer there approved or returned the unit's report. One JSON object:

    {"manifest": {...}, "signature": "<hex>", "readme": "..."}

`manifest` is described in domain/package.py (`notice_payload`): the signature covers its canonical JSON, so the
file may be re-indented or re-encoded without breaking it; any change of a value does.
"""

from __future__ import annotations

import json
from typing import Any

from domain.errors import DomainError

MAX_BYTES = 256 * 1024  # a notice is a few hundred bytes; a reason is at most 2,000 characters
README = (
    "台账报送回执：上级单位的台账对下级单位年度报告的审核结果（审核通过，或退回及其理由），以上级单位的密钥签名。"
    "下级单位用 `taizhang filing receive 本文件` 或“报送”页导入：核验签名后记入本单位的报送登记。请勿修改。"
)


def write(manifest: dict[str, Any], signature: str) -> bytes:
    body = {"manifest": manifest, "signature": signature, "readme": README}
    return (json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def read(data: bytes) -> tuple[dict[str, Any], str]:
    """(manifest, signature); DomainError (field "notice") when `data` is not a notice file at all."""
    if len(data) > MAX_BYTES:
        raise DomainError.of("notice", f"回执：文件过大（{len(data)} 字节），不是台账报送回执")
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DomainError.of("notice", "回执：文件不是台账报送回执（不是 UTF-8 JSON）") from None
    if not isinstance(body, dict) or not isinstance(body.get("manifest"), dict):
        raise DomainError.of("notice", "回执：文件不是台账报送回执（缺少 manifest）")
    signature = body.get("signature")
    if not isinstance(signature, str):
        raise DomainError.of("notice", "回执：缺少签名（signature）")
    return body["manifest"], signature
