"""`taizhang reference`: the Markdown reference of kinds, fields, codes, steps and figures (docs/reference.md)."""

from __future__ import annotations

import click


@click.command()
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of stdout.")
def reference(output: str | None) -> None:
    """生成每个类别、字段、代码、步骤和指标的参考文档。

    The reference of every kind, field, code, step and figure, from the tables that declare them."""
    from ..reference import reference as render

    text = render()
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
