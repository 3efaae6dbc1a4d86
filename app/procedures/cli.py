"""`flask workflows ...`: check and draw procedure definitions.

`validate` reads the folder itself rather than the registry built at start-up, so it also works
(and explains why) when the configured folder is broken; see `init_app` in this package.
"""

from __future__ import annotations

import click
from flask import current_app

from app.core.errors import NotFoundError
from app.core.uow import CommandGroup
from app.org.structure import Structure, StructureError, current_structure
from app.procedures.graph import mermaid
from app.procedures.loader import WorkflowDefinitionError, load_procedures
from app.procedures.queries import get_registry

workflows_cli = CommandGroup("workflows", help="Check and draw procedure workflow definitions.")


@workflows_cli.command("validate")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of *.yaml files (default: WORKFLOWS_DIR).",
)
@click.option(
    "--levels",
    default=None,
    help="Org structure to check against (default: ORG_PERIODS), e.g. province,commune for two tiers "
    "for all time, or province,district,commune;2025-07-01:province,commune.",
)
def validate_command(directory: str | None, levels: str | None) -> None:
    """Print every problem and exit 1, or print "OK: N procedures" (and the versions written for
    another structure, which this deployment does not load)."""
    directory = directory or current_app.config["WORKFLOWS_DIR"]
    try:
        structure = Structure.parse(levels) if levels else current_structure()
    except StructureError as exc:
        raise click.BadParameter(str(exc), param_hint="--levels") from None
    report = load_procedures(directory, structure)
    for note in report.skipped:
        click.echo(note)
    if report.errors:
        for error in report.errors:
            click.echo(error)
        click.echo(f"{len(report.errors)} problem(s) in {directory}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {len(report.procedures)} procedures")


@workflows_cli.command("graph")
@click.argument("code")
@click.option(
    "--version",
    "version",
    type=click.IntRange(min=1),
    default=None,
    help="Version to draw (default: the one in effect today).",
)
def graph_command(code: str, version: int | None) -> None:
    """Print the workflow of procedure CODE as a Mermaid stateDiagram-v2."""
    try:
        registry = get_registry()
        procedure = registry.get(code, version) if version else registry.current(code)
    except (NotFoundError, WorkflowDefinitionError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(mermaid(procedure), nl=False)
