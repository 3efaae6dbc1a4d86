"""`flask workflows validate` and `flask workflows graph`, and start-up refusing a broken folder."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from flask import Flask

from app import procedures
from app.procedures.cli import workflows_cli
from app.procedures.loader import WorkflowDefinitionError, load_registry
from app.procedures.queries import EXTENSION_KEY
from tests.procedures.support import LEVELS, ROOT, SHIPPED


@pytest.fixture
def cli_app():
    """Just what the commands need: the configuration, the loaded registry and the command group."""
    flask_app = Flask("workflows-cli-test")
    flask_app.config.update(WORKFLOWS_DIR=str(SHIPPED), ORG_LEVELS=list(LEVELS))
    flask_app.extensions[EXTENSION_KEY] = load_registry(SHIPPED, LEVELS)
    flask_app.cli.add_command(workflows_cli)
    return flask_app


@pytest.fixture
def run(cli_app):
    def invoke(*args: str):
        with cli_app.app_context():
            return cli_app.test_cli_runner().invoke(args=["workflows", *args])

    return invoke


@pytest.fixture
def broken_dir(procedure_data, write_yaml, workflow_dir):
    write_yaml("broken.yaml", {**procedure_data, "version": 0})
    typo = {**procedure_data, "code": "2.000002"}
    typo["onlne_level"] = typo.pop("online_level")
    write_yaml("typo.yaml", typo)
    return workflow_dir


def test_validate_prints_ok_and_exits_0_for_the_shipped_folder(run):
    """Three tiers for all time: the two-tier versions of 2025 are listed as not loaded, not as errors."""
    result = run("validate")

    lines = result.output.strip().splitlines()
    assert result.exit_code == 0
    assert lines[-1] == "OK: 7 procedures"
    assert len(lines[:-1]) == 8
    assert all(line.endswith("2025-07-01: not loaded") for line in lines[:-1])
    assert lines[0].startswith("birth_registration_2025.yaml: written for the levels province, commune;")


def test_validate_loads_every_shipped_version_in_the_two_era_structure(run):
    result = run("validate", "--levels", "province,district,commune;2025-07-01:province,commune")

    assert result.exit_code == 0
    assert result.output.strip() == "OK: 15 procedures"


def test_validate_prints_every_problem_and_exits_1(run, broken_dir):
    result = run("validate", "--dir", str(broken_dir))

    assert result.exit_code == 1
    assert "broken.yaml: version: must be at least 1, got 0" in result.output
    assert "typo.yaml: onlne_level: unknown key (did you mean 'online_level'?)" in result.output
    assert "typo.yaml: online_level: missing required key" in result.output


def test_validate_checks_against_other_levels(run):
    result = run("validate", "--levels", "province,commune")

    assert result.exit_code == 1
    assert "construction_permit_house.yaml: competent_level: unknown level 'district'" in result.output


def test_graph_prints_a_mermaid_state_diagram(run):
    result = run("graph", "1.012790")

    assert result.exit_code == 0
    assert result.output.startswith("stateDiagram-v2\n")
    assert "    commune_verifying --> registry_appraising : forward" in result.output
    assert "    returned --> [*]" in result.output


def test_graph_of_a_given_version(run):
    assert run("graph", "1.001193", "--version", "1").exit_code == 0


@pytest.mark.parametrize("args", [("9.999999",), ("1.001193", "--version", "7")])
def test_graph_of_an_unknown_procedure_fails(run, args):
    result = run("graph", *args)

    assert result.exit_code == 1
    assert "Không" in result.output


def test_start_up_stops_on_a_broken_folder(broken_dir):
    flask_app = Flask("broken-start-up")
    flask_app.config.update(WORKFLOWS_DIR=str(broken_dir), ORG_LEVELS=list(LEVELS))

    with pytest.raises(WorkflowDefinitionError) as caught:
        procedures.init_app(flask_app)

    assert "broken.yaml: version: must be at least 1, got 0" in str(caught.value)
    assert "typo.yaml: onlne_level: unknown key" in str(caught.value)


def _flask(*args: str, workflows_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "WORKFLOWS_DIR": str(workflows_dir), "APP_ENV": "development"}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_flask_workflows_validate_works_when_the_configured_folder_is_broken(broken_dir):
    result = _flask("workflows", "validate", workflows_dir=broken_dir)

    assert result.returncode == 1
    assert "broken.yaml: version: must be at least 1, got 0" in result.stdout
    assert "typo.yaml: onlne_level: unknown key" in result.stdout


def test_other_commands_refuse_to_start_with_a_broken_folder(broken_dir):
    result = _flask("routes", workflows_dir=broken_dir)

    assert result.returncode != 0
    assert "broken.yaml: version: must be at least 1, got 0" in result.stderr
