"""Periodic work, declared by each domain and run by rq's cron scheduler.

A domain declares its periodic jobs in its `init_app`::

    periodic(app, scan_deadlines, every=lambda config: config["ALERT_SCAN_MINUTES"] * 60)
    periodic(app, run_monthly, cron="0 18 * * *")  # 01:00 in Vietnam (UTC+7), every day

`python -m app.scheduler` (`make scheduler`) keeps the definitions in its own memory and pushes each
job to its queue when due, so a Redis restart loses nothing: the next due time pushes the job
again. Run one scheduler per deployment; every periodic job is idempotent, so a second one only
repeats work. Without Redis, run them from cron: `flask jobs run NAME`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask, current_app

from app.core.uow import CommandGroup

EXTENSION_KEY = "periodic_jobs"


@dataclass(frozen=True)
class Periodic:
    name: str
    job: Any  # an app.jobs.Job
    every: Callable[[Mapping[str, Any]], float] | None = None  # seconds, from the configuration
    cron: str | None = None  # a cron expression in UTC

    def interval(self, config: Mapping[str, Any]) -> int | None:
        return max(1, int(self.every(config))) if self.every is not None else None

    def describe(self, config: Mapping[str, Any]) -> str:
        return f"every {self.interval(config)} s" if self.every is not None else f"cron '{self.cron}' (UTC)"


def periodic(
    app: Flask,
    job: Any,
    *,
    every: Callable[[Mapping[str, Any]], float] | None = None,
    cron: str | None = None,
    name: str | None = None,
) -> None:
    """Declare `job` (no arguments) to run every `every(config)` seconds or on the `cron` schedule."""
    if (every is None) == (cron is None):
        raise ValueError("a periodic job needs exactly one of every= or cron=")
    entry = Periodic(name or job.__name__, job, every, cron)
    jobs: dict[str, Periodic] = app.extensions.setdefault(EXTENSION_KEY, {})
    jobs[entry.name] = entry


def periodic_jobs() -> list[Periodic]:
    return sorted(current_app.extensions.get(EXTENSION_KEY, {}).values(), key=lambda p: p.name)


jobs_cli = CommandGroup("jobs", help="Background and periodic jobs.")


@jobs_cli.command("list")
def list_command() -> None:
    """The periodic jobs and their schedules."""
    for entry in periodic_jobs():
        click.echo(f"{entry.name:28} {entry.job.spec.queue:6} {entry.describe(current_app.config)}")


@jobs_cli.command("run")
@click.argument("name")
def run_command(name: str) -> None:
    """Run one periodic job now in this process (for cron where no scheduler runs)."""
    found = {p.name: p for p in periodic_jobs()}
    if name not in found:
        raise click.ClickException(f"no periodic job '{name}'; known: {', '.join(found)}")
    result = found[name].job()
    click.echo(f"{name}: {result}")
