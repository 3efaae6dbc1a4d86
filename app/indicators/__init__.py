"""Supervisor indicators (docs/domain.md, Indicators): the indicator engine, its API and the
dashboard pages; targets as data (targets.yaml); the daily rollup the engine reads for past days.

CLI: `flask indicators refresh [--rebuild]` (the periodic `refresh_indicator_rollups` does it every
INDICATOR_ROLLUP_SECONDS), `flask indicators targets` (the targets and their sources).
"""

import click
from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core.uow import CommandGroup

indicators_cli = CommandGroup("indicators", help="Supervisor indicators: daily rollup, targets.")


@indicators_cli.command("refresh")
@click.option("--rebuild", is_flag=True, help="count every day again, not only the changed ones")
def refresh_command(rebuild: bool) -> None:
    """Bring the daily rollup up to yesterday (PostgreSQL; elsewhere every figure is live anyway)."""
    from app.indicators.rollups import refresh_rollups

    done = refresh_rollups(rebuild=rebuild)
    if done is None:
        click.echo("no rollup on this database: every figure is counted from the records")
    else:
        what = (
            "rebuilt"
            if done.rebuilt
            else f"{done.dossiers} changed dossier(s), {done.days} day(s) added up again"
        )
        click.echo(f"rollup through {done.through_day:%Y-%m-%d}: {what}; {done.rows} row(s) in the rollup")


@indicators_cli.command("targets")
def targets_command() -> None:
    """List the targets with their level, period and source."""
    from app.indicators.targets import all_targets

    for t in all_targets():
        until = f"{t.valid_to:%Y-%m-%d}" if t.valid_to else "…"
        level = f" [{t.level}]" if t.level else ""
        mark = "" if t.confirmed else "  (chưa đối chiếu)"
        click.echo(
            f"{t.metric}{level} ≥ {t.value:.0%}  {t.valid_from:%Y-%m-%d} – {until}: {t.source_vi}{mark}"
        )


def init_app(app: Flask) -> None:
    from app.core.web import add_nav_link
    from app.extensions import api
    from app.indicators import (
        models,  # noqa: F401  (tables and indexes)
        targets,
    )
    from app.indicators.api import blp
    from app.indicators.jobs import refresh_indicator_rollups
    from app.indicators.permissions import can_see_indicators
    from app.indicators.views import bp
    from app.jobs.schedule import periodic

    app.config.setdefault("INDICATOR_ROLLUPS", True)
    app.config.setdefault("INDICATOR_ROLLUP_SECONDS", 300)
    targets.init_app(app)
    api.register_blueprint(blp)
    app.register_blueprint(bp)
    app.cli.add_command(indicators_cli)
    periodic(app, refresh_indicator_rollups, every=lambda config: config["INDICATOR_ROLLUP_SECONDS"])
    add_nav_link(app, "indicators_pages.dashboard", _l("Chỉ số giám sát"), can_see_indicators)
