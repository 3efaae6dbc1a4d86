"""Fixtures for the procedure definitions: a small valid procedure to break on purpose, and a folder
to write YAML files into. Loading and validating need no database: apart from test_api.py (the lead's
`client`), these tests also run alone with `pytest tests/procedures --confcutdir=tests/procedures`."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from tests.procedures.support import MINIMAL


@pytest.fixture
def procedure_data() -> dict:
    """A fresh copy of a small valid procedure, to break one key at a time."""
    return copy.deepcopy(MINIMAL)


@pytest.fixture
def workflow_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "workflows"
    folder.mkdir()
    return folder


@pytest.fixture
def write_yaml(workflow_dir: Path):
    """write_yaml(name, data_or_text) puts one definition file into `workflow_dir`."""

    def write(name: str, content: dict | str) -> Path:
        path = workflow_dir / name
        text = (
            content
            if isinstance(content, str)
            else yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write
