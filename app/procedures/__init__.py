"""Procedures as data: versioned workflow definitions loaded from `workflows/*.yaml`.

Public API: `init_app`, `get_registry` (a `ProcedureRegistry`), and, in `queries`,
`list_procedures` / `get_procedure`. The definitions themselves are in `definitions`.
"""

from __future__ import annotations

import logging
import sys

import click
from flask import Flask

from app.org.structure import current_structure_of
from app.procedures.loader import ProcedureRegistry, WorkflowDefinitionError, load_registry
from app.procedures.queries import EXTENSION_KEY, LOAD_ERROR_KEY, get_registry

__all__ = ["ProcedureRegistry", "WorkflowDefinitionError", "get_registry", "init_app"]
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Load and validate every definition; a broken folder stops start-up with every problem listed.

    Exception: while `flask workflows ...` is loading the app, the error is kept instead, so that
    `flask workflows validate` can still run and print the problems (get_registry() re-raises it).
    """
    try:
        registry = load_registry(app.config["WORKFLOWS_DIR"], current_structure_of(app.config))
    except WorkflowDefinitionError as exc:
        if not _running_workflows_command():
            raise
        log.warning("workflow definitions are invalid; only `flask workflows` commands will run")
        app.extensions[LOAD_ERROR_KEY] = exc
        registry = ProcedureRegistry()
    app.extensions[EXTENSION_KEY] = registry

    from app.extensions import api
    from app.procedures.api import blp
    from app.procedures.cli import workflows_cli

    app.cli.add_command(workflows_cli)
    api.register_blueprint(blp)


_FLASK_OPTIONS_WITH_VALUE = {"--app", "-A", "--env-file", "-e"}


def _running_workflows_command() -> bool:
    """True when the Flask CLI is loading the app to run `flask [options] workflows ...`."""
    if click.get_current_context(silent=True) is None:
        return False
    args = iter(sys.argv[1:])
    for arg in args:
        if arg in _FLASK_OPTIONS_WITH_VALUE:
            next(args, None)
        elif not arg.startswith("-"):
            return arg == "workflows"
    return False
