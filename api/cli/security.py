"""`taizhang security report`: the evidence an evaluator asks for (suite, keys, sign-in, roles, retention)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from .context import command
from .options import FORMAT, echo_json

if TYPE_CHECKING:
    from ..services.security import KeyFile, SecurityReport


@click.group()
def security() -> None:
    """本台账的安全证据（等保 / 密评）。

    Security evidence of this ledger (等保 / 密评)."""


@security.command("report")
@FORMAT
@click.pass_context
def security_report(ctx: click.Context, fmt: str) -> None:
    """Print the ledger's suite, key locations, sign-in policy, role separation and log retention."""
    from ..services import security as service

    cmd = command(ctx)
    found = service.report(cmd.context, cmd.actor)
    if fmt == "json":
        echo_json(asdict(found), default=str)
        return
    click.echo("\n".join(text_lines(found)))


def _file(f: KeyFile, secret: bool = True) -> str:
    if not f.present:
        return f"{f.path}（缺失）"
    if not secret:
        return f"{f.path}（权限 {f.mode}）"
    return f"{f.path}（权限 {f.mode}{'，仅属主可读' if f.owner_only else '，其他用户可读：应改为 0600'}）"


def text_lines(r: SecurityReport) -> list[str]:
    out = ["# 台账安全情况报告（等保 2.0 / 商用密码应用安全性评估）", "", "## 密码算法"]
    out += [
        f"- 算法套件：{r.suite.name} — {r.suite.label}",
        f"- 日志完整性：RFC 9162 Merkle 树，哈希 {r.suite.tree_hash.upper()}",
        f"- 封存签名：{r.suite.signature}",
        f"- 依据：{r.suite.standards}",
        f"- 事件库：{r.store}，{r.events} 条事件",
    ]
    if r.configured is not None and r.configured != r.suite.name:
        out.append(f"- 注意：TAIZHANG_SUITE={r.configured}，与台账实际套件不一致")
    out += ["", "## 密钥位置"]
    if not r.keys:
        out.append("- 尚无单位签名密钥（首次 taizhang seal 时生成）")
    for k in r.keys:
        agrees = "，与公钥文件一致" if k.matches else "，与公钥文件不一致！"
        log = f"已登记于事件日志{agrees}" if k.registered else "未登记于事件日志"
        out += [f"- 单位 {k.unit}：私钥 {_file(k.private)}；公钥 {_file(k.public, secret=False)}；{log}"]
    out.append(f"- {r.session_key.what}：{_file(r.session_key)}")
    out += ["", "## 身份鉴别（登录）"] + [f"- {f.label}：{f.value}" for f in r.sign_in]
    out += ["", "## 角色与权限分离"]
    for role in r.roles:
        out.append(f"- {role.label}（{role.role}）：{role.users} 名在用；{'、'.join(role.may)}")
    together = (
        "未实行：由管理员（admin）一人兼任系统、安全、审计管理（适合小单位）；"
        "设立系统管理员、安全管理员、审计管理员各一名并停用 admin 即实行分立"
    )
    out.append("- 三员分立：" + ("已实行：系统、安全、审计管理员分设，互不兼任" if r.separated else together))
    out += ["", "## 个人信息保护"] + [f"- {f.label}：{f.value}" for f in r.personal]
    out += ["", "## 记录保存"] + [f"- {f.label}：{f.value}" for f in r.retention]
    if r.not_provided:
        out += ["", "## 尚未提供"] + [f"- {m}" for m in r.not_provided]
    return out
