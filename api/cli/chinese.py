"""Click's own messages (usage errors, help headings) in Chinese, so that a mistyped option is explained in the
same language as everything else the command says.

Click looks its messages up through `gettext` names bound in each of its modules; `install()` rebinds those
names to a lookup in `MESSAGES` (msgid → Chinese, the msgids being click's own English texts, placeholders kept).
A msgid not listed stays English: a new click message degrades to English, never to an error."""

from __future__ import annotations

import gettext as _gettext
from types import ModuleType

MESSAGES: dict[str, str] = {
    "Error: {message}": "错误：{message}",
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Try '{command} {option}' for help.": "运行「{command} {option}」查看帮助。",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不需要取值。",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个取值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个取值。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Did you mean {possibility}?": "是否要用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否要用其中之一：{possibilities}？）",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数（须为 {number_type}）。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不在可选值 {choices} 之中。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是一个文件夹。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是一个文件。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "required": "必填",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "integer": "整数",
    "Aborted!": "已中止。",
}


def _gettext_zh(message: str) -> str:
    return MESSAGES.get(message, _gettext.gettext(message))


def _ngettext_zh(singular: str, plural: str, n: int) -> str:
    return MESSAGES.get(singular if n == 1 else plural, _gettext.ngettext(singular, plural, n))


def install() -> None:
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    modules: tuple[ModuleType, ...] = (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.types,
    )
    for module in modules:
        if hasattr(module, "_"):
            module._ = _gettext_zh  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext_zh  # type: ignore[attr-defined]
